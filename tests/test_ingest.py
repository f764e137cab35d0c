"""Ingest runs against a real embedded Chroma: incremental updates, build-check-switch, status."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ingest import embedding, pipeline
from ingest.cli import app
from ingest.errors import DataCheckError
from ingest.pipeline import run_ingest
from ingest.settings import MODEL_SHA256, Settings
from ingest.status import index_status
from ingest.store import IndexStore

SMALL_CHUNKS = 6


def ingest(*paths):
    return run_ingest(list(paths), Settings(), show_progress=False)


def snapshot() -> dict:
    """The active build as readers see it: its name and every chunk's text and vector."""
    active = IndexStore(Settings()).require_active()
    got = active.get(include=["documents", "embeddings"])
    return {"name": active.name, "documents": dict(zip(got["ids"], got["documents"])),
            "vectors": dict(zip(got["ids"], got["embeddings"]))}


def builds() -> list[str]:
    """Every build of the index: the active one and any orphan (not their sentence vectors)."""
    store = IndexStore(Settings())
    return sorted(c.name for c in store.client.list_collections()
                  if store.build_name.fullmatch(c.name))


def collections() -> list[str]:
    """Every collection of the index but the pointer: builds and their sentence vectors."""
    store = IndexStore(Settings())
    return sorted(c.name for c in store.client.list_collections() if c.name != store.pointer_name)


def assert_intact(before: dict) -> None:
    """The previous build is still the one readers get, complete and answering queries."""
    after = snapshot()
    assert after["name"] == before["name"]
    assert after["documents"] == before["documents"]
    assert collections() == [before["name"], before["name"] + "-catalog", before["name"] + "-units"]
    chunk_id, vector = next(iter(before["vectors"].items()))
    hit = IndexStore(Settings()).require_active().query(query_embeddings=[vector], n_results=1)
    assert hit["ids"][0] == [chunk_id]


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def embedded_texts(monkeypatch) -> list[str]:
    """A spy on ingest's embedding step: records what it embeds, still embeds it for real."""
    seen: list[str] = []
    real = pipeline.embed_texts

    def spy(texts, settings, show_progress):
        seen.extend(texts)
        return real(texts, settings, show_progress)

    monkeypatch.setattr(pipeline, "embed_texts", spy)
    return seen


def forbid_model_load(monkeypatch) -> None:
    """A spy on the model loader that fails the test if ingest asks for the model at all."""

    def load_embeddings(*args):
        raise AssertionError("the model was loaded for an unchanged corpus")

    monkeypatch.setattr(pipeline, "load_onnx_embeddings", load_embeddings)
    monkeypatch.setattr(pipeline, "load_embeddings", load_embeddings)


# ---------------------------------------------------------------- incremental


def test_first_run_embeds_all_second_run_embeds_nothing_without_the_model(small_corpus, monkeypatch):
    first = ingest(small_corpus)
    assert (first.chunks, first.added, first.embedded) == (SMALL_CHUNKS, SMALL_CHUNKS, SMALL_CHUNKS)
    assert (first.updated, first.removed, first.unchanged) == (0, 0, 0)
    assert first.files == ["docs/alpha.md", "docs/beta.md"] and first.skipped == []
    before = snapshot()
    forbid_model_load(monkeypatch)
    second = ingest(small_corpus)
    assert (second.embedded, second.added, second.updated, second.removed) == (0, 0, 0, 0)
    assert second.unchanged == SMALL_CHUNKS
    assert snapshot()["name"] == before["name"]


@pytest.mark.parametrize("page", [1, 4, 6, 100])
def test_reading_a_build_in_pages_returns_every_record_once(small_corpus, page):
    ingest(small_corpus)
    store = IndexStore(Settings())
    build = store.require_active()
    paged = store.read_all(build, ["documents", "metadatas"], page=page)
    whole = build.get(include=["documents", "metadatas"])
    assert sorted(paged["ids"]) == sorted(whole["ids"]) and len(paged["ids"]) == SMALL_CHUNKS
    assert dict(zip(paged["ids"], paged["documents"])) == dict(zip(whole["ids"], whole["documents"]))
    assert dict(zip(paged["ids"], paged["metadatas"])) == dict(zip(whole["ids"], whole["metadatas"]))


