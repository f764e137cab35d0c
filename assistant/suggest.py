"""What to ask next: follow-up questions after an answer, and the starters of an empty chat.

A reader who asked "What is DataOps?" rarely knows that the article also compares testing,
tools and salaries; offering the themes the conversation has not touched yet is how they find
out. Every question here is one the article answers (the test suite asks each of them).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.followup import Turn
from assistant.topics import disciplines_in, topic_of

LEARN_FIRST = "Which Ops should I learn first?"

# Quick replies for the recommender: the button label, and the message it sends.
BACKGROUNDS = {
    "Software engineer": f"I'm a software engineer. {LEARN_FIRST}",
    "Data engineer": f"I'm a data engineer. {LEARN_FIRST}",
    "Data scientist": f"I'm a data scientist. {LEARN_FIRST}",
    "Coming in fresh": f"I'm coming in fresh, with no specialty yet. {LEARN_FIRST}",
}

EXAMPLES = (
    "What is the difference between DevOps, DataOps and MLOps?",
    "Who coined the term DataOps?",
    "How is monitoring a model different from monitoring a web app?",
    "Which of the three pays the most?",
)

# Themes in the order they are offered: the article's core (the differences) first.
THEMES = ("differences", "tools", "careers", "overlap", "pipelines", "history", "definitions")
THEME_OF_ASPECT = {
    "artifact": "differences", "testing": "differences", "versioning": "differences",
    "monitoring": "differences", "tools": "tools", "salary": "careers", "demand": "careers",
    "overlap": "overlap", "pipeline": "pipelines", "history": "history",
    "definition": "definitions",
}
CAREER_WORDS = re.compile(r"\blearn\b|\bcareer|\bstart with\b|\bskip ahead\b", re.I)
DIFFERENCE_WORDS = re.compile(r"\bvs\.?\b|\bversus\b|\bdiffer|\bcompar|\bcontrast", re.I)


@dataclass(frozen=True)
class Candidate:
    question: str
    theme: str


POOL = tuple(Candidate(q, theme) for theme, questions in {
    "differences": (
        "What is the difference between DevOps, DataOps and MLOps?",
        "How does testing differ between DevOps and MLOps?",
        "How does testing differ between DevOps and DataOps?",
        "Why is versioning harder in MLOps?",
        "How is versioning different in DataOps?",
        "How is monitoring a model different from monitoring a web app?",
        "What is the unit of work in each discipline?",
    ),
    "tools": ("Which tools do all three disciplines share?",
              "Which tools does each discipline add?"),
    "careers": ("Which of the three pays the most?", "Which discipline has the most job demand?",
                "Is DataOps dying?"),
    "overlap": ("Where do DevOps, DataOps and MLOps overlap?",
                "Is MLOps just DevOps for machine learning?"),
    "pipelines": ("Why do MLOps pipelines loop back on themselves?",),
    "history": ("When was DevOps born?", "Who coined the term DataOps?",
                "Why does DataOps exist if DevOps already worked?"),
    "definitions": ("What is DevOps?", "What is DataOps?", "What is MLOps?"),
}.items() for q in questions)


def themes_of(question: str) -> set[str]:
    """The themes one question touches, from the aspects the follow-up rewriter also detects."""
    themes = {THEME_OF_ASPECT[a] for a in topic_of(question).aspects if a in THEME_OF_ASPECT}
    themes |= {c.theme for c in POOL if _key(c.question) == _key(question)}
    if DIFFERENCE_WORDS.search(question):
        themes.add("differences")
    if CAREER_WORDS.search(question):
        themes.add("careers")
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
