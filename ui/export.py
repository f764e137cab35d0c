"""The conversation as a Markdown file with its sources, for the page's download button."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from assistant.schema import Answer

FILE_NAME = "ops-assistant-conversation.md"


def _text(text: str) -> str:
    """User and corpus text with HTML made inert, so a Markdown viewer shows it as typed."""
    return escape(text, quote=False)


def _quoted(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in _text(text).splitlines())


def conversation_markdown(turns: list[Answer]) -> str:
    """Every question and answer in order, each answer followed by its numbered sources."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Conversation with ops-assistant", "", f"Exported {stamp}.", ""]
    cited = next((c for answer in turns for c in answer.citations), None)
    if cited is not None:
        lines += [f"Answers quote the article *{_text(cited.title)}* <{cited.url}>.", ""]
    for number, answer in enumerate(turns, 1):
        lines += [f"## {number}. {_text(' '.join(answer.question.split()))}", ""]
        if answer.abstained:
            lines += ["*Not covered by the article.*", ""]
        lines += [_text(answer.answer), ""]
        if answer.rewritten_query and answer.rewritten_query != answer.question:
            lines += [f"*Read as:* {_text(answer.rewritten_query)}", ""]
        if answer.citations:
            lines += ["Sources:", ""]
        for c in answer.citations:
            lines += [f"{c.n}. **{_text(c.section)}** (score {c.score:.2f}, <{c.url}>)", "",
                      _quoted(c.quote), ""]
    return "\n".join(lines).rstrip() + "\n"


def session_folder(folder: Path, session: str) -> Path:
    """The session's own folder under `folder`; the id comes from the browser, so it is hashed."""
    return folder / hashlib.sha256(session.encode()).hexdigest()[:24]


def write_export(turns: list[Answer], folder: Path, session: str) -> Path | None:
    """Write the session's conversation to its own file under `folder`; None when it is empty."""
    if not turns:
        return None
    target = session_folder(folder, session) / FILE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(conversation_markdown(turns), encoding="utf-8")
    return target
