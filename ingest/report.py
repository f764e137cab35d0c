"""What an ingest reports: per file (chunks, encoding, notes) and for the whole run; the CLI
prints it as text or JSON."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ingest.decoding import PDF_TEXT, UTF8

if TYPE_CHECKING:
    from ingest.loaders import Problem
    from ingest.settings import Settings


class FileReport(BaseModel):
    """One indexed file: the chunks citing it, the codec it was read in, and what the index
    left out of it or merged, each note a line ("line 12: heading 'X' has no text under it;
    left out")."""

    source: str
    chunks: int
    encoding: str
    notes: list[str] = []


class IngestReport(BaseModel):
    """What one ingest did; printed as text or JSON by the CLI. `per_file`: each indexed file;
    `skipped`: "path: reason" per file left out; `dropped`: files the index held before and no
    longer does (deleted, or not under the paths given); `notes`: "source: note" for every note of
    `per_file`; `encodings`: source name -> codec of each file that was not UTF-8
    (e.g. {"docs/runbook.txt": "utf-16-le"})."""

    index: str
    files: list[str]
    per_file: list[FileReport] = []
    skipped: list[str]
    notes: list[str] = []
    encodings: dict[str, str] = {}
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    sentences_embedded: int = 0
    embedding_seconds: float = 0.0
    seconds: float
    dropped: list[str] = []  # files of the index before this run that it no longer holds


def flat_notes(per_file: list[FileReport]) -> list[str]:
    """Every file's notes as "source: note" lines."""
    return [f"{file.source}: {note}" for file in per_file for note in file.notes]


def encodings_of(per_file: list[FileReport]) -> dict[str, str]:
    """The codec of each file that was not read as UTF-8, by source name."""
    return {file.source: file.encoding for file in per_file
            if file.encoding not in (UTF8, PDF_TEXT)}


def report_of(settings: Settings, per_file: list[FileReport], problems: list[Problem],
              counts: dict, started: float) -> IngestReport:
    """The report of a run that began at `started` (time.perf_counter()); `counts` holds the
    chunk counts (chunks, added, updated, removed, unchanged, embedded, ...)."""
    return IngestReport(
        index=settings.index_location, files=[file.source for file in per_file],
        per_file=per_file, skipped=[str(problem) for problem in problems],
        notes=flat_notes(per_file), encodings=encodings_of(per_file),
        seconds=round(time.perf_counter() - started, 3), **counts)


def unchanged_report_of(settings: Settings, manifest: dict, problems: list[Problem],
                        started: float) -> IngestReport:
    """The report of a run that found the build of `manifest` already holding its files: each
    file as that build reported it, nothing embedded."""
    chunks = manifest["chunks"]
    return report_of(settings, [FileReport(**file) for file in manifest["per_file"]], problems,
                     {"chunks": chunks, "added": 0, "updated": 0, "removed": 0,
                      "unchanged": chunks, "embedded": 0}, started)
