"""One session's memory: its turns (what was understood, what the answer named and listed), and the
recommender's background and recommendation."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from pydantic import BaseModel

from assistant.schema import Answer
from assistant.topics import Topic


class Mention(BaseModel):
    """Something a question or an answer named: a person, a work, a discipline, ..."""

    name: str
    kind: str


class Item(BaseModel):
    """One item of a list an answer gave, in order: "the second one" points at it."""

    label: str
    section: str | None = None  # the heading path it stands for, when it is a subsection


@dataclass
class Turn:
    """A finished turn: the user's text, its standalone form and topic, and what the answer named
    (most salient first) and listed, for the next turn's references."""

    question: str
    standalone: str  # as the answer was composed for, with carried topic words
    topic: Topic
    asked: str = ""  # the plain standalone question ("Read as")
    recommendation: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item: int | None = None  # the position (0-based) of the listed item this turn was about
    standalone_question: bool = True  # False for small talk, declines of chatter, ...
    said: frozenset[str] = frozenset()  # the article's sentences the answer quoted
    answer: Answer | None = None  # kept to say it again when asked


@dataclass
class Conversation:
    """A session's turns, and the recommender's memory of the user's background."""

    turns: list[Turn] = field(default_factory=list)
    background: str | None = None
    recommendation: str | None = None
    recommended_for: str | None = None  # whose path the last recommendation was (maybe not theirs)
    asked_background: bool = False  # the last answer asked which background fits
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def last(self) -> Turn | None:
        """The last turn that asked about the article: small talk between is skipped."""
        return next((t for t in reversed(self.turns) if t.standalone_question), None)

    def last_topic(self) -> Topic | None:
        return self.last.topic if self.last else None
