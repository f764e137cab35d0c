"""Start-up figures for the README, as a user meets them: whole processes, timed from outside.

    .venv/bin/python scripts/bench_start.py [--runs 3] [--json] [--ops-assistant COMMAND]

- `ops-assistant ask "Who coined the term DataOps?"` on a built index: wall seconds, CPU seconds
  (user + system) and peak memory (the process's own maximum RSS, from wait4);
- `ops-assistant ui`: from its start to the first `/chat` answer received through gradio_client,
  against `python -c "import gradio"` in the same run (the two alternate, run by run); and to the
  first piece of that answer's stream (the answer streams in over up to 0.4 s by design);
- `ops-assistant ingest --quiet` of the unchanged corpus.

Every figure is the median of `--runs` runs; each run's figures are printed too. The index is the
one in OPS_ASSISTANT_DATA_DIR (default .data/), built first if it is missing or stale.
`--ops-assistant` names another build's command to time (e.g. a checkout of an older commit).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from gradio_client import Client

CHECKOUT = Path(__file__).resolve().parent.parent
OPS_ASSISTANT = [str(Path(sys.executable).parent / "ops-assistant")]
QUESTION = "Who coined the term DataOps?"
ENV = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "GRADIO_ANALYTICS_ENABLED": "False"}


def run(command: list[str]) -> dict:
    """One whole process: wall and CPU seconds, peak MiB; fails if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=CHECKOUT, env=ENV, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if status:
        raise SystemExit(f"{' '.join(command)} failed ({status})")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def first_chat_answer(timeout_s: float = 120.0) -> dict:
    """Start `ops-assistant ui` and ask /chat as soon as it listens: seconds from the process's
    start to the answer, and the server's peak MiB (it is stopped after the answer)."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen([*OPS_ASSISTANT, "ui", "--port", str(port)], cwd=CHECKOUT, env=ENV,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout_s:
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False,
                                ssl_verify=False)
            except Exception:  # not listening yet: gradio_client raises several kinds
                time.sleep(0.05)
                continue
            job = client.submit(QUESTION, api_name="/chat")
            if next(iter(job), None) is None:
                raise SystemExit("/chat streamed nothing")
            first_piece = time.perf_counter() - started
            answer = str(job.result())
            seconds = time.perf_counter() - started
            if "Lenny Liebmann" not in answer:
                raise SystemExit(f"unexpected answer: {answer[:200]}")
            break
        else:
            raise SystemExit("the UI did not answer in time")
    finally:
        process.terminate()
        _, _, usage = os.wait4(process.pid, 0)
    return {"wall_s": seconds, "first_piece_s": first_piece, "peak_mib": usage.ru_maxrss / 1024}


def measure(runs: int) -> dict[str, list[dict]]:
    subprocess.run([*OPS_ASSISTANT, "ingest", "--quiet"], cwd=CHECKOUT, env=ENV, check=True)
    figures: dict[str, list[dict]] = {"ask": [], "ui_first_answer": [], "import_gradio": [],
                                      "re_ingest": []}
    for _ in range(runs):
        figures["ask"].append(run([*OPS_ASSISTANT, "ask", QUESTION]))
        figures["ui_first_answer"].append(first_chat_answer())
        figures["import_gradio"].append(run([sys.executable, "-c", "import gradio"]))
        figures["re_ingest"].append(run([*OPS_ASSISTANT, "ingest", "--quiet"]))
    return figures


def summary(figures: dict[str, list[dict]]) -> dict:
    medians = {f"{name}_{key}": round(statistics.median(run[key] for run in runs), 2)
               for name, runs in figures.items() for key in runs[0]}
    margins = [ui["wall_s"] - gradio["wall_s"]
               for ui, gradio in zip(figures["ui_first_answer"], figures["import_gradio"])]
    medians["ui_first_answer_minus_import_gradio_s"] = round(statistics.median(margins), 2)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--ops-assistant", help="the command to time instead of this checkout's")
    args = parser.parse_args()
    if args.ops_assistant:
        OPS_ASSISTANT[:] = shlex.split(args.ops_assistant)
    figures = measure(args.runs)
    medians = summary(figures)
    if args.json:
        print(json.dumps({"medians": medians, "runs": figures}))
        return
    for name, runs in figures.items():
        for key in runs[0]:
            values = " / ".join(f"{run[key]:.2f}" for run in runs)
            print(f"{name + ' ' + key:>28}: median {medians[f'{name}_{key}']:.2f}  (runs {values})")
    print(f"{'ui answer - import gradio':>28}: median "
          f"{medians['ui_first_answer_minus_import_gradio_s']:.2f} s")


if __name__ == "__main__":
    main()
