"""The receipt of the last ingest (ingest/receipt.py): an unchanged corpus is told so without
opening Chroma, and only while nothing else has written to the index."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

import ingest.pipeline
from ingest.cli import app
from ingest.errors import DataCheckError
from ingest.pipeline import run_ingest
from ingest.receipt import receipt_path, receipted_manifest, unchanged_by_receipt
from ingest.settings import Settings
from ingest.store import IndexStore


def ingest_json(*paths) -> dict:
    result = CliRunner().invoke(app, ["ingest", "--json", *map(str, paths)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_an_ingest_leaves_a_receipt_of_its_active_build(small_corpus, user_dir):
    ingest_json(small_corpus)
    settings = Settings()
    record = json.loads(receipt_path(settings).read_text())
    store = IndexStore(settings)
    assert record["build"] == store.active().name
    assert record["manifest"] == store.manifest() == receipted_manifest(settings)
    assert record["database_bytes"] == (settings.chroma_dir / "chroma.sqlite3").stat().st_size


def test_an_unchanged_corpus_is_reported_from_the_receipt_as_the_store_would(small_corpus,
                                                                            user_dir):
    first = ingest_json(small_corpus)
    by_receipt = unchanged_by_receipt([small_corpus], Settings())
    assert by_receipt is not None
    again = ingest_json(small_corpus)
    by_store = run_ingest([small_corpus], Settings(), show_progress=False)  # asks Chroma
    for report in (by_receipt.model_dump(), again, by_store.model_dump()):
        assert report["unchanged"] == report["chunks"] == first["chunks"] == 6
        assert (report["added"], report["embedded"]) == (0, 0)
        assert (report["files"], report["per_file"]) == (first["files"], first["per_file"])


def test_a_changed_file_is_ingested_and_gets_a_new_receipt(small_corpus, user_dir):
    ingest_json(small_corpus)
    page = small_corpus / "beta.md"
    page.write_text(page.read_text().replace("stopped updating", "went stale"), encoding="utf-8")
    assert unchanged_by_receipt([small_corpus], Settings()) is None
    report = ingest_json(small_corpus)
    assert (report["updated"], report["embedded"]) == (1, 1)
    assert receipted_manifest(Settings()) == IndexStore(Settings()).manifest()
    assert ingest_json(small_corpus)["embedded"] == 0


def test_an_index_changed_outside_ingest_is_not_trusted(small_corpus, user_dir):
    ingest_json(small_corpus)
    settings = Settings()
    database = settings.chroma_dir / "chroma.sqlite3"
    size = database.stat().st_size
    database.write_bytes(b"not a database " * 4096)
    assert receipted_manifest(settings) is None
    result = CliRunner().invoke(app, ["ingest", str(small_corpus)])
    assert result.exit_code == 1 and "cannot read the index" in result.output
    database.write_bytes(b"\0" * size)  # the same size, but not SQLite
    assert receipted_manifest(settings) is None


def test_a_deleted_index_is_not_trusted(small_corpus, user_dir):
    ingest_json(small_corpus)
    settings = Settings()
    shutil.rmtree(settings.chroma_dir)
    assert receipted_manifest(settings) is None
    assert unchanged_by_receipt([small_corpus], settings) is None


def test_a_failed_ingest_removes_the_receipt_and_the_next_one_asks_chroma(
        small_corpus, user_dir, monkeypatch):
    ingest_json(small_corpus)
    page = small_corpus / "beta.md"
    page.write_text(page.read_text() + "\n\nA new closing paragraph.\n", encoding="utf-8")

    def failing_check(ids, count):
        raise DataCheckError("the build check failed")

    with monkeypatch.context() as patched:
        patched.setattr(ingest.pipeline, "check_build", failing_check)
        with pytest.raises(DataCheckError):
            run_ingest([small_corpus], Settings(), show_progress=False)
    assert not receipt_path(Settings()).exists()
    assert unchanged_by_receipt([small_corpus], Settings()) is None
    report = ingest_json(small_corpus)
    assert report["added"] == 1 and receipt_path(Settings()).exists()


def test_a_receipt_names_a_corpus_only_with_the_same_settings(small_corpus, user_dir,
                                                              monkeypatch):
    ingest_json(small_corpus)
    monkeypatch.setenv("OPS_ASSISTANT_MAX_CHUNK_CHARS", "300")
    assert unchanged_by_receipt([small_corpus], Settings()) is None
