"""The ingest run: files -> checked chunks -> embeddings (only what changed) -> a switched-in build."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np
from langchain_core.documents import Document
from tqdm import tqdm

from ingest.catalog import by_source, catalog_of, delete_files, write_files
from ingest.checks import check_build, check_vectors, drop_repeats, heading_notes, unusable
from ingest.chunking import Chunker, embedding_text
from ingest.duplicates import merge_duplicates
from ingest.embedding import DIMENSIONS, load_embeddings, load_onnx_embeddings
from ingest.errors import NothingToIngest
from ingest.loaders import Problem, SourceFile, load_files
from ingest.manifest import build_manifest, same_build, unchanged_build
from ingest.markdown import parse_sections
from ingest.receipt import clear_receipt, write_receipt
from ingest.report import FileReport, IngestReport, report_of, unchanged_report_of
from ingest.settings import Settings
from ingest.store import IndexStore
from ingest.units import sentence_count, wanted_units

# A change of at most this share of the active build's chunks is written into it in place; a
# larger one is built beside it and switched in, so readers never see a half-changed corpus.
IN_PLACE_SHARE = 0.1
TORCH_FROM = 1000  # texts; a larger embedding step runs on sentence-transformers (embed_texts)


def chunk_files(files: list[SourceFile], settings: Settings):
    """The chunks of every file with text, the same text in two files once (ingest/duplicates.py);
    the files kept, a Problem per file left out, and the per-file report of those kept."""
    chunker, chunks, kept, problems, notes = Chunker(settings.max_chunk_chars), [], [], [], {}
    for file in files:
        sections = parse_sections(file.markdown)  # once, for the chunks and the notes
        file_chunks = chunker.chunk(file, sections)
        reason = unusable(file_chunks)
        if reason:
            problems.append(Problem(str(file.path), reason))
            continue
        file_chunks, repeats = drop_repeats(file_chunks)
        notes[file.source] = heading_notes(sections) + repeats
        chunks.extend(file_chunks)
        kept.append(file)
    chunks, merged = merge_duplicates(chunks)
    counts = Counter(chunk.metadata["source"] for chunk in chunks)
    per_file = [FileReport(source=file.source, chunks=counts[file.source], encoding=file.encoding,
                           notes=notes[file.source] + ([merged[file.source]]
                                                       if file.source in merged else []))
                for file in kept]
    return chunks, kept, problems, per_file


def _section(metadata: dict) -> tuple:
    return metadata["source"], metadata["section"]


def classify(chunks: list[Document], old: dict[str, dict]) -> dict[str, int]:
    """Counts of added / updated / removed / unchanged chunks against the old build's metadata.

    A new chunk in a section that also lost one counts as that chunk updated. Pairing by section,
    not by position, keeps an inserted or deleted paragraph from shifting its neighbours'
    positions into "updated", so that old count + added - removed is always the new count.
    """
    new_ids = {chunk.id for chunk in chunks}
    fresh = Counter(_section(chunk.metadata) for chunk in chunks if chunk.id not in old)
    gone = Counter(_section(meta) for chunk_id, meta in old.items() if chunk_id not in new_ids)
    updated = (fresh & gone).total()
    return {
        "added": fresh.total() - updated,
        "updated": updated,
        "removed": gone.total() - updated,
        "unchanged": len(chunks) - fresh.total(),
    }


def embed_texts(texts: list[str], settings: Settings, show_progress: bool) -> np.ndarray:
    """Vectors for `texts`, in their order, as a (len(texts), 384) array.

    Up to TORCH_FROM texts through ONNX Runtime (no PyTorch import); more through
    sentence-transformers, whose batches run ~1.2x faster per CPU second here, which pays for
    loading PyTorch (~4 s) from about a thousand texts (scripts/bench_ingest.py). Both give the
    same vectors (tests/test_embedding.py). Batches are cut from the texts sorted by length, as
    one `SentenceTransformer.encode` call does: cut in corpus order, each batch is padded to its
    longest text, which made the model run on 15% more tokens on the 5,000 chunks of
    scripts/bench_ingest.py.
    """
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    if not texts:
        return vectors
    embeddings = (load_embeddings(settings.model_sha256) if len(texts) > TORCH_FROM
                  else load_onnx_embeddings(settings.model_sha256, settings.onnx_dir))
    by_length = sorted(range(len(texts)), key=lambda index: -len(texts[index]))
    step = settings.embed_batch_size
    for start in tqdm(range(0, len(texts), step), desc="embedding", unit="batch",
                      disable=not show_progress or len(texts) <= step):
        batch = by_length[start:start + step]
        vectors[batch] = embeddings.embed_documents([texts[i] for i in batch])
    return vectors


def run_ingest(paths: list[Path], settings: Settings, show_progress: bool = True) -> IngestReport:
    """Ingest `paths` into the index, embedding only new or changed chunks.

    A small change is applied to the active build in place (its cost grows with the change, not
    with the index); a larger one becomes a new build that is switched in only once it passes its
    checks. Either way, vectors are checked before anything is written.
    """
    started = time.perf_counter()
    files, problems = load_files(paths, settings.max_file_bytes)
    store = IndexStore(settings)
    clear_receipt(settings)
    before = set((store.manifest() or {}).get("files", {}))
    report = _ingest(store, paths, files, problems, settings, show_progress, started)
    active = store.active()
    write_receipt(settings, active.name, store.manifest())
    return report.model_copy(update={"dropped": sorted(before - set(report.files))})


def _ingest(store, paths, files, problems, settings, show_progress, started) -> IngestReport:
    unchanged = unchanged_build(store, paths, files, settings)
    if unchanged is not None:
        store.drop_builds(keep=store.active().name)  # builds left behind by an interrupted run
        return unchanged_report_of(settings, unchanged, problems, started)
    chunks, files, per_file, problems = _chunked(files, problems, settings, paths)
    active, old = _reusable_build(store, settings)
    counts = classify(chunks, old)
    manifest = build_manifest(paths, files, len(chunks), settings,
                              [file.model_dump() for file in per_file])
    work = (0.0, 0)
    if not store.interrupted() and same_build(store.manifest(), manifest, counts, len(old)):
        store.drop_builds(keep=active.name)  # builds left behind by an interrupted run
    elif _small_change(counts, len(old)):
        work = _update_in_place(store, active, old, chunks, manifest, settings, show_progress)
    else:
        work = _build_and_switch(store, active, chunks, manifest, settings, show_progress)
    counts |= {"chunks": len(chunks), "embedded": counts["added"] + counts["updated"],
               "sentences_embedded": work[1], "embedding_seconds": round(work[0], 3)}
    return report_of(settings, per_file, problems, counts, started)


def _chunked(files, problems, settings, paths):
    """`chunk_files`, failing with NothingToIngest (every reason given) when no file is left."""
    chunks, files, bad_files, per_file = chunk_files(files, settings)
    problems = problems + bad_files
    if not files:
        where = ", ".join(str(path) for path in paths)
        reasons = "; ".join(map(str, problems)) or f"no files found in {where}"
        raise NothingToIngest(f"nothing to ingest: {reasons}")
    return chunks, files, per_file, problems


def _reusable_build(store: IndexStore, settings: Settings):
    """The active build and its chunks' metadata, or (None, {}) when its vectors cannot be reused.

    Vectors from another embedding model (an upgraded package) are not comparable with new ones,
    so such a build is rebuilt from scratch, as `status` tells the user to do.
    """
    active = store.active()
    if active is None or (store.manifest() or {}).get("model_sha256") != settings.model_sha256:
        return None, {}
    got = store.read_all(active, ["metadatas"])
    return active, dict(zip(got["ids"], got["metadatas"]))


def _embed_checked(chunks: list[Document], units: dict[str, str], settings: Settings,
                   show_progress: bool):
    """The chunks' and the sentence texts' vectors (one embedding pass, one progress bar),
    checked before anything is written, and the seconds spent embedding."""
    started = time.perf_counter()
    texts = [embedding_text(c) for c in chunks] + list(units.values())
    unique = list(dict.fromkeys(texts))  # a chunk's text is also a unit of the build
    by_text = dict(zip(unique, embed_texts(unique, settings, show_progress)))
    vectors = [by_text[text] for text in texts]
    seconds = time.perf_counter() - started
    check_vectors([c.id for c in chunks] + list(units), vectors)
    return vectors[:len(chunks)], vectors[len(chunks):], seconds


def _small_change(counts: dict, old_count: int) -> bool:
    """True when the chunks to write and delete are at most IN_PLACE_SHARE of the active build."""
    changed = counts["added"] + 2 * counts["updated"] + counts["removed"]
    return old_count > 0 and changed <= IN_PLACE_SHARE * old_count


def _update_in_place(store, build, old, chunks, manifest, settings, show_progress):
    """Embed and write only the new chunks and sentence texts, delete the gone ones, refresh moved
    chunks' metadata, and write the manifest last; returns the seconds spent embedding and the
    number of sentence texts embedded.

    Vectors are checked before anything is written. An interrupted run leaves a build that still
    answers (each chunk is from the old or the new corpus), which `status` reports as interrupted
    and the next run completes, since it compares the chunks actually stored.
    """
    fresh = [chunk for chunk in chunks if chunk.id not in old]
    units = store.units(build)
    stored = set(store.read_all(units, [])["ids"]) if units else set()
    wanted = wanted_units(chunks)
    new_units = {key: text for key, text in wanted.items() if key not in stored}
    vectors, unit_vectors, seconds = _embed_checked(fresh, new_units, settings, show_progress)
    ids = [chunk.id for chunk in chunks]
    check_build(ids, len(ids))
    moved = [c for c in chunks if c.id in old and old[c.id] != c.metadata]
    store.mark_updating(build, manifest)
    store.add(build, [c.id for c in fresh], vectors, [c.page_content for c in fresh],
              [c.metadata for c in fresh])
    if new_units:
        store.add_units(store.units(build, create=True), list(new_units), unit_vectors,
                        list(new_units.values()))
    store.update_metadata(build, [c.id for c in moved], [c.metadata for c in moved])
    store.delete(build, sorted(set(old) - set(ids)))
    if units is not None:
        store.delete(units, sorted(stored - set(wanted)))
    fresh_vectors = dict(zip((c.id for c in fresh), vectors))
    _update_catalog(store, build, old, chunks, fresh + moved, fresh_vectors)
    check_build(ids, build.count())
    store.set_manifest(build, manifest)
    return seconds, sentence_count(new_units, chunks)


def _update_catalog(store, build, old, chunks, changed, fresh_vectors) -> None:
    """Rewrite the catalog records of the files with a new, moved or removed chunk (of every
    file when the build has no catalog yet), and delete those of files that are gone."""
    catalog = catalog_of(store, build)
    files = by_source(chunks)
    removed = {old[i]["source"] for i in set(old) - {c.id for c in chunks}}
    rewrite = set(files) if catalog is None else {c.metadata["source"] for c in changed} | removed
    rewrite &= set(files)
    firsts = [files[source][0].id for source in sorted(rewrite)]
    vectors = {i: fresh_vectors[i] for i in firsts if i in fresh_vectors}
    vectors |= store.vectors(build, [i for i in firsts if i not in vectors])
    catalog = catalog or catalog_of(store, build, create=True)
    write_files(store, catalog, {source: files[source] for source in rewrite}, vectors)
    delete_files(store, catalog, sorted(removed - set(files)))


def _build_and_switch(store, active, chunks, manifest, settings, show_progress):
    """Write a new build (reusing the vectors of unchanged chunks and sentence texts) and switch
    to it; returns the seconds spent embedding (the share of ingest the scale benchmark reports)
    and the number of sentence texts embedded."""
    reused, reused_units, wanted = {}, {}, wanted_units(chunks)
    if active is not None:
        reused = store.vectors(active, [chunk.id for chunk in chunks])
        reused_units = store.unit_vectors(store.units(active), list(wanted))
    fresh = [chunk for chunk in chunks if chunk.id not in reused]
    new_units = {key: text for key, text in wanted.items() if key not in reused_units}
    fresh_vectors, unit_vectors, seconds = _embed_checked(fresh, new_units, settings,
                                                          show_progress)
    vectors = dict(zip((c.id for c in fresh), fresh_vectors)) | reused
    units = dict(zip(new_units, unit_vectors)) | reused_units
    ids = [chunk.id for chunk in chunks]
    check_build(ids, len(ids))
    build = store.create_build(manifest)
    try:
        store.add(build, ids, [vectors[i] for i in ids], [c.page_content for c in chunks],
                  [c.metadata for c in chunks])
        if wanted:
            store.add_units(store.units(build, create=True), list(wanted),
                            [units[key] for key in wanted], list(wanted.values()))
        write_files(store, catalog_of(store, build, create=True), by_source(chunks), vectors)
        check_build(ids, build.count())
    except BaseException:
        store.drop(build)
        raise
    store.switch(build)
    return seconds, sentence_count(new_units, chunks)
