"""Server mode: ingest into a real `chroma run` server and read the index back over HTTP."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlparse

import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings
from typer.testing import CliRunner

from ingest.cli import app
from ingest.embedding import load_onnx_embeddings
from ingest.settings import CHECKOUT_DIR, Settings


@pytest.fixture
def server_settings(chroma_server, monkeypatch) -> Settings:
    """Settings for the session's server, under a collection name of this test's own."""
    monkeypatch.setenv("OPS_ASSISTANT_CHROMA_URL", chroma_server)
    monkeypatch.setenv("OPS_ASSISTANT_COLLECTION", f"test-{uuid.uuid4().hex[:8]}")
    return Settings()


def http_client(url: str):
    parsed = urlparse(url)
    return chromadb.HttpClient(host=parsed.hostname, port=parsed.port,
                               settings=ChromaSettings(anonymized_telemetry=False))


def invoke_json(*args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_into_a_chroma_server_and_read_it_back(server_settings, user_dir):
    first = invoke_json("ingest", str(CHECKOUT_DIR / "corpus"))
    assert first["index"] == server_settings.chroma_url
    assert first["chunks"] == first["added"] == first["embedded"] > 50
    assert not user_dir.exists(), "server mode must not write an embedded index"

    status = invoke_json("status")
    assert status["mode"] == "server" and status["index"] == server_settings.chroma_url
    assert status["chunks"] == first["chunks"] and status["stale"] is False

    client = http_client(server_settings.chroma_url)
    pointer = client.get_collection(f"{server_settings.collection}-active")
    collection = client.get_collection(pointer.metadata["collection"])
    assert collection.name == status["collection"] and collection.count() == first["chunks"]
    question = load_onnx_embeddings(server_settings.model_sha256, server_settings.onnx_dir
                                    ).embed_query("Who coined the term DataOps?")
    hit = collection.query(query_embeddings=[question], n_results=1, include=["documents", "metadatas"])
    assert "Lenny Liebmann" in hit["documents"][0][0]
    assert hit["metadatas"][0][0]["section"] == "The 30-Second Definitions"

    again = invoke_json("ingest", str(CHECKOUT_DIR / "corpus"))
    assert again["embedded"] == 0 and again["unchanged"] == first["chunks"]
    assert invoke_json("status")["collection"] == collection.name


def test_incremental_update_on_the_server_switches_to_a_new_build(server_settings, small_corpus):
    invoke_json("ingest", str(small_corpus))
    page = small_corpus / "beta.md"
    page.write_text(page.read_text().replace("stopped updating", "went stale"), encoding="utf-8")
    report = invoke_json("ingest", str(small_corpus))
    assert (report["updated"], report["embedded"], report["unchanged"]) == (1, 1, 5)
    client = http_client(server_settings.chroma_url)
    names = [c.name for c in client.list_collections() if c.name.startswith(server_settings.collection)]
    build = invoke_json("status")["collection"]
    assert sorted(names) == sorted([build, f"{build}-catalog", f"{build}-units",
                                    f"{server_settings.collection}-active"])


def test_an_index_on_the_server_opens_with_its_stored_sentence_vectors(server_settings, small_corpus,
                                                                       monkeypatch):
    import assistant.index as index_module
    from assistant import Assistant

    report = invoke_json("ingest", str(small_corpus))
    assert report["sentences_embedded"] == 16  # each of 8 sentences in its context and alone

    def refuse_to_embed(vectors, texts, embeddings):
        assert not texts, f"opening the index embedded {len(texts)} sentences"

    monkeypatch.setattr(index_module, "_embed_missing", refuse_to_embed)
    assistant = Assistant.load(server_settings)
    assert sum(len(v) for v in assistant.index._unit_vectors.values()) == 8
    answer = assistant.ask("How do canary releases work?", session="server")
    assert answer.citations and "Canary releases" in answer.citations[0].quote
