"""What a build records about itself (its manifest), and whether a corpus is the one it holds."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.loaders import SourceFile
from ingest.settings import Settings
from ingest.units import SENTENCE_LIMIT

if TYPE_CHECKING:  # the store imports Chroma, which an unchanged re-ingest need not (receipt.py)
    from ingest.store import IndexStore


def corpus_hash(files: list[SourceFile]) -> str:
    """One sha256 over every file's name and sha256."""
    lines = sorted(f"{file.source}\0{file.sha256}" for file in files)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def build_manifest(paths: list[Path], files: list[SourceFile], chunks: int, settings: Settings,
                   per_file: list[dict]) -> dict:
    """What a build records about itself; an unchanged corpus gives the same one (but the time).
    `per_file` is the ingest report of each file (chunks, encoding, notes), which an unchanged
    re-ingest reports again without chunking."""
    return {
        "corpus_hash": corpus_hash(files),
        "model_sha256": settings.model_sha256,
        "code": code_hash(),
        "paths": [str(path.resolve()) for path in paths],
        "files": {file.source: file.sha256 for file in files},
        "chunks": chunks,
        "per_file": per_file,
        "max_chunk_chars": settings.max_chunk_chars,
        # a build written before sentence vectors were stored lacks this, so a re-run adds them
        "sentence_vectors": chunks <= SENTENCE_LIMIT,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


def code_hash() -> str:
    """The sha256 of the code that decides what a build holds (which files, their chunks, the
    sentence texts embedded, the catalog): a build made by other code is compared chunk by chunk
    (and so completed, in place)."""
    digest = hashlib.sha256()
    for name in ("loaders.py", "markdown.py", "pdf.py", "tables.py", "chunking.py", "checks.py",
                 "duplicates.py", "units.py", "catalog.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def unchanged_build(store: IndexStore, paths: list[Path], files: list[SourceFile],
                    settings: Settings) -> dict | None:
    """The active build's manifest when that complete build was made from exactly these files by
    the same code and settings, else None. Such a corpus is not chunked or compared chunk by
    chunk again (what most of an unchanged re-ingest took: importing the splitter, chunking,
    reading every chunk's metadata)."""
    old = store.manifest()
    if old is None or store.interrupted() or not holds(old, paths, files, settings):
        return None
    return old if store.active().count() == old["chunks"] else None


def holds(manifest: dict, paths: list[Path], files: list[SourceFile], settings: Settings) -> bool:
    """True when a build with `manifest` was made from exactly these files by the same code and
    settings."""
    if not files:
        return False
    new = build_manifest(paths, files, manifest.get("chunks", -1), settings,
                         manifest.get("per_file", []))
    return {**manifest, "built_at": None} == {**new, "built_at": None}


def same_build(old_manifest: dict | None, manifest: dict, counts: dict, old_count: int) -> bool:
    """True when the active build already holds exactly this corpus, so nothing is rebuilt."""
    unchanged = counts["unchanged"]
    if old_manifest is None or unchanged != old_count or unchanged != manifest["chunks"]:
        return False
    return {**old_manifest, "built_at": None} == {**manifest, "built_at": None}
