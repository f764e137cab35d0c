"""The default answerer: picks the article's own sentences for a question, no LLM involved.

Each retrieved chunk is split into sentences (bullets count as sentences); each sentence is scored
by meaning (MiniLM cosine to the query), by shared words (idf-weighted) and by what the question
asks for (here); which of them the answer uses and which leads is assistant/selection.py's, what
each leans on and the reading order assistant/context.py's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from langchain_core.documents import Document

from assistant.claims import Claim, unit_claims
from assistant.context import Needs, anchor, key, leans_back, ordered, with_context
from assistant.filler import FillerJudge
from assistant.index import Index
from assistant.relevance import (PATTERNS, TYPED, asked_kinds, bonus, first_kept, promotion_penalty,
                                 ranking_direction, ranking_score, references_penalty,
                                 subject_penalty)
from assistant.selection import (admissible, answers, best_and_rest, budget_for, compare, fill,
                                 standalone)
from assistant.text import distinct, heading_label, same_text, stems
from assistant.topics import ANAPHOR, LANGUAGE, Topic, is_comparison, lexical_form, named, subject_of

if TYPE_CHECKING:  # understanding imports the composer's Claim through the references
    from assistant.understanding import Part

JOINT = 3  # retrieved chunks whose words together may cover a question of this many words
QUESTION_HEADING = 0.25  # at most, for a sentence under a heading that asks the user's question
DIRECT = 0.05  # and more for the first sentence under it: a FAQ answers its question first
VERDICT = 0.06  # a yes or no, for a yes/no question: less than a person for "who" (any "No."
#                 of the article would do)


class Composer:
    """Scores and selects sentences from the retrieved chunks of one index."""

    def __init__(self, index: Index, filler: FillerJudge | None = None):
        self.index = index
        self.filler = filler or FillerJudge(index, None)
        self.idf = _idf(index.document_frequency, len(index.documents))
        self._chunk_stems: dict[str, tuple[set[str], list[set[str]]]] = {}
        self._chunk_read: dict[str, list[str]] = {}

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
            units, read = unit_claims(doc), self._read_as(doc)
            for base, unit_stems in zip(units, all_unit_stems):
                i, unit = base.unit, base.text
                lexical = (sum(self.idf.get(s, 1.0) for s in query_stems & unit_stems)
                           + 0.5 * sum(self.idf.get(s, 1.0) for s in query_stems & section_stems
                                       - unit_stems)) / weight
                echo = 0.15 if unit_stems <= query_stems else 0.0  # says nothing the question didn't
                score = (0.35 * float(similarities[i]) + 0.25 * lexical + 0.4 * chunk
                         + adjust - echo
                         + bonus(read[i], doc.metadata["section"], query, topic)
                         + (ranking_score(unit, direction, topic) if direction else 0.0)
                         + ((VERDICT if kinds == {"verdict"} else TYPED)
                            if kinds and answers(base, kinds) else 0.0)
                         + asked_by_heading
                         + (DIRECT if asked_by_heading and base.unit == 0
                            and doc.metadata.get("position", 0) == 0 else 0.0))
                claims.append(Claim(unit, doc, i, score, item=base.item, overlap=lexical,
                                    asked_words=len(query_stems & unit_stems)))
        best: dict[str, Claim] = {}  # a sentence in two files' chunks is one candidate
        for claim in sorted(claims, key=lambda c: -c.score):
            best.setdefault(same_text(claim.text), claim)
        return list(best.values())

    def _read_as(self, doc: Document) -> list[str]:
        """Each sentence of a chunk as `as_read` reads it; kept, like the stems."""
        known = self._chunk_read.get(doc.id)
        if known is None:
            units, subject = unit_claims(doc), subject_of(doc.page_content)
            known = self._chunk_read[doc.id] = [as_read(units, i, subject) for i in range(len(units))]
        return known

    def _stems(self, doc: Document) -> tuple[set[str], list[set[str]]]:
        """The stems of a chunk's heading path and of each of its sentences, read as the
        sentence says it: "It ..." with the chunk's subject, a list item after its intro. Kept:
        the same chunks come back with every question."""
        known = self._chunk_stems.get(doc.id)
        if known is None:
            intro = self.index.list_intro(doc) or ""
            read = [said if ANAPHOR.match(unit.text) and said != unit.text  # "It ...": whose
                    else f"{intro} {unit.text}"
                    for unit, said in zip(unit_claims(doc), self._read_as(doc))]
            known = (set(stems(named(doc.metadata["section"]))), [set(stems(named(text)))
                                                                  for text in read])
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
        """The largest idf-weighted share of the query's words that one chunk, or the best
        JOINT retrieved chunks together, hold ("why was Feast chosen over Tecton?" when a table
        row names Feast and a paragraph says why); "the three" stands for the disciplines, which
        every chunk is about, so it does not count."""
        query_stems = set(stems(LANGUAGE.all_three.sub(" ", query)))
        top = max(self.idf.values(), default=1.0)
        weights = {s: self.idf.get(s, top) for s in query_stems}
        total = sum(weights.values()) or 1.0
        held = [self.index.stems_of(doc) for doc in docs]
        if len(query_stems) >= JOINT and held:  # of two words, two chunks holding one each say nothing
            held.append(set().union(*held[:JOINT]))
        return max((sum(w for s, w in weights.items() if s in found) / total for found in held),
                   default=0.0)

    def compose(self, part: Part, docs: list[Document], said: frozenset[str] = frozenset(),
                missing: bool = False) -> list[Claim]:
        """The claims of the answer to one question, in the order they should be read: the
        sentence that answers it first (after what it leans on), then the others in the
        article's order. Labels, the sentences in `said` (what the previous answer gave, for a
        follow-up) and filler are never used, unless the question asks for that very sentence;
        `missing`: the answer says the page's table or diagram is not in the text, so a sentence
        pointing at it can be read."""
        needs = self._needs(part, said, missing)
        usable = admissible(self.candidates(part.standalone, part.topic, docs, part.ranking), needs)
        if not usable:
            return []
        budget = budget_for(part.text)
        best, ranked = best_and_rest(usable, part, said)
        anchored = key(anchor(best, needs))
        lead = next((c for c in ranked if key(c) == anchored), anchor(best, needs))
        chosen = [lead] + ([best] if key(best) != key(lead) else [])
        if is_comparison(part.standalone, part.topic) and "overlap" not in part.topic.aspects \
                and not needs.yes_no and budget.sentences > 1:
            compare(chosen, ranked, best, part, budget)
        fill(chosen, ranked, lead, best, budget)
        return ordered(with_context(chosen, lead, budget.chars, self.index, needs), lead, needs)

    def _needs(self, part: Part, said: frozenset[str], missing: bool) -> Needs:
        asks_promotion = bool(PATTERNS["promotion"].search(part.standalone))
        pointed = (len(part.topic.disciplines) == 1 or bool(part.ranking)
                   or bool(asked_kinds(part.standalone)))
        return Needs(part.topic, bool(PATTERNS["yes_no_question"].search(part.text)), said,
                     lambda c: self._usable(c, asks_promotion, missing), pointed)

    def _usable(self, claim: Claim, asks_promotion: bool, missing: bool) -> bool:
        """A sentence that can be part of an answer: not a label, a bare "No.", or filler (but a
        call to action when the question asks about one)."""
        if not standalone(claim.text) or PATTERNS["bare_verdict"].match(claim.text):
            return False
        if asks_promotion and PATTERNS["promotion"].search(claim.text):
            return True
        if missing and PATTERNS["points_away"].search(claim.text):
            return not self.filler.flagged(claim.doc, claim.unit)
        return not self.filler.is_filler(claim.doc, claim.unit, claim.text)


def as_read(units: list[Claim], i: int, subject: str | None) -> str:
    """Sentence `i` of a chunk as it reads there, for whom it is about: "It was born ..." in a
    chunk that opens with DevOps reads "DevOps It was born ..."; in a chunk about no one
    discipline, "Catching it requires ..." after a sentence about models reads as about MLOps."""
    claim, before = units[i], units[i - 1] if i else None
    if before is not None and claim.item and before.item == claim.item and leans_back(claim):
        about = first_kept(before.text)  # within a bullet: "MLOps: Git plus ... Each of those ..."
    elif subject and ANAPHOR.match(claim.text):
        about = subject
    elif before is not None and not subject and leans_back(claim):
        about = first_kept(before.text)
    else:
        about = None
    return f"{about} {claim.text}" if about else claim.text


def _idf(frequency: dict[str, int], total: int) -> dict[str, float]:
    """Inverse document frequency of each stem, from the chunks holding it (Index counts them
    while it tokenizes the chunks for BM25, so the corpus is stemmed once)."""
    total = total or 1
    return {s: float(np.log(1 + total / df)) for s, df in frequency.items()}


