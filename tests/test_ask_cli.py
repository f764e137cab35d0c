"""`ops-assistant ask` (text, --json, --jsonl), `chat` and `eval` through typer's CliRunner on the
real app (issue 3, "Interfaces")."""

from __future__ import annotations

import io
import json
import uuid

import pytest
import yaml
from typer.testing import CliRunner

import assistant.cli as assistant_cli
from answer_checks import ANSWER_KEYS, check_contract, marker_numbers
from assistant import Assistant
from assistant.cli import run_jsonl
from assistant.evaluation import GOLDEN, Scores
from ui.cli import app


@pytest.fixture(scope="module")
def shared(corpus_index) -> Assistant:
    """The Assistant exactly as the commands load it: `load_assistant()` with settings from an
    environment whose OPS_ASSISTANT_DATA_DIR names the built index. Loaded once for the module."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("OPS_ASSISTANT_DATA_DIR", str(corpus_index))
        for name in ("OPS_ASSISTANT_CHROMA_URL", "OPS_ASSISTANT_LLM"):
            env.delenv(name, raising=False)
        assistant = assistant_cli.load_assistant()
    assert assistant.settings.data_dir == corpus_index and assistant.llm is None
    return assistant


@pytest.fixture
def indexed(corpus_index, monkeypatch):
    """The environment points at the built index (as a user's would)."""
    monkeypatch.setenv("OPS_ASSISTANT_DATA_DIR", str(corpus_index))
    return corpus_index


@pytest.fixture
def loaded(indexed, shared, monkeypatch):
    """Commands get the module's Assistant instead of loading their own (seconds each); the
    settings they would load from must point at the same index."""
    def load():
        assert assistant_cli.load_settings().data_dir == indexed
        return shared

    monkeypatch.setattr(assistant_cli, "load_assistant", load)
    return shared


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(app, list(args), input=input)


def test_ask_json_prints_one_object_with_the_documented_keys(loaded):
    result = invoke("ask", "--json", "Who coined the term DataOps?")
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1  # one JSON object
    data = json.loads(lines[0])
    assert set(data) == ANSWER_KEYS
    assert data["session"] == "default" and data["question"] == "Who coined the term DataOps?"
    assert "Lenny Liebmann" in data["answer"] and data["citations"]
    assert set(marker_numbers(data["answer"])) == {c["n"] for c in data["citations"]}
    loaded.reset("default")


def test_ask_prints_the_answer_then_its_numbered_sources(loaded):
    result = invoke("ask", "How does testing differ between DevOps and MLOps?")
    assert result.exit_code == 0, result.output
    answer = loaded.ask("How does testing differ between DevOps and MLOps?",
                        session=uuid.uuid4().hex)
    out = result.stdout
    assert out.startswith(answer.answer)
    sources = out[len(answer.answer):]
    for citation in answer.citations:
        line = next(l for l in sources.splitlines() if l.startswith(f"[{citation.n}] "))
        assert citation.section in line and citation.source in line
        assert citation.quote.splitlines()[0] in sources


def test_ask_json_takes_a_session(loaded):
    session = f"cli-{uuid.uuid4().hex}"
    first = invoke("ask", "--json", "--session", session, "What is DataOps?")
    follow = invoke("ask", "--json", "--session", session, "Who coined the term?")
    assert first.exit_code == follow.exit_code == 0
    data = json.loads(follow.stdout)
    assert data["session"] == session
    assert "DataOps" in data["rewritten_query"] and "Lenny Liebmann" in data["answer"]


def test_ask_jsonl_answers_each_line_in_order_and_survives_bad_lines(loaded):
    a, b = f"jl-a-{uuid.uuid4().hex}", f"jl-b-{uuid.uuid4().hex}"
    lines = [
        json.dumps({"session": a, "question": "What is DataOps?"}),
        json.dumps({"session": b, "question": "What is DevOps?"}),
        "this is not JSON",
        json.dumps({"session": a}),                                  # no question
        json.dumps({"session": a, "question": 42}),                  # question not a string
        json.dumps({"session": 7, "question": "What is MLOps?"}),    # session not a string
        json.dumps(["What is MLOps?"]),                              # not an object
        json.dumps({"session": a, "question": None}),
        json.dumps({"session": a, "question": "Who coined the term?"}),
        json.dumps({"session": b, "question": "When?"}),
        json.dumps({"question": "What is MLOps?"}),                  # default session
        json.dumps({"session": a, "question": ""}),                  # empty: abstains, no error
    ]
    result = invoke("ask", "--jsonl", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout.splitlines()
    assert len(out) == len(lines)
    replies = [json.loads(line) for line in out]
    errors = [i for i, reply in enumerate(replies) if "error" in reply]
    assert errors == [2, 3, 4, 5, 6, 7]
    for i in errors:
        assert set(replies[i]) == {"error"} and replies[i]["error"].strip()
    # one line number, the input's: the decoder's own "line 1 column 1" is not repeated
    assert replies[2]["error"] == "line 3: not valid JSON: expecting value at character 1"
    for i, reply in enumerate(replies):
        if i not in errors:
            assert set(reply) == ANSWER_KEYS
            assert reply["question"] == json.loads(lines[i])["question"]  # in input order
    assert [r["session"] for r in replies if "session" in r] == [a, b, a, b, "default", a]
    coined, when = replies[8], replies[9]
    assert "DataOps" in coined["rewritten_query"] and "Lenny Liebmann" in coined["answer"]
    assert "DevOps" in when["rewritten_query"] and "2009" in when["answer"]
    assert replies[11]["abstained"] is True


def test_jsonl_writes_and_flushes_each_answer_before_reading_the_next_line(shared):
    """Streaming: a caller sees the reply to line n before it has to send line n+1."""
    class Out(io.StringIO):
        flushed = 0

        def flush(self):
            self.flushed = self.getvalue().count("\n")

    out = Out()
    requests = ['{"question": "What is DevOps?"}', "not json", '{"question": "What is MLOps?"}']

    def lines():
        for number, line in enumerate(requests):
            assert out.flushed == number, "the previous reply was not flushed"
            yield line + "\n"

    run_jsonl(shared, lines(), out)
    assert out.flushed == 3


def test_chat_reset_sources_and_quit(loaded):
    session = f"chat-{uuid.uuid4().hex}"
    script = ["/sources", "What is DataOps?", "Who coined the term?", "/sources", "/reset",
              "When?", "/quit", "What is MLOps?"]
    result = invoke("chat", "--session", session, input="\n".join(script) + "\n")
    assert result.exit_code == 0, result.output
    # what follows each "you> " prompt is the reply to that input line
    replies = result.stdout.split("you> ")[1:]
    assert len(replies) == script.index("/quit") + 1
    no_sources, dataops, coined, sources, reset, when, quit_ = replies
    assert "[1]" not in no_sources  # no sources before the first answer
    assert dataops.startswith("assistant> ") and "Lenny Liebmann" in coined
    # /sources: the numbered sources of the last answer, with their quotes
    assert sources.lstrip().startswith("[1] The 30-Second Definitions")
    assert "Lenny Liebmann" in sources and "assistant>" not in sources
    assert reset.strip() and "assistant>" not in reset
    assert when.startswith("assistant> ") and quit_.strip() == ""
    # after /reset the session has forgotten DataOps; /quit stops before "What is MLOps?"
    turns = loaded.conversation(session).turns
    assert [t.question for t in turns] == ["When?"]
    assert turns[0].standalone == "When?"


def test_chat_sources_of_a_list_answer_hold_no_answer_lines_and_outlast_small_talk(loaded):
    """/sources had printed a list answer's lines before the sources, and "(no sources yet)"
    after "thanks" (second newcomer trial)."""
    script = ["what do all three share?", "/sources", "thanks!", "/sources", "/reset", "/sources"]
    result = invoke("chat", "--session", f"chat-{uuid.uuid4().hex}",
                    input="\n".join(script) + "\n")
    _, listed, _, after_thanks, _, after_reset = result.stdout.split("you> ")[1:7]
    assert listed.lstrip().startswith("[1] Where the Three Overlap")
    assert after_thanks == listed
    assert all(line.startswith(("[", "    ")) for line in listed.strip().splitlines())
    assert after_reset.strip() == "(no sources yet)"


def test_chat_help_lists_the_commands_and_is_no_question(loaded):
    session = f"chat-{uuid.uuid4().hex}"
    result = invoke("chat", "--session", session, input="/help\n/quit\n")
    help_reply = result.stdout.split("you> ")[1]
    assert "/sources" in help_reply and "/reset" in help_reply and "assistant>" not in help_reply
    assert loaded.conversation(session).turns == []


def test_chat_ends_cleanly_at_end_of_input(loaded):
    result = invoke("chat", "--session", f"chat-{uuid.uuid4().hex}", input="What is MLOps?\n")
    assert result.exit_code == 0
    assert "takes ML models from notebooks" in result.stdout


@pytest.mark.parametrize("args", [["ask", "What is DevOps?"], ["ask", "--json", "What is DevOps?"],
                                  ["ask", "--jsonl"], ["chat"], ["eval", "--json"]])
def test_without_an_index_one_line_error_and_no_traceback(args):
    # the autouse `user_dir` fixture points OPS_ASSISTANT_DATA_DIR at an empty folder
    result = invoke(*args, input='{"question": "What is DevOps?"}\n')
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("Error:"), result.stderr
    # with --json the same error is also the JSON on stdout, where the answer would have been
    expected = [{"error": errors[0].removeprefix("Error: ")}] if "--json" in args else []
    assert [json.loads(line) for line in result.stdout.splitlines()] == expected


def test_asking_or_checking_a_data_folder_with_no_index_leaves_no_folder_behind(user_dir):
    """A mistyped OPS_ASSISTANT_DATA_DIR had been created, with an empty chroma.sqlite3 in it."""
    from ingest.cli import app as ingest_app

    assert invoke("ask", "What is DevOps?").exit_code == 1
    as_json = invoke("ask", "--json", "What is DevOps?")
    assert as_json.exit_code == 1 and "no index" in json.loads(as_json.stdout)["error"]
    status = CliRunner().invoke(ingest_app, ["status", "--json"])
    assert status.exit_code == 0 and json.loads(status.stdout)["built"] is False
    assert not user_dir.exists()


@pytest.mark.parametrize("arguments", [(), ("",), ("  ",)])
def test_ask_without_a_question_is_a_usage_error(indexed, arguments):
    result = invoke("ask", *arguments)
    assert result.exit_code == 2
    assert "give a question" in result.output and "Traceback" not in result.output
    assert ("is empty" in result.output) == bool(arguments)
    as_json = invoke("ask", "--json", *arguments)
    assert as_json.exit_code == 2 and "give a question" in json.loads(as_json.stdout)["error"]


def test_eval_json_scores_a_question_set_with_the_baseline(loaded, tmp_path):
    golden = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    picked = [next(q for q in golden if q["id"] == "def-dataops"),
              next(q for q in golden if q["category"] == "difference"),
              next(q for q in golden if not q["answerable"])]
    path = tmp_path / "three.yaml"
    path.write_text(yaml.safe_dump(picked), encoding="utf-8")
    result = invoke("eval", "--json", "--questions", str(path))
    assert result.exit_code == 0, result.output
    scores = Scores.model_validate_json(result.stdout)
    assert scores.questions == 3
    assert scores.citations_valid == 1.0 and scores.abstention_accuracy == 1.0
    assert 0 <= scores.key_fact_hit <= 1 and 0 <= scores.recall_at_5 <= 1
    assert scores.baseline_context_key_fact_hit is not None
    assert scores.baseline_median_context_chars and scores.baseline_median_context_chars > 0


def test_eval_text_output_names_every_score(loaded, tmp_path):
    golden = yaml.safe_load(GOLDEN.read_text(encoding="utf-8"))
    path = tmp_path / "one.yaml"
    path.write_text(yaml.safe_dump([golden[0]]), encoding="utf-8")
    result = invoke("eval", "--no-baseline", "--questions", str(path))
    assert result.exit_code == 0, result.output
    for name in ("key_fact_hit", "citations_valid", "abstention_accuracy", "recall_at_5", "mrr",
                 "median_answer_chars"):
        assert name in result.stdout


def test_jsonl_answers_keep_the_contract(loaded):
    result = invoke("ask", "--jsonl", input=json.dumps({"question": "What is MLOps?"}) + "\n")
    [line] = result.stdout.splitlines()
    answer = loaded.ask("What is MLOps?", session=uuid.uuid4().hex)
    data = json.loads(line)
    assert data["answer"] == answer.answer
    check_contract(answer, loaded)


def test_jsonl_survives_a_lone_surrogate(loaded):
    lines = ['{"question": "What is \\ud800 DevOps?"}', '{"question": "What is MLOps?"}']
    result = invoke("ask", "--jsonl", input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_bench_helpers_time_warm_asks(shared):
    """`bench` itself (cold starts in new processes) is left to the benchmark command; its warm
    timing and percentile are checked here on two questions."""
    from assistant.bench import percentile, warm_latencies
    from assistant.evaluation import load_golden

    timings = warm_latencies(shared, load_golden()[:2], passes=2)
    assert len(timings) == 4 and all(t > 0 for t in timings)
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5) == 3.0
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.95) == 5.0
    assert percentile([7.0], 0.95) == 7.0


def test_bench_alternates_ask_passes_with_the_sentence_transformers_yardstick(shared):
    from assistant.bench import paired_passes
    from assistant.evaluation import load_golden

    asks, encodes = paired_passes(shared, load_golden()[:2], passes=2)
    assert len(asks) == len(encodes) == 4
    assert all(t > 0 for t in asks + encodes)


def test_an_index_without_the_article_says_so_instead_of_what_the_article_lacks(user_dir, tmp_path,
                                                                               caplog):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "deploys.md").write_text("# Deploys\n\nThe deploy runs at noon every Friday.\n",
                                      encoding="utf-8")
    assert CliRunner().invoke(app, ["ingest", "--quiet", str(notes)]).exit_code == 0
    missing = CliRunner().invoke(app, ["ask", "--json", "who coined dataops?"])
    answer = json.loads(missing.stdout)
    assert answer["abstained"] and "You could ask" not in answer["answer"]
    assert answer["answer"].startswith("The indexed files do not answer that, and the article "
                                       "\"DevOps vs DataOps vs MLOps\" is not in the index")
    assert "ops-assistant ingest corpus YOUR_FOLDER" in answer["answer"]
    assert "the article is not in the index" in caplog.text
    found = json.loads(CliRunner().invoke(app, ["ask", "--json", "when does the deploy run?"]).stdout)
    assert "noon every Friday" in found["answer"] and not found["abstained"]