def test_editing_a_paragraph_embeds_only_it_and_reuses_the_other_vectors(small_corpus, embedded_texts):
    ingest(small_corpus)
    before = snapshot()
    embedded_texts.clear()
    edit(small_corpus / "alpha.md", "a small share", "five percent")
    report = ingest(small_corpus)
    assert (report.updated, report.added, report.removed, report.unchanged) == (1, 0, 0, 5)
    assert (report.embedded, report.sentences_embedded) == (1, 2)
    assert embedded_texts == ["Deploying\nCanary releases send five percent of traffic to the new version first.",
                              "Deploying: Canary releases send five percent of traffic to the new version first.",
                              "Canary releases send five percent of traffic to the new version first."]
    after = snapshot()
    assert after["name"] != before["name"]
    kept = set(before["vectors"]) & set(after["vectors"])
    assert len(kept) == SMALL_CHUNKS - 1
    # Reused, not recomputed (the spy saw one text); Chroma's float32 storage may move the last bit.
    assert all(np.allclose(before["vectors"][i], after["vectors"][i], rtol=0, atol=1e-6) for i in kept)
    texts = list(after["documents"].values())
    assert not [t for t in texts if "small share" in t]
    assert any("five percent" in t for t in texts)


def test_inserting_a_paragraph_reports_it_added(small_corpus):
    ingest(small_corpus)
    edit(small_corpus / "alpha.md", "\nCanary releases", "\nFeature flags decouple deploy from release.\n\nCanary releases")
    report = ingest(small_corpus)
    assert (report.added, report.updated, report.removed, report.embedded) == (1, 0, 0, 1)
    assert report.chunks == len(snapshot()["documents"]) == SMALL_CHUNKS + 1


def test_deleting_a_paragraph_reports_it_removed_and_drops_it(small_corpus, embedded_texts):
    ingest(small_corpus)
    embedded_texts.clear()
    edit(small_corpus / "alpha.md", "Blue-green deployment keeps two environments. "
                                    "Traffic moves only after checks pass.\n\n", "")
    report = ingest(small_corpus)
    assert (report.removed, report.added, report.updated, report.embedded) == (1, 0, 0, 0)
    assert embedded_texts == []
    texts = list(snapshot()["documents"].values())
    assert len(texts) == SMALL_CHUNKS - 1
    assert not [t for t in texts if "Blue-green" in t]


def test_deleting_a_file_removes_its_chunks(small_corpus):
    ingest(small_corpus)
    (small_corpus / "beta.md").unlink()
    report = ingest(small_corpus)
    assert (report.removed, report.unchanged, report.embedded) == (2, 4, 0)
    sources = IndexStore(Settings()).require_active().get(include=["metadatas"])["metadatas"]
    assert {meta["source"] for meta in sources} == {"docs/alpha.md"}


def test_a_build_made_with_another_model_is_fully_re_embedded(small_corpus):
    ingest(small_corpus)
    active = IndexStore(Settings()).require_active()
    manifest = json.loads(active.metadata["manifest"]) | {"model_sha256": "0" * 64}
    active.modify(metadata={"manifest": json.dumps(manifest)})
    report = ingest(small_corpus)
    assert report.embedded == SMALL_CHUNKS


def test_embedding_in_length_sorted_batches_keeps_each_vector_with_its_text(monkeypatch):
    texts = [("word " * n).strip() for n in (3, 30, 1, 12, 2)]
    monkeypatch.setenv("OPS_ASSISTANT_EMBED_BATCH_SIZE", "2")
    vectors = pipeline.embed_texts(texts, Settings(), show_progress=False)
    model = embedding.load_embeddings(MODEL_SHA256)
    alone = [model.embed_query(text) for text in texts]
    assert np.allclose(vectors, alone, atol=1e-5)
    monkeypatch.setattr(pipeline, "TORCH_FROM", 2)  # a large step: sentence-transformers' batches
    assert np.allclose(pipeline.embed_texts(texts, Settings(), show_progress=False), alone, atol=1e-5)


# ---------------------------------------------------------------- small changes, in place


@pytest.fixture
def larger_corpus(small_corpus):
    """The small corpus plus 24 two-chunk notes (54 chunks): one edited paragraph is a change
    small enough (under pipeline.IN_PLACE_SHARE) to be written into the active build."""
    for i in range(24):
        (small_corpus / f"note-{i:02}.md").write_text(
            f"# Note {i}\n\nService {i} keeps {i + 2} replicas.\n\n## Owner\n\nTeam {i} owns it.\n",
            encoding="utf-8")
    return small_corpus


def stored(settings: Settings) -> dict:
    """Every stored chunk's text and metadata, by id: what a reader of the index gets."""
    got = IndexStore(settings).require_active().get(include=["documents", "metadatas"])
    return {i: (text, meta) for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])}


def fresh_build_of(corpus, tmp_path) -> dict:
    """The chunks a first ingest of `corpus` into an empty data folder stores."""
    settings = Settings(data_dir=tmp_path / "fresh")
    run_ingest([corpus], settings, show_progress=False)
    return stored(settings)


