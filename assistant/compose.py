"""The default answerer: picks the article's own sentences for a question, no LLM involved.

Each retrieved chunk is split into sentences (bullets count as sentences); each sentence is scored
by meaning (MiniLM cosine to the query), by shared words (idf-weighted) and by what the question
asks for; the best one leads, a comparison gets a sentence per discipline, and the rest follow in
the article's reading order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from langchain_core.documents import Document

from assistant.index import Index
from assistant.text import sentences, stems
from assistant.topics import DISCIPLINES, Topic, is_comparison

ANAPHOR = re.compile(r"^(?:it|its|it's|that|that's|this|these|they|they're|those|each|even|there|"
                     r"the term|from there|both)\b", re.I)
MORE = re.compile(r"\b(?:in detail|more detail|elaborate|everything|all about|full|long)\b", re.I)
REASON = re.compile(r"\bbecause\b|\bwhy\b|\breason\b|\bso that\b", re.I)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
SUBJECT = re.compile(r"^(?:[-*] )?(DevOps|DataOps|MLOps)\b")
NUMBER = re.compile(r"\$|\d[\d,.]*\s*(?:%|million|k\b)|\b\d{2,}[\d,]*\b")


NEAR = 0.55  # a sentence of the lead's own chunk joins the answer above this share of its score
FAR = 0.8    # a sentence from elsewhere must come this close to the lead


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer and the chunk it is quoted from."""

    text: str
    doc: Document
    unit: int = 0
    score: float = 0.0


@dataclass(frozen=True)
class Budget:
    sentences: int
    chars: int


def budget_for(question: str) -> Budget:
    """About five sentences and 600 characters, more when the question asks for detail."""
    return Budget(8, 1200) if MORE.search(question) else Budget(5, 600)


class Composer:
    """Scores and selects sentences from the retrieved chunks of one index."""

    def __init__(self, index: Index):
        self.index = index
        self.idf = _idf(index.documents.values())

    def candidates(self, query: str, topic: Topic, docs: list[Document]) -> list[Claim]:
        """Every sentence of the retrieved chunks with its score, best first."""
        query_vector = self.index.query_vector(query)
        query_stems = set(stems(query))
        weight = sum(self.idf.get(s, 1.0) for s in query_stems) or 1.0
        claims = []
        top_bm25 = max((d.metadata.get("bm25", 0.0) for d in docs), default=0.0) or 1.0
        for doc in docs:
            if doc.metadata.get("kind") == "editorial_note":
                continue
            chunk = (0.5 * doc.metadata.get("dense", 0.0) + 0.5 * doc.metadata.get("bm25", 0.0)
                     / top_bm25 + _subject_penalty(doc, topic))
            section_stems = set(stems(doc.metadata["section"]))
            vectors = self.index.unit_vectors(doc)
            for i, unit in enumerate(sentences(doc.page_content)):
                unit_stems = set(stems(unit))
                lexical = (sum(self.idf.get(s, 1.0) for s in query_stems & unit_stems)
                           + 0.5 * sum(self.idf.get(s, 1.0) for s in query_stems & section_stems
                                       - unit_stems)) / weight
                novelty = len(unit_stems - query_stems) / (len(unit_stems) or 1)
                score = (0.35 * float(vectors[i] @ query_vector) + 0.25 * lexical + 0.4 * chunk
                         - (0.15 if novelty < 0.34 else 0.0) + _bonus(unit, query, topic))
                claims.append(Claim(unit, doc, i, score))
        return sorted(claims, key=lambda c: -c.score)

    def coverage(self, query: str, docs: list[Document]) -> float:
        """The largest idf-weighted share of the query's words that one chunk holds."""
        query_stems = set(stems(query))
        top = max(self.idf.values(), default=1.0)
        weights = {s: self.idf.get(s, top) for s in query_stems}
        total = sum(weights.values()) or 1.0
        return max((sum(w for s, w in weights.items() if s in _chunk_stems(doc)) / total
                    for doc in docs), default=0.0)

    def compose(self, question: str, query: str, topic: Topic, docs: list[Document]) -> list[Claim]:
        """The claims of the answer, in the order they should be read."""
        ranked = [c for c in self.candidates(query, topic, docs) if _standalone(c.text)]
        if not ranked:
            return []
        budget = budget_for(question)
        chosen = [ranked[0]]
        if is_comparison(query, topic):
            for name in topic.disciplines:
                best = next((c for c in ranked if DISCIPLINES[name].search(c.text)), None)
                if best and best.score >= 0.5 * ranked[0].score:
                    _add(chosen, best, budget)
        lead = ranked[0]
        for claim in ranked[1:]:
            near = claim.doc.id == lead.doc.id and claim.score >= NEAR * lead.score
            if (near or claim.score >= FAR * lead.score) and len(chosen) < budget.sentences:
                _add(chosen, claim, budget)
        return self._in_reading_order(_with_context(chosen, budget))

    def _in_reading_order(self, claims: list[Claim]) -> list[Claim]:
        lead, rest = claims[0], claims[1:]
        key = lambda c: (c.doc.metadata.get("order", 0), c.unit)  # noqa: E731
        before = [c for c in rest if c.doc.id == lead.doc.id and c.unit < lead.unit
                  and c.unit >= lead.unit - 1]
        after = sorted((c for c in rest if c not in before), key=key)
        return before + [lead] + after


