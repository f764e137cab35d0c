"""What a question is about: which disciplines, which aspect, and what kind of answer it wants."""

from __future__ import annotations

import re
from dataclasses import dataclass

# How a chunk's units are embedded is the index's (ingest/units.py); re-exported for the composer.
from ingest.units import ANAPHOR, SUBJECT, in_context, subject_of  # noqa: F401

DISCIPLINES = {
    "DevOps": re.compile(r"\bdev\s*-?\s*ops\b|\bdevops\b", re.I),
    "DataOps": re.compile(r"\bdata\s*-?\s*ops\b", re.I),
    "MLOps": re.compile(r"\b(?:ml|machine[- ]learning)\s*-?\s*ops\b", re.I),
}
THE_THREE = re.compile(r"\b(?:all|the) (?:three|3)\b", re.I)
ALL_THREE = re.compile(r"\b(?:all (?:the )?(?:three|3)|each of (?:the|them)|the three|3 ops|three ops)\b", re.I)

# Aspect -> pattern on the question, and the words added to a follow-up's standalone query.
ASPECTS = {
    "definition": (r"\bwhat(?:'s| is| are)\b(?!.*\b(?:difference|different)\b)|\bdefin|\bmeaning\b"
                   r"|\bmean\b|\bunit of work\b", "definition engineering discipline"),
    "history": (r"\bcoin|\binvent|\bcame up with|\bborn\b|\borigin|\bhistory\b|\bwhen\b|\bstart(?:ed)?\b"
                r"|\bfounded\b|\bfirst used\b|\bemerge", "history coined born term"),
    "artifact": (r"\bartifact|\bartefact|\bunit of work\b", "artifact"),
    "testing": (r"\btest", "testing answers"),
    "versioning": (r"\bversion", "versioning Git"),
    "monitoring": (r"\bmonitor|\bbroken\b|\bobservab|\bdrift\b", "monitoring broken signals"),
    "tools": (r"\btool|\bstack\b|\btechnolog", "tools toolchain"),
    "pipeline": (r"\bpipeline|\bworkflow|\bloop", "pipeline workflow"),
    "salary": (r"\bsalar|\bpay|\bpaid\b|\bearn|\bcompensation|\bmoney\b|\bwage|\bmake (?:a|per) year",
               "salary compensation"),
    "demand": (r"\bdemand\b|\bjobs?\b|\bhiring\b|\bmarket\b|\bgrowth\b|\boutlook\b", "demand jobs market"),
    "overlap": (r"\boverlap|\bin common\b|\bshared?\b|\bsimilar", "overlap shared all three"),
}
ASPECT_PATTERNS = {name: re.compile(pattern, re.I) for name, (pattern, _) in ASPECTS.items()}


@dataclass(frozen=True)
class Topic:
    """The disciplines and aspects a question names; empty when it names none (a follow-up)."""

    disciplines: tuple[str, ...]
    aspects: tuple[str, ...]


def disciplines_in(text: str) -> tuple[str, ...]:
    if ALL_THREE.search(text):
        return tuple(DISCIPLINES)
    return tuple(name for name, pattern in DISCIPLINES.items() if pattern.search(text))


def aspects_in(text: str) -> tuple[str, ...]:
    return tuple(name for name, pattern in ASPECT_PATTERNS.items() if pattern.search(text))


def topic_of(text: str) -> Topic:
    return Topic(disciplines_in(text), aspects_in(text))


def aspect_words(aspects: tuple[str, ...]) -> str:
    """Words that steer retrieval towards an aspect when a follow-up only implies it."""
    return " ".join(ASPECTS[name][1] for name in aspects)


def is_comparison(text: str, topic: Topic) -> bool:
    return len(topic.disciplines) >= 2 or bool(
        re.search(r"\bvs\.?\b|\bversus\b|\bdiffer|\bcompar|\bcontrast", text, re.I))


def named(text: str) -> str:
    """`text` with "all three" / "the three" spelled out as the three disciplines' names."""
    return f"{text} DevOps DataOps MLOps" if THE_THREE.search(text) else text


# Phrasings whose words would match the wrong passages: "in common" is not "increasingly common".
LEXICAL_SYNONYMS = [
    (re.compile(r"\bin common\b|\balike\b", re.I), "shared overlap all three"),
    (re.compile(r"\bml\b(?!\s*-?\s*ops)", re.I), "ML machine learning"),
    (re.compile(r"\bai\b", re.I), "AI artificial intelligence"),
    (re.compile(r"\b1\b"), "one"),
    (re.compile(r"\b3\b(?! ?%)"), "three"),
]


def lexical_form(query: str) -> str:
    """The query as it is matched word for word against passages."""
    for pattern, replacement in LEXICAL_SYNONYMS:
        query = pattern.sub(replacement, query)
    return named(query)
