"""The ingest run: files -> checked chunks -> embeddings (only what changed) -> a switched-in build."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
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

# A change of at most this share of the active build's chunks is written into it in place; a
# larger one is built beside it and switched in, so readers never see a half-changed corpus.
IN_PLACE_SHARE = 0.1


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
    embedding_seconds: float = 0.0
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


def _section(metadata: dict) -> tuple:
    return metadata["source"], metadata["section"]


def classify(chunks: list[Document], old: dict[str, dict]) -> dict[str, int]:
    """Counts of added / updated / removed / unchanged chunks against the old build's metadata.

    A new chunk in a section that also lost one counts as that chunk updated. Pairing by section,
    not by position, keeps an inserted or deleted paragraph from shifting its neighbours'
    positions into "updated", so that old count + added - removed is always the new count.
    """
    new_ids = {chunk.id for chunk in chunks}
    fresh = Counter(_section(chunk.metadata) for chunk in chunks if chunk.id not in old)
    gone = Counter(_section(meta) for chunk_id, meta in old.items() if chunk_id not in new_ids)
    updated = (fresh & gone).total()
    return {
        "added": fresh.total() - updated,
        "updated": updated,
        "removed": gone.total() - updated,
        "unchanged": len(chunks) - fresh.total(),
    }


def embed_texts(texts: list[str], settings: Settings, show_progress: bool) -> list[list[float]]:
    """Vectors for `texts`, in their order, in batches of texts of about the same length.

    Batches are cut from the texts sorted by length, as one `SentenceTransformer.encode` call
    does: cut in corpus order, each batch is padded to its longest text, which made the model
    run on 15% more tokens than plain encode on the 5,000 chunks of scripts/bench_ingest.py.
    """
    if not texts:
        return []
    embeddings = load_embeddings(settings.model_sha256)
    by_length = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
    step = settings.embed_batch_size
    vectors: list[list[float]] = [[] for _ in texts]
    for start in tqdm(range(0, len(texts), step), desc="embedding", unit="batch",
                      disable=not show_progress or len(texts) <= step):
        batch = by_length[start:start + step]
        for index, vector in zip(batch, embeddings.embed_documents([texts[i] for i in batch])):
            vectors[index] = vector
    return vectors


def run_ingest(paths: list[Path], settings: Settings, show_progress: bool = True) -> IngestReport:
    """Ingest `paths` into the index, embedding only new or changed chunks.

    A small change is applied to the active build in place (its cost grows with the change, not
    with the index); a larger one becomes a new build that is switched in only once it passes its
    checks. Either way, vectors are checked before anything is written.
    """
    started = time.perf_counter()
    files, problems = load_files(paths, settings.max_file_bytes)
    chunks, files, bad_files = chunk_files(files, settings)
    problems += bad_files
    if not files:
        reasons = "; ".join(map(str, problems)) or "no files found"
        raise NothingToIngest(f"nothing to ingest: {reasons}")
    store = IndexStore(settings)
    active, old = _reusable_build(store, settings)
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
    embedding_seconds = 0.0
    if not store.interrupted() and _same_build(store.manifest(), manifest, counts, len(old)):
        store.drop_builds(keep=active.name)  # builds left behind by an interrupted run
    elif _small_change(counts, len(old)):
        embedding_seconds = _update_in_place(store, active, old, chunks, manifest, settings,
                                             show_progress)
    else:
        embedding_seconds = _build_and_switch(store, active, chunks, manifest, settings,
                                              show_progress)
    return IngestReport(
        index=settings.index_location,
        files=[file.source for file in files],
        skipped=[str(problem) for problem in problems],
        chunks=len(chunks),
        embedded=counts["added"] + counts["updated"],
        embedding_seconds=round(embedding_seconds, 3),
        seconds=round(time.perf_counter() - started, 3),
        **counts,
    )


def _reusable_build(store: IndexStore, settings: Settings):
    """The active build and its chunks' metadata, or (None, {}) when its vectors cannot be reused.

    Vectors from another embedding model (an upgraded package) are not comparable with new ones,
    so such a build is rebuilt from scratch, as `status` tells the user to do.
    """
    active = store.active()
    if active is None or (store.manifest() or {}).get("model_sha256") != settings.model_sha256:
        return None, {}
    got = store.read_all(active, ["metadatas"])
    return active, dict(zip(got["ids"], got["metadatas"]))


def _same_build(old_manifest: dict | None, manifest: dict, counts: dict, old_count: int) -> bool:
    """True when the active build already holds exactly this corpus, so nothing is rebuilt."""
    if old_manifest is None or counts["unchanged"] != old_count or counts["unchanged"] != manifest["chunks"]:
        return False
    return {**old_manifest, "built_at": None} == {**manifest, "built_at": None}


def _embed_checked(chunks: list[Document], settings: Settings, show_progress: bool):
    """The chunks' vectors, checked before anything is written, and the seconds spent embedding."""
    started = time.perf_counter()
    vectors = embed_texts([embedding_text(c) for c in chunks], settings, show_progress)
    seconds = time.perf_counter() - started
    check_vectors([c.id for c in chunks], vectors)
    return vectors, seconds


def _small_change(counts: dict, old_count: int) -> bool:
    """True when the chunks to write and delete are at most IN_PLACE_SHARE of the active build."""
    changed = counts["added"] + 2 * counts["updated"] + counts["removed"]
    return old_count > 0 and changed <= IN_PLACE_SHARE * old_count


def _update_in_place(store, build, old, chunks, manifest, settings, show_progress) -> float:
    """Embed and write only the new chunks, delete the gone ones, refresh moved chunks' metadata,
    and write the manifest last; returns the seconds spent embedding.

    Vectors are checked before anything is written. An interrupted run leaves a build that still
    answers (each chunk is from the old or the new corpus), which `status` reports as interrupted
    and the next run completes, since it compares the chunks actually stored.
    """
    fresh = [chunk for chunk in chunks if chunk.id not in old]
    vectors, embedding_seconds = _embed_checked(fresh, settings, show_progress)
    ids = [chunk.id for chunk in chunks]
    check_build(ids, len(ids))
    moved = [c for c in chunks if c.id in old and old[c.id] != c.metadata]
    store.mark_updating(build, manifest)
    store.add(build, [c.id for c in fresh], vectors, [c.page_content for c in fresh],
              [c.metadata for c in fresh])
    store.update_metadata(build, [c.id for c in moved], [c.metadata for c in moved])
    store.delete(build, sorted(set(old) - set(ids)))
    check_build(ids, build.count())
    store.set_manifest(build, manifest)
    return embedding_seconds


def _build_and_switch(store, active, chunks, manifest, settings, show_progress) -> float:
    """Write a new build (reusing the vectors of unchanged chunks) and switch to it; returns the
    seconds spent embedding, the share of ingest the scale benchmark reports."""
    reused = {}
    if active is not None:
        keep = [chunk.id for chunk in chunks]
        for part in store.batches(len(keep)):
            got = active.get(ids=keep[part], include=["embeddings"])
            reused.update(zip(got["ids"], [list(v) for v in got["embeddings"]]))
    fresh = [chunk for chunk in chunks if chunk.id not in reused]
    fresh_vectors, embedding_seconds = _embed_checked(fresh, settings, show_progress)
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
    return embedding_seconds