def test_a_small_change_is_written_into_the_active_build(larger_corpus, embedded_texts, tmp_path):
    ingest(larger_corpus)
    before = snapshot()
    embedded_texts.clear()
    edit(larger_corpus / "alpha.md", "a small share", "five percent")
    edit(larger_corpus / "alpha.md", "\nCanary releases", "\nFeature flags come first.\n\nCanary releases")
    report = ingest(larger_corpus)
    assert (report.updated, report.added, report.embedded, report.sentences_embedded) == (1, 1, 2, 4)
    assert len(embedded_texts) == 6  # two chunks and their one sentence each, in context and alone
    after = snapshot()
    assert builds() == [after["name"]] == [before["name"]]
    kept = set(before["vectors"]) & set(after["vectors"])
    assert all(np.allclose(before["vectors"][i], after["vectors"][i], atol=1e-6) for i in kept)
    assert stored(Settings()) == fresh_build_of(larger_corpus, tmp_path)  # moved chunks' positions too
    assert not index_status(Settings()).stale


def test_an_interrupted_in_place_update_still_answers_and_the_next_run_finishes_it(
        larger_corpus, embedded_texts, monkeypatch, tmp_path):
    ingest(larger_corpus)
    edit(larger_corpus / "beta.md", "stopped updating", "went stale")

    def fail(*args):
        raise RuntimeError("the disk filled up")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError):
        patched.setattr(IndexStore, "delete", fail)
        ingest(larger_corpus)
    status = index_status(Settings())
    assert status.stale and "interrupted" in status.reason and status.chunks == 55
    vector = snapshot()["vectors"]
    assert IndexStore(Settings()).require_active().query(
        query_embeddings=[next(iter(vector.values()))], n_results=3)["ids"][0]
    embedded_texts.clear()
    report = ingest(larger_corpus)
    assert embedded_texts == [] and report.embedded == 0  # embedded once, by the interrupted run
    assert stored(Settings()) == fresh_build_of(larger_corpus, tmp_path)
    assert not index_status(Settings()).stale


# ---------------------------------------------------------------- build, check, switch


def test_a_failing_data_check_keeps_the_previous_index(small_corpus, monkeypatch):
    ingest(small_corpus)
    before = snapshot()
    edit(small_corpus / "beta.md", "stopped updating", "went stale")

    def check_vectors(ids, vectors):
        raise DataCheckError("injected: vectors rejected")

    monkeypatch.setattr(pipeline, "check_vectors", check_vectors)
    result = CliRunner().invoke(app, ["ingest", str(small_corpus)])
    assert result.exit_code == 1
    assert result.stderr == "Error: injected: vectors rejected\n"
    assert_intact(before)


def test_a_nan_vector_is_refused_and_the_previous_index_kept(small_corpus, monkeypatch):
    ingest(small_corpus)
    before = snapshot()
    edit(small_corpus / "beta.md", "stopped updating", "went stale")
    real = pipeline.embed_texts

    def embed_with_nan(texts, settings, show_progress):
        vectors = real(texts, settings, show_progress)
        vectors[0][7] = float("nan")
        return vectors

    monkeypatch.setattr(pipeline, "embed_texts", embed_with_nan)
    result = CliRunner().invoke(app, ["ingest", str(small_corpus)])
    assert result.exit_code == 1
    assert "vector has a non-finite value" in result.stderr and len(result.stderr.splitlines()) == 1
    assert_intact(before)


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failure_mid_build_keeps_the_previous_index_and_leaves_no_build(small_corpus, monkeypatch, failure):
    ingest(small_corpus)
    before = snapshot()
    edit(small_corpus / "beta.md", "stopped updating", "went stale")
    real_add = IndexStore.add

    def add_half_then_fail(self, build, ids, vectors, documents, metadatas):
        real_add(self, build, ids[:3], vectors[:3], documents[:3], metadatas[:3])
        raise failure

    monkeypatch.setattr(IndexStore, "add", add_half_then_fail)
    with pytest.raises(type(failure)):
        ingest(small_corpus)
    assert_intact(before)


def test_a_build_left_by_a_killed_run_is_dropped_by_the_next_run(small_corpus):
    ingest(small_corpus)
    before = snapshot()
    store = IndexStore(Settings())
    orphan = store.create_build({"corpus_hash": "from a run that was killed"})
    orphan.add(ids=["x"], embeddings=[[0.1] * 384], documents=["half a build"])
    store.units(orphan, create=True).add(ids=["y"], embeddings=[[0.1] * 384])
    assert len(builds()) == 2 and len(collections()) == 5
    report = ingest(small_corpus)
    assert report.embedded == 0
    assert_intact(before)


