"""The default answerer: picks the article's own sentences for a question, no LLM involved.

Each retrieved chunk is split into sentences (bullets count as sentences); each sentence is scored
by meaning (MiniLM cosine to the query), by shared words (idf-weighted) and by what the question
asks for; the best one leads, a comparison gets a sentence per discipline, and the rest follow in
the article's reading order.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.documents import Document

from assistant.claims import Claim, unit_claims
from assistant.index import Index
from assistant.language.schema import compiled
from assistant.relevance import (PATTERNS, TYPED, answers_kind, asked_kinds, bonus,
                                 promotion_penalty, ranking_direction, ranking_score,
                                 subject_penalty)
from assistant.text import heading_label, stems
from assistant.topics import (ANAPHOR, DISCIPLINES, LANGUAGE, Topic, is_comparison, lexical_form,
                              named, subject_of)

if TYPE_CHECKING:  # understanding imports the composer's Claim through the references
    from assistant.understanding import Part

CONCLUSION = compiled(LANGUAGE.lexicon.conclusions)
STANDING = 0.85  # a lead that stands on its own may score this much less than the best sentence
QUESTION_HEADING = 0.25  # at most, for a sentence under a heading that asks the user's question
NEAR = 0.55  # a sentence of the lead's own chunk joins the answer above this share of its score
FAR = 0.8    # a sentence from elsewhere must come this close to the lead
WHOLE_CHUNK = 420  # characters; a lead paragraph this short is quoted whole, as the article says it


@dataclass(frozen=True)
class Budget:
    sentences: int
    chars: int


def budget_for(question: str) -> Budget:
    """About five sentences and 600 characters, more when the question asks for detail."""
    return Budget(8, 1200) if PATTERNS["more_detail"].search(question) else Budget(5, 600)


class Composer:
    """Scores and selects sentences from the retrieved chunks of one index."""

    def __init__(self, index: Index):
        self.index = index
        self.idf = _idf(index.document_frequency, len(index.documents))
        self._chunk_stems: dict[str, tuple[set[str], list[set[str]]]] = {}

    def candidates(self, query: str, topic: Topic, docs: list[Document],
                   ranking: bool = False) -> list[Claim]:
        """Every sentence of the retrieved chunks and their section neighbours, best first."""
        query_vector = self.index.query_vector(query)
        query_stems = set(stems(lexical_form(query)))
        weight = sum(self.idf.get(s, 1.0) for s in query_stems) or 1.0
        pool = self._pool(docs)
        bm25 = self.index.retriever.bm25.scores(query, pool)
        sentence_similarities = self.index.sentence_similarities(pool, query_vector)
        top_bm25 = max((bm25.get(d.id, 0.0) for d in pool), default=0.0) or 1.0
        kinds = asked_kinds(query)
        direction = ranking_direction(query) if ranking else None
        claims = []
        for doc in pool:
            similarities = sentence_similarities[doc.id]
            dense = max(doc.metadata.get("dense", 0.0), float(similarities.max(initial=0.0)))
            chunk = 0.6 * dense + 0.4 * bm25.get(doc.id, 0.0) / top_bm25
            adjust = subject_penalty(doc, topic) + promotion_penalty(doc, query)
            section_stems, all_unit_stems = self._stems(doc)
            asked_by_heading = self._heading_answers(doc, query_stems)
            for base, unit_stems in zip(unit_claims(doc), all_unit_stems):
                i, unit = base.unit, base.text
                lexical = (sum(self.idf.get(s, 1.0) for s in query_stems & unit_stems)
                           + 0.5 * sum(self.idf.get(s, 1.0) for s in query_stems & section_stems
                                       - unit_stems)) / weight
                echo = 0.15 if unit_stems <= query_stems else 0.0  # says nothing the question didn't
                score = (0.35 * float(similarities[i]) + 0.25 * lexical + 0.4 * chunk
                         + adjust - echo + bonus(unit, doc.metadata["section"], query, topic)
                         + (ranking_score(unit, direction, topic) if direction else 0.0)
                         + (TYPED if kinds and answers_kind(unit, kinds) else 0.0)
                         + asked_by_heading)
                claims.append(replace(base, score=score))
        return sorted(claims, key=lambda c: -c.score)

    def _stems(self, doc: Document) -> tuple[set[str], list[set[str]]]:
        """The stems of a chunk's heading path and of each of its sentences, read as the
        sentence says it: "It ..." with the chunk's subject, a list item after its intro. Kept:
        the same chunks come back with every question."""
        known = self._chunk_stems.get(doc.id)
        if known is None:
            subject, intro = subject_of(doc.page_content), self.index.list_intro(doc) or ""
            units = [claim.text for claim in unit_claims(doc)]
            known = (set(stems(named(doc.metadata["section"]))),
                     [set(stems(named(f"{subject} {unit}" if subject and ANAPHOR.match(unit)
                                      else f"{intro} {unit}"))) for unit in units])
            self._chunk_stems[doc.id] = known
        return known

    def _heading_answers(self, doc: Document, query_stems: set[str]) -> float:
        """A section titled by a question ("Is MLOps just DevOps for machine learning?") answers
        that question: its sentences gain by how much the user's question and the heading share
        (idf-weighted, of the words of either)."""
        heading = heading_label(doc.metadata["section"])
        if not heading.endswith("?") or not query_stems:
            return 0.0
        heading_stems = set(stems(lexical_form(heading)))
        weight = lambda group: sum(self.idf.get(s, 1.0) for s in group)  # noqa: E731
        share = weight(heading_stems & query_stems) / weight(heading_stems | query_stems)
        return QUESTION_HEADING * share if share >= 0.5 else 0.0

    def _pool(self, docs: list[Document]) -> list[Document]:
        """The retrieved chunks plus the section neighbours of the best three (small-to-big)."""
        pool = {doc.id: doc for doc in docs}
        for doc in docs[:3]:
            for neighbour in self.index.neighbours(doc):
                pool.setdefault(neighbour.id, neighbour)
        return [d for d in pool.values() if d.metadata.get("kind") != "editorial_note"]

    def best_similarity(self, query: str, docs: list[Document]) -> float:
        """The highest cosine between the query and one sentence (in its context) of the pool."""
        similarities = self.index.sentence_similarities(self._pool(docs),
                                                        self.index.query_vector(query))
        return max((float(values.max(initial=0.0)) for values in similarities.values()),
                   default=0.0)

    def coverage(self, query: str, docs: list[Document]) -> float:
        """The largest idf-weighted share of the query's words that one chunk holds ("the three"
        stands for the disciplines, which every chunk is about, so it does not count)."""
        query_stems = set(stems(LANGUAGE.all_three.sub(" ", query)))
        top = max(self.idf.values(), default=1.0)
        weights = {s: self.idf.get(s, top) for s in query_stems}
        total = sum(weights.values()) or 1.0
        return max((sum(w for s, w in weights.items() if s in self.index.stems_of(doc)) / total
                    for doc in docs), default=0.0)

    def compose(self, part: Part, docs: list[Document]) -> list[Claim]:
        """The claims of the answer to one question, in the order they should be read."""
        query, topic = part.standalone, part.topic
        promotions_asked = bool(PATTERNS["promotion"].search(query))
        ranked = [c for c in self.candidates(query, topic, docs, part.ranking) if _standalone(c.text)
                  and (promotions_asked or not PATTERNS["promotion"].search(c.text))]
        if not ranked:
            return []
        budget = budget_for(part.text)
        lead = _lead(ranked, ranking_direction(query) if part.ranking else None, topic)
        chosen = [lead]
        if len(lead.doc.page_content) <= WHOLE_CHUNK:
            for claim in ranked:
                if claim.doc.id == lead.doc.id:
                    _add(chosen, claim, budget)
        if is_comparison(query, topic) and "overlap" not in topic.aspects:
            for name in topic.disciplines:
                best = next((c for c in ranked if _about(c, name)), None)
                if best and best.score >= 0.5 * lead.score:
                    _add(chosen, best, budget)
        for claim in ranked[1:]:
            near = claim.doc.id == lead.doc.id and claim.score >= NEAR * lead.score
            if (near or claim.score >= FAR * lead.score) and len(chosen) < budget.sentences:
                _add(chosen, claim, budget)
        return self._in_reading_order(_with_context(chosen, budget, self.index), lead)

    @staticmethod
    def _in_reading_order(claims: list[Claim], lead: Claim) -> list[Claim]:
        """The lead's chunk (and what introduces it) first, then the other chunks; each in the
        article's own order."""
        def key(claim: Claim):
            with_lead = lead.doc.id in (claim.doc.id, claim.context_for)
            return (not with_lead, claim.doc.metadata.get("order", 0), claim.unit)

        return sorted(claims, key=key)


