"""Load on the chat UI: many concurrent conversations, every answer checked, latency and a sweep.

    .venv/bin/python scripts/bench_load.py [--url URL | --target jsonl] [--sessions 20]
        [--turns 20] [--sweep 1,2,4,8,16,32] [--repeat 3] [--json]

Each session is a scripted conversation (scripts/load_conversations.py): follow-ups on one
discipline ("What is DataOps?", "Who coined the term?", "And versioning?"), the recommender from
an unknown background, follow-ups on its advice, other disciplines. Sessions side by side talk
about different disciplines and backgrounds at the same moment, so an answer built from another
session's history fails its own checks ("Who coined the term?" after DevOps must name Patrick
Debois, not Lenny Liebmann). Every answer must come without an error, with [n] markers numbered
1..k each backed by a source, and pass its turn's expectations (assistant/dialogs.py `check`).

`--target ui` (default): `/chat` through gradio_client, one Client (Gradio session) per
conversation, on --url or on the real UI served in this process (then sharing the CPU and the
GIL with the clients: pessimistic). "first" is the first streamed piece; "pacing" is the part of
a complete answer's time that /chat sleeps between pieces (ui/events.py, at most ~0.4 s).
`--target jsonl`: each conversation its own `run_jsonl` stream (the loop of `ops-assistant ask
--jsonl`) over one shared Assistant, N streams in N threads: the same conversations without HTTP,
queue or pacing (a single stream answers one line at a time, so concurrency needs one stream per
conversation). Figures are medians over --repeat runs; errors and failed checks are summed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from assistant.bench import percentile  # noqa: E402
from assistant.citations import MARKERS  # noqa: E402
from assistant.dialogs import DialogTurn, check  # noqa: E402
from assistant.dialogs_cli import describe  # noqa: E402
from assistant.schema import Answer, Citation  # noqa: E402
from scripts.bench_ui import connect, stream_reply  # noqa: E402
from scripts.load_conversations import script  # noqa: E402
from ui.events import STREAM_BUDGET_S, STREAM_DELAY_S, pieces  # noqa: E402

SOURCE_LINE = re.compile(r"^\[(\d+)\] ", re.M)
P95_TARGET_MS = 1000


@dataclass
class Reply:
    """One answer as the load saw it; `first_ms` is None where nothing streams."""

    answer: Answer | None = None
    complete_ms: float = 0.0
    first_ms: float | None = None
    error: str | None = None


def parse_reply(reply: str, question: str) -> Answer:
    """`/chat`'s text (answer, blank line, "Sources:", `[n] section (source): "quote" <url>`
    lines) back as an Answer, so the dialogs' checks apply unchanged; /chat carries no
    recommendation."""
    text, _, sources = reply.partition("\n\nSources:\n")
    parts = SOURCE_LINE.split(sources)
    citations = []
    for n, body in zip(parts[1::2], parts[2::2]):
        place, _, rest = body.rstrip().partition(': "')
        section, _, source = place.rpartition(" (")
        quote, _, url = rest.rpartition('"')
        citations.append(Citation(n=int(n), chunk_id="", source=source.rstrip(")"), title="",
                                  section=section, quote=quote, url=url.strip(" <>"), score=0.0))
    return Answer(session="", question=question, answer=text, citations=citations)


def citation_problem(answer: Answer) -> str | None:
    """Why the [n] markers and the sources do not match (numbers 1..k, each used, each listed)."""
    listed = [c.n for c in answer.citations]
    used = {int(n) for group in MARKERS.findall(answer.answer) for n in group.split(",")}
    if listed != list(range(1, len(listed) + 1)):
        return f"sources numbered {listed}"
    if used != set(listed):
        return f"markers {sorted(used)} but sources {listed}"
    if any(not c.section or not c.quote for c in answer.citations):
        return "a source without its section or quote"
    return None


def ui_target(url: str):
    """Sessions on the UI: each a gradio_client Client, connected before the clock starts."""
    def session():
        client = connect(url)
        return lambda questions: [ui_reply(client, q) for q in questions]
    return session


def ui_reply(client: Client, question: str) -> Reply:
    """One turn in `client`'s session; a failed request is a result of the load, not its end."""
    started = time.perf_counter()
    try:
        first, complete, _, text = stream_reply(client, question)
    except Exception as error:
        return Reply(complete_ms=(time.perf_counter() - started) * 1000, error=repr(error))
    return Reply(parse_reply(text, question), complete, first)


