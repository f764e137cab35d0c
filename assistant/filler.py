"""Which sentences of an index say nothing of their own, so an answer never uses them.

Filler frames the text around it: a set-up ("Three quick points first."), a transition, the page
talking about itself, a call to action. It is recognised in general, from what kind of sentence
it is: a classifier trained on sentences.yaml (written for it, from no indexed article) reads
each sentence's stored vector, and two exact cues catch what a sentence's words give away: a
call to action (lexicon `composer.promotion`) and a pointer at what only the web page shows
("that table", "the number above", "look like this": `composer.points_away`).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from langchain_core.documents import Document

from assistant.index import Index
from assistant.language import FILLER
from assistant.nlu import Classifier
from assistant.topics import LANGUAGE
from ingest.units import units

CTA_PARAGRAPH = 3  # sentences at most: a paragraph this short ending in a call to action is one
FILLER_PROBABILITY = 0.85  # the classifier must be this sure: a lost fact costs more than a
#                            sentence of filler kept
CUES = {name: re.compile(LANGUAGE.lexicon.composer[name], re.I)
        for name in ("promotion", "points_away", "page_talk", "rhetorical")}


@lru_cache(maxsize=16384)  # every candidate sentence, for every question
def by_cues(sentence: str) -> bool:
    """The sentence calls to action, points at content only the page shows ("A table tells you
    ..."), or only rejects a phrase ('No "it depends."')."""
    return any(cue.search(sentence) for cue in CUES.values())


class FillerJudge:
    """Filler flags for every sentence of a small index, computed once when it opens (one matrix
    product over the stored vectors; list items are left to the cues: "Scan the image with Trivy"
    reads like a set-up to the classifier); a large index, whose sentence vectors are not stored,
    is judged by the exact cues alone. A short paragraph that ends in a call to action is one as a
    whole ("Already comfortable with X? That's the fastest on-ramp. Try our course.")."""

    def __init__(self, index: Index, classifier: Classifier | None):
        self.flags: dict[str, np.ndarray] = {}
        self._promotes: dict[str, bool] = {}  # by chunk id, worked out when first asked
        if classifier is None:
            return
        column = classifier.labels.index(FILLER)
        for doc in index.documents.values():
            vectors = index.plain_vectors(doc)
            if vectors is not None and len(vectors):
                flags = classifier.probabilities(vectors)[:, column] >= FILLER_PROBABILITY
                items = np.array([bullet is not None for _, bullet in units(doc.page_content)])
                if len(items) == len(flags):  # a list item is a step or a fact, never a set-up
                    flags &= ~items
                self.flags[doc.id] = flags

    def is_filler(self, doc: Document, unit: int, text: str) -> bool:
        """Sentence number `unit` of `doc` (its text `text`) frames rather than states."""
        return by_cues(text) or self.promotes(doc) or self.flagged(doc, unit)

    def promotes(self, doc: Document) -> bool:
        """The chunk is a short paragraph that ends in a call to action."""
        found = self._promotes.get(doc.id)
        if found is None:
            found = self._promotes[doc.id] = _promotes(doc)
        return found

    def flagged(self, doc: Document, unit: int) -> bool:
        """The classifier reads sentence number `unit` of `doc` as filler."""
        flags = self.flags.get(doc.id)
        return flags is not None and unit < len(flags) and bool(flags[unit])


def _promotes(doc: Document) -> bool:
    if doc.metadata.get("kind") != "text":
        return False
    sentences = [unit for unit, _ in units(doc.page_content)]
    return len(sentences) <= CTA_PARAGRAPH and bool(CUES["promotion"].search(sentences[-1]))