def _lead(ranked: list[Claim], direction: str | None, topic: Topic) -> Claim:
    """The best sentence, unless it is a conclusion ("That's why ...") or, for a question about
    a ranking, does not state that ranking: then the best sentence that states its point on
    its own (and the ranking asked about), if that one comes close."""
    top = ranked[0]
    ranks = (lambda c: ranking_score(c.text, direction, topic) > 0) if direction else (lambda c: True)
    if not CONCLUSION.match(top.text) and ranks(top):
        return top
    standing = next((c for c in ranked if not ANAPHOR.match(c.text) and ranks(c)), top)
    return standing if standing.score >= STANDING * top.score else top


def _idf(frequency: dict[str, int], total: int) -> dict[str, float]:
    """Inverse document frequency of each stem, from the chunks holding it (Index counts them
    while it tokenizes the chunks for BM25, so the corpus is stemmed once)."""
    total = total or 1
    return {s: float(np.log(1 + total / df)) for s, df in frequency.items()}


def _standalone(text: str) -> bool:
    """Labels and bare questions are never an answer on their own."""
    label = text.endswith(":") or (text.endswith("?") and ":" not in text)
    return len(text) >= 10 and not label and "→" not in text


def _about(claim: Claim, name: str) -> bool:
    """The sentence names the discipline, or sits in a chunk that opens with its name."""
    subject = subject_of(claim.doc.page_content)
    return bool(DISCIPLINES[name].search(claim.text)) or subject == name


