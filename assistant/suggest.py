"""What to ask next: follow-up questions after an answer, and the starters of an empty chat.

A reader who asked "What is DataOps?" rarely knows that the article also compares testing,
tools and salaries; offering the themes the conversation has not touched yet is how they find
out. Every question offered is in assistant/language/suggestions.yaml, and the article answers
each of them (the test suite asks them all).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.conversation import Turn
from assistant.topics import LANGUAGE, disciplines_in, topic_of

DATA = LANGUAGE.suggestions
LEARN_FIRST = DATA.learn_first
BACKGROUNDS = DATA.backgrounds  # quick-reply label -> the message it sends
EXAMPLES = tuple(DATA.examples)
THEMES = tuple(DATA.themes)     # in the order they are offered: the article's core first
CUES = {theme: re.compile(pattern, re.I) for theme, pattern in DATA.theme_cues.items()}


@dataclass(frozen=True)
class Candidate:
    question: str
    theme: str


POOL = tuple(Candidate(q, theme) for theme, questions in DATA.themes.items() for q in questions)


def themes_of(question: str) -> set[str]:
    """The themes one question touches, from the aspects the understanding step also detects."""
    themes = {DATA.theme_of_aspect[a] for a in topic_of(question).aspects if a in DATA.theme_of_aspect}
    themes |= {c.theme for c in POOL if _key(c.question) == _key(question)}
    if LANGUAGE.comparison.search(question):
        themes.add("differences")
    themes |= {theme for theme, cue in CUES.items() if cue.search(question)}
    return themes


def _key(question: str) -> str:
    return " ".join(re.findall(r"\w+", question.lower()))


def _closeness(question: str, focus: set[str]) -> int:
    """0: names a discipline just discussed; 1: all three or none named; 2: only others."""
    named = set(disciplines_in(question))
    if len(named) == 3 or not named:
        return 1
    return 0 if named & focus else 2


def follow_ups(turns: Sequence[Turn], count: int = 3) -> list[str]:
    """Up to `count` questions not asked yet, one per theme, uncovered themes first.

    Within a theme, a question about the discipline just discussed comes first, so the
    suggestions read as a continuation rather than a restart. An empty chat gets EXAMPLES.
    """
    if not turns:
        return list(EXAMPLES[:count])
    said = [q for turn in turns for q in (turn.question, turn.standalone)]
    asked = {_key(q) for q in said}
    covered = set().union(*(themes_of(q) for q in said))
    focus = set(turns[-1].topic.disciplines)
    fresh = [c for c in POOL if _key(c.question) not in asked]
    fresh.sort(key=lambda c: (c.theme in covered, THEMES.index(c.theme),
                              _closeness(c.question, focus)))
    chosen: list[str] = []
    seen_themes: set[str] = set()
    for candidate in fresh:  # first pass: one per theme; second pass fills up if themes run out
        if candidate.theme not in seen_themes and len(chosen) < count:
            chosen.append(candidate.question)
            seen_themes.add(candidate.theme)
    chosen += [c.question for c in fresh if c.question not in chosen][: count - len(chosen)]
    return chosen
