"""The conversation as a Markdown file with its sources, for the page's download button.

User and corpus text is written as typed: what would become HTML, an entity or a heading or
quote in a Markdown viewer gets a backslash (`\\<script>`, `\\&amp;`), never an HTML entity, so
the file reads naturally as plain text too.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path

from assistant.schema import Answer, Citation
from ui import shape
from ui.render import safe_url

FILE_NAME = "ops-assistant-conversation.md"
PUNCTUATION_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
ENTITY = re.compile(r"&(?=#?\w+;)")
BLOCK_START = re.compile(r"^(\s*)([#>])")


def _text(text: str) -> str:
    """One line of user or corpus text, inert in Markdown: no tag, entity, autolink, heading
    or quote can start in it."""
    text = PUNCTUATION_ESCAPE.sub(r"\\\\", text)
    text = ENTITY.sub(r"\\&", TAG_START.sub(r"\\<", text))
    return BLOCK_START.sub(r"\1\\\2", text)


def _link(url: str) -> str:
    """A web URL as an autolink; anything else (javascript:, spaces, angle brackets) is left out."""
    return f"<{url}>" if safe_url(url) and not re.search(r"[\s<>]", url) else ""


def _quoted(text: str) -> str:
    return "\n".join("> " + _text(line) if line.strip() else ">" for line in text.splitlines())


def _body(text: str) -> list[str]:
    """The answer's lines: each plain line a paragraph, consecutive list lines one list."""
    lines = []
    for is_list, group in shape.line_groups(text):
        lines += [f"- {_text(item)}" for item in group] if is_list else [_text(group[0])]
        lines.append("")
    return lines


def _question(number: int, question: str) -> list[str]:
    """The turn's heading; a long question gets a short one, with the whole question under it."""
    lines = [f"## {number}. {_text(shape.short_title(question))}", ""]
    if shape.is_long(question):
        lines += ["**Question:** " + "  \n".join(_text(line) for line in question.splitlines()
                                                 if line.strip()), ""]
    return lines


def _sources(citations: list[Citation]) -> list[str]:
    lines = ["Sources:", ""] if citations else []
    for c in citations:
        link = _link(c.url)
        lines += [f"{c.n}. **{_text(c.place)}**" + (f" {link}" if link else ""), "",
                  _quoted(c.quote), ""]
    return lines


def _turn(number: int, answer: Answer) -> list[str]:
    lines = _question(number, answer.question)
    if answer.abstained:
        lines += ["*Not covered by the article.*", ""]
    if answer.recommendation:
        lines += [f"**Recommended: {_text(answer.recommendation)}**", ""]
    lines += _body(answer.answer)
    read_as = shape.read_as(answer)
    if read_as:
        lines += [f"*Read as:* {_text(' '.join(read_as.split()))}", ""]
    return lines + _sources(answer.citations)


def conversation_markdown(turns: list[Answer]) -> str:
    """Every question and answer in order, each answer followed by its numbered sources."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Conversation with ops-assistant", "", f"Exported {stamp}.", ""]
    cited = next((c for answer in turns for c in answer.citations), None)
    if cited is not None:
        link = _link(cited.url)
        lines += [f"Answers quote the article *{_text(cited.title)}*"
                  + (f" {link}" if link else "") + ".", ""]
    for number, answer in enumerate(turns, 1):
        lines += _turn(number, answer)
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
