"""Thumbs up/down on answers, appended as JSON lines to a log in the data folder.

The log keeps the whole turn (question, answer, citations, standalone query) because a rating
is only useful for improving retrieval and composing if one can see what was rated.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from pathlib import Path

from assistant.schema import Answer

FILE_NAME = "feedback.jsonl"
_lock = threading.Lock()  # one writer at a time, so concurrent ratings never interleave a line


RATINGS = {True: "up", False: "down", None: "withdrawn"}


def record(path: Path, answer: Answer, helpful: bool | None) -> dict:
    """Append one rating of `answer` to the JSON-lines log at `path`; returns what was written.

    `helpful=None` records that a rating was taken back: the log is append-only, so the latest
    line about an answer is its current rating.
    """
    entry = {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "session": answer.session,
        "rating": RATINGS[helpful],
        "question": answer.question,
        "answer": answer.answer,
        "citations": [citation.model_dump() for citation in answer.citations],
        "abstained": answer.abstained,
        "rewritten_query": answer.rewritten_query,
    }
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _lock:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(line)
    return entry


def read(path: Path) -> list[dict]:
    """Every rating in the log, oldest first (an absent log has none)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
