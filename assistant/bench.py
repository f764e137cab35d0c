"""`ops-assistant bench`: latency of `ask` on the golden questions, cold start, peak memory, and
the yardstick of the same run: one question embedded alone by `SentenceTransformer.encode`,
timed in passes that alternate with the `ask` passes."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
import uuid

from pydantic import BaseModel

from assistant.assistant import Assistant
from assistant.evaluation import GoldenQuestion

COLD_START = ("import time, sys; t = float(sys.argv[1]); from assistant import Assistant; "
              "Assistant.load().ask('What is DevOps?'); print(time.time() - t)")
# In a process of its own: it imports PyTorch, which the bench process never does. It reads one
# pass's questions per line and answers with that pass's timings, so that its passes alternate
# with the warm `ask` passes and both see the same machine.
ENCODE = """import json, sys, time
from ingest.embedding import load_embeddings
from ingest.settings import Settings
model = load_embeddings(Settings().model_sha256)._client
for question in ["What is DevOps?", "Who coined the term DataOps?"] * 3:
    model.encode([question])
print("ready", flush=True)
for line in sys.stdin:
    timings = []
    for question in json.loads(line):
        started = time.perf_counter()
        model.encode([question])
        timings.append((time.perf_counter() - started) * 1000)
    print(json.dumps(timings), flush=True)
"""
SETTLE_S = 0.5  # after a yardstick pass: PyTorch's idle threads spin for a while before they sleep


class BenchReport(BaseModel):
    """Medians and percentiles in milliseconds; memory in MiB."""

    questions: int
    passes: int
    warm_p50_ms: float
    warm_p95_ms: float
    warm_max_ms: float
    cold_start_to_first_answer_s: float
    cold_runs: int
    peak_memory_mib: float
    encode_p50_ms: float
    warm_p50_vs_encode: float
    warm_p95_vs_encode: float
    warm_p50_vs_encode_by_pass: list[float]  # each ask pass against the yardstick pass after it


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_pass(assistant: Assistant, golden: list[GoldenQuestion]) -> list[float]:
    """Milliseconds of `ask` for each question, each in a fresh session; the query cache is
    cleared before every question, so each one pays for its embedding."""
    timings = []
    for item in golden:
        assistant.index.embeddings.clear_cache()
        started = time.perf_counter()
        assistant.ask(item.question, session=f"bench-{uuid.uuid4().hex}")
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def warm_up(assistant: Assistant, golden: list[GoldenQuestion]) -> None:
    """One untimed pass: every question asked once, each in a fresh session."""
    for item in golden:
        assistant.ask(item.question, session=f"warm-{uuid.uuid4().hex}")


def warm_latencies(assistant: Assistant, golden: list[GoldenQuestion], passes: int) -> list[float]:
    """`passes` timed passes of `warm_pass`, after `warm_up`."""
    warm_up(assistant, golden)
    return [t for _ in range(passes) for t in warm_pass(assistant, golden)]


class Yardstick:
    """`SentenceTransformer.encode([question])` timed in a process of its own, one pass at a
    time (milliseconds per question, after a warm-up)."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-c", ENCODE], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise RuntimeError("the sentence-transformers yardstick did not start")

    def timed_pass(self, questions: list[str]) -> list[float]:
        self.process.stdin.write(json.dumps(questions) + "\n")
        self.process.stdin.flush()
        timings = json.loads(self.process.stdout.readline())
        time.sleep(SETTLE_S)
        return timings

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def paired_passes(assistant: Assistant, golden: list[GoldenQuestion], passes: int
                  ) -> tuple[list[float], list[float]]:
    """Warm `ask` and yardstick timings, their passes alternating (ask, encode, ask, ...) after
    a warm-up pass of each."""
    yardstick = Yardstick()
    questions = [item.question for item in golden]
    try:
        warm_up(assistant, golden)
        yardstick.timed_pass(questions)
        asks, encodes = [], []
        for _ in range(passes):
            asks += warm_pass(assistant, golden)
            encodes += yardstick.timed_pass(questions)
    finally:
        yardstick.close()
    return asks, encodes


def cold_start(runs: int) -> list[float]:
    """Seconds from a new Python process's start to its first answer, index already built."""
    times = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", COLD_START, repr(time.time())],
                                capture_output=True, text=True, check=True)
        times.append(float(result.stdout.strip().splitlines()[-1]))
    return times


def run_bench(assistant: Assistant, golden: list[GoldenQuestion], passes: int = 3,
              cold_runs: int = 3) -> BenchReport:
    """Every figure of `ops-assistant bench`; peak memory is this process's and the cold starts'
    (the yardstick's process, which loads PyTorch, is not counted)."""
    colds = cold_start(cold_runs)
    children_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # before PyTorch's
    timings, encodes = paired_passes(assistant, golden, passes)
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, children_kib)
    size = len(golden)
    by_pass = [statistics.median(timings[i:i + size]) / statistics.median(encodes[i:i + size])
               for i in range(0, len(timings), size)]
    encode_p50 = statistics.median(encodes)
    warm_p50, warm_p95 = statistics.median(timings), percentile(timings, 0.95)
    return BenchReport(
        questions=len(golden), passes=passes,
        warm_p50_ms=round(warm_p50, 2),
        warm_p95_ms=round(warm_p95, 2),
        warm_max_ms=round(max(timings), 2),
        cold_start_to_first_answer_s=round(statistics.median(colds), 2), cold_runs=cold_runs,
        peak_memory_mib=round(peak_kib / 1024, 1),
        encode_p50_ms=round(encode_p50, 2),
        warm_p50_vs_encode=round(warm_p50 / encode_p50, 2),
        warm_p95_vs_encode=round(warm_p95 / encode_p50, 2),
        warm_p50_vs_encode_by_pass=[round(ratio, 2) for ratio in by_pass],
    )
