"""Warm latency of the chat UI's `/chat` endpoint through gradio_client, streaming.

    .venv/bin/python scripts/bench_ui.py [--url http://127.0.0.1:7860/] [--limit N] [--json]

For each golden question (tests/golden/questions.yaml), in a fresh client (its own session):
time from `submit` to the first streamed update ("first token") and to the complete answer with
its sources. The server is warmed up first with questions that are not in the golden set, so the
timings are of a warm process meeting each question for the first time. Without --url, the real
UI is served in this process on a free loopback port over OPS_ASSISTANT_DATA_DIR (default .data/).
Target: median first token <= 300 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from assistant.bench import percentile  # noqa: E402
from assistant.evaluation import load_golden  # noqa: E402
from assistant.suggest import EXAMPLES, POOL  # noqa: E402
from ingest.settings import Settings  # noqa: E402
from ui.serve import serve_in_background  # noqa: E402

TARGET_FIRST_TOKEN_MS = 300
WARM_UP = 5


def connect(url: str) -> Client:
    """A client with its own Gradio session on `url`. Over plain http there is no certificate to
    verify; left on, verification has httpx load the CA bundle for each of the HTTP clients
    gradio_client opens per request (~25 ms of CPU each), time that would count as latency, and
    that a load of many clients on 2 cores would take from the server it measures."""
    return Client(url, verbose=False, download_files=False,
                  ssl_verify=not url.startswith("http://"))


def stream_reply(client: Client, question: str, timeout_s: float = 60.0
                 ) -> tuple[float, float, int, str]:
    """Ask in `client`'s session: (ms to first streamed update, ms to the complete answer,
    number of updates, the final reply: the answer and its sources).

    Polls only until the first update (every 2 ms, every 10 ms once it waits in a queue), then
    blocks on the result: gradio_client's own iterator polls every millisecond to the end, and a
    load of many clients would spend the CPU it measures on polling. A refused request (a full
    queue) raises the server's error at once, where that iterator would wait forever; one the
    server never finishes raises TimeoutError after `timeout_s`.
    """
    started = time.perf_counter()
    job = client.submit(question, api_name="/chat")
    while not job.outputs() and not job.done():
        if time.perf_counter() - started > timeout_s:
            job.cancel()
            raise TimeoutError(f"no reply to {question!r} within {timeout_s:.0f} s")
        time.sleep(0.002 if time.perf_counter() - started < 0.25 else 0.01)
    first = time.perf_counter()
    job.result(timeout=max(0.0, timeout_s - (first - started)))  # the server's error, if any
    done, outputs = time.perf_counter(), job.outputs()
    if not outputs:
        raise RuntimeError(f"/chat returned nothing for {question!r}")
    return (first - started) * 1000, (done - started) * 1000, len(outputs), outputs[-1]


def timed_chat(url: str, question: str) -> tuple[float, float, int]:
    """(ms to first streamed update, ms to the complete answer, number of updates), asked in
    a fresh client (its own session)."""
    first, complete, updates, _ = stream_reply(connect(url), question)
    return first, complete, updates


def bench(url: str, limit: int | None) -> dict:
    """Warm up, then time every golden question once; medians and p95 in milliseconds."""
    questions = [item.question for item in load_golden()][:limit]
    warm_up = [q for q in (*EXAMPLES, *(c.question for c in POOL)) if q not in questions]
    for question in warm_up[:WARM_UP]:
        timed_chat(url, question)
    firsts, completes, updates = [], [], []
    for question in questions:
        first, complete, count = timed_chat(url, question)
        firsts.append(first)
        completes.append(complete)
        updates.append(count)
    return {
        "questions": len(questions),
        "first_token_p50_ms": round(statistics.median(firsts), 1),
        "first_token_p95_ms": round(percentile(firsts, 0.95), 1),
        "complete_p50_ms": round(statistics.median(completes), 1),
        "complete_p95_ms": round(percentile(completes, 0.95), 1),
        "updates_p50": statistics.median(updates),
        "first_token_target_ms": TARGET_FIRST_TOKEN_MS,
        "first_token_target_met": statistics.median(firsts) <= TARGET_FIRST_TOKEN_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running UI (default: serve one in this process)")
    parser.add_argument("--limit", type=int, help="only the first N golden questions")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    ui, url = (None, args.url) if args.url else serve_in_background(Settings())
    try:
        report = bench(url, args.limit)
    finally:
        if ui is not None:
            ui.close()
    if args.json:
        print(json.dumps(report))
        return
    for name, value in report.items():
        print(f"{name:>24}: {value}")


if __name__ == "__main__":
    main()