class JsonlStream:
    """One conversation through `run_jsonl` over a shared Assistant: its input (the next question,
    sent only once the last answer is back) and output (answer lines, timed from their question)."""

    def __init__(self, assistant):
        self.assistant, self.session, self.questions, self.replies = assistant, "", [], []
        self._sent = 0.0

    def __call__(self, questions: list[str]) -> list[Reply]:
        from assistant.cli import run_jsonl

        self.session, self.questions, self.replies = f"load-{uuid.uuid4().hex}", questions, []
        run_jsonl(self.assistant, self, self)
        return self.replies

    def __iter__(self):
        for question in self.questions:
            self._sent = time.perf_counter()
            yield json.dumps({"session": self.session, "question": question})

    def write(self, line: str) -> None:
        elapsed = (time.perf_counter() - self._sent) * 1000
        data = json.loads(line)
        self.replies.append(Reply(complete_ms=elapsed, error=data["error"]) if "error" in data
                            else Reply(Answer.model_validate(data), elapsed))

    def flush(self) -> None:
        pass


def jsonl_target(assistant):
    """Sessions in this process: each its own run_jsonl stream over the shared Assistant."""
    return lambda: JsonlStream(assistant)


def play(target, scripts: list[list[DialogTurn]]) -> tuple[list[list[Reply]], float]:
    """All conversations at once, one thread each; the replies and the wall-clock seconds."""
    talks = [target() for _ in scripts]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(scripts)) as pool:
        replies = list(pool.map(lambda talk, s: talk([t.user for t in s]), talks, scripts))
    return replies, time.perf_counter() - started


def answer_problems(turn_: DialogTurn, reply: Reply) -> list[str]:
    """What is wrong with one answer: an error, a citation mismatch, failed expectations."""
    if reply.error or reply.answer is None:
        return [f"error: {reply.error}"]
    cited = citation_problem(reply.answer)
    return ([f"citations: {cited}"] if cited else []) + [
        describe(c) for c in check(turn_.expect, reply.answer) if not c.passed]


def pacing_ms(text: str) -> float:
    """The pauses /chat puts between the streamed pieces of `text` (ui.events `_paced`)."""
    steps = len(list(pieces(text)))
    return (steps - 1) * min(STREAM_DELAY_S, STREAM_BUDGET_S / steps) * 1000


@dataclass
class Run:
    """One run of a level: every reply, the wall-clock seconds, the problems found, each as
    (session, turn, question, problem)."""

    sessions: int
    replies: list[Reply]
    seconds: float
    problems: list[tuple[int, int, str, str]]

    def figures(self, streamed: bool) -> dict:
        """Throughput and latency percentiles of the complete answers (and, when streamed, of
        the first piece and of the pacing they contain)."""
        done = [r for r in self.replies if r.answer is not None]
        completes = [r.complete_ms for r in done] or [0.0]
        figures = {"sessions": self.sessions, "requests": len(self.replies),
                   "answers_per_s": len(done) / self.seconds,
                   **{f"complete_p{p}_ms": percentile(completes, p / 100) for p in (50, 95, 99)}}
        if streamed:
            firsts = [r.first_ms for r in done] or [0.0]
            paces = [pacing_ms(r.answer.answer) for r in done] or [0.0]
            figures |= {"first_p50_ms": percentile(firsts, .5),
                        "first_p95_ms": percentile(firsts, .95),
                        "pacing_p50_ms": percentile(paces, .5)}
        return figures


