"""The default answerer: picks the article's own sentences for a question, no LLM involved.

Each retrieved chunk is split into sentences (bullets count as sentences); each sentence is scored
by meaning (MiniLM cosine to the query), by shared words (idf-weighted) and by what the question
asks for; the best one leads, a comparison gets a sentence per discipline, and the rest follow in
the article's reading order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
from langchain_core.documents import Document

from assistant.claims import Claim, unit_claims
from assistant.context import (SHORT_PARAGRAPH, Needs, anchor, key, needs_antecedent, ordered, stands,
                               with_context)
from assistant.filler import FillerJudge
from assistant.index import Index
from assistant.language.schema import compiled
from assistant.relevance import (PATTERNS, TYPED, answers_kind, asked_kinds, bonus,
                                 promotion_penalty, ranking_direction, ranking_score,
                                 references_penalty, subject_penalty)
from assistant.text import distinct, heading_label, same_text, stems
from assistant.topics import (ANAPHOR, DISCIPLINES, LANGUAGE, Topic, is_comparison, lexical_form,
                              named, subject_of)

if TYPE_CHECKING:  # understanding imports the composer's Claim through the references
    from assistant.understanding import Part

CONCLUSION = compiled(LANGUAGE.lexicon.conclusions)
DISCIPLINE_STEMS = {s for name in DISCIPLINES for s in stems(name)}
STANDING = 0.85  # a lead that stands on its own may score this much less than the best sentence
QUESTION_HEADING = 0.25  # at most, for a sentence under a heading that asks the user's question
NEAR = 0.55  # a sentence of the lead's own chunk joins the answer above this share of its score
FAR = 0.8    # a sentence from elsewhere must come this close to the lead
VERDICT = 0.06  # a yes or no, for a yes/no question: less than a person for "who" (any "No."
#                 of the article would do)
ASKED_EXACTLY = 0.6  # share of the question's words: a sentence it asks about, even if filler
RELATED = 0.4  # a sentence of a short lead paragraph joins the answer above this share
RELEVANT = 0.4  # a sentence scoring below this share of the best one (filler too) is off the point
COMPARED = 0.5  # a comparison's best sentence about each discipline, above this share of the lead


@dataclass(frozen=True)
class Budget:
    sentences: int
    chars: int


def budget_for(question: str) -> Budget:
    """About five sentences and 600 characters; one or two when the question asks for a short
    answer ("in one sentence", "briefly"), more when it asks for detail."""
    if PATTERNS["one_sentence"].search(question):
        return Budget(1, 400)
    if PATTERNS["briefly"].search(question):
        return Budget(2, 400)
    return Budget(8, 1200) if PATTERNS["more_detail"].search(question) else Budget(5, 600)


class Composer:
    """Scores and selects sentences from the retrieved chunks of one index."""

    def __init__(self, index: Index, filler: FillerJudge | None = None):
        self.index = index
        self.filler = filler or FillerJudge(index, None)
        self.idf = _idf(index.document_frequency, len(index.documents))
        self._chunk_stems: dict[str, tuple[set[str], list[set[str]]]] = {}

    def candidates(self, query: str, topic: Topic, docs: list[Document],
                   ranking: bool = False) -> list[Claim]:
        """Every sentence of the retrieved chunks and their section neighbours, best first."""
        query_vector = self.index.query_vector(query)
        query_stems = set(stems(lexical_form(query)))
        weight = sum(self.idf.get(s, 1.0) for s in query_stems) or 1.0
        pool = self._pool(docs, wide=is_comparison(query, topic))
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
            adjust = (subject_penalty(doc, topic) + promotion_penalty(doc, query)
                      + references_penalty(doc, query))
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
                         + ((VERDICT if kinds == {"verdict"} else TYPED)
                            if kinds and answers(base, kinds) else 0.0)
                         + asked_by_heading)
                claims.append(replace(base, score=score, overlap=lexical,
                                      asked_words=len(query_stems & unit_stems)))
        best: dict[str, Claim] = {}  # a sentence in two files' chunks is one candidate
        for claim in sorted(claims, key=lambda c: -c.score):
            best.setdefault(same_text(claim.text), claim)
        return list(best.values())

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

    def _pool(self, docs: list[Document], wide: bool = False) -> list[Document]:
        """The retrieved chunks plus the section neighbours of the best three (small-to-big;
        of the best five for a comparison, which needs a passage about each discipline), one
        of each text (a neighbour may be a copy of a hit from another file)."""
        pool = {doc.id: doc for doc in docs}
        for doc in docs[:5 if wide else 3]:
            for neighbour in self.index.neighbours(doc):
                pool.setdefault(neighbour.id, neighbour)
        return distinct([d for d in pool.values() if d.metadata.get("kind") != "editorial_note"])

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

    def compose(self, part: Part, docs: list[Document], said: frozenset[str] = frozenset(),
                missing: bool = False) -> list[Claim]:
        """The claims of the answer to one question, in the order they should be read: the
        sentence that answers it first (after what it leans on), then the others in the
        article's order. Labels, the sentences in `said` (what the previous answer gave, for a
        follow-up) and filler are never used, unless the question asks for that very sentence;
        `missing`: the answer says the page's table or diagram is not in the text, so a sentence
        pointing at it can be read."""
        query, topic = part.standalone, part.topic
        asks_promotion = bool(PATTERNS["promotion"].search(query))
        kinds = asked_kinds(query)
        pointed = len(topic.disciplines) == 1 or bool(part.ranking) or bool(kinds)
        needs = Needs(topic, bool(PATTERNS["yes_no_question"].search(part.text)), said,
                      lambda c: self._usable(c, asks_promotion, missing), pointed)
        candidates = self.candidates(query, topic, docs, part.ranking)
        floor = RELEVANT * candidates[0].score if candidates else 0.0
        usable = [c for c in candidates if needs.usable(c) and stands(c, needs) and c.score >= floor]
        exact = next((c for c in candidates if _asked_exactly(c) and stands(c, needs)), None)
        if exact is not None and (not usable or exact.score > usable[0].score):
            usable.insert(0, exact)  # filler the question asks about word for word may lead
        if not usable:
            return []
        budget = budget_for(part.text)
        fresh = _unsaid(usable, said, part.text, kinds)
        direction = ranking_direction(query) if part.ranking else None
        best = _lead(usable, direction, topic, kinds)
        if best.text in said and kinds and not answers(best, kinds) and fresh:
            best = _lead(fresh, direction, topic, kinds)  # "When?" wants the date, not a repeat
        ranked = fresh if best in fresh else [best] + fresh
        anchored = key(anchor(best, needs))
        lead = next((c for c in ranked if key(c) == anchored), anchor(best, needs))
        chosen = [lead] + ([best] if key(best) != key(lead) else [])
        if is_comparison(query, topic) and "overlap" not in topic.aspects and not needs.yes_no:
            defining = bool(LANGUAGE.comparison.search(query)) and not set(topic.aspects) - {"definition"}
            for name in topic.disciplines:
                if any(_aboutness(c, name, defining) <= 1 for c in chosen):
                    continue
                about = [(_aboutness(c, name, defining), -c.score, i, c) for i, c in enumerate(ranked)
                         if c.score >= COMPARED * best.score and _aboutness(c, name, defining) < 3]
                if about:
                    _add(chosen, min(about)[3], budget)
        near = [c for c in ranked if c.doc.id == lead.doc.id and c.score >= NEAR * best.score]
        whole = len(lead.doc.page_content) <= SHORT_PARAGRAPH and budget.sentences > 2
        if whole:  # a short paragraph reads as one point: its related sentences come along
            for claim in [c for c in ranked if c.doc.id == lead.doc.id and c.score >= RELATED * best.score]:
                _add(chosen, claim, Budget(len(near) + len(chosen), 10_000))
        allowed = budget.sentences + (len(chosen) - 1 if whole else 0)
        for claim in ranked:
            if (claim in near or claim.score >= FAR * best.score) and len(chosen) < allowed:
                _add(chosen, claim, budget)
        return ordered(with_context(chosen, lead, budget.chars, self.index, needs), lead, needs)

    def _usable(self, claim: Claim, asks_promotion: bool, missing: bool) -> bool:
        """A sentence that can be part of an answer: not a label, a bare "No.", or filler (but a
        call to action when the question asks about one)."""
        if not _standalone(claim.text) or PATTERNS["bare_verdict"].match(claim.text):
            return False
        if asks_promotion and PATTERNS["promotion"].search(claim.text):
            return True
        if missing and PATTERNS["points_away"].search(claim.text):
            return not self.filler.flagged(claim.doc, claim.unit)
        return not self.filler.is_filler(claim.doc, claim.unit, claim.text)


def _lead(ranked: list[Claim], direction: str | None, topic: Topic, kinds: set[str]) -> Claim:
    """The best sentence, unless it is a conclusion ("That's why ..."), does not hold what the
    question asks for (who: a person, when: a date, yes/no: a verdict) or, for a question about
    a ranking, does not state that ranking: then the best sentence that states its point on its
    own and holds that, if it comes close."""
    top = ranked[0]

    def fits(claim: Claim) -> bool:
        ranks = ranking_score(claim.text, direction, topic) > 0 if direction else True
        return ranks and (not kinds or answers(claim, kinds))

    if not CONCLUSION.match(top.text) and fits(top):
        return top
    standing = next((c for c in ranked if fits(c) and not (
        ANAPHOR.match(c.text) and needs_antecedent(c, topic))), top)
    return standing if standing.score >= STANDING * top.score else top


def _unsaid(usable: list[Claim], said: frozenset[str], question: str, kinds: set[str]) -> list[Claim]:
    """What the previous answer said is not said again (but for the sentence that answers best,
    added by the caller), nor for a sentence holding words the follow-up asks about ("which CI tools?" after a list of them) or what it asks for ("When?":
    the date)."""
    asked = set(stems(question)) - DISCIPLINE_STEMS
    return [c for c in usable if c.text not in said or asked & set(stems(c.text))
            or (kinds and answers(c, kinds))]


def _asked_exactly(claim: Claim) -> bool:
    """The sentence holds most of the question's words, two or more."""
    return claim.overlap >= ASKED_EXACTLY and claim.asked_words >= 2 and _standalone(claim.text)


