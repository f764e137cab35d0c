"""LangChain retrievers over the active index: lexical (BM25), and dense and lexical fused by
reciprocal rank; and the query-embedding cache they share."""

from __future__ import annotations

import threading

import bm25s
import numpy as np
from langchain_chroma import Chroma
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.text import distinct, stems
from ingest.chunking import embedding_text
from ingest.settings import Settings
from ingest.store import read_errors

RRF_K = 60  # the constant from Cormack et al.'s reciprocal-rank fusion paper


class QueryCachedEmbeddings(Embeddings):
    """MiniLM with a cache on queries: the retriever and the composer embed the same query, and
    `embed_queries` embeds a question's forms in one model call (each call costs ~10 ms of
    overhead on two cores). A dict, not lru_cache, because a batch has to fill it."""

    def __init__(self, inner: Embeddings, limit: int = 4096):
        self.inner = inner
        self.limit = limit
        self._cache: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """The vectors of `texts`, embedding those not cached in one batch."""
        with self._lock:
            known = {text: self._cache[text] for text in texts if text in self._cache}
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            known.update(zip(missing, self.inner.embed_documents(missing)))
            with self._lock:
                self._cache.update((text, known[text]) for text in missing)
                while len(self._cache) > self.limit:
                    del self._cache[next(iter(self._cache))]
        return [known[text] for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0]

    def clear_cache(self) -> None:
        """Forget cached queries (benchmarks time the embedding of every question)."""
        with self._lock:
            self._cache.clear()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.inner.embed_documents(texts)


class BM25Retriever(BaseRetriever):
    """Lexical retrieval with bm25s over stemmed chunk text (heading path included)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    documents: list[Document]
    engine: bm25s.BM25
    positions: dict[str, int]
    k: int = 8

    @classmethod
    def from_documents(cls, documents: list[Document], k: int = 8,
                       tokens: list[list[str]] | None = None) -> "BM25Retriever":
        """BM25 over `documents`, or over their `tokens` when the caller stemmed them already."""
        if tokens is None:
            tokens = [stems(embedding_text(doc)) for doc in documents]
        engine = bm25s.BM25()
        engine.index([t or ["_"] for t in tokens], show_progress=False)
        positions = {doc.id: i for i, doc in enumerate(documents)}
        return cls(documents=documents, engine=engine, positions=positions, k=k)

    def scores(self, query: str, docs: list[Document]) -> dict[str, float]:
        """BM25 score of each of `docs` for `query` (0 where no word matches)."""
        tokens = stems(query)
        if not tokens or not self.documents:
            return {}
        values = self.engine.get_scores(tokens)
        return {doc.id: float(values[self.positions[doc.id]]) for doc in docs
                if doc.id in self.positions}

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun):
        tokens = stems(query)
        if not tokens or not self.documents:
            return []
        values = self.engine.get_scores(tokens)
        return [_scored(self.documents[i], bm25=float(values[i])) for i in _best(values, self.k)]


def _best(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the `k` highest positive scores, best first, ties in corpus order. By hand:
    bm25s's `retrieve` partitions the whole score array, ~14 ms at 100k mostly-zero scores."""
    hits = np.flatnonzero(values > 0)
    return hits[np.lexsort((hits, -values[hits]))[:k]]


class HybridRetriever(BaseRetriever):
    """Dense and BM25 results fused by reciprocal rank; written here because LangChain 1.x moved
    EnsembleRetriever to the legacy langchain-classic package."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    settings: Settings
    vectorstore: Chroma
    embeddings: Embeddings
    bm25: BM25Retriever
    k: int = 8
    searched: list[Document] = []  # a small index's chunks, with their vectors in `vectors`
    vectors: np.ndarray | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun):
        dense = self._by_meaning(np.asarray(self.embeddings.embed_query(query)))
        lexical = self.bm25.invoke(query)
        fused: dict[str, Document] = {}
        for ranking in (dense, lexical):
            for rank, doc in enumerate(ranking):
                kept = fused.setdefault(doc.id, doc)
                kept.metadata.update({k: v for k, v in doc.metadata.items() if k in ("dense", "bm25")})
                kept.metadata["rrf"] = kept.metadata.get("rrf", 0.0) + 1.0 / (RRF_K + rank + 1)
        ranked = sorted(fused.values(), key=lambda d: -d.metadata["rrf"])
        return distinct(ranked)[: self.k]

    def _by_meaning(self, vector: np.ndarray) -> list[Document]:
        """The top `k` chunks by cosine: from the vectors in memory for a small index (exact, and
        ~2 ms sooner than asking Chroma), else from Chroma's index."""
        if self.vectors is not None:
            scores = self.vectors @ vector
            return [_scored(self.searched[i], dense=float(scores[i]))
                    for i in np.argsort(-scores, kind="stable")[: self.k]]
        search = self.vectorstore.similarity_search_by_vector_with_relevance_scores
        with read_errors(self.settings):
            hits = search(vector.tolist(), k=self.k)
        return [_scored(doc, dense=1.0 - distance) for doc, distance in hits]


def _scored(doc: Document, **scores: float) -> Document:
    return Document(id=doc.id, page_content=doc.page_content, metadata={**doc.metadata, **scores})
