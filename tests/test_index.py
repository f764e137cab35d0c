"""The retrievers' own parts: BM25's top k and the query cache that embeds a question's forms once."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.documents import Document

from assistant.index import BM25Retriever, QueryCachedEmbeddings, _best
from ingest.embedding import load_onnx_embeddings
from ingest.settings import Settings


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


def test_ask_embeds_the_retrieval_query_and_the_composers_query_in_one_call(indexed_settings):
    from assistant import Assistant

    assistant = Assistant.load(indexed_settings)
    inner = Counting()
    assistant.index.embeddings.inner = inner
    answer = assistant.ask("What do the three have in common?", session="one-call")
    assert answer.citations and len(inner.calls) == 1
    widened, plain = inner.calls[0]
    assert plain == answer.rewritten_query and widened.startswith(plain) and widened != plain