def answers(claim: Claim, kinds: set[str]) -> bool:
    """The sentence holds what the question asks for; for a yes/no question, a sentence right
    after the article's bare "No." or "Yes." holds its verdict too."""
    if answers_kind(claim.text, kinds):
        return True
    if "verdict" not in kinds or claim.unit == 0:
        return False
    return bool(PATTERNS["bare_verdict"].match(unit_claims(claim.doc)[claim.unit - 1].text))


def _idf(frequency: dict[str, int], total: int) -> dict[str, float]:
    """Inverse document frequency of each stem, from the chunks holding it (Index counts them
    while it tokenizes the chunks for BM25, so the corpus is stemmed once)."""
    total = total or 1
    return {s: float(np.log(1 + total / df)) for s, df in frequency.items()}


def _standalone(text: str) -> bool:
    """Labels and bare questions are never an answer on their own."""
    label = text.endswith(":") or (text.endswith("?") and ":" not in text)
    return len(text) >= 10 and not label and "→" not in text


def _aboutness(claim: Claim, name: str, defining: bool) -> int:
    """How squarely a sentence is about one discipline, for a comparison: 0 its definition
    ("DevOps is the ...", when `defining`: the question asks what tells them apart, no aspect in
    particular), 1 about it alone (naming no other, or in a passage that opens with its name),
    2 naming it among others, 3 not about it."""
    subject = subject_of(claim.doc.page_content)
    names = {n for n in DISCIPLINES if DISCIPLINES[n].search(claim.text)}
    if defining and re.match(rf"{name} is (?:a|an|the)\b", claim.text):
        return 0
    if names <= {name} and (name in names or subject == name) and subject in (None, name):
        return 1
    return 2 if name in names else 3


def _length(claims: list[Claim]) -> int:
    return sum(len(c.text) + 5 for c in claims)


def _add(chosen: list[Claim], claim: Claim, budget: Budget) -> None:
    same = any(c.doc.id == claim.doc.id and c.unit == claim.unit for c in chosen)
    if not same and _length(chosen + [claim]) <= budget.chars:
        chosen.append(claim)
