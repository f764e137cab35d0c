"""`ops-assistant eval --readability`: how the answers read, over the golden, held-out and
real-phrasing questions.

For every answered question (not declined): `[n]` markers per sentence, whether it holds one of
the article's filler sentences (hand-labelled in tests/golden/readability.yaml, which the
assistant never reads) or a sentence twice, whether a question the article answers with a list
is answered as list lines, and whether the first sentence holds an expected key fact. Sentences
are cut here with a plain rule of their own, not the assistant's, so the measure does not share
the code's mistakes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel

from assistant.citations import MARKERS
from assistant.evaluation import GOLDEN, REAL_PHRASING, fact_hits, load_golden, plain_text

if TYPE_CHECKING:
    from assistant.assistant import Assistant

LABELS = GOLDEN.parent / "readability.yaml"
SENTENCE_END = re.compile(r'(?<=[.!?])["\u201d]?\s+(?=["\u201c(]?[A-Z$0-9])')


class Asked(BaseModel):
    """One question as asked (alone, or as a turn of a dialog) and what its answer should hold."""

    key: str  # golden id, or "<dialog> <turn number>"
    answer: str
    abstained: bool
    key_facts: list[str | list[str]] = []


class Readability(BaseModel):
    """The readability figures of one question set (counts of answered questions)."""

    name: str
    answered: int
    markers_per_sentence: float
    with_filler: int
    with_a_sentence_twice: int
    list_questions: int
    lists_as_lines: int
    first_sentence_key_fact: float
    filler_seen: list[str] = []


def answer_sentences(answer: str) -> list[str]:
    """The sentences of an answer, markers removed, list lines without their '- '; a list's
    intro line ('All three disciplines:') is a label, not a sentence."""
    found = []
    for line in MARKERS.sub("", answer).splitlines():
        line = re.sub(r"^\s*-\s+", "", line).strip()
        if line and not line.endswith(":"):
            found += [s.strip() for s in SENTENCE_END.split(line) if s.strip()]
    return found


def score(name: str, asked: list[Asked], filler: list[str], lists: set[str]) -> Readability:
    """The figures for one set of answers (`filler`: the labelled sentences; `lists`: keys of
    the questions the article answers with a list)."""
    answered = [a for a in asked if not a.abstained]
    sentences = sum(len(answer_sentences(a.answer)) for a in answered)
    markers = sum(len(MARKERS.findall(a.answer)) for a in answered)
    seen = [a.key for a in answered if _holds_filler(a.answer, filler)]
    twice = [a for a in answered if _has_repeat(a.answer)]
    listed = [a for a in answered if a.key in lists]
    first = [_first_holds_a_fact(a) for a in answered if a.key_facts]
    return Readability(
        name=name, answered=len(answered),
        markers_per_sentence=round(markers / sentences, 3) if sentences else 0.0,
        with_filler=len(seen), with_a_sentence_twice=len(twice),
        list_questions=len(listed),
        lists_as_lines=sum(len(re.findall(r"(?m)^- ", a.answer)) >= 2 for a in listed),
        first_sentence_key_fact=round(sum(first) / len(first), 4) if first else 0.0,
        filler_seen=seen)


def _first_holds_a_fact(asked: Asked) -> bool:
    sentences = answer_sentences(asked.answer)
    return bool(sentences) and any(fact_hits(sentences[0], asked.key_facts))


def _holds_filler(answer: str, filler: list[str]) -> bool:
    plain = plain_text(answer)
    return any(plain_text(sentence) in plain for sentence in filler)


def _has_repeat(answer: str) -> bool:
    sentences = [plain_text(s) for s in answer_sentences(answer)]
    return len(sentences) != len(set(sentences))


def golden_answers(assistant: Assistant, path: Path) -> Iterator[Asked]:
    """Each question of a golden-format set, asked in a fresh session."""
    for item in load_golden(path):
        answer = assistant.ask(item.question, session=f"readability-{uuid.uuid4().hex}")
        yield Asked(key=item.id, answer=answer.answer, abstained=answer.abstained,
                    key_facts=item.key_facts if item.answerable else [])


def dialog_answers(assistant: Assistant, path: Path) -> Iterator[Asked]:
    """Each turn of a scripted-dialog set, asked in its dialog's session."""
    from assistant.dialogs import load_file

    for dialog in load_file(path).dialogs:
        session = f"readability-{uuid.uuid4().hex}"
        for number, turn in enumerate(dialog.turns, 1):
            answer = assistant.ask(turn.user, session=f"{session}-{turn.session}")
            yield Asked(key=f"{dialog.name} {number}", answer=answer.answer,
                        abstained=answer.abstained, key_facts=turn.expect.key_facts)


def evaluate_readability(assistant: Assistant, labels: Path = LABELS) -> list[Readability]:
    """The figures for the golden and held-out sets and each real-phrasing set present."""
    data = yaml.safe_load(labels.read_text(encoding="utf-8"))
    filler = [item["sentence"] for item in data["filler"]]
    lists = set(data["list_questions"]["golden"]) | set(data["list_questions"]["real"])
    sets = [("golden", golden_answers(assistant, GOLDEN)),
            ("held-out", golden_answers(assistant, GOLDEN.parent / "heldout.yaml"))]
    sets += [(name, dialog_answers(assistant, path)) for name, path in REAL_PHRASING.items()
             if path.is_file()]
    return [score(name, list(asked), filler, lists) for name, asked in sets]