def run_level(target, sessions: int, turns: int, scripts=None) -> Run:
    """`sessions` scripted conversations at once (or the `scripts` given), every answer checked."""
    scripts = scripts or [script(number, turns) for number in range(sessions)]
    replies, seconds = play(target, scripts)
    found = [(number, index, turn_.user, problem)
             for number, (script_, replies_) in enumerate(zip(scripts, replies))
             for index, (turn_, reply) in enumerate(zip(script_, replies_), 1)
             for problem in answer_problems(turn_, reply)]
    return Run(len(scripts), [r for rs in replies for r in rs], seconds, found)


def level_report(runs: list[Run], streamed: bool) -> dict:
    """Medians over repeated runs of one level; errors and failed checks summed over them."""
    each = [run.figures(streamed) for run in runs]
    found = [p for run in runs for p in run.problems]
    errors = sum(problem.startswith("error:") for *_, problem in found)
    return {**{key: round(statistics.median(f[key] for f in each), 1) for key in each[0]},
            "runs": len(runs), "errors": errors, "failed_checks": len(found) - errors,
            "failure_examples": found[:5]}


COLUMNS = {"sessions": "sessions", "requests": "requests", "errors": "errors",
           "failed_checks": "failed", "answers_per_s": "answers/s", "first_p50_ms": "first p50",
           "first_p95_ms": "first p95", "complete_p50_ms": "p50", "complete_p95_ms": "p95",
           "complete_p99_ms": "p99", "pacing_p50_ms": "pacing p50"}


def print_table(levels: list[dict], target: str) -> None:
    """The figures as a table, the level where p95 first passes 1 s, and failure examples."""
    print(f"target: {target}; ms; p50/p95/p99 of complete answers; medians of "
          f"{levels[0]['runs']} run(s), errors and failed checks summed")
    print("  ".join(f"{title:>10}" for title in COLUMNS.values()))
    for level in levels:
        print("  ".join(f"{level.get(key, '-'):>10}" for key in COLUMNS))
    over = [lv["sessions"] for lv in levels if lv["complete_p95_ms"] > P95_TARGET_MS]
    print(f"p95 passes {P95_TARGET_MS} ms at {over[0]} concurrent sessions" if over
          else f"p95 stays under {P95_TARGET_MS} ms at every level")
    for level in levels:
        for session, number, question, problem in level["failure_examples"]:
            print(f"  FAIL at {level['sessions']} sessions: session {session} turn {number} "
                  f"{question!r}: {problem}")


def open_target(args):
    """The target's session factory and what to close afterwards (a UI served here, or None)."""
    from ingest.settings import Settings

    if args.target == "jsonl":
        from assistant import Assistant
        return jsonl_target(Assistant.load(Settings())), None
    if args.url:
        return ui_target(args.url), None
    from ui.serve import serve_in_background
    ui, url = serve_in_background(Settings())
    return ui_target(url), ui


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", choices=["ui", "jsonl"], default="ui")
    parser.add_argument("--url", help="a running UI (default: serve one in this process)")
    parser.add_argument("--sessions", type=int, default=20, help="concurrent conversations")
    parser.add_argument("--turns", type=int, default=20, help="questions per conversation")
    parser.add_argument("--sweep", help="comma-separated session counts instead of --sessions")
    parser.add_argument("--repeat", type=int, default=3, help="runs per level (medians)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    counts = [int(n) for n in args.sweep.split(",")] if args.sweep else [args.sessions]
    target, ui = open_target(args)
    try:
        run_level(target, 2, 5)  # warm-up: first answers pay for loading and caches
        levels = [level_report([run_level(target, n, args.turns) for _ in range(args.repeat)],
                               streamed=args.target == "ui") for n in counts]
    finally:
        if ui is not None:
            with contextlib.redirect_stdout(sys.stderr):  # Gradio says it closes, on stdout
                ui.close()
    if args.json:
        print(json.dumps({"target": args.target, "turns": args.turns, "levels": levels}))
    else:
        print_table(levels, args.target)
    sys.exit(1 if any(lv["errors"] or lv["failed_checks"] for lv in levels) else 0)


if __name__ == "__main__":
    main()
