"""Follow-up questions: carry the conversation's disciplines and aspect into a standalone query.

Without an LLM this is topic carry-over: "Who coined the term?" after "What is DataOps?" becomes
"Who coined the term DataOps?"; "And versioning?" keeps the disciplines and swaps the aspect.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, words
from assistant.topics import Topic, aspect_words, topic_of

FOLLOW_UP_START = re.compile(
    r"^(?:and|but|so|also|then|what about|how about|and what about|why|when|who|how come|"
    r"what else|tell me more|more|same for|which one|which of them|is that|does it|do they)\b", re.I)
REFERENCE = re.compile(r"\b(?:the term|the name|it|its|they|them|their|this one|that one|these|"
                       r"those|which one|the other(?: one|s)?)\b", re.I)
SHORT = 3  # content words; a question this short leans on the conversation for its subject


@dataclass
class Turn:
    question: str
    standalone: str
    topic: Topic
    recommendation: str | None = None


@dataclass
class Conversation:
    """One session's memory: its turns, and the recommender's background and recommendation."""

    turns: list[Turn] = field(default_factory=list)
    background: str | None = None
    recommendation: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def last_topic(self) -> Topic | None:
        return self.turns[-1].topic if self.turns else None


def _is_follow_up(question: str, topic: Topic) -> bool:
    content = [w for w in words(question) if w not in STOPWORDS]
    if FOLLOW_UP_START.search(question) or REFERENCE.search(question):
        return True
    return len(content) <= SHORT and not (topic.disciplines and topic.aspects)


def _with_disciplines(question: str, disciplines: tuple[str, ...]) -> str:
    names = " and ".join(disciplines) if len(disciplines) < 3 else "DevOps, DataOps and MLOps"
    replaced, count = re.subn(r"\b(?:the term|the name|it|they|them|this one|that one)\b",
                              lambda m: f"{m.group(0)} {names}" if m.group(0).startswith("the ")
                              else names, question, count=1, flags=re.I)
    return replaced if count else f"{question.rstrip('?. ')} ({names})?"


def rewrite(question: str, conversation: Conversation) -> tuple[str, Topic]:
    """The standalone query for `question` and its resolved topic (inherited where it is silent)."""
    topic = topic_of(question)
    previous = conversation.last_topic()
    if previous is None or not _is_follow_up(question, topic):
        return question, topic
    disciplines = topic.disciplines or previous.disciplines
    aspects = topic.aspects or previous.aspects
    standalone = question
    if disciplines and not topic.disciplines:
        standalone = _with_disciplines(standalone, disciplines)
    if aspects and not topic.aspects:
        standalone = f"{standalone} {aspect_words(aspects)}"
    if standalone == question and re.fullmatch(r"\W*\w+\W*", question):
        standalone = f"{question} {conversation.turns[-1].standalone}"
    return standalone, Topic(disciplines, aspects)
