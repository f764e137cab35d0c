"""`ask`, `chat`, `eval` and `bench`: the assistant's commands, thin over the Python API."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ingest.cli import expected_errors, load_settings
from ingest.errors import OpsAssistantError

app = typer.Typer(add_completion=False)
CHAT_HELP = ("Ask about DevOps, DataOps and MLOps. /sources shows the last sources, "
             "/reset starts over, /help shows this, /quit leaves.")


def load_assistant():
    from assistant import Assistant

    return Assistant.load(load_settings())


def format_answer(answer) -> str:
    """The answer text, then its numbered sources: section and the quoted passage."""
    return f"{answer.answer}\n\n{format_sources(answer)}" if answer.citations else answer.answer


def format_sources(answer) -> str:
    """The answer's numbered sources, one per citation: section, file, the quoted passage."""
    def quoted(text: str) -> str:
        return "\n    ".join(line for line in f'"{text}"'.splitlines() if line.strip())

    return "\n".join(f"[{c.n}] {c.place} ({', '.join([c.source, *c.also_in])})\n    {quoted(c.quote)}"
                     for c in answer.citations)


def ask_command(
    question: Annotated[str | None, typer.Argument(help="The question to answer.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Read JSON lines from stdin.")] = False,
    session: Annotated[str | None, typer.Option(
        help="Continue this conversation across calls (its latest questions are kept in the "
             "data folder's sessions/). Without it, each call is a new conversation.")] = None,
    new: Annotated[bool, typer.Option("--new", help="Start --session's conversation afresh.")] = False,
) -> None:
    """Answer a question with numbered citations, or a stream of JSON lines with --jsonl."""
    if not jsonl and not (question or "").strip():
        empty = "" if question is None else " (this one is empty)"
        message = f"give a question{empty}, or --jsonl to read JSON lines from stdin"
        if as_json:
            typer.echo(json.dumps({"error": message}))
        raise typer.BadParameter(message)
    with expected_errors(as_json):
        assistant = load_assistant()
    if jsonl:
        if hasattr(sys.stdin, "reconfigure"):  # invalid UTF-8 becomes U+FFFD: one reply, not a crash
            sys.stdin.reconfigure(errors="replace")
        run_jsonl(assistant, sys.stdin, sys.stdout)
        return
    with expected_errors(as_json):
        answer = (assistant.ask(question, session="default") if session is None
                  else _ask_in_session(assistant, session, question, new))
    typer.echo(answer.model_dump_json() if as_json else format_answer(answer))


def _ask_in_session(assistant, session: str, question: str, new: bool):
    """The next turn of a saved conversation; an unreadable saved file is an error, left as is."""
    from assistant.sessions import SavedSessions, UnreadableSession, ask_in_session

    sessions = SavedSessions(assistant.settings.data_dir / "sessions")
    if new:
        sessions.forget(session)
    try:
        return ask_in_session(assistant, sessions, session, question)
    except UnreadableSession as error:
        typer.echo(f"Error: session {session!r} cannot be continued: {error}; "
                   "--new starts it afresh", err=True)
        raise typer.Exit(2) from None


def run_jsonl(assistant, lines, out) -> None:
    """One JSON answer per input line, flushed at once; a bad line gets {"error": ...}."""
    for number, line in enumerate(lines, 1):
        try:
            if not line.strip():
                raise ValueError("empty line")
            request = _json_line(line)
            if not isinstance(request, dict) or not isinstance(request.get("question"), str):
                raise ValueError('expected {"session": "...", "question": "..."}')
            session = request.get("session", "default")
            if not isinstance(session, str):
                raise ValueError("session must be a string")
        except ValueError as error:
            reply = json.dumps({"error": f"line {number}: {error}"})
        else:
            reply = _answer_line(assistant, request["question"], session, number)
        out.write(reply + "\n")
        out.flush()


