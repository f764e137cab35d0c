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
from functools import lru_cache

from langchain_core.documents import Document

from ingest.chunking import embedding_text

SENTENCE_LIMIT = 1000  # chunks; a larger index scores each unit by its chunk's stored vector
SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z0-9\"“'$(])")
SUBJECT = re.compile(r"^(?:[-*] )?(DevOps|DataOps|MLOps)\b")
ANAPHOR = re.compile(r"^(?:it|its|it's|that|that's|this|these|they|they're|those|the term|"
                     r"from there|each of (?:those|these|them))\b", re.I)


BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@lru_cache(maxsize=8192)  # the composer asks again for every chunk it scores
def units(text: str) -> tuple[tuple[str, int | None], ...]:
    """A chunk's citable units: each sentence of a paragraph or of a bullet, with the number of
    the bullet it belongs to (None for a paragraph's). A line wrapped inside a paragraph or a
    bullet (Markdown's soft line break) reads on as one line: "It needs the last\nnightly copy."
    is one sentence, its line break a space."""
    found: list[tuple[str, int | None]] = []
    bullet = -1
    for line, is_item in _logical_lines(text):
        bullet += is_item
        found += [(part.strip(), bullet if is_item else None)
                  for part in SENTENCE_END.split(line) if part.strip()]
    return tuple(found)


def _logical_lines(text: str) -> list[tuple[str, bool]]:
    """The chunk's paragraphs and bullets, each as one line, and whether it is a bullet."""
    lines: list[tuple[str, bool]] = []
    after_blank = True
    for raw in text.splitlines():
        is_item = BULLET.match(raw) is not None
        line = BULLET.sub("", raw).strip()
        if line and (is_item or after_blank or not lines):
            lines.append((line, is_item))
        elif line:
            lines[-1] = (f"{lines[-1][0]} {line}", lines[-1][1])
        after_blank = not line
    return lines


def sentences(text: str) -> list[str]:
    """A chunk's citable units as text (`units` without their bullet numbers)."""
    return [text for text, _ in units(text)]


def own_intro(text: str) -> str | None:
    """The sentence ending in ':' just before a chunk's first bullet, when the chunk holds both."""
    found = units(text)
    first = next((i for i, (_, bullet) in enumerate(found) if bullet is not None), 0)
    intro = found[first - 1][0] if first else ""
    return intro if intro.endswith(":") else None


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
    """The texts `doc`'s units are embedded as, in the order of `sentences(doc.page_content)`:
    a list item after its intro (in the chunk or the one before)."""
    heading = doc.metadata["section"].rsplit(" > ", 1)[-1]
    subject = subject_of(doc.page_content)
    intro = own_intro(doc.page_content) or list_intro(doc, before)
    return [in_context(unit, heading, subject, intro if bullet is not None else None)
            for unit, bullet in units(doc.page_content)]


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
    every sentence as the composer scores it (in its context) and as it reads alone (what the
    composer's filler classifier reads), and every chunk as it is searched by meaning (so a
    small index is searched in memory); none past SENTENCE_LIMIT chunks, where the chunks' own
    vectors in the build serve."""
    if len(chunks) > SENTENCE_LIMIT:
        return {}
    texts = [embedding_text(c) for c in chunks]
    texts += [text for group in all_unit_texts(chunks).values() for text in group]
    texts += [unit for c in chunks for unit in sentences(c.page_content)]
    return {text_key(text): text for text in texts}


def sentence_count(units: dict[str, str], chunks: list[Document]) -> int:
    """How many of `units` (by key) are sentences (in context or alone), not the chunks' own
    texts."""
    return len(set(units) - {text_key(embedding_text(c)) for c in chunks})
