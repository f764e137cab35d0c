"""The retrievers' own parts: BM25's top k and the query cache that embeds a question's forms once."""

from __future__ import annotations

import gc
import json
import logging

import numpy as np
import pytest
from langchain_core.documents import Document

from assistant.index import collection_paused
from assistant.retrievers import BM25Retriever, QueryCachedEmbeddings, _best
from assistant.text import stem_many, stem_words, words
from ingest.chunking import embedding_text
from ingest.embedding import load_onnx_embeddings
from ingest.settings import Settings
from ingest.units import text_key


def test_best_keeps_only_positive_scores_best_first_with_ties_in_corpus_order():
    scores = np.array([0.0, 2.0, 5.0, 2.0, 0.0, 2.0, 7.0])
    assert _best(scores, 3).tolist() == [6, 2, 1]
    assert _best(scores, 10).tolist() == [6, 2, 1, 3, 5]
    assert _best(np.zeros(5), 3).tolist() == []


def test_bm25_ranks_the_chunk_with_the_rarer_shared_word_first():
    texts = ["DevOps pipelines ship code", "DataOps pipelines test data", "MLOps versions models"]
    docs = [Document(id=str(i), page_content=t, metadata={"section": "S"})
            for i, t in enumerate(texts)]
    retriever = BM25Retriever.from_documents(docs, k=2)
    assert [d.id for d in retriever.invoke("data pipelines")] == ["1", "0"]
    assert retriever.invoke("kubernetes") == []
    assert all(d.metadata["bm25"] > 0 for d in retriever.invoke("pipelines"))


class Counting:
    """The real model (as answering runs it), counting its calls."""

    def __init__(self):
        self.model = load_onnx_embeddings(Settings().model_sha256, Settings().onnx_dir)
        self.calls: list[list[str]] = []

    def embed_documents(self, texts):
        self.calls.append(list(texts))
        return self.model.embed_documents(texts)


def test_a_questions_forms_are_embedded_in_one_call_and_then_come_from_the_cache():
    inner = Counting()
    cache = QueryCachedEmbeddings(inner)
    first = cache.embed_queries(["What is DataOps? definition", "What is DataOps?"])
    assert inner.calls == [["What is DataOps? definition", "What is DataOps?"]]
    assert cache.embed_query("What is DataOps?") == first[1]
    assert cache.embed_queries(["What is DataOps?", "What is MLOps?"])[0] == first[1]
    assert inner.calls[1:] == [["What is MLOps?"]]
    alone = inner.model.embed_query("What is DataOps?")
    assert np.asarray(first[1]) == pytest.approx(np.asarray(alone), abs=1e-5)


def test_the_query_cache_forgets_its_oldest_entries_beyond_its_limit():
    inner = Counting()
    cache = QueryCachedEmbeddings(inner, limit=2)
    for text in ("one", "two", "three"):
        cache.embed_query(text)
    cache.embed_query("three")
    cache.embed_query("one")
    assert inner.calls == [["one"], ["two"], ["three"], ["one"]]
    cache.clear_cache()
    cache.embed_query("three")
    assert inner.calls[-1] == ["three"]


def test_ask_embeds_everything_a_question_needs_in_one_call(indexed_settings):
    """One model call per question: the message as the classifiers read it, the retrieval query
    widened by its aspect's words, and the composer's query, in one batch."""
    from assistant import Assistant

    assistant = Assistant.load(indexed_settings)
    inner = Counting()
    assistant.index.embeddings.inner = inner
    answer = assistant.ask("What do the three have in common?", session="one-call")
    assert answer.citations and len(inner.calls) == 1
    plain, widened = inner.calls[0]
    assert plain == answer.rewritten_query and widened.startswith(plain) and widened != plain


def refuse_to_embed(vectors, texts, embeddings):
    assert not texts, f"opening the index embedded {len(texts)} sentences"


def test_an_index_without_sentence_vectors_opens_says_so_once_and_a_re_ingest_stores_them(
        small_corpus, monkeypatch, caplog):
    import assistant.index as index_module
    from assistant.index import Index
    from ingest.pipeline import run_ingest, wanted_units
    from ingest.store import IndexStore

    run_ingest([small_corpus], Settings(), show_progress=False)
    store = IndexStore(Settings())
    build = store.require_active()
    stored = store.unit_vectors(store.units(build))
    got = store.read_all(build, ["documents", "metadatas"])
    chunk_texts = {text_key(embedding_text(Document(page_content=text, metadata=meta)))
                   for text, meta in zip(got["documents"], got["metadatas"])}
    sentences = {key: v for key, v in stored.items() if key not in chunk_texts}
    store.client.delete_collection(build.name + "-units")  # as a version before issue 12 wrote it
    manifest = json.loads(build.metadata["manifest"])
    del manifest["sentence_vectors"]
    build.modify(metadata={"manifest": json.dumps(manifest)})

    monkeypatch.setattr(index_module, "_told_missing", False)
    with caplog.at_level(logging.WARNING, logger="ops_assistant"):
        old = [Index.open(Settings()) for _ in range(2)]
    assert [r.getMessage() for r in caplog.records] == [
        f"this index was built without sentence vectors, so opening it embeds {len(sentences)} "
        "sentences; run `ops-assistant ingest` once to store them and open faster"]
    assert old[0]._by_key.keys() == sentences.keys()
    assert all(np.allclose(old[0]._by_key[k], v, atol=1e-6) for k, v in sentences.items())
    assert old[0].retriever.vectors is None  # searched through Chroma: no chunk vectors beside it

    report = run_ingest([small_corpus], Settings(), show_progress=False)
    assert (report.embedded, report.sentences_embedded) == (0, len(sentences))
    monkeypatch.setattr(index_module, "_embed_missing", refuse_to_embed)
    fresh = Index.open(Settings())
    assert fresh._by_key.keys() == set(wanted_units(list(fresh.documents.values())))
    assert fresh.retriever.vectors is not None and len(fresh.retriever.searched) == 6
    assert all(np.allclose(fresh._unit_vectors[i], old[0]._unit_vectors[i], atol=1e-6)
               for i in fresh.documents)


