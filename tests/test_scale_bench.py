"""The scale benchmark's own parts: the synthetic corpus is deterministic and its 1% change is
what it says, and one tiny run of scripts/bench_scale.py measures both stores end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from synthetic_corpus import CHUNKS_PER_DOCUMENT, change_documents, synthetic_texts, write_corpus

from ingest.loaders import load_files
from ingest.pipeline import chunk_files
from ingest.settings import Settings

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_scale.py"


def files_of(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*.md")}


def chunk_ids(folder: Path) -> set[str]:
    files, problems = load_files([folder], Settings().max_file_bytes)
    chunks, _, bad, _ = chunk_files(files, Settings())
    assert not problems and not bad
    return {chunk.id for chunk in chunks}


def test_the_same_seed_writes_the_same_corpus_and_another_seed_another(tmp_path):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        write_corpus(tmp_path / name, 95, seed)
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b") != files_of(tmp_path / "c")
    assert len(files_of(tmp_path / "a")) == 10 and len(synthetic_texts(95, 1)) == 95


def test_a_one_percent_change_rewrites_every_chunk_of_one_percent_of_the_documents(tmp_path):
    write_corpus(tmp_path, 2000, seed=3)
    before = chunk_ids(tmp_path)
    changed = change_documents(tmp_path, 0.01, seed=3)
    after = chunk_ids(tmp_path)
    assert len(changed) == 2 and sum(changed.values()) == 2 * CHUNKS_PER_DOCUMENT
    assert len(after - before) == len(before - after) == 2 * CHUNKS_PER_DOCUMENT
    assert len(after) == 2000


def test_a_tiny_scale_run_measures_both_stores(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "40", "--questions", "3", "--work", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=True)
    rows = {row["store"]: row for row in json.loads((tmp_path / "results.json").read_text())}
    assert set(rows) == {"embedded", "server"}
    for row in rows.values():
        assert row["chunks"] > 40 and row["reingest_embedded"] == row["changed_chunks"] > 0
        assert 0 < row["embedding_share"] < 1 and row["disk_mib"] > 0
        assert row["ask_p95_ms"] >= row["ask_p50_ms"] > 0 and row["questions"] == 3
        assert row["key_fact_hit"] >= 0.5 and row["abstention_accuracy"] == 1.0
    assert rows["server"]["server_peak_mib"] > 0
    assert "| embedded |" in result.stdout and "| server |" in result.stdout


def test_a_large_index_scores_sentences_by_their_chunks_stored_vector(indexed_settings,
                                                                      monkeypatch):
    import assistant.index as index_module
    from assistant import Assistant

    monkeypatch.setattr(index_module, "SENTENCE_LIMIT", 0)  # the article, treated as large
    assistant = Assistant.load(indexed_settings)
    answer = assistant.ask("Who coined the term DataOps?", session="large")
    assert "Lenny Liebmann" in answer.answer and answer.citations
    assert assistant.index._unit_vectors == {}
    lead = assistant.index.documents[answer.citations[0].chunk_id]
    similarities = assistant.index.sentence_similarities(
        [lead], assistant.index.query_vector("Who coined the term DataOps?"))[lead.id]
    stored = assistant.index._stored_vectors[lead.id]
    assert len(set(similarities.round(6))) == 1
    assert similarities[0] == pytest.approx(float(stored @ assistant.index.query_vector(
        "Who coined the term DataOps?")))
