"""What a text is about: which disciplines and which aspects, from the lexicon's exact patterns."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import language

LANGUAGE = language.load()
DISCIPLINES: dict[str, re.Pattern] = LANGUAGE.discipline_patterns
ASPECT_PATTERNS: dict[str, re.Pattern] = LANGUAGE.aspect_patterns
ANAPHOR: re.Pattern = LANGUAGE.anaphora
SUBJECT = re.compile(r"^(?:[-*] )?(" + "|".join(DISCIPLINES) + r")\b")


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


def aspects_in(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in ASPECT_PATTERNS.items() if pattern.search(text))


def topic_of(text: str) -> Topic:
    return Topic(disciplines_in(text), aspects_in(text))


def aspect_words(aspects: tuple[str, ...]) -> str:
    """Words that steer retrieval towards an aspect when a follow-up only implies it."""
    return " ".join(LANGUAGE.lexicon.aspects[name].words for name in aspects)


def is_comparison(text: str, topic: Topic) -> bool:
    return len(topic.disciplines) >= 2 or bool(LANGUAGE.comparison.search(text))


def subject_of(text: str) -> str | None:
    """The discipline a chunk is about when it opens with its name ("DataOps is ...")."""
    match = SUBJECT.match(text)
    return match.group(1) if match else None


def in_context(unit: str, heading: str, subject: str | None, intro: str | None = None) -> str:
    """A sentence as it is embedded: under its heading, after its list's intro line, and with
    "It ..." naming the chunk's subject."""
    if subject and ANAPHOR.match(unit):
        unit = f"{subject}: {unit}"
    return f"{heading}: {intro + ' ' if intro else ''}{unit}"


def named(text: str) -> str:
    """`text` with "all three" / "the three" spelled out as the three disciplines' names."""
    return f"{text} {' '.join(DISCIPLINES)}" if LANGUAGE.all_three.search(text) else text


def lexical_form(query: str) -> str:
    """The query as it is matched word for word against passages (lexicon's synonyms applied)."""
    for pattern, replacement in LANGUAGE.synonyms:
        query = pattern.sub(replacement, query)
    return named(query)
