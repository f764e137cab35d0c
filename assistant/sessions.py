"""Conversations that outlive one process: `ops-assistant ask --session NAME` continues NAME
across calls, as a chat window does across messages.

A session is kept as its latest questions (JSON, one file per name under
`<data_dir>/sessions/`); a new process gets the conversation's context back by asking them again,
in order, and dropping their answers (`resume`, which the UI uses after a reload too).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from assistant.assistant import Assistant
from assistant.schema import Answer

KEPT_QUESTIONS = 12  # the context a continued conversation gets back comes from its latest turns
VERSION = 1


class UnreadableSession(ValueError):
    """A saved session file that is not what this module writes; it is kept, not overwritten."""


class SavedSessions:
    """Named conversations kept in `folder`, one JSON file each:
    {"version": 1, "session": NAME, "questions": [...]}."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, session: str) -> Path:
        """The file of `session`; any name (spaces, slashes, emoji) maps to a safe file name."""
        digest = hashlib.sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        return self.folder / f"{digest}.json"

    def questions(self, session: str) -> list[str]:
        """The session's latest questions, oldest first ([] for a new one). Raises
        UnreadableSession for a file that is not a saved session."""
        path = self.path(session)
        if not path.exists():
            return []
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            questions = data["questions"] if data.get("version") == VERSION else None
        except (OSError, ValueError, TypeError, AttributeError, KeyError) as error:
            raise UnreadableSession(f"{path}: {error}") from None
        if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
            raise UnreadableSession(f"{path}: not a saved session of this version")
        return questions[-KEPT_QUESTIONS:]

    def save(self, session: str, questions: list[str]) -> None:
        """Keep the latest questions of `session`, written whole or not at all."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"version": VERSION, "session": session, "questions": questions[-KEPT_QUESTIONS:]}
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=True)
        os.replace(temporary, self.path(session))

    def forget(self, session: str) -> None:
        self.path(session).unlink(missing_ok=True)


def resume(assistant: Assistant, session: str, questions: list[str]) -> None:
    """Give `session` the context of a conversation held elsewhere (a saved session, a page the
    browser kept), when the Assistant has none for it: its latest KEPT_QUESTIONS questions are
    asked again, in order, and their answers dropped. The Assistant has no way to take a
    conversation's context back directly."""
    if assistant.conversation(session).turns:
        return
    for asked in questions[-KEPT_QUESTIONS:]:
        assistant.ask(asked, session=session)


def ask_in_session(assistant: Assistant, sessions: SavedSessions, session: str,
                   question: str) -> Answer:
    """Answer `question` as the next turn of the saved conversation `session`, and save it.
    Raises UnreadableSession (before answering) when the saved file cannot be read."""
    earlier = sessions.questions(session)
    resume(assistant, session, earlier)
    answer = assistant.ask(question, session=session)
    sessions.save(session, earlier + [question])
    return answer
