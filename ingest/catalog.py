"""A build's catalog: every chunk's text and metadata, one record per source file, beside the build.

Opening an index reads every chunk. Chroma materialises a record in about 60 us, 7 s for the
chunks of a 100k-chunk build, most of `Assistant.load` there; one record per file (ten chunks
apiece in scripts/synthetic_corpus.py) reads in a fraction of that. The build stays the source of
truth: a reader uses the catalog only while no in-place update is under way and when it holds as
many chunks as the build, and reads the build itself otherwise.
"""

from __future__ import annotations

import json
from collections import defaultdict

from chromadb.api.models.Collection import Collection
from chromadb.errors import NotFoundError
from langchain_core.documents import Document

from ingest.store import IndexStore
from ingest.units import text_key

CATALOG = "-catalog"  # suffix of the collection beside each build that holds its catalog


def catalog_of(store: IndexStore, build: Collection, create: bool = False) -> Collection | None:
    """`build`'s catalog collection, or None when it has none (written by an older version)."""
    name = build.name + CATALOG
    if create:
        return store.client.get_or_create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
    try:
        return store.client.get_collection(name, embedding_function=None)
    except NotFoundError:
        return None


def by_source(chunks: list[Document]) -> dict[str, list[Document]]:
    """Chunks grouped by their source file, in reading order."""
    files: dict[str, list[Document]] = defaultdict(list)
    for chunk in sorted(chunks, key=lambda c: c.metadata.get("order", 0)):
        files[chunk.metadata["source"]].append(chunk)
    return files


def write_files(store: IndexStore, catalog: Collection, files: dict[str, list[Document]],
                first_vectors: dict[str, list[float]]) -> None:
    """(Re)write the records of `files`. Chroma wants a vector for each record: a file's is its
    first chunk's (`first_vectors`, by chunk id); nothing searches them."""
    sources = sorted(files)
    for part in store.batches(len(sources)):
        chunk_lists = [files[source] for source in sources[part]]
        catalog.upsert(
            ids=[text_key(source) for source in sources[part]],
            embeddings=[first_vectors[chunks[0].id] for chunks in chunk_lists],
            documents=[json.dumps([[c.id, c.page_content, c.metadata] for c in chunks])
                       for chunks in chunk_lists],
            metadatas=[{"source": source} for source in sources[part]])


def delete_files(store: IndexStore, catalog: Collection, sources: list[str]) -> None:
    store.delete(catalog, [text_key(source) for source in sources])


def read_catalog(store: IndexStore, build: Collection) -> list[Document] | None:
    """Every chunk of `build` from its catalog, or None when the catalog cannot be trusted
    (missing, an in-place update under way or interrupted, or not as many chunks as the build)."""
    catalog = catalog_of(store, build)
    if catalog is None or "updating" in (build.metadata or {}):
        return None
    got = store.read_all(catalog, ["documents"])
    documents = [Document(id=chunk_id, page_content=text, metadata=metadata)
                 for record in got["documents"] for chunk_id, text, metadata in json.loads(record)]
    return documents if len(documents) == build.count() else None
