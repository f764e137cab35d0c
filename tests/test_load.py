"""The load script (scripts/bench_load.py) at a small scale, on the real UI and in-process: many
sessions at once get correct, cited answers, and its leak detector does flag a session that
gets another discipline's answers, so a clean load run means something."""

from __future__ import annotations

import sys

import pytest

from conftest import free_port
from ingest.settings import CHECKOUT_DIR, Settings
from ui.render import plain_answer
from ui_support import serving

sys.path.insert(0, str(CHECKOUT_DIR))
from scripts import bench_load  # noqa: E402
from scripts.load_conversations import discipline_turns, script  # noqa: E402

SESSIONS, TURNS = 4, 8  # 4 sessions cover the three disciplines and all four backgrounds' order


@pytest.fixture(scope="module")
def served(corpus_assistant):
    """The real UI, answering as many questions at once as there are sessions."""
    settings = corpus_assistant.settings.model_copy(
        update={"port": free_port(), "auth": None, "ui_concurrency": SESSIONS})
    with serving(settings, corpus_assistant) as ui:
        yield ui


@pytest.fixture(params=["ui", "jsonl"])
def target(request, corpus_assistant):
    """Each load target: gradio_client sessions on the served UI, or run_jsonl streams."""
    if request.param == "ui":
        port = request.getfixturevalue("served").settings.port
        return bench_load.ui_target(f"http://127.0.0.1:{port}/")
    return bench_load.jsonl_target(corpus_assistant)


def test_concurrent_sessions_get_their_own_correct_cited_answers(target):
    run = bench_load.run_level(target, SESSIONS, TURNS)
    assert len(run.replies) == SESSIONS * TURNS
    assert run.problems == []
    streamed = [r for r in run.replies if r.first_ms is not None]
    assert all(r.first_ms <= r.complete_ms for r in streamed)


def test_a_session_answered_from_another_discipline_is_flagged(target):
    """DevOps questions checked as if the session's history were about DataOps: what a leak
    between sessions would look like. The honest session next to it still passes."""
    crossed = discipline_turns("DevOps", expected="DataOps")
    run = bench_load.run_level(target, 0, 0, scripts=[script(1, 5), crossed])
    flagged = {(session, question, problem.split(":")[0])
               for session, _, question, problem in run.problems}
    assert {session for session, _, _ in flagged} == {1}
    assert not any(kind == "error" for *_, kind in flagged)
    assert (1, "Who coined the term?", "contains") in flagged  # Lenny Liebmann is missing
    assert (1, "Who coined the term?", "not_contains") in flagged  # Patrick Debois is there


def test_chat_replies_are_read_back_with_their_sources(corpus_assistant):
    answer = corpus_assistant.ask("What is DataOps?", session="load-parse")
    parsed = bench_load.parse_reply(plain_answer(answer), answer.question)
    assert parsed.answer == answer.answer and answer.citations
    assert ([(c.n, c.section, c.source, c.quote, c.url) for c in parsed.citations]
            == [(c.n, c.section, c.source, c.quote, c.url) for c in answer.citations])
    assert bench_load.citation_problem(parsed) is None
    unbacked = parsed.model_copy(update={"answer": parsed.answer + " Extra. [9]"})
    assert "markers" in bench_load.citation_problem(unbacked)
    gap = parsed.model_copy(update={"citations": [c.model_copy(update={"n": 2})
                                                  for c in parsed.citations]})
    assert "numbered" in bench_load.citation_problem(gap)


def test_the_ui_queue_takes_its_concurrency_from_the_settings(served, monkeypatch):
    assert served.blocks._queue.default_concurrency_limit == SESSIONS
    assert served.blocks._queue.max_size is None  # a full queue would refuse questions
    monkeypatch.setenv("OPS_ASSISTANT_UI_CONCURRENCY", "3")
    assert Settings().ui_concurrency == 3
