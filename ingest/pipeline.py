"""The ingest run: files -> checked chunks -> embeddings (only what changed) -> a switched-in build."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from langchain_core.documents import Document
from pydantic import BaseModel
from tqdm import tqdm

from ingest.checks import check_build, check_vectors, file_problems
from ingest.chunking import Chunker, embedding_text
from ingest.embedding import load_embeddings
from ingest.errors import NothingToIngest
from ingest.loaders import Problem, SourceFile, load_files
from ingest.settings import Settings
from ingest.store import IndexStore


class IngestReport(BaseModel):
    """What one ingest did; printed as text or JSON by the CLI."""

    index: str
    files: list[str]
    skipped: list[str]
    chunks: int
    added: int
    updated: int
    removed: int
    unchanged: int
    embedded: int
    seconds: float


def corpus_hash(files: list[SourceFile]) -> str:
    lines = sorted(f"{file.source}\0{file.sha256}" for file in files)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def chunk_files(files: list[SourceFile], settings: Settings):
    """Chunks of every file that passes its checks; files that fail become Problems."""
    chunker, chunks, kept, problems = Chunker(settings.max_chunk_chars), [], [], []
    for file in files:
        file_chunks = chunker.chunk(file)
        reasons = file_problems(file, file_chunks)
        if reasons:
            problems.append(Problem(str(file.path), "; ".join(reasons)))
        else:
            chunks.extend(file_chunks)
            kept.append(file)
    return chunks, kept, problems


def _slot(metadata: dict) -> tuple:
    return metadata["source"], metadata["section"], metadata["position"]


def classify(chunks: list[Document], old: dict[str, dict]) -> dict[str, int]:
    """Counts of added / updated / removed / unchanged chunks against the old build's metadata."""
    new_ids = {chunk.id for chunk in chunks}
    old_slots = {_slot(meta) for meta in old.values()}
    new_slots = {_slot(chunk.metadata) for chunk in chunks}
    fresh = [chunk for chunk in chunks if chunk.id not in old]
    updated = sum(_slot(chunk.metadata) in old_slots for chunk in fresh)
    gone = [meta for chunk_id, meta in old.items() if chunk_id not in new_ids]
    return {
        "added": len(fresh) - updated,
        "updated": updated,
        "removed": sum(_slot(meta) not in new_slots for meta in gone),
        "unchanged": len(chunks) - len(fresh),
    }


def _embed(texts: list[str], settings: Settings, show_progress: bool) -> list[list[float]]:
    if not texts:
        return []
    embeddings = load_embeddings(settings.model_sha256)
    step = settings.embed_batch_size
    vectors = []
    for start in tqdm(range(0, len(texts), step), desc="embedding", unit="batch",
                      disable=not show_progress or len(texts) <= step):
        vectors.extend(embeddings.embed_documents(texts[start:start + step]))
    return vectors


def run_ingest(paths: list[Path], settings: Settings, show_progress: bool = True) -> IngestReport:
    """Ingest `paths` into the index; the old build stays active unless the new one passes checks."""
    started = time.perf_counter()
    files, problems = load_files(paths, settings.max_file_bytes)
    chunks, files, bad_files = chunk_files(files, settings)
    problems += bad_files
    if not files:
        reasons = "; ".join(map(str, problems)) or "no files found"
        raise NothingToIngest(f"nothing to ingest: {reasons}")
    store = IndexStore(settings)
    active = store.active()
    old = {}
    if active is not None:
        got = active.get(include=["metadatas"])
        old = dict(zip(got["ids"], got["metadatas"]))
    counts = classify(chunks, old)
    manifest = {
        "corpus_hash": corpus_hash(files),
        "model_sha256": settings.model_sha256,
        "paths": [str(path.resolve()) for path in paths],
        "files": {file.source: file.sha256 for file in files},
        "chunks": len(chunks),
        "max_chunk_chars": settings.max_chunk_chars,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if not _same_build(store.manifest(), manifest, counts, len(old)):
        _build_and_switch(store, active, chunks, manifest, settings, show_progress)
    return IngestReport(
        index=settings.index_location,
        files=[file.source for file in files],
        skipped=[str(problem) for problem in problems],
        chunks=len(chunks),
        embedded=counts["added"] + counts["updated"],
        seconds=round(time.perf_counter() - started, 3),
        **counts,
    )


def _same_build(old_manifest: dict | None, manifest: dict, counts: dict, old_count: int) -> bool:
    """True when the active build already holds exactly this corpus, so nothing is rebuilt."""
    if old_manifest is None or counts["unchanged"] != old_count or counts["unchanged"] != manifest["chunks"]:
        return False
    return {**old_manifest, "built_at": None} == {**manifest, "built_at": None}


def _build_and_switch(store, active, chunks, manifest, settings, show_progress) -> None:
    reused = {}
    if active is not None:
        keep = [chunk.id for chunk in chunks]
        step = store.client.get_max_batch_size()
        for start in range(0, len(keep), step):
            got = active.get(ids=keep[start:start + step], include=["embeddings"])
            reused.update(zip(got["ids"], [list(v) for v in got["embeddings"]]))
    fresh = [chunk for chunk in chunks if chunk.id not in reused]
    fresh_vectors = _embed([embedding_text(c) for c in fresh], settings, show_progress)
    check_vectors([c.id for c in fresh], fresh_vectors)
    vectors = dict(zip((c.id for c in fresh), fresh_vectors)) | reused
    ids = [chunk.id for chunk in chunks]
    check_build(ids, len(ids))
    build = store.create_build(manifest)
    try:
        store.add(build, ids, [vectors[i] for i in ids], [c.page_content for c in chunks],
                  [c.metadata for c in chunks])
        check_build(ids, build.count())
    except BaseException:
        store.client.delete_collection(build.name)
        raise
    store.switch(build)
