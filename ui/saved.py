"""The conversation the browser keeps (Gradio's BrowserState, in its localStorage), so a reload
shows it again, and the Assistant's memory of it put back by asking its questions once more.

What comes back from the browser is untrusted input like a typed question: it is read as
Answers (anything else gives an empty conversation) and only ever shown escaped.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from assistant import Assistant, sessions
from assistant.schema import Answer

log = logging.getLogger("ops_assistant.ui")

STORAGE_KEY = "ops-assistant-conversation"
# Gradio sends this to the page with its config: it only keeps the stored text from being
# readable at a glance. Fixed, so that a conversation outlives a restart of the server.
SECRET = "ops-assistant-browser-state"
VERSION = 1
KEPT_TURNS = 40  # the browser keeps the latest turns (a few KB each)
EMPTY: dict = {"version": VERSION, "turns": [], "offers": []}


def to_browser(turns: list[Answer], offers: list[str]) -> dict:
    """What the browser keeps: the latest turns (with their own suggestions) and the questions
    offered after the last one. JSON-serialisable."""
    kept = [answer.model_dump(mode="json") | {"suggestions": answer.suggestions}
            for answer in turns[-KEPT_TURNS:]]
    return {"version": VERSION, "turns": kept, "offers": [str(q) for q in offers]}


def from_browser(value: Any) -> tuple[list[Answer], list[str]]:
    """The (turns, offers) a browser kept; ([], []) for nothing, an old format or anything
    malformed."""
    if not isinstance(value, dict) or value.get("version") != VERSION:
        return [], []
    try:
        turns = [Answer.model_validate(item) for item in value.get("turns") or []][-KEPT_TURNS:]
    except (ValidationError, TypeError, ValueError) as error:
        log.info("ignoring a conversation the browser kept: %s", error)
        return [], []
    offers = value.get("offers") or []
    if not isinstance(offers, list) or not all(isinstance(q, str) for q in offers):
        offers = []
    return turns, offers


def resume(assistant: Assistant, turns: list[Answer], session: str) -> None:
    """Give `session` the context of a conversation shown on the page (a reload is a new
    session, and a restarted server remembers nothing): assistant/sessions.py's `resume` with
    the page's questions."""
    sessions.resume(assistant, session, [answer.question for answer in turns])
