"""Scale figures for docs/scale.md: the article plus N synthetic chunks, in the embedded store and
in a `chroma run` server.

For each size and store: a full ingest (`ops-assistant ingest` in a new process: chunks/s, the
embedding share, peak memory), the index size on disk, retrieval and whole-`ask` latency in a new
process over the golden questions (query cache cleared before each, so every question pays for its
embedding), how well those answers hold the golden key facts and abstain, that process's peak memory, and an incremental re-ingest after rewriting 1% of the
documents (its time against the full ingest, and that only their chunks were embedded).

Results are kept in WORK/results.json, one entry per size and store, so the long 100k runs can be
made one at a time; the table is printed from all entries there.

Run: .venv/bin/python scripts/bench_scale.py --sizes 1000 10000 --stores embedded server
     .venv/bin/python scripts/bench_scale.py --report       (print the table of the kept results)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from chroma_server import free_port, start_chroma_server
from synthetic_corpus import change_documents, write_corpus

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
CHECKOUT = Path(__file__).resolve().parent.parent
OPS_ASSISTANT = str(Path(sys.executable).parent / "ops-assistant")
SEED = 20260


def run_child(command: list[str], env: dict) -> tuple[dict, float, float]:
    """Run a command that prints one JSON object last; returns it, its wall seconds and its peak
    memory in MiB (from wait4, so only that process's own)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=CHECKOUT, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return json.loads(output.strip().splitlines()[-1]), seconds, usage.ru_maxrss / 1024


def folder_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def make_corpus(work: Path, size: int) -> Path:
    """The article plus `size` synthetic chunks, written afresh (the change step edits it)."""
    corpus = work / f"corpus-{size}"
    shutil.rmtree(corpus, ignore_errors=True)
    write_corpus(corpus / "synthetic", size, SEED)
    shutil.copytree(CHECKOUT / "corpus", corpus / "article")
    return corpus


def store_env(work: Path, size: int, store: str, fresh: bool):
    """Environment for the index of this size in this store (emptied first when `fresh`); its
    folder; the server, if any."""
    folder = work / f"{store}-{size}"
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    env = {**os.environ, "OPS_ASSISTANT_DATA_DIR": str(folder)}
    if store == "embedded":
        env.pop("OPS_ASSISTANT_CHROMA_URL", None)
        return env, folder, None
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    server = start_chroma_server(folder, port)
    return {**env, "OPS_ASSISTANT_CHROMA_URL": f"http://127.0.0.1:{port}"}, folder, server


def server_peak_mib(server: subprocess.Popen | None) -> float | None:
    if server is None:
        return None
    for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def measure(work: Path, size: int, store: str, questions: int | None, row: dict | None,
            save, change_seed: int = SEED) -> dict:
    """Every figure for one size and store (see the module docstring). With `row` (the kept
    figures of an earlier full ingest), its corpus and index are reused, not built again."""
    env, folder, server = store_env(work, size, store, fresh=row is None)
    corpus = work / f"corpus-{size}"
    ingest = [OPS_ASSISTANT, "ingest", "--json", str(corpus)]
    try:
        if row is None:
            make_corpus(work, size)
            row = ingest_figures(size, store, *run_child(ingest, env), folder)
            save(row)
        queries, _, query_mib = run_child(
            [sys.executable, __file__, "--query", str(questions or 0)], env)
        changed = change_documents(corpus / "synthetic", 0.01, change_seed)
        again, again_s, _ = run_child(ingest, env)
        server_mib = server_peak_mib(server)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return {**row, **queries, "query_peak_mib": round(query_mib),
            "server_peak_mib": round(server_mib) if server_mib else None,
            "changed_documents": len(changed), "changed_chunks": sum(changed.values()),
            "reingest_s": round(again_s, 1), "reingest_embedded": again["embedded"],
            "reingest_share": round(again_s / row["ingest_s"], 3) if "ingest_s" in row else None}


def ingest_figures(size: int, store: str, report: dict, seconds: float, mib: float,
                   folder: Path) -> dict:
    return {"size": size, "store": store, "chunks": report["chunks"],
            "ingest_s": round(seconds, 1), "ingest_report_s": report["seconds"],
            "chunks_per_s": round(report["chunks"] / report["seconds"], 1),
            "embedding_share": round(report["embedding_seconds"] / report["seconds"], 3),
            "ingest_peak_mib": round(mib), "disk_mib": round(folder_mib(folder), 1)}


def query_figures(questions: int | None) -> dict:
    """In this (new) process: open the index, time retrieval and `ask` per golden question, then
    score the answers with `ops-assistant eval`'s own scoring (answers of a large index do not
    depend on the questions asked before them, so a second pass gives the timed answers)."""
    from assistant import Assistant
    from assistant.bench import percentile
    from assistant.evaluation import evaluate, load_golden

    started = time.perf_counter()
    assistant = Assistant.load()
    open_s = time.perf_counter() - started
    golden = load_golden()[:questions]
    assistant.ask("What is DevOps?", session="warm-up")
    retrieval, ask = [], []
    for number, item in enumerate(golden):
        assistant.index.embeddings.clear_cache()
        started = time.perf_counter()
        assistant.index.retriever.invoke(item.question)
        retrieval.append((time.perf_counter() - started) * 1000)
        assistant.index.embeddings.clear_cache()
        started = time.perf_counter()
        assistant.ask(item.question, session=f"scale-{number}")
        ask.append((time.perf_counter() - started) * 1000)
    scores = evaluate(assistant, golden, baseline=False)
    return {"open_s": round(open_s, 1), "questions": len(golden),
            "retrieval_p50_ms": round(statistics.median(retrieval), 1),
            "retrieval_p95_ms": round(percentile(retrieval, 0.95), 1),
            "ask_p50_ms": round(statistics.median(ask), 1),
            "ask_p95_ms": round(percentile(ask, 0.95), 1),
            "key_fact_hit": round(scores.key_fact_hit, 3),
            "abstention_accuracy": round(scores.abstention_accuracy, 3),
            "rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


COLUMNS = [("chunks", "chunks", ""), ("store", "store", ""),
           ("chunks_per_s", "ingest chunks/s", ""), ("embedding_share", "embedding share", ""),
           ("ingest_s", "full ingest s", ""), ("ingest_peak_mib", "ingest MiB", ""),
           ("disk_mib", "disk MiB", ""), ("open_s", "open s", ""),
           ("retrieval_p50_ms", "retrieval p50 ms", ""), ("retrieval_p95_ms", "p95", ""),
           ("ask_p50_ms", "ask p50 ms", ""), ("ask_p95_ms", "ask p95 ms", "<= 150 (100k, embedded)"),
           ("key_fact_hit", "key facts", ""), ("abstention_accuracy", "abstention", ""),
           ("query_peak_mib", "ask process MiB", ""), ("server_peak_mib", "server MiB", ""),
           ("reingest_s", "1% re-ingest s", ""), ("reingest_share", "of full", "<= 0.05"),
           ("reingest_embedded", "embedded / changed", "")]


def print_table(results: list[dict]) -> None:
    """A Markdown table, one row per size and store, ready for docs/scale.md."""
    print("| " + " | ".join(label for _, label, _ in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in sorted(results, key=lambda r: (r["size"], r["store"])):
        cells = [str(row.get(key, "-")) for key, _, _ in COLUMNS]
        cells[-1] = f"{row.get('reingest_embedded')} / {row.get('changed_chunks')}"
        print("| " + " | ".join(cells) + " |")
    print("Targets: " + "; ".join(f"{label} {target}" for _, label, target in COLUMNS if target))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--stores", nargs="+", choices=["embedded", "server"],
                        default=["embedded", "server"])
    parser.add_argument("--questions", type=int, help="golden questions timed (default: all)")
    parser.add_argument("--work", type=Path, default=CHECKOUT / ".data" / "scale")
    parser.add_argument("--report", action="store_true", help="only print the kept results")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the corpus and index of an earlier run; measure queries and the "
                             "1%% re-ingest again (a server folder may be a copy of an embedded one)")
    parser.add_argument("--change-seed", type=int, default=SEED,
                        help="which 1%% of documents to change (use a new one with --reuse)")
    parser.add_argument("--query", type=int, help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args()
    if args.query is not None:
        print(json.dumps(query_figures(args.query or None)))  # 0: all
        return
    kept = args.work / "results.json"
    results = json.loads(kept.read_text()) if kept.exists() else []

    def save(row: dict) -> None:
        nonlocal results
        results = [r for r in results if (r["size"], r["store"]) != (row["size"], row["store"])]
        results.append(row)
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_text(json.dumps(results, indent=1))

    for size in [] if args.report else args.sizes:
        for store in args.stores:
            print(f"measuring {size} chunks, {store} store ...", file=sys.stderr)
            earlier = next((r for r in results if (r["size"], r["store"]) == (size, store)), None)
            reused = (earlier or {"size": size, "store": store}) if args.reuse else None
            save(measure(args.work, size, store, args.questions, reused, save, args.change_seed))
    print_table(results)


if __name__ == "__main__":
    main()
