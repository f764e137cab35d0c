"""Where the index lives and whether it still matches the corpus and the model."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from ingest.embedding import export_problem, file_sha256, model_dir
from ingest.errors import IndexDamaged, IndexMissing
from ingest.loaders import load_files
from ingest.manifest import corpus_hash
from ingest.pipeline import chunk_files
from ingest.settings import Settings
from ingest.store import IndexStore


class IndexStatus(BaseModel):
    """The answer of `ops-assistant status`."""

    index: str
    mode: str
    built: bool
    collection: str | None
    chunks: int
    built_at: str | None
    corpus_paths: list[str]
    corpus_hash: str | None
    current_corpus_hash: str | None
    model: str
    model_sha256: str
    model_ok: bool
    onnx_export: str
    stale: bool
    reason: str


def index_status(settings: Settings) -> IndexStatus:
    """Compare the active build's manifest with the corpus on disk and the installed model."""
    try:
        store = IndexStore(settings, create=False)
    except IndexDamaged:
        raise
    except IndexMissing:  # reported as not built; the folder is not created by looking
        store = None
    collection = store.active() if store else None
    manifest = (store.manifest() if store else None) or {}
    paths = [Path(p) for p in manifest.get("paths", [str(settings.corpus_dir)])]
    files, _ = load_files([p for p in paths if p.exists()], settings.max_file_bytes)
    _, files, _, _ = chunk_files(files, settings)
    current = corpus_hash(files) if files else None
    weights = model_dir() / "model.safetensors"
    found = file_sha256(weights) if weights.is_file() else "missing"
    stale, reason = _staleness(collection is not None, manifest, current, settings)
    if collection is not None and store.interrupted():
        stale, reason = True, ("an ingest was interrupted while updating the index (it still "
                               "answers): run `ops-assistant ingest` to finish it")
    return IndexStatus(
        index=settings.index_location,
        mode="server" if settings.chroma_url else "embedded",
        built=collection is not None,
        collection=collection.name if collection else None,
        chunks=collection.count() if collection else 0,
        built_at=manifest.get("built_at"),
        corpus_paths=[str(p) for p in paths],
        corpus_hash=manifest.get("corpus_hash"),
        current_corpus_hash=current,
        model=str(weights.parent),
        model_sha256=found,
        model_ok=found == settings.model_sha256,
        onnx_export=export_problem(settings.model_sha256, settings.onnx_dir) or "ok",
        stale=stale,
        reason=reason,
    )


def _staleness(built: bool, manifest: dict, current: str | None, settings: Settings):
    if not built:
        return True, "no index yet: run `ops-assistant ingest`"
    if current is None:
        return True, "the corpus files it was built from are gone"
    if manifest.get("corpus_hash") != current:
        return True, "the corpus changed since the last ingest: run `ops-assistant ingest`"
    if manifest.get("model_sha256") != settings.model_sha256:
        return True, "built with another embedding model: run `ops-assistant ingest`"
    return False, "up to date"
