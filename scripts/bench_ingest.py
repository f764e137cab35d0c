"""Ingest figures for the README: cold ingest and unchanged re-ingest of the corpus, measured as a
user meets them (a new `ops-assistant ingest` process, start to done), and the embedding throughput
of ingest's own embedding step, of ONNX Runtime on the exported model in the same batches, and of
plain `SentenceTransformer.encode` (PyTorch) on the same 5,000 synthetic chunks in the same
process, so that the ratios show what ingest's wrapping costs and which runtime large batches
should use.

Run: .venv/bin/python scripts/bench_ingest.py [--runs N] [--chunks N]
(about 15 minutes with the defaults on 2 idle CPUs: the 5,000 chunks are embedded 2 x N times).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic_corpus import synthetic_texts

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
CHECKOUT = Path(__file__).resolve().parent.parent
OPS_ASSISTANT = [str(Path(sys.executable).parent / "ops-assistant")]
PYTHON_M_INGEST = [sys.executable, "-m", "ingest"]


def timed_ingest(command: list[str], data_dir: Path) -> float:
    """Seconds for one `<command> ingest --quiet` process, from start to exit."""
    env = {**os.environ, "OPS_ASSISTANT_DATA_DIR": str(data_dir)}
    env.pop("OPS_ASSISTANT_CHROMA_URL", None)
    started = time.perf_counter()
    subprocess.run([*command, "ingest", "--quiet"], env=env, check=True, cwd=CHECKOUT)
    return time.perf_counter() - started


def ingest_times(runs: int) -> dict[str, list[float]]:
    """Seconds per run, each run in a fresh data folder: a cold ingest, then the unchanged
    re-ingest by `ops-assistant` and by `python -m ingest` (which imports no assistant or UI)."""
    times: dict[str, list[float]] = {"cold": [], "again": [], "again -m": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data_dir:
            times["cold"].append(timed_ingest(OPS_ASSISTANT, Path(data_dir)))
            times["again"].append(timed_ingest(OPS_ASSISTANT, Path(data_dir)))
            times["again -m"].append(timed_ingest(PYTHON_M_INGEST, Path(data_dir)))
    return times


def throughput(texts: list[str], runs: int) -> dict[str, list[float]]:
    """Chunks/s of ingest's embedding step (for this many texts: sentence-transformers past
    pipeline.TORCH_FROM), of the same texts through ONNX Runtime in ingest's batches, and of plain
    encode, alternating the order so that a busy machine slows all alike; ratios per run."""
    from ingest.embedding import load_onnx_embeddings
    from ingest.pipeline import embed_texts
    from ingest.settings import Settings

    settings = Settings()
    onnx = load_onnx_embeddings(settings.model_sha256, settings.onnx_dir)
    plain_model = plain_sentence_transformer(settings)
    steps = {
        "ingest": lambda some: embed_texts(some, settings, show_progress=False),
        "onnx": lambda some: onnx.encode_batched(some, settings.embed_batch_size),
        "plain": lambda some: plain_model.encode(some, batch_size=64, normalize_embeddings=True),
    }
    for name in ("ingest", "onnx"):  # also warms each up
        check_same_vectors(steps[name](texts[:256]), steps["plain"](texts[:256]))
    rates: dict[str, list[float]] = {"ingest": [], "onnx": [], "plain": [], "ratio": [],
                                     "onnx ratio": []}
    for run in range(runs):
        for name in sorted(steps, reverse=run % 2 == 1):
            started = time.perf_counter()
            steps[name](texts)
            rates[name].append(len(texts) / (time.perf_counter() - started))
        rates["ratio"].append(rates["ingest"][-1] / rates["plain"][-1])
        rates["onnx ratio"].append(rates["onnx"][-1] / rates["plain"][-1])
    return rates


def plain_sentence_transformer(settings):
    from sentence_transformers import SentenceTransformer

    from ingest.embedding import verify_model

    return SentenceTransformer(str(verify_model(settings.model_sha256)), device="cpu")


def check_same_vectors(ingest_vectors, plain_vectors) -> None:
    """The comparison is only fair if both compute the same (normalized) vectors."""
    import numpy as np

    gap = float(np.abs(np.asarray(ingest_vectors) - plain_vectors).max())
    assert gap < 1e-4, f"ingest and plain vectors differ by {gap}"


def print_table(runs: int, chunks: int, times: dict, rates: dict) -> None:
    median = statistics.median
    rows = [
        ("cold ingest of corpus/ (process start to done)", f"{median(times['cold']):.2f} s", ""),
        ("re-ingest, corpus unchanged (process start to done)", f"{median(times['again']):.2f} s",
         "<= 1.0 s"),
        ("  the same with `python -m ingest ingest`", f"{median(times['again -m']):.2f} s", ""),
        (f"embedding, ingest's step ({chunks} chunks)", f"{median(rates['ingest']):.0f} chunks/s", ""),
        ("embedding, ONNX Runtime in ingest's batches", f"{median(rates['onnx']):.0f} chunks/s", ""),
        ("embedding, plain SentenceTransformer.encode", f"{median(rates['plain']):.0f} chunks/s", ""),
        ("throughput ratio ingest / plain (median per run)", f"{median(rates['ratio']):.2f}", ">= 0.9"),
        ("throughput ratio ONNX / plain (median per run)", f"{median(rates['onnx ratio']):.2f}", ""),
    ]
    print(f"ingest benchmark: median of {runs} runs, {os.cpu_count()} CPUs")
    for label, value, target in rows:
        print(f"  {label:<52} {value:>14}  {target}")
    for name in ("ratio", "onnx ratio"):
        print(f"  {name} per run: " + " ".join(f"{ratio:.2f}" for ratio in rates[name]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; medians are printed")
    parser.add_argument("--chunks", type=int, default=5000, help="synthetic chunks to embed")
    parser.add_argument("--seed", type=int, default=20260)
    args = parser.parse_args()
    times = ingest_times(args.runs)
    rates = throughput(synthetic_texts(args.chunks, args.seed), args.runs)
    print_table(args.runs, args.chunks, times, rates)


if __name__ == "__main__":
    main()
