"""How much a sentence's own features make it an answer to a question, beside meaning and shared
words: what the question asks for (an aspect, a reason, a ranking, a person or a date), which
discipline the sentence is about, and whether it is a call to action."""

from __future__ import annotations

import re
from functools import lru_cache

from langchain_core.documents import Document

from assistant.references import mentions_in
from assistant.text import words
from assistant.topics import ASPECT_PATTERNS, DISCIPLINES, LANGUAGE, Topic, subject_of

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


def asked_kinds(question: str) -> set[str]:
    """The kinds of answer a question's words ask for ("who": a person, ...; lexicon.yaml); a
    yes/no question asks for a verdict."""
    lowered = question.lower()
    if PATTERNS["yes_no_question"].search(question):
        return {"verdict"}
    for phrase, kinds in sorted(LANGUAGE.lexicon.answer_types.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"\b{phrase}\b", lowered):
            return set(kinds)
    return set()


def answers_kind(sentence: str, kinds: set[str]) -> bool:
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
    heading = doc.metadata["section"].rsplit(" > ", 1)[-1].strip().lower()
    asks = PATTERNS["asks_sources"].search(query) or ASPECT_PATTERNS["sources"].search(query)
    if PATTERNS["references_heading"].match(heading) and not asks:
        return -0.15
    return 0.0


def subject_penalty(doc: Document, topic: Topic) -> float:
    """A chunk that opens with another discipline's name is about that one, not the asked one."""
    subject = subject_of(doc.page_content)
    if subject and topic.disciplines and len(topic.disciplines) < 3:
        return 0.0 if subject in topic.disciplines else -0.2
    heading = doc.metadata["section"].rsplit(" > ", 1)[-1]
    if doc.metadata.get("kind") == "list" and PATTERNS["preview_heading"].match(heading):
        return -0.1  # a preview list restates what the body says in full
    return 0.0


def bonus(unit: str, section: str, query: str, topic: Topic) -> float:
    """What the question asks for, in the sentence or its heading; the asked discipline."""
    bonus = 0.0
    heading = section.rsplit(" > ", 1)[-1]
    aspects = [ASPECT_PATTERNS[a] for a in topic.aspects if a not in ("definition", "history")]
    if any(pattern.search(heading) for pattern in aspects):
        bonus += 0.2  # the section is about what the question asks
    elif any(pattern.search(unit) for pattern in aspects):
        bonus += 0.1
    names = topic.disciplines
    if "definition" in topic.aspects and any(DEFINITION[n].match(unit) for n in names):
        bonus += DEFINES  # "X is the ...": what a definition question asks
    elif topic.aspects and any(DEFINITION[n].match(unit) for n in DISCIPLINES):
        bonus -= DEFINES / 2  # asked how X is monitored, not what X is ("... monitored ...")
    others = [n for n in DISCIPLINES if n not in names]
    if names and len(names) < 3 and any(OPENS_WITH[n].match(unit) for n in others):
        bonus -= 0.15
    elif (names and len(names) < 3 and any(DISCIPLINES[n].search(unit) or OBJECTS[n].search(unit)
                                           for n in others)
          and not any(DISCIPLINES[n].search(unit) for n in names)):
        bonus -= 0.1  # about the other disciplines only: names them or what they keep running
    if "history" in topic.aspects and PATTERNS["origin"].search(unit):
        bonus += 0.1
    elif "history" in topic.aspects and PATTERNS["year"].search(unit):
        bonus += 0.05
    if "salary" in topic.aspects and PATTERNS["figure"].search(unit):
        bonus += 0.1
    if PATTERNS["reason"].search(query) and PATTERNS["reason"].search(unit):
        bonus += 0.1
    return bonus
