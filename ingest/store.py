"""The Chroma side of the index: connect, read the active build, add a new build, switch to it.

Each ingest writes a fresh, versioned collection and only then points the `<base>-active`
collection's metadata at it, so readers always see one complete build.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError, NotFoundError

from ingest.errors import BuildGone, IndexDamaged, IndexMissing, StoreUnavailable
from ingest.settings import Settings

UNITS = "-units"  # suffix of the collection beside each build that holds its sentence vectors
BESIDE = ("-units", "-catalog")  # every collection kept beside a build (ingest/catalog.py)


def connect(settings: Settings, create: bool = True) -> ClientAPI:
    """An embedded client on data_dir, or an HTTP client when chroma_url is set; no telemetry.
    `create=False` (a reader): IndexMissing when the embedded folder holds no index, which is
    then left as it was (a mistyped path gets no folder)."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if not settings.chroma_url:
        return _open_folder(settings, chroma_settings, create)
    url = urlparse(settings.chroma_url)
    try:
        client = chromadb.HttpClient(
            host=url.hostname, port=url.port or (443 if url.scheme == "https" else 80),
            ssl=url.scheme == "https", settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as error:  # chromadb raises ValueError, httpx errors, ... for one cause
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {settings.chroma_url} ({error})"
        ) from None
    return client


def _open_folder(settings: Settings, chroma_settings: ChromaSettings, create: bool) -> ClientAPI:
    """The embedded client; a folder Chroma cannot read is IndexDamaged, with the fix."""
    folder = str(settings.chroma_dir)
    if not create and not (settings.chroma_dir / "chroma.sqlite3").is_file():
        raise no_index(settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=folder, settings=chroma_settings)
    except ChromaError as error:
        # Chroma caches the half-started client per folder: without this, every later attempt
        # in this process (the UI's "Try again") would fail even after the folder is rebuilt.
        SharedSystemClient._identifier_to_system.pop(folder, None)
        raise IndexDamaged(f"cannot read the index at {folder} ({error}); delete that folder "
                           "and run `ops-assistant ingest`") from None


def no_index(settings: Settings) -> IndexMissing:
    return IndexMissing(f"no index at {settings.index_location}; run `ops-assistant ingest` first")


@contextmanager
def read_errors(settings: Settings) -> Iterator[None]:
    """Chroma's failures while reading a build, as errors a reader can act on.

    A build deleted under an open reader (another process re-ingested) is BuildGone: re-open the
    active build. A server that stopped answering is StoreUnavailable; the same client works
    again once the server is back.
    """
    try:
        yield
    except NotFoundError:
        raise BuildGone("the index was replaced by a newer ingest while answering; "
                        "ask again") from None
    except httpx.TransportError as error:
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {settings.chroma_url} ({error})"
        ) from None


def revision_of(build: Collection) -> tuple[str, str]:
    """A build's name and manifest text, which every ingest that changes it changes."""
    return build.name, (build.metadata or {}).get("manifest", "")