def _length(claims: list[Claim]) -> int:
    return sum(len(c.text) + 5 for c in claims)


def _add(chosen: list[Claim], claim: Claim, budget: Budget) -> None:
    same = any(c.doc.id == claim.doc.id and c.unit == claim.unit for c in chosen)
    if not same and _length(chosen + [claim]) <= budget.chars:
        chosen.append(claim)


def _with_context(chosen: list[Claim], budget: Budget, index: Index) -> list[Claim]:
    """Add what a chosen sentence leans on: the sentence before 'It ...' or after 'Label?' /
    'a question?', the paragraph before one that opens with 'That ...', and a list's intro."""
    result = list(chosen)
    for claim in chosen:
        own = unit_claims(claim.doc, claim.score)
        previous = own[claim.unit - 1] if claim.unit > 0 else None
        following = own[claim.unit + 1] if claim.unit + 1 < len(own) else None
        if previous and (ANAPHOR.match(claim.text) or previous.text.endswith(("?", ":"))):
            _insert(result, previous, before=claim)
        elif previous is None:
            for context in _preceding(claim, index):
                _insert(result, context, before=claim)
        if following and claim.text.endswith("?") and ":" in claim.text:
            _insert(result, following, before=None)
    while len(result) > 1 and _length(result) > budget.chars * 1.25:
        result.pop()
    return result


def _preceding(claim: Claim, index: Index) -> list[Claim]:
    """For a chunk's first sentence: its list's intro line, or, when it opens with 'That ...',
    the short paragraph (or list) before it that it refers to."""
    doc = claim.doc
    if ANAPHOR.match(claim.text):
        before = [o for o in index.neighbours(doc, radius=1)
                  if o.metadata.get("position") == doc.metadata.get("position", 0) - 1]
        if (before and len(before[0].page_content) <= WHOLE_CHUNK
                and before[0].metadata.get("kind") != "editorial_note"
                and not PATTERNS["promotion"].search(before[0].page_content)):
            pulled = [replace(c, context_for=doc.id) for c in unit_claims(before[0], claim.score)]
            intro = _list_intro(before[0], index)
            return ([replace(intro, context_for=doc.id)] if intro else []) + pulled
    if doc.metadata.get("kind") == "list":
        intro = _list_intro(doc, index)
        return [intro] if intro else []
    return []


def _insert(result: list[Claim], claim: Claim, before: Claim | None) -> None:
    if any(c.doc.id == claim.doc.id and c.unit == claim.unit for c in result):
        return
    result.insert(result.index(before) if before else len(result), claim)


def _list_intro(doc: Document, index: Index) -> Claim | None:
    """The sentence ending in ':' just before a list, as a claim of its own chunk."""
    intro = index.list_intro(doc)
    if intro is None:
        return None
    position = doc.metadata.get("position", 0) - 1
    other = next(o for o in index.neighbours(doc, radius=1) if o.metadata.get("position") == position)
    return replace(unit_claims(other)[-1], context_for=doc.id)