# ---------------------------------------------------------------- status


def test_status_of_a_fresh_index(indexed_settings):
    status = index_status(indexed_settings)
    assert status.built and not status.stale and status.reason == "up to date"
    assert status.mode == "embedded"
    assert status.index == str(indexed_settings.data_dir / "chroma")
    assert status.chunks == IndexStore(indexed_settings).require_active().count() > 50
    assert status.corpus_hash == status.current_corpus_hash
    assert status.model_sha256 == MODEL_SHA256 and status.model_ok and status.onnx_export == "ok"
    assert status.model == str(embedding.model_dir())


def test_status_command_text_and_json(indexed_settings):
    text = CliRunner().invoke(app, ["status"])
    assert text.exit_code == 0
    assert "stale: no (up to date)" in text.stdout
    assert f"model sha256: {MODEL_SHA256}" in text.stdout
    as_json = CliRunner().invoke(app, ["status", "--json"])
    assert as_json.exit_code == 0
    status = json.loads(as_json.stdout)
    assert status["stale"] is False and status["chunks"] == index_status(indexed_settings).chunks
    assert status["index"] == str(indexed_settings.data_dir / "chroma")


def test_status_turns_stale_when_the_corpus_changes(small_corpus):
    ingest(small_corpus)
    assert not index_status(Settings()).stale
    edit(small_corpus / "beta.md", "stopped updating", "went stale")
    status = index_status(Settings())
    assert status.stale and "corpus changed" in status.reason
    assert status.corpus_hash != status.current_corpus_hash
    ingest(small_corpus)
    assert not index_status(Settings()).stale
    for name in ("alpha.md", "beta.md"):
        (small_corpus / name).unlink()
    assert "gone" in index_status(Settings()).reason


def test_status_before_any_ingest(user_dir):
    result = CliRunner().invoke(app, ["status", "--json"])
    assert result.exit_code == 0
    status = json.loads(result.stdout)
    assert status["built"] is False and status["stale"] is True and status["chunks"] == 0
    assert "run `ops-assistant ingest`" in status["reason"]


def test_an_unchanged_corpus_is_not_chunked_again_unless_the_chunking_code_changed(
        small_corpus, monkeypatch):
    from ingest import manifest

    chunked: list[int] = []
    real = pipeline.chunk_files

    def spy(files, settings):
        chunked.append(len(files))
        return real(files, settings)

    monkeypatch.setattr(pipeline, "chunk_files", spy)
    ingest(small_corpus)
    assert ingest(small_corpus).unchanged == SMALL_CHUNKS and chunked == [2]
    monkeypatch.setattr(manifest, "code_hash", lambda: "0" * 64)  # as if the chunker changed
    report = ingest(small_corpus)
    assert chunked == [2, 2] and (report.unchanged, report.embedded) == (SMALL_CHUNKS, 0)
    assert json.loads(IndexStore(Settings()).require_active().metadata["manifest"])["code"] == "0" * 64
    assert ingest(small_corpus).unchanged == SMALL_CHUNKS and chunked == [2, 2]


def test_the_catalog_holds_exactly_the_builds_chunks_after_every_kind_of_run(larger_corpus):
    from assistant.index import _read_chunks
    from ingest.catalog import catalog_of, read_catalog

    def catalog_matches_build() -> None:
        store = IndexStore(Settings())
        build = store.require_active()
        listed = {d.id: (d.page_content, d.metadata) for d in read_catalog(store, build)}
        assert listed == {d.id: (d.page_content, d.metadata) for d in _read_chunks(store, build)}

    ingest(larger_corpus)
    catalog_matches_build()
    edit(larger_corpus / "alpha.md", "a small share", "five percent")
    (larger_corpus / "note-03.md").unlink()
    assert ingest(larger_corpus).removed == 2  # both written in place
    catalog_matches_build()
    for i in range(40):
        (larger_corpus / f"extra-{i}.md").write_text(f"# Extra {i}\n\nService {i} pages team {i}.\n")
    assert ingest(larger_corpus).added == 40  # a new build, switched in
    catalog_matches_build()

    store = IndexStore(Settings())
    build = store.require_active()
    store.client.delete_collection(catalog_of(store, build).name)  # as an older version left it
    assert read_catalog(store, build) is None
    edit(larger_corpus / "beta.md", "stopped updating", "went stale")
    ingest(larger_corpus)  # in place: writes the whole catalog, not only beta.md's record
    catalog_matches_build()
    store.mark_updating(build, {"corpus_hash": "an update under way"})
    assert read_catalog(store, build) is None