def test_loading_the_assistant_embeds_nothing_and_a_question_is_one_model_call(
        indexed_settings, monkeypatch):
    from assistant import Assistant
    from ingest.embedding import OnnxEmbeddings

    calls: list[list[str]] = []
    real = OnnxEmbeddings.encode

    def counted(self, texts):
        calls.append(list(texts))
        return real(self, texts)

    monkeypatch.setattr(OnnxEmbeddings, "encode", counted)
    assistant = Assistant.load(indexed_settings)
    assert calls == []
    answer = assistant.ask("Who coined the term DataOps?", session="one-call")
    assert "Lenny Liebmann" in answer.answer and len(calls) == 1


def test_a_small_index_is_searched_in_memory_with_chromas_ranking(corpus_assistant):
    """The chunk vectors stored beside a small build rank its chunks as Chroma's own index does."""
    retriever = corpus_assistant.index.retriever
    assert retriever.vectors is not None and len(retriever.searched) == len(
        corpus_assistant.index.documents)
    vector = np.asarray(corpus_assistant.index.embeddings.embed_query("How is a model monitored?"))
    in_memory = retriever._by_meaning(vector)
    kept, retriever.vectors = retriever.vectors, None
    try:
        through_chroma = retriever._by_meaning(vector)
    finally:
        retriever.vectors = kept
    assert [d.id for d in in_memory] == [d.id for d in through_chroma]
    assert [d.metadata["dense"] for d in in_memory] == pytest.approx(
        [d.metadata["dense"] for d in through_chroma], abs=1e-5)


def test_words_and_stems_of_many_chunks_match_those_of_each_alone():
    """The index reads 100k chunks' words and stems in bulk (stem_many); it must tokenize exactly
    as a question is tokenized, or BM25 would miss words it holds."""
    texts = ["CI/CD costs $205,958 for 20% of teams.", "snake_case isn't a DevOps-engineer's job...",
             "Zürich's naïve MLOps—pipelines, 'quoted' words.", "", "the and of"]
    assert words(texts[0]) == ["ci", "cd", "costs", "$205,958", "for", "20%", "of", "teams"]
    assert words(texts[1]) == ["snake", "case", "isn't", "a", "devops-engineer's", "job"]
    lists = [words(text) for text in texts]
    assert stem_many(lists) == [stem_words(found) for found in lists]


def test_a_section_holds_its_sub_sections_chunks_in_reading_order(corpus_assistant):
    index = corpus_assistant.index
    paths = {doc.metadata["section"] for doc in index.documents.values()}
    above = {" > ".join(path.split(" > ")[:end]) for path in paths
             for end in range(1, path.count(" > ") + 1)}
    assert above - paths, "the article has headings with no text of their own directly under them"
    for path in paths | above:
        expected = [doc for doc in index.documents.values() if doc.metadata["section"] == path
                    or doc.metadata["section"].startswith(path + " > ")]
        assert expected and index.section(path) == expected
    assert index.section("No Such Heading") == []


def test_loading_pauses_the_garbage_collector_and_restores_it():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        raise RuntimeError("a failed load")
    assert gc.isenabled()


def test_the_enumerations_near_a_question_are_all_a_full_scan_could_pick(corpus_assistant):
    """`pick` ranks only the enumerations `Enumerations.near` returns (a scan of all of them took
    ~0.15 s per list question at 100k chunks): every one a full scan would consider is there."""
    from assistant.answering import Ask
    from assistant.structure import _count_words, _heading_words, asked_count
    from assistant.topics import lexical_form

    found = corpus_assistant.answerer.enumerations
    for question in ["list the four differences", "what do all three share", "name 3 things in common",
                     "which tools are used everywhere", "what are the faq questions"]:
        part = corpus_assistant.understand(question).parts[0]
        top = corpus_assistant.answerer.retrieve(Ask(part)).docs[:5]
        count = asked_count(question)
        asked = _heading_words(lexical_form(question)) - _count_words(count)
        scanned = [e for e in found if any(e.holds(d) for d in top)
                   or asked & _heading_words(e.section) or (count and len(e.items) == count)]
        near = found.near(asked, count, top)
        assert scanned and [e for e in near if e in scanned] == scanned
