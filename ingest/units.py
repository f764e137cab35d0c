"""A chunk's citable units (sentences and bullets) and the text each is embedded as.

The composer scores every unit of a small index by the cosine between the question and the unit
in its context, so ingest embeds those texts and stores their vectors with the build
(`IndexStore.sentences`); opening an index then reads vectors and embeds nothing. Each vector is
stored under the sha256 of the exact text embedded, so a unit whose context changed (a new list
intro above it) is embedded again and one whose text is unchanged never is.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from langchain_core.documents import Document

from ingest.chunking import embedding_text

SENTENCE_LIMIT = 1000  # chunks; a larger index scores each unit by its chunk's stored vector
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“'$(])")
SUBJECT = re.compile(r"^(?:[-*] )?(DevOps|DataOps|MLOps)\b")
ANAPHOR = re.compile(r"^(?:it|its|it's|that|that's|this|these|they|they're|those|the term|"
                     r"from there|each of (?:those|these|them))\b", re.I)


def sentences(text: str) -> list[str]:
    """Split a chunk into citable units: each bullet, and each sentence of a paragraph."""
    units = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line).strip()
        if line:
            units.extend(part.strip() for part in SENTENCE_END.split(line) if part.strip())
    return units


def subject_of(text: str) -> str | None:
    """The discipline a chunk is about when it opens with its name ("DataOps is ...")."""
    match = SUBJECT.match(text)
    return match.group(1) if match else None


def in_context(unit: str, heading: str, subject: str | None, intro: str | None = None) -> str:
    """A sentence as it is embedded: under its heading, after its list's intro line, and with
    "It ..." naming the chunk's subject."""
    if subject and ANAPHOR.match(unit):
        unit = f"{subject}: {unit}"
    return f"{heading}: {intro + ' ' if intro else ''}{unit}"


def list_intro(doc: Document, before: Document | None) -> str | None:
    """For a list, the last sentence of the chunk `before` it in its section when that ends in
    ':' ("All three disciplines:")."""
    if doc.metadata.get("kind") != "list" or before is None:
        return None
    units = sentences(before.page_content)
    return units[-1] if units and units[-1].endswith(":") else None


def unit_texts(doc: Document, before: Document | None) -> list[str]:
    """The texts `doc`'s units are embedded as, in the order of `sentences(doc.page_content)`."""
    heading = doc.metadata["section"].rsplit(" > ", 1)[-1]
    subject, intro = subject_of(doc.page_content), list_intro(doc, before)
    return [in_context(unit, heading, subject, intro) for unit in sentences(doc.page_content)]


def chunk_before(documents: Iterable[Document]) -> dict[str, Document]:
    """Each chunk's predecessor in its section (position - 1), by chunk id."""
    by_place = {(d.metadata["source"], d.metadata["section"], d.metadata.get("position", 0)): d
                for d in documents}
    return {d.id: by_place[(source, section, position - 1)]
            for (source, section, position), d in by_place.items()
            if (source, section, position - 1) in by_place}


def all_unit_texts(documents: list[Document]) -> dict[str, list[str]]:
    """`unit_texts` of every chunk, by chunk id."""
    before = chunk_before(documents)
    return {doc.id: unit_texts(doc, before.get(doc.id)) for doc in documents}


def text_key(text: str) -> str:
    """The id a unit's vector is stored under: the sha256 of the text embedded."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def wanted_units(chunks: list[Document]) -> dict[str, str]:
    """The texts whose vectors a build of `chunks` stores beside it, by key (ingest/units.py):
    every sentence as the composer scores it, and every chunk as it is searched by meaning (so a
    small index is searched in memory); none past SENTENCE_LIMIT chunks, where the chunks' own
    vectors in the build serve."""
    if len(chunks) > SENTENCE_LIMIT:
        return {}
    texts = [embedding_text(c) for c in chunks]
    texts += [text for group in all_unit_texts(chunks).values() for text in group]
    return {text_key(text): text for text in texts}


def sentence_count(units: dict[str, str], chunks: list[Document]) -> int:
    """How many of `units` (by key) are sentences, not the chunks' own texts."""
    return len(set(units) - {text_key(embedding_text(c)) for c in chunks})
