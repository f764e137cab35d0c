"""What a text is about: which disciplines and which aspects, from the lexicon's exact patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from assistant import language
# How a chunk's units are embedded is the index's (ingest/units.py); re-exported for the composer.
from ingest.units import ANAPHOR, SUBJECT, in_context, subject_of  # noqa: F401

LANGUAGE = language.load()
DISCIPLINES: dict[str, re.Pattern] = LANGUAGE.discipline_patterns
NAME_WORDS = frozenset(name.lower() for name in DISCIPLINES)  # "devops", as `words` gives it
ASPECT_PATTERNS: dict[str, re.Pattern] = LANGUAGE.aspect_patterns


@dataclass(frozen=True)
class Topic:
    """The disciplines and aspects a question names; empty when it names none (a follow-up)."""

    disciplines: tuple[str, ...]
    aspects: tuple[str, ...]


def disciplines_in(text: str) -> tuple[str, ...]:
    """The disciplines `text` names, in the article's order; all three for "the three"."""
    if LANGUAGE.all_three.search(text):
        return tuple(DISCIPLINES)
    return tuple(name for name, pattern in DISCIPLINES.items() if pattern.search(text))


def first_named(text: str) -> str | None:
    """The discipline `text` names first ("Is MLOps just DevOps ...?": MLOps), or None."""
    found = [(m.start(), name) for name, pattern in DISCIPLINES.items()
             for m in [pattern.search(text)] if m]
    return min(found)[1] if found else None


def aspects_in(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in ASPECT_PATTERNS.items() if pattern.search(text))


def topic_of(text: str) -> Topic:
    return Topic(disciplines_in(text), aspects_in(text))


def aspect_words(aspects: tuple[str, ...]) -> str:
    """Words that steer retrieval towards an aspect when a follow-up only implies it."""
    return " ".join(LANGUAGE.lexicon.aspects[name].words for name in aspects)


def is_comparison(text: str, topic: Topic) -> bool:
    return len(topic.disciplines) >= 2 or bool(LANGUAGE.comparison.search(text))


def named(text: str) -> str:
    """`text` with "all three" / "the three" spelled out as the three disciplines' names."""
    return f"{text} {' '.join(DISCIPLINES)}" if LANGUAGE.all_three.search(text) else text


@lru_cache(maxsize=4096)  # headings and questions, matched again by every step
def lexical_form(query: str) -> str:
    """The query as it is matched word for word against passages (lexicon's synonyms applied)."""
    for pattern, replacement in LANGUAGE.synonyms:
        query = pattern.sub(replacement, query)
    return named(query)