def _chunk_stems(doc: Document) -> set[str]:
    return set(stems(doc.page_content + " " + doc.metadata["section"]))


def _idf(documents) -> dict[str, float]:
    frequency: dict[str, int] = {}
    documents = list(documents)
    for doc in documents:
        for s in _chunk_stems(doc):
            frequency[s] = frequency.get(s, 0) + 1
    total = len(documents) or 1
    return {s: float(np.log(1 + total / df)) for s, df in frequency.items()}


def _standalone(text: str) -> bool:
    """Labels, calls to action and bare questions are never an answer on their own."""
    label = text.endswith(":") or (text.endswith("?") and ":" not in text)
    return len(text) >= 25 and not label and "→" not in text


def _subject_penalty(doc: Document, topic: Topic) -> float:
    """A chunk that opens with another discipline's name is about that one, not the asked one."""
    match = SUBJECT.match(doc.page_content)
    if match and topic.disciplines and len(topic.disciplines) < 3:
        subject = next(n for n, p in DISCIPLINES.items() if p.fullmatch(match.group(1)))
        return 0.0 if subject in topic.disciplines else -0.2
    return 0.0


def _bonus(unit: str, query: str, topic: Topic) -> float:
    bonus = 0.0
    names = topic.disciplines
    others = [n for n in DISCIPLINES if n not in names]
    if names and len(names) < 3 and any(re.match(rf"(?:{n})\b", unit) for n in others):
        bonus -= 0.15
    if "history" in topic.aspects and (YEAR.search(unit) or re.search(r"coined|born|traction", unit)):
        bonus += 0.1
    if "salary" in topic.aspects and NUMBER.search(unit):
        bonus += 0.1
    if REASON.search(query) and REASON.search(unit):
        bonus += 0.1
    if re.search(r"kodekloud|challenge|→", unit, re.I) and not re.search(
            r"kodekloud|challenge|course", query, re.I):
        bonus -= 0.3
    return bonus


def _length(claims: list[Claim]) -> int:
    return sum(len(c.text) + 5 for c in claims)


def _add(chosen: list[Claim], claim: Claim, budget: Budget) -> None:
    same = any(c.doc.id == claim.doc.id and c.unit == claim.unit for c in chosen)
    if not same and _length(chosen + [claim]) <= budget.chars:
        chosen.append(claim)


def _with_context(chosen: list[Claim], budget: Budget) -> list[Claim]:
    """Bring in the sentence before one that starts 'It ...' or answers a 'Label?' line."""
    result = list(chosen)
    for claim in chosen:
        units = sentences(claim.doc.page_content)
        previous = units[claim.unit - 1] if claim.unit > 0 else None
        if previous and (ANAPHOR.match(claim.text) or previous.endswith(("?", ":"))):
            context = Claim(previous, claim.doc, claim.unit - 1, claim.score)
            if not any(c.doc.id == context.doc.id and c.unit == context.unit for c in result):
                result.insert(result.index(claim), context)
    while len(result) > 1 and _length(result) > budget.chars * 1.25:
        result.pop()
    return result
