"""Deterministic synthetic corpora for the ingest and scale benchmarks.

Many small Markdown documents (a title, two `##` parts of five blocks each), built from a fixed
vocabulary by a seeded random generator, so the same seed and size always give the same files,
and each block is exactly one chunk for ingest. `change_documents` rewrites every block of a
share of the documents, the "1% of the corpus changed" case of the incremental re-ingest figures.

Run: .venv/bin/python scripts/synthetic_corpus.py OUT_DIR --chunks 10000 [--seed N] [--change 0.01]
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

WORDS = (
    "pipeline model data deploy monitor drift version artifact container cluster schema feature "
    "training release rollback canary alert latency throughput dashboard lineage freshness test "
    "registry experiment notebook inference batch stream warehouse lake governance audit cost team "
    "engineer platform service incident runbook budget quality metric signal baseline retrain "
    "the a of to and in for with on when every after before each new old its their because"
).split()
PARTS, BLOCKS_PER_PART = 2, 5
CHUNKS_PER_DOCUMENT = PARTS * BLOCKS_PER_PART


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + "."


def block(rng: random.Random) -> str:
    """A paragraph of 1-4 sentences or a 2-4 item list, always under ingest's 600-char chunk limit."""
    if rng.random() < 0.2:
        return "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 4)))
    return " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))


def document(number: int, blocks: int, rng: random.Random) -> str:
    """One guide: front matter, a `#` title, and `blocks` blocks under `##` parts of five."""
    parts = [f"---\ntitle: Synthetic guide {number}\n---", f"# Guide {number}: {sentence(rng)[:-1]}"]
    for index in range(blocks):
        if index % BLOCKS_PER_PART == 0:
            parts.append(f"## Part {index // BLOCKS_PER_PART + 1}: {sentence(rng)[:-1]}")
        parts.append(block(rng))
    return "\n\n".join(parts) + "\n"


def document_path(folder: Path, number: int) -> Path:
    # Subfolders of 1,000 files keep directory listings short at 100k chunks.
    return folder / f"part-{number // 1000:03d}" / f"guide-{number:06d}.md"


def write_corpus(folder: Path, chunks: int, seed: int) -> int:
    """Write documents holding exactly `chunks` chunks into `folder`; returns how many documents."""
    rng = random.Random(seed)
    documents = -(-chunks // CHUNKS_PER_DOCUMENT)
    for number in range(documents):
        blocks = min(CHUNKS_PER_DOCUMENT, chunks - number * CHUNKS_PER_DOCUMENT)
        path = document_path(folder, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(document(number, blocks, rng), encoding="utf-8")
    return documents


def change_documents(folder: Path, share: float, seed: int) -> dict[Path, int]:
    """Rewrite every block of `share` of the documents (at least one), picked by `seed`; returns
    the changed files and their block counts. Headings change too, so every chunk gets a new id."""
    paths = sorted(folder.rglob("guide-*.md"))
    rng = random.Random(f"change-{seed}")
    changed = {}
    for path in sorted(rng.sample(paths, max(1, round(share * len(paths))))):
        parts = path.read_text(encoding="utf-8").split("\n\n")[2:]  # after front matter and title
        changed[path] = sum(1 for part in parts if not part.startswith("## "))
        path.write_text(document(int(path.stem.removeprefix("guide-")), changed[path], rng),
                        encoding="utf-8")
    return changed


def synthetic_texts(chunks: int, seed: int) -> list[str]:
    """The texts ingest would embed for a synthetic corpus, chunked by ingest's own code."""
    from ingest.chunking import embedding_text
    from ingest.loaders import load_files
    from ingest.pipeline import chunk_files
    from ingest.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        write_corpus(Path(folder), chunks, seed)
        files, problems = load_files([Path(folder)], Settings().max_file_bytes)
        documents, _, bad, _ = chunk_files(files, Settings())
    assert not problems and not bad and len(documents) == chunks, (problems, bad, len(documents))
    return [embedding_text(document) for document in documents]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--change", type=float, default=0.0,
                        help="instead of writing, rewrite this share of the folder's documents")
    args = parser.parse_args()
    if args.change:
        changed = change_documents(args.folder, args.change, args.seed)
        print(f"rewrote {len(changed)} documents ({sum(changed.values())} chunks) in {args.folder}")
    else:
        documents = write_corpus(args.folder, args.chunks, args.seed)
        print(f"wrote {documents} documents ({args.chunks} chunks) to {args.folder}")


if __name__ == "__main__":
    main()
