"""Data checks run on a build before it may become the active index."""

from __future__ import annotations

import numpy as np
from langchain_core.documents import Document

from ingest.chunking import PATH_SEPARATOR
from ingest.embedding import DIMENSIONS
from ingest.errors import DataCheckError
from ingest.markdown import Section


def unusable(chunks: list[Document]) -> str | None:
    """Why a file cannot be indexed at all, or None: only a file with no text is."""
    return None if chunks else "no text under any of its headings"


def drop_repeats(chunks: list[Document]) -> tuple[list[Document], list[str]]:
    """One file's chunks without the empty ones and without a text repeated under the same
    heading (its id would be taken twice), and a note naming the line of each left out."""
    kept, notes, first_line = [], [], {}
    for chunk in chunks:
        line = chunk.metadata.get("line", 0)
        if not chunk.page_content.strip():
            notes.append(f"line {line}: an empty passage; left out")
        elif chunk.id in first_line:
            notes.append(f"line {line}: the same text as line {first_line[chunk.id]} under "
                         f"{chunk.metadata['section']!r}; indexed once")
        else:
            first_line[chunk.id] = line
            kept.append(chunk)
    return kept, notes


def heading_notes(sections: list[Section]) -> list[str]:
    """The headings a file's parsed `sections` leave out of the index, as notes for the ingest
    report: heading lines without words ("###") and headings with no text under them (nor under
    any heading below them); a heading with text only below it lives on in the heading path of
    that text."""
    filled = {section.path[:depth] for section in sections if section.blocks
              for depth in range(len(section.path) + 1)}
    notes = []
    for section in sections:
        where = PATH_SEPARATOR.join(section.path)
        for line in section.bare:
            inside = f" in {where!r}" if where else ""
            notes.append(f"line {line}: a heading without words{inside}; ignored")
        if section.path and section.path not in filled:
            notes.append(f"line {section.line}: heading {where!r} has no text under it; left out")
    return notes


def check_vectors(ids: list[str], vectors: list[list[float]]) -> None:
    """Every vector must be DIMENSIONS long and finite; raises DataCheckError naming the chunk."""
    if len(ids) != len(vectors):
        raise DataCheckError(f"{len(ids)} chunks but {len(vectors)} vectors")
    if not ids:
        return
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[1] != DIMENSIONS:
        raise DataCheckError(f"vectors have shape {matrix.shape}, expected (n, {DIMENSIONS})")
    bad = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
    if bad.size:
        raise DataCheckError(f"chunk {ids[bad[0]]}: vector has a non-finite value")


def check_build(expected_ids: list[str], stored_count: int) -> None:
    """The stored build must hold exactly the chunks it was given, with no id twice."""
    if len(set(expected_ids)) != len(expected_ids):
        raise DataCheckError("the same chunk id in two files")
    if stored_count != len(expected_ids):
        raise DataCheckError(f"the build holds {stored_count} chunks, expected {len(expected_ids)}")
