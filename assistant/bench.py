"""`ops-assistant bench`: latency of `ask` on the golden questions, cold start, peak memory, and
the yardstick of the same run: one question embedded alone by `SentenceTransformer.encode`."""

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
# In a process of its own: it imports PyTorch, which the bench process never does.
ENCODE = """import json, statistics, sys, time
from ingest.embedding import load_embeddings
from ingest.settings import Settings
model = load_embeddings(Settings().model_sha256)._client
questions = json.loads(sys.stdin.read())
for question in questions[:5]:
    model.encode([question])
timings = []
for _ in range(int(sys.argv[1])):
    for question in questions:
        started = time.perf_counter()
        model.encode([question])
        timings.append((time.perf_counter() - started) * 1000)
print(json.dumps(timings))
"""


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


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_latencies(assistant: Assistant, golden: list[GoldenQuestion], passes: int) -> list[float]:
    """Each question in a fresh session, after one untimed warm-up pass; the query cache is
    cleared before every timed question, so each one pays for its embedding."""
    for item in golden:
        assistant.ask(item.question, session=f"warm-{uuid.uuid4().hex}")
    timings = []
    for _ in range(passes):
        for item in golden:
            assistant.index.embeddings.clear_cache()
            started = time.perf_counter()
            assistant.ask(item.question, session=f"bench-{uuid.uuid4().hex}")
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def cold_start(runs: int) -> list[float]:
    """Seconds from a new Python process's start to its first answer, index already built."""
    times = []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", COLD_START, repr(time.time())],
                                capture_output=True, text=True, check=True)
        times.append(float(result.stdout.strip().splitlines()[-1]))
    return times


def encode_latencies(golden: list[GoldenQuestion], passes: int) -> list[float]:
    """Milliseconds of `SentenceTransformer.encode([question])` per golden question, after a
    warm-up, in a new process (what a warm `ask` is measured against)."""
    result = subprocess.run([sys.executable, "-c", ENCODE, str(passes)], capture_output=True,
                            text=True, check=True,
                            input=json.dumps([item.question for item in golden]))
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_bench(assistant: Assistant, golden: list[GoldenQuestion], passes: int = 3,
              cold_runs: int = 3) -> BenchReport:
    """Every figure of `ops-assistant bench`; peak memory is this process's and the cold starts'
    (taken before the encode yardstick's process, which loads PyTorch)."""
    timings = warm_latencies(assistant, golden, passes)
    colds = cold_start(cold_runs)
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    encode_p50 = statistics.median(encode_latencies(golden, passes))
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
    )
