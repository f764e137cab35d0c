"""The active index: its chunks, their sections and stored vectors, and its retrievers (dense:
Chroma or the stored vectors in memory, lexical: BM25, fused: assistant/retrievers.py)."""

from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from chromadb.api.models.Collection import Collection
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings

from assistant.retrievers import BM25Retriever, HybridRetriever, QueryCachedEmbeddings
from assistant.text import paths_above, sentences, stem_many, stems, words
from ingest.catalog import read_catalog
from ingest.chunking import embedding_text
from ingest.embedding import DIMENSIONS, load_onnx_embeddings
from ingest.settings import Settings
from ingest.store import IndexStore, read_errors, revision_of
from ingest.units import SENTENCE_LIMIT, chunk_before, list_intro, text_key, unit_texts

log = logging.getLogger("ops_assistant.index")


class Index:
    """Everything the chain reads from one build: retrievers, chunks by id, corpus vocabulary."""

    def __init__(self, settings: Settings, store: IndexStore, collection: Collection,
                 documents: list[Document], previous: "Index | None" = None):
        self.settings = settings
        self.store = store
        self.collection = collection
        self.revision = revision_of(collection)
        self.collection_name = collection.name
        self.documents = {doc.id: doc for doc in documents}
        self.has_files = len({doc.metadata["source"] for doc in documents}) > 1  # beside the article
        self._sections: dict[tuple[str, str], list[Document]] = {}
        self._under: dict[str, list[Document]] = {}  # heading path -> its chunks and its subsections'
        for doc in documents:
            self._sections.setdefault((doc.metadata["source"], doc.metadata["section"]), []).append(doc)
            for path in paths_above(doc.metadata["section"]):
                self._under.setdefault(path, []).append(doc)
        self.embeddings = QueryCachedEmbeddings(
            load_onnx_embeddings(settings.model_sha256, settings.onnx_dir))
        self.vectorstore = Chroma(client=store.client, collection_name=self.collection_name,
                                  embedding_function=self.embeddings,
                                  create_collection_if_not_exists=False)
        # One pass over the corpus's words feeds BM25, the composer's idf and the speller.
        chunk_words = [words(embedding_text(doc)) for doc in documents]
        self.word_counts: Counter[str] = Counter()
        for found in chunk_words:
            self.word_counts.update(found)
        tokens = stem_many(chunk_words)
        self._stems = {doc.id: set(chunk) for doc, chunk in zip(documents, tokens)}
        self.document_frequency = Counter(s for chunk in self._stems.values() for s in chunk)
        self.retriever = HybridRetriever(settings=settings, vectorstore=self.vectorstore,
                                         embeddings=self.embeddings,
                                         bm25=BM25Retriever.from_documents(documents, tokens=tokens))
        self._before = chunk_before(documents)
        self._current_at: tuple | None = None  # the store's stamp when it was last found current
        self._unit_vectors: dict[str, np.ndarray] = {}
        self._plain_vectors: dict[str, np.ndarray] = {}
        self._by_key: dict[str, np.ndarray] = {}
        self._stored_vectors: dict[str, np.ndarray] = {}
        if len(documents) <= SENTENCE_LIMIT:
            self._read_unit_vectors(documents, previous)
            self._search_in_memory(documents)

    @property
    def vocabulary(self) -> frozenset[str]:
        """Every word of the corpus (lower-cased)."""
        return frozenset(self.word_counts)

    @classmethod
    def open(cls, settings: Settings, previous: "Index | None" = None) -> "Index":
        """Open the active build named by the index pointer; IndexMissing if there is none.
        Reads the chunks (from the build's catalog when it can) and the sentence vectors ingest
        stored; embeds nothing, but for a build written before sentence vectors were stored
        (those `previous`, the Index this one replaces, holds are kept)."""
        store = IndexStore(settings, create=False)
        with read_errors(settings):
            collection = store.require_active()
            documents = read_catalog(store, collection) or _read_chunks(store, collection)
        documents.sort(key=lambda d: (d.metadata["source"], d.metadata.get("order", 0)))
        return cls(settings, store, collection, documents, previous)

    def outdated(self) -> bool:
        """True when an ingest changed the active build since this Index read it: one small read
        of the build's metadata, skipped while the embedded index's files are untouched since the
        last read found it current."""
        stamp = self.store.stamp()  # before reading: a write after it shows next time
        if stamp is not None and stamp == self._current_at:
            return False
        with read_errors(self.settings):
            changed = self.store.revision() != self.revision
        self._current_at = None if changed else stamp
        return changed

    def stems_of(self, doc: Document) -> set[str]:
        """The stems of a chunk and its heading path (as BM25 indexes them)."""
        known = self._stems.get(doc.id)
        return known if known is not None else set(stems(embedding_text(doc)))

    def neighbours(self, doc: Document, radius: int = 3) -> list[Document]:
        """Chunks of the same section within `radius` positions: the context a hit belongs to."""
        position = doc.metadata.get("position", 0)
        siblings = self._sections.get((doc.metadata["source"], doc.metadata["section"]), [])
        return [other for other in siblings
                if abs(other.metadata.get("position", 0) - position) <= radius]

    def section_chunks(self, doc: Document) -> list[Document]:
        """Every chunk of `doc`'s section (its source and heading path), in reading order."""
        return self._sections.get((doc.metadata["source"], doc.metadata["section"]), [doc])

    def list_intro(self, doc: Document) -> str | None:
        """For a list, the line just before it that ends in ':' ("All three disciplines:")."""
        return list_intro(doc, self._before.get(doc.id))

    def section(self, heading_path: str) -> list[Document]:
        """Chunks whose heading path is or starts with `heading_path`, in reading order."""
        return list(self._under.get(heading_path, ()))

    def _read_unit_vectors(self, documents: list[Document], previous: "Index | None") -> None:
        """Every sentence vector of a small index (in context, and alone), read from the build's
        stored vectors (by the text embedded); those missing (an older build) are embedded in
        one batch, once."""
        with read_errors(self.settings):
            self._by_key = self.store.unit_vectors(self.store.units(self.collection))
        texts = {doc.id: unit_texts(doc, self._before.get(doc.id)) for doc in documents}
        alone = {doc.id: sentences(doc.page_content) for doc in documents}
        wanted = {text_key(t): t for groups in (texts, alone) for group in groups.values()
                  for t in group}
        missing = {key: t for key, t in wanted.items() if key not in self._by_key}
        if missing:
            known = previous._by_key if previous is not None else {}
            self._by_key.update({key: known[key] for key in missing if key in known})
            _embed_missing(self._by_key, [t for key, t in missing.items() if key not in known],
                           self.embeddings)
        self._unit_vectors = {doc_id: self._stacked(group) for doc_id, group in texts.items()}
        self._plain_vectors = {doc_id: self._stacked(group) for doc_id, group in alone.items()}

    def _stacked(self, texts: list[str]) -> np.ndarray:
        vectors = [self._by_key[text_key(text)] for text in texts]
        return np.stack(vectors) if vectors else np.zeros((0, DIMENSIONS), dtype=np.float32)

    def plain_vectors(self, doc: Document) -> np.ndarray | None:
        """The vectors of a chunk's sentences as they read alone, (units, 384), in the order of
        `sentences(doc.page_content)`; None in an index too large to store them."""
        return self._plain_vectors.get(doc.id)

    def _search_in_memory(self, documents: list[Document]) -> None:
        """Search a small index by meaning in memory, from the chunk vectors ingest stored beside
        it (a build written before it stored them is searched through Chroma)."""
        keys = [text_key(embedding_text(doc)) for doc in documents]
        if documents and all(key in self._by_key for key in keys):
            self.retriever.searched = documents
            self.retriever.vectors = np.stack([self._by_key[key] for key in keys])

    def sentence_similarities(self, docs: list[Document], query_vector: np.ndarray
                              ) -> dict[str, np.ndarray]:
        """Cosine of each sentence of each of `docs` to the query vector, by chunk id.

        A small index has every sentence's vector, stored by ingest. A large one gives each
        sentence its chunk's cosine (the stored vector): embedding sentences at question time
        cost ~45 ms per question at 100k chunks and did not answer the golden set better there
        (docs/scale.md).
        """
        chunk_vectors = self._chunk_vectors([d for d in docs if d.id not in self._unit_vectors])
        return {doc.id: (self._unit_vectors[doc.id] @ query_vector if doc.id in self._unit_vectors
                         else np.full(len(sentences(doc.page_content)),
                                      float(chunk_vectors[doc.id] @ query_vector)))
                for doc in docs}

    def _chunk_vectors(self, docs: list[Document]) -> dict[str, np.ndarray]:
        """The stored (normalized) vectors of `docs`: those not read before, in one call, kept
        (the scope check and the composer both ask for a question's pool)."""
        missing = [doc.id for doc in docs if doc.id not in self._stored_vectors]
        if missing:
            with read_errors(self.settings):
                got = self.collection.get(ids=missing, include=["embeddings"])
            self._stored_vectors.update(zip(got["ids"], np.asarray(got["embeddings"])))
        return {doc.id: self._stored_vectors[doc.id] for doc in docs}

    def query_vector(self, query: str) -> np.ndarray:
        return np.asarray(self.embeddings.embed_query(query))


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large index is read into memory: the
    millions of objects it makes (tokens, sets, claims) hold no cycles, and the collector's passes
    over them took about a fifth of `Assistant.load` at 100k chunks (13 -> 10 s, docs/scale.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _read_chunks(store: IndexStore, collection: Collection) -> list[Document]:
    """Every chunk of a build read one by one (a build without a usable catalog)."""
    got = store.read_all(collection, ["documents", "metadatas"])
    return [Document(id=i, page_content=text, metadata=meta)
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"])]


def _embed_missing(vectors: dict[str, np.ndarray], texts: list[str], embeddings: Embeddings
                   ) -> None:
    """Embed the sentence texts a build did not store (written by an older version), saying once
    per process that a re-ingest stores them."""
    global _told_missing
    if not texts:
        return
    if not _told_missing:
        log.warning("this index was built without sentence vectors, so opening it embeds %d "
                    "sentences; run `ops-assistant ingest` once to store them and open faster",
                    len(texts))
        _told_missing = True
    vectors.update(zip(map(text_key, texts), np.asarray(embeddings.embed_documents(texts),
                                                        dtype=np.float32)))


_told_missing = False
