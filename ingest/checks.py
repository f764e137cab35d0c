"""Data checks run on a build before it may become the active index."""

from __future__ import annotations

from collections import Counter

import numpy as np
from langchain_core.documents import Document

from ingest.chunking import PATH_SEPARATOR, parse_sections
from ingest.embedding import DIMENSIONS
from ingest.errors import DataCheckError
from ingest.loaders import SourceFile


def file_problems(file: SourceFile, chunks: list[Document]) -> list[str]:
    """Why one file's chunks are unusable: empty or duplicate chunks, a heading without a chunk."""
    problems = []
    if any(not chunk.page_content.strip() for chunk in chunks):
        problems.append("an empty chunk")
    texts = {chunk.id: chunk.page_content for chunk in chunks}
    for chunk_id, count in Counter(chunk.id for chunk in chunks).items():
        if count > 1:
            problems.append(f"the same text twice under one heading: {texts[chunk_id][:60]!r}")
    return problems + heading_problems(file, {chunk.metadata["section"] for chunk in chunks})


def heading_problems(file: SourceFile, sections: set[str]) -> list[str]:
    """A heading with no words ("##") or no chunk under it would be an unciteable section."""
    problems = []
    for section in parse_sections(file.markdown):
        path = PATH_SEPARATOR.join(section.path)
        if section.path and not section.path[-1]:
            parent = PATH_SEPARATOR.join(section.path[:-1])
            problems.append(f"a heading without text{f' under {parent!r}' if parent else ''}")
        elif section.path and not any(s == path or s.startswith(path + PATH_SEPARATOR)
                                      for s in sections):
            problems.append(f"heading {path!r} has no text under it")
    return problems


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
