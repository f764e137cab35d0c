"""How much a sentence's own features make it an answer to a question, beside meaning and shared
words: what the question asks for (an aspect, a reason, a ranking, a person or a date), which
discipline the sentence is about, and whether it is a call to action."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from langchain_core.documents import Document

from assistant.references import mentions_in
from assistant.text import words
from assistant.topics import (
    ASPECT_PATTERNS,
    DISCIPLINES,
    LANGUAGE,
    Topic,
    aspects_in,
    subject_of,
)

PATTERNS = {name: re.compile(p, re.I) for name, p in LANGUAGE.lexicon.composer.items()}
DATES = re.compile(LANGUAGE.lexicon.dates, re.I)
COUNT = re.compile(LANGUAGE.lexicon.missing["count"], re.I)
DEFINES = 0.2  # a sentence that defines an asked discipline, for a definition question
DEFINITION = {name: re.compile(rf"{name} is (?:a|an|the)\b") for name in DISCIPLINES}
OPENS_WITH = {name: re.compile(rf"(?:{name})\b") for name in DISCIPLINES}
OBJECTS = LANGUAGE.object_patterns
TYPED = 0.12   # a sentence holding what the question word asks for (who: a person, when: a date)
RANKED = 0.15  # per ranking word (up to two) of a sentence, for a question about a ranking
RANK_WINDOW = 3  # words; how near a ranking word must be to what is ranked


def ranking_direction(question: str) -> str | None:
    """"bottom" when a question asks for the least/fewest, "top" for the most/best, else None."""
    patterns = LANGUAGE.ranking_by_direction
    if patterns["bottom"].search(question):
        return "bottom"
    return "top" if patterns["top"].search(question) else None


def ranking_score(sentence: str, direction: str, topic: Topic) -> float:
    """A sentence stating a ranking in the asked direction leads; one stating the opposite
    ranking ("DataOps salaries lag" for "pays the most") falls back. When the question names
    what is ranked (an aspect: pay, demand), only ranking words next to it count ("salaries lead
    the table", not "more jobs ... compensation")."""
    tokens = words(sentence)
    near = range(len(tokens))
    if topic.aspects:
        hits = [i for i, token in enumerate(tokens)
                if any(ASPECT_PATTERNS[a].search(token) for a in topic.aspects)]
        near = {j for i in hits for j in range(i - RANK_WINDOW, i + RANK_WINDOW + 1)}
    patterns = LANGUAGE.ranking_by_direction
    other = "top" if direction == "bottom" else "bottom"
    net = sum(bool(patterns[direction].fullmatch(tokens[i])) - bool(patterns[other].fullmatch(tokens[i]))
              for i in near if 0 <= i < len(tokens))
    return RANKED * max(-2, min(2, net))


ANSWER_TYPES = [(re.compile(rf"\b{phrase}\b"), frozenset(kinds)) for phrase, kinds
                in sorted(LANGUAGE.lexicon.answer_types.items(), key=lambda kv: -len(kv[0]))]


@lru_cache(maxsize=1024)  # asked of the same question by several steps
def asked_kinds(question: str) -> frozenset[str]:
    """The kinds of answer a question's words ask for ("who": a person, ...; lexicon.yaml); a
    yes/no question asks for a verdict."""
    lowered = question.lower()
    if PATTERNS["yes_no_question"].search(question):
        return frozenset({"verdict"})
    return next((kinds for phrase, kinds in ANSWER_TYPES if phrase.search(lowered)), frozenset())


def answers_kind(sentence: str, kinds: frozenset[str]) -> bool:
    """The sentence holds a date, a count, a yes or no, or names a thing of one of `kinds`."""
    if "date" in kinds and DATES.search(sentence):
        return True
    if "count" in kinds and COUNT.search(sentence):
        return True
    if "verdict" in kinds:
        return bool(PATTERNS["verdict"].search(sentence))
    return any(m.kind in kinds for m in mentions_in(sentence))


def promotion_penalty(doc: Document, query: str) -> float:
    """Calls to action (courses, challenges, guides) are not answers, unless asked about."""
    if promotes(doc.page_content) and not PATTERNS["promotion"].search(query):
        return -0.3
    return 0.0


@lru_cache(maxsize=8192)  # every retrieved chunk, for every question
def promotes(text: str) -> bool:
    return bool(PATTERNS["promotion"].search(text))


def references_penalty(doc: Document, query: str) -> float:
    """A list of the works a text cites answers where its facts come from, nothing else."""
    if lists_references(doc.metadata["section"]) and not asks_sources(query):
        return -0.15
    return 0.0


@lru_cache(maxsize=4096)
def lists_references(section: str) -> bool:
    heading = section.rsplit(" > ", 1)[-1].strip().lower()
    return bool(PATTERNS["references_heading"].match(heading))


@lru_cache(maxsize=1024)
def asks_sources(query: str) -> bool:
    """The question asks where the facts come from; one that names a work the article cites
    ("what's the hidden technical debt paper") asks about that work, which its text tells."""
    if ASPECT_PATTERNS["sources"].search(query):
        return True
    names_a_work = any(m.kind == "work" for m in mentions_in(query))
    return bool(PATTERNS["asks_sources"].search(query)) and not names_a_work


def subject_penalty(doc: Document, topic: Topic) -> float:
    """A chunk that opens with another discipline's name is about that one, not the asked one."""
    subject = subject_of(doc.page_content)
    if subject and topic.disciplines and len(topic.disciplines) < 3:
        return 0.0 if subject in topic.disciplines else -0.2
    heading = doc.metadata["section"].rsplit(" > ", 1)[-1]
    if doc.metadata.get("kind") == "list" and PATTERNS["preview_heading"].match(heading):
        return -0.1  # a preview list restates what the body says in full
    return 0.0


@dataclass(frozen=True)
class SentenceFeatures:
    """What a sentence says, whatever the question: the aspects it names, the disciplines it
    defines ("X is a ..."), opens with, names, or names or keeps running ("models" for MLOps),
    and whether it tells an origin, a year, a figure or a reason."""

    aspects: frozenset[str]
    defines: frozenset[str]
    opens_with: frozenset[str]
    names: frozenset[str]
    names_or_keeps: frozenset[str]
    origin: bool
    year: bool
    figure: bool
    reason: bool


@lru_cache(maxsize=16384)  # the same sentences come back with every question
def features(unit: str) -> SentenceFeatures:
    names = {n for n in DISCIPLINES if DISCIPLINES[n].search(unit)}
    return SentenceFeatures(
        aspects=frozenset(aspects_in(unit)),
        defines=frozenset(n for n in DISCIPLINES if DEFINITION[n].match(unit)),
        opens_with=frozenset(n for n in DISCIPLINES if OPENS_WITH[n].match(unit)),
        names=frozenset(names),
        names_or_keeps=frozenset(n for n in DISCIPLINES if n in names or OBJECTS[n].search(unit)),
        origin=bool(PATTERNS["origin"].search(unit)), year=bool(PATTERNS["year"].search(unit)),
        figure=bool(PATTERNS["figure"].search(unit)), reason=bool(PATTERNS["reason"].search(unit)))


@lru_cache(maxsize=16384)
def first_kept(unit: str) -> str | None:
    """The discipline whose name, or what it keeps running ("A model ..."), a sentence says first."""
    found = [(match.start(), name) for name in DISCIPLINES
             for pattern in (DISCIPLINES[name], OBJECTS[name]) if (match := pattern.search(unit))]
    return min(found)[1] if found else None


ASKED_TERM = re.compile(r"\bwhat(?:'s| is| are)\s+(?:an? |the )?([^\W\d_]{3,})\b", re.I)


@lru_cache(maxsize=16384)
def defines_asked_term(unit: str, query: str) -> bool:
    """The sentence defines the term a "what is a ..." question asks about ("A model is ...")."""
    asked = ASKED_TERM.search(query)
    if asked is None:
        return False
    term = re.escape(asked.group(1).rstrip("s"))
    return bool(re.match(rf"(?:an? |the )?{term}s?\s+(?:is|are)\b", unit, re.I))


@lru_cache(maxsize=4096)
def heading_aspects(section: str) -> frozenset[str]:
    """The aspects the last heading of a section path names."""
    return frozenset(aspects_in(section.rsplit(" > ", 1)[-1]))


@lru_cache(maxsize=1024)
def asks_reason(query: str) -> bool:
    return bool(PATTERNS["reason"].search(query))


def bonus(unit: str, section: str, query: str, topic: Topic) -> float:
    """What the question asks for, in the sentence or its heading; the asked discipline."""
    said = features(unit)
    bonus = 0.0
    asked = set(topic.aspects) - {"definition", "history"}
    if asked & heading_aspects(section):
        bonus += 0.2  # the section is about what the question asks
    elif asked & said.aspects:
        bonus += 0.1
    names = set(topic.disciplines)
    if "definition" in topic.aspects and not names and defines_asked_term(unit, query):
        bonus += DEFINES  # "what's a model?": "A model is code that learned its behavior ..."
    if "definition" in topic.aspects and said.defines & names:
        bonus += DEFINES  # "X is the ...": what a definition question asks
    elif topic.aspects and said.defines:
        bonus -= DEFINES / 2  # asked how X is monitored, not what X is ("... monitored ...")
    others = set(DISCIPLINES) - names
    if names and len(names) < 3 and said.opens_with & others:
        bonus -= 0.15
    elif names and len(names) < 3 and said.names_or_keeps & others and not said.names & names:
        bonus -= 0.1  # about the other disciplines only: names them or what they keep running
    if "history" in topic.aspects and said.origin:
        bonus += 0.1
    elif "history" in topic.aspects and said.year:
        bonus += 0.05
    if "salary" in topic.aspects and said.figure:
        bonus += 0.1
    if said.reason and asks_reason(query):
        bonus += 0.1
    return bonus
