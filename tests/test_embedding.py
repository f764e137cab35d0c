"""The ONNX export answers with the reference model's vectors, and a bad export is never loaded."""

from __future__ import annotations

import json
import logging
import random
import shutil
from collections import Counter

import numpy as np
import pytest
import yaml

from ingest.chunking import embedding_text
from ingest.embedding import (RECORD, OnnxEmbeddings, ensure_export, export_problem,
                              load_embeddings, load_onnx_embeddings)
from ingest.loaders import load_files
from ingest.pipeline import chunk_files, run_ingest
from ingest.settings import CHECKOUT_DIR, MODEL_SHA256, Settings
from ingest.units import all_unit_texts
from synthetic_corpus import synthetic_texts

EDGE_CASES = ["", "   ", "a", "?", "DevOps", "  padded on both sides  ", "ÜBER naïve café — ünïcödé",
              "数据运维是什么？", "🚀 ship it 🚀", "CI/CD, MLOps & DataOps: 42% vs. $205,958!",
              "word " * 400, "\n".join(["- a bullet", "- another bullet"]), "tab\tseparated\ttext"]


def varied_texts() -> list[str]:
    """Over 1,000 texts: the article's chunks and sentences as ingest embeds them, the golden
    questions, synthetic chunks, edge cases, and each of those cut at a random length."""
    files, _ = load_files([CHECKOUT_DIR / "corpus"], 2_000_000)
    chunks, _, _, _ = chunk_files(files, Settings())
    golden = yaml.safe_load((CHECKOUT_DIR / "tests/golden/questions.yaml").read_text())
    texts = ([embedding_text(c) for c in chunks]
             + [t for group in all_unit_texts(chunks).values() for t in group]
             + [item["question"] for item in golden]
             + synthetic_texts(300, 12) + EDGE_CASES)
    rng = random.Random(12)
    return texts + [text[:rng.randrange(1, len(text) + 1)] for text in texts if text]


@pytest.fixture(scope="module")
def onnx() -> OnnxEmbeddings:
    return load_onnx_embeddings(MODEL_SHA256, Settings().onnx_dir)


def cosines(left, right) -> np.ndarray:
    left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    return (left * right).sum(1) / np.linalg.norm(left, axis=1) / np.linalg.norm(right, axis=1)


def test_onnx_vectors_agree_with_sentence_transformers_on_over_a_thousand_texts(onnx):
    texts = varied_texts()
    assert len(texts) >= 1000
    reference = load_embeddings(MODEL_SHA256)._client.encode(texts, normalize_embeddings=True)
    batched = onnx.embed_documents(texts)
    assert cosines(batched, reference).min() >= 0.99999
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    alone = [onnx.embed_query(text) for text in texts[::25]]
    assert cosines(alone, reference[::25]).min() >= 0.99999


def test_a_missing_export_is_made_by_the_first_ingest_and_a_tampered_one_is_rebuilt(
        small_corpus, tmp_path, monkeypatch, caplog, onnx):
    folder = tmp_path / "onnx"
    monkeypatch.setenv("OPS_ASSISTANT_ONNX_DIR", str(folder))
    with caplog.at_level(logging.WARNING, logger="ops_assistant"):
        run_ingest([small_corpus], Settings(), show_progress=False)
    assert [r.getMessage() for r in caplog.records] == [
        f"there is no ONNX export of the model in {folder}: exporting the verified weights "
        "to ONNX (once, a few seconds)"]
    record = json.loads((folder / RECORD).read_text())
    assert record["weights_sha256"] == MODEL_SHA256 and export_problem(MODEL_SHA256, folder) is None

    model = folder / record["folder"] / "model.onnx.data"
    with model.open("r+b") as handle:
        handle.seek(len(model.read_bytes()) // 2)
        handle.write(b"\x00\x01\x02\x03")
    problem = export_problem(MODEL_SHA256, folder)
    assert problem.startswith(f"{model}: sha256 is ") and problem.endswith(
        f"expected {record['files']['model.onnx.data']} as recorded at export")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="ops_assistant"):
        rebuilt = ensure_export(MODEL_SHA256, folder)
    assert [r.getMessage() for r in caplog.records] == [
        f"{problem}: exporting the verified weights to ONNX (once, a few seconds)"]
    assert export_problem(MODEL_SHA256, folder) is None
    assert sorted(p.name for p in folder.iterdir()) == sorted([RECORD, rebuilt["folder"]])
    again = OnnxEmbeddings(folder, rebuilt).embed_documents(["Who coined the term DataOps?"])
    assert cosines(again, onnx.embed_documents(["Who coined the term DataOps?"]))[0] >= 0.99999


def test_an_export_made_from_other_weights_or_with_a_changed_tokenizer_is_not_loaded(
        tmp_path, onnx):
    folder = shutil.copytree(Settings().onnx_dir, tmp_path / "onnx")
    assert export_problem(MODEL_SHA256, folder) is None
    assert export_problem("0" * 64, folder) == f"the ONNX export in {folder} was made from other weights"
    record = json.loads((folder / RECORD).read_text())
    (folder / RECORD).write_text(json.dumps({**record, "format": "plain"}))
    assert export_problem(MODEL_SHA256, folder) == f"the ONNX export in {folder} was made by an older version"
    (folder / RECORD).write_text(json.dumps(record))
    tokenizer = folder / json.loads((folder / RECORD).read_text())["folder"] / "tokenizer.json"
    tokenizer.write_text("{}")
    assert export_problem(MODEL_SHA256, folder).startswith(f"{tokenizer}: sha256 is ")
    (folder / RECORD).unlink()
    assert export_problem(MODEL_SHA256, folder) == f"there is no ONNX export of the model in {folder}"


def test_the_export_runs_each_layers_attention_as_one_fused_kernel():
    import onnx

    folder = Settings().onnx_dir
    record = json.loads((folder / RECORD).read_text())
    graph = onnx.load(str(folder / record["folder"] / "model.onnx"), load_external_data=False).graph
    kinds = Counter(node.op_type for node in graph.node)
    assert record["format"] == "fused-bert"
    assert kinds["Attention"] == 6 and kinds["SkipLayerNormalization"] == 12  # MiniLM-L6: 6 layers
    assert kinds["Softmax"] == 0
