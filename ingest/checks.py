"""Data checks run on a build before it may become the active index."""

from __future__ import annotations

from collections import Counter

import numpy as np
from langchain_core.documents import Document

from ingest.chunking import PATH_SEPARATOR, parse_sections
from ingest.embedding import DIMENSIONS
from ingest.errors import DataCheckError
from ingest.loaders import SourceFile


def file_problems(chunks: list[Document]) -> list[str]:
    """Why one file's chunks are unusable: no text under any heading, an empty chunk, the same
    text twice under one heading. [] when they can be indexed."""
    if not chunks:
        return ["no text under any of its headings"]
    problems = []
    if any(not chunk.page_content.strip() for chunk in chunks):
        problems.append("an empty chunk")
    texts = {chunk.id: chunk.page_content for chunk in chunks}
    for chunk_id, count in Counter(chunk.id for chunk in chunks).items():
        if count > 1:
            problems.append(f"the same text twice under one heading: {texts[chunk_id][:60]!r}")
    return problems


def heading_notes(file: SourceFile) -> list[str]:
    """The headings the index leaves out, as notes for the ingest report: heading lines without
    words ("###") and headings with no text under them (nor under any heading below them)."""
    sections = parse_sections(file.markdown)
    filled = {section.path[:depth] for section in sections if section.blocks
              for depth in range(len(section.path) + 1)}
    notes = []
    for section in sections:
        where = PATH_SEPARATOR.join(section.path)
        if section.bare:
            inside = f" in {where!r}" if where else ""
            count = "a heading" if section.bare == 1 else f"{section.bare} headings"
            notes.append(f"{count} without words{inside} ignored")
        if section.path and section.path not in filled:
            notes.append(f"heading {where!r} has no text under it; left out")
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