class IndexStore:
    """The builds of one index (collections named `<base>-<id>`) and the pointer to the active one."""

    def __init__(self, settings: Settings, client: ClientAPI | None = None, create: bool = True):
        """`create=False` for a reader: see `connect`."""
        self.settings = settings
        self.client = client or connect(settings, create)
        self.base = settings.collection
        self.pointer_name = f"{self.base}-active"
        self.build_name = re.compile(re.escape(self.base) + r"-[0-9a-f]{12}")
        beside = "|".join(map(re.escape, BESIDE))
        self.any_build_name = re.compile(f"({self.build_name.pattern})(?:{beside})?")

    def _pointer(self) -> Collection:
        return self.client.get_or_create_collection(self.pointer_name, embedding_function=None)

    def active(self) -> Collection | None:
        """The collection readers should use, or None when no build was switched in yet."""
        try:
            name = (self.client.get_collection(self.pointer_name, embedding_function=None)
                    .metadata or {}).get("collection")
            return self.client.get_collection(name, embedding_function=None) if name else None
        except NotFoundError:
            return None

    def require_active(self) -> Collection:
        collection = self.active()
        if collection is None:
            raise no_index(self.settings)
        return collection

    def manifest(self) -> dict | None:
        """What the active build records about itself (corpus hash, model hash, files, ...)."""
        collection = self.active()
        if collection is None:
            return None
        return json.loads((collection.metadata or {}).get("manifest", "{}"))

    def stamp(self) -> tuple | None:
        """A cheap sign of any write to the embedded index (its database file's time and size),
        to skip asking Chroma when nothing changed; None for a server, which must be asked."""
        if self.settings.chroma_url:
            return None
        try:
            found = (self.settings.chroma_dir / "chroma.sqlite3").stat()
        except OSError:
            return ("unreadable",)
        return found.st_mtime_ns, found.st_size

    def revision(self) -> tuple[str, str] | None:
        """The active build's name and manifest text: changes with every ingest that changed it,
        in place or by switching, so an open reader can tell it must re-open."""
        collection = self.active()
        return None if collection is None else revision_of(collection)

    def interrupted(self) -> bool:
        """True when an in-place update of the active build began and did not finish."""
        collection = self.active()
        return collection is not None and "updating" in (collection.metadata or {})

    def create_build(self, manifest: dict) -> Collection:
        name = f"{self.base}-{uuid.uuid4().hex[:12]}"
        return self.client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None,
            metadata={"manifest": json.dumps(manifest)},
        )

    def batches(self, count: int) -> list[slice]:
        """Slices of at most Chroma's largest batch, covering `count` records."""
        step = self.client.get_max_batch_size()
        return [slice(start, start + step) for start in range(0, count, step)]

    def add(self, build: Collection, ids, vectors, documents, metadatas=None) -> None:
        for part in self.batches(len(ids)):
            build.add(ids=ids[part], embeddings=vectors[part], documents=documents[part],
                      metadatas=metadatas[part] if metadatas is not None else None)

    def read_all(self, build: Collection, include: list[str], page: int | None = None) -> dict:
        """Every record of `build` (ids and the `include` fields), read a page at a time: one
        `get` of a large collection fails in Chroma's SQLite ("too many SQL variables")."""
        page = page or self.client.get_max_batch_size()
        records: dict[str, list] = {"ids": [], **{field: [] for field in include}}
        while True:
            got = build.get(include=include, limit=page, offset=len(records["ids"]))
            for field, values in records.items():
                values.extend(got[field])
            if len(got["ids"]) < page:
                return records

    def mark_updating(self, build: Collection, manifest: dict) -> None:
        """Record on the active build that an in-place update towards `manifest` has begun."""
        metadata = dict(build.metadata or {})
        build.modify(metadata={**metadata, "updating": manifest["corpus_hash"]})

    def set_manifest(self, build: Collection, manifest: dict) -> None:
        """The in-place update is complete: `manifest` describes the build from now on."""
        build.modify(metadata={"manifest": json.dumps(manifest)})

    def update_metadata(self, build: Collection, ids: list[str], metadatas: list[dict]) -> None:
        for part in self.batches(len(ids)):
            build.update(ids=ids[part], metadatas=metadatas[part])

    def delete(self, build: Collection, ids: list[str]) -> None:
        for part in self.batches(len(ids)):
            build.delete(ids=ids[part])

    def switch(self, build: Collection) -> None:
        """Make `build` the active index, then drop every other build of this base name."""
        self._pointer().modify(metadata={"collection": build.name})
        self.drop_builds(keep=build.name)

    def drop_builds(self, keep: str | None) -> None:
        """Delete every build (and its sentence vectors) but `keep`."""
        for collection in self.client.list_collections():
            match = self.any_build_name.fullmatch(collection.name)
            if match and match.group(1) != keep:
                self.client.delete_collection(collection.name)

    def drop(self, build: Collection) -> None:
        """Delete a build that was never switched in, and its sentence vectors."""
        for name in (build.name, *(build.name + suffix for suffix in BESIDE)):
            try:
                self.client.delete_collection(name)
            except NotFoundError:
                pass

    def units(self, build: Collection, create: bool = False) -> Collection | None:
        """The collection of `build`'s sentence vectors (ids: ingest.units.text_key of the text
        embedded), or None when the build has none (written by an older version, or too large)."""
        name = build.name + UNITS
        if create:
            return self.client.get_or_create_collection(
                name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None)
        try:
            return self.client.get_collection(name, embedding_function=None)
        except NotFoundError:
            return None

    def vectors(self, build: Collection, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those of `ids` that `build` holds, by id."""
        found: dict[str, np.ndarray] = {}
        for part in self.batches(len(ids)):
            got = build.get(ids=ids[part], include=["embeddings"])
            found.update(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
        return found

    def add_units(self, units: Collection, keys: list[str], vectors, texts: list[str]) -> None:
        """Store sentence vectors, each also in its metadata, where `unit_vectors` reads it."""
        metadatas = [{"vector": base64.b64encode(np.asarray(v, dtype="<f4").tobytes()).decode()}
                     for v in vectors]
        self.add(units, keys, vectors, texts, metadatas)

    def unit_vectors(self, units: Collection | None, keys: list[str] | None = None
                     ) -> dict[str, np.ndarray]:
        """Sentence vectors by key: of `keys`, or all; {} for no collection. Read from metadata,
        not embeddings: an embedded reader's already loaded vector index does not see another
        process's in-place writes ("Error finding id"), its metadata reads do."""
        if units is None:
            return {}
        if keys is None:
            got = self.read_all(units, ["metadatas"])
        else:
            got = {"ids": [], "metadatas": []}
            for part in self.batches(len(keys)):
                page = units.get(ids=keys[part], include=["metadatas"])
                got["ids"] += page["ids"]
                got["metadatas"] += page["metadatas"]
        return {key: np.frombuffer(base64.b64decode(meta["vector"]), dtype="<f4")
                for key, meta in zip(got["ids"], got["metadatas"])}
