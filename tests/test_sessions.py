"""`ask --session NAME` continues a conversation across calls: each call is a new process with a
new Assistant, which gets the conversation's context back from the saved questions."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

import assistant.cli as assistant_cli
from assistant import Assistant
from assistant.sessions import KEPT_QUESTIONS, SavedSessions, UnreadableSession, ask_in_session
from ingest.settings import Settings
from ui.cli import app


@pytest.fixture(scope="module")
def assistants(corpus_index):
    """Two Assistants over the same index, as two processes would have."""
    settings = Settings(data_dir=corpus_index, chroma_url=None, llm=None)
    return Assistant.load(settings), Assistant.load(settings)


def test_a_saved_conversation_continues_in_another_assistant(assistants, tmp_path):
    first, second = assistants
    sessions = SavedSessions(tmp_path)
    name = f"me {uuid.uuid4().hex}"
    ask_in_session(first, sessions, name, "What is DataOps?")
    answer = ask_in_session(second, sessions, name, "who coined the term?")
    assert answer.answer.startswith("The term was coined on June 19, 2014 by Lenny Liebmann")
    assert sessions.questions(name) == ["What is DataOps?", "who coined the term?"]
    assert answer.rewritten_query != "who coined the term?"  # read with the conversation


def test_a_session_keeps_its_latest_questions_and_any_name_is_a_safe_file(tmp_path):
    sessions = SavedSessions(tmp_path)
    for name in ["../../etc/passwd", "a/b c", "\U0001f600", "x" * 500]:
        sessions.save(name, [f"q{i}" for i in range(KEPT_QUESTIONS + 5)])
        assert sessions.path(name).parent == tmp_path
        assert sessions.questions(name) == [f"q{i}" for i in range(5, KEPT_QUESTIONS + 5)]
    sessions.forget("a/b c")
    assert sessions.questions("a/b c") == []


@pytest.mark.parametrize("content", ["not json", '{"version": 1, "questions": [1, 2]}', "[]",
                                     '{"version": 99, "questions": []}'])
def test_an_unreadable_session_file_is_refused_and_left_as_it_was(tmp_path, content):
    sessions = SavedSessions(tmp_path)
    sessions.path("s").write_text(content, encoding="utf-8")
    with pytest.raises(UnreadableSession):
        sessions.questions("s")
    assert sessions.path("s").read_text(encoding="utf-8") == content


def test_ask_session_continues_new_restarts_and_a_bad_file_is_one_error_line(
        corpus_index, monkeypatch, assistants):
    answers = iter(assistants * 3)  # a new Assistant for every call, as a new process has
    monkeypatch.setenv("OPS_ASSISTANT_DATA_DIR", str(corpus_index))
    monkeypatch.setattr(assistant_cli, "load_assistant", lambda: _fresh(next(answers)))
    name = f"cli-{uuid.uuid4().hex}"

    def ask(*args: str):
        return CliRunner().invoke(app, ["ask", "--json", *args])

    assert ask("--session", name, "What is DataOps?").exit_code == 0
    continued = json.loads(ask("--session", name, "who coined it?").stdout)
    assert "Lenny Liebmann" in continued["answer"] and not continued["abstained"]
    restarted = json.loads(ask("--session", name, "--new", "who coined it?").stdout)
    assert restarted["abstained"]  # no conversation: nothing for "it" to stand for
    path = SavedSessions(corpus_index / "sessions").path(name)
    path.write_text("{broken", encoding="utf-8")
    result = ask("--session", name, "and MLOps?")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"Error: session '{name}' cannot be continued")
    assert "--new starts it afresh" in result.stderr and len(result.stderr.splitlines()) == 1
    assert path.read_text(encoding="utf-8") == "{broken"


def _fresh(assistant: Assistant) -> Assistant:
    """`assistant` without the conversations an earlier call left in it."""
    for session in list(assistant._sessions):
        assistant.reset(session)
    return assistant