def _json_line(line: str):
    """The line's JSON value; ValueError naming the character where it stops being JSON (the
    decoder's own "line 1 column 38" would be read as a line of the input)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        problem = error.msg.lower().removesuffix(" at")
        raise ValueError(f"not valid JSON: {problem} at character {error.pos + 1}") from None


def _answer_line(assistant, question: str, session: str, number: int) -> str:
    """The answer as JSON; an expected failure (the server is down) as an error line instead,
    so a long-running `--jsonl` reader keeps going and answers again once the server is back."""
    try:
        return assistant.ask(question, session=session).model_dump_json()
    except OpsAssistantError as error:
        return json.dumps({"error": f"line {number}: {error}"})


def chat_command(
    session: Annotated[str, typer.Option(help="Conversation name.")] = "chat",
) -> None:
    """Interactive chat in the terminal: /sources, /reset, /help, /quit."""
    with expected_errors():
        assistant = load_assistant()
    typer.echo(CHAT_HELP)
    cited = None  # the last answer that quoted the article: small talk after it keeps its sources
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            typer.echo("")
            return
        if line in ("/quit", "/exit"):
            return
        if line in ("/help", "/?"):
            typer.echo(CHAT_HELP)
            continue
        if line == "/reset":
            assistant.reset(session)
            cited = None
            typer.echo("(new conversation)")
        elif line == "/sources":
            typer.echo(format_sources(cited) if cited else "(no sources yet)")
        elif line:
            try:
                answer = assistant.ask(line, session=session)
            except OpsAssistantError as error:  # e.g. the server is down: the next line retries
                typer.echo(f"Error: {error}", err=True)
                continue
            cited = answer if answer.citations else cited
            typer.echo(f"assistant> {answer.answer}")


def eval_command(
    questions: Annotated[Path | None, typer.Option(help="A question set (default: the golden set).")] = None,
    baseline: Annotated[bool, typer.Option(help="Also score the textbook RAG baseline.")] = True,
    real: Annotated[bool | None, typer.Option(
        help="Also score the real-phrasing sets in tests/real/ (default: with the golden set).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    readability: Annotated[bool, typer.Option(
        help="Instead: how the answers read (markers per sentence, filler, repeats, lists, "
             "direct answer first) over the golden, held-out and real-phrasing questions.")] = False,
) -> None:
    """Score answers on the golden question set (tests/golden/questions.yaml) and, beside it, the
    share of turns answered right in the real-phrasing sets (tests/real/)."""
    from assistant.evaluation import GOLDEN, REAL_PHRASING, evaluate, evaluate_dialogs, load_golden

    if readability:
        return _readability(as_json)
    with expected_errors(as_json):
        assistant = load_assistant()
        scores = evaluate(assistant, load_golden(questions or GOLDEN), baseline=baseline)
        if real if real is not None else questions is None:
            scores.real_phrasing = [evaluate_dialogs(assistant, name, path)
                                    for name, path in REAL_PHRASING.items() if path.is_file()]
    if as_json:
        typer.echo(scores.model_dump_json())
        return
    for miss in scores.misses:  # a sealed set's misses stay unseen unless asked for (--json)
        typer.echo(f"  miss {miss}")
    for name, value in scores.model_dump(exclude={"misses", "real_phrasing"}).items():
        typer.echo(f"{name:>32}: {value}")
    for result in scores.real_phrasing:
        typer.echo(f"{result.name:>32}: {result.turns_right} of {result.turns} turns right "
                   f"({result.dialogs} dialogs)")


def _readability(as_json: bool) -> None:
    from assistant.readability import evaluate_readability

    with expected_errors(as_json):
        results = evaluate_readability(load_assistant())
    if as_json:
        typer.echo(json.dumps([r.model_dump() for r in results]))
        return
    typer.echo(f"{'set':<24}{'answered':>9}{'markers/sentence':>17}{'filler':>7}{'twice':>6}"
               f"{'lists as lines':>15}{'key fact first':>15}")
    for r in results:
        typer.echo(f"{r.name:<24}{r.answered:>9}{r.markers_per_sentence:>17}{r.with_filler:>7}"
                   f"{r.with_a_sentence_twice:>6}{f'{r.lists_as_lines}/{r.list_questions}':>15}"
                   f"{r.first_sentence_key_fact:>15.1%}")


def check_language_command() -> None:
    """Check the language data (assistant/language/*.yaml) against the index: the framework's
    quoted sentences, its section and the named entities must be in it; the data must be well
    formed (no phrase written twice, enough examples per intent). Exit 1 on a problem."""
    from assistant.language import load, problems
    from ingest.store import IndexStore, read_errors

    with expected_errors():
        language = load()
        settings = load_settings()
        store = IndexStore(settings, create=False)
        with read_errors(settings):
            got = store.read_all(store.require_active(), ["documents", "metadatas"])
    found = problems(language, got["documents"], {m["section"] for m in got["metadatas"]})
    for problem in found:
        typer.echo(f"problem: {problem}", err=True)
    examples = sum(len(i.examples) for i in language.intents.values())
    typer.echo(f"language data: {len(language.intents)} intents ({examples} examples), "
               f"{len(language.backgrounds)} backgrounds, {len(language.entities)} entities; "
               f"against {settings.index_location}: "
               + (f"{len(found)} problem(s)" if found else "no problems"))
    if found:
        raise typer.Exit(1)


def bench_command(
    passes: Annotated[int, typer.Option(help="Timed passes over the golden questions.")] = 3,
    cold_runs: Annotated[int, typer.Option(help="Cold starts to time.")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Warm p50/p95 latency of `ask`, cold start to first answer, and peak memory."""
    from assistant.bench import run_bench
    from assistant.evaluation import load_golden

    with expected_errors(as_json):
        report = run_bench(load_assistant(), load_golden(), passes, cold_runs)
    if as_json:
        typer.echo(report.model_dump_json())
        return
    for name, value in report.model_dump().items():
        typer.echo(f"{name:>30}: {value}")
