"""`ops-assistant bench`: latency of `ask` on the golden questions, cold start, peak memory."""

from __future__ import annotations

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


def run_bench(assistant: Assistant, golden: list[GoldenQuestion], passes: int = 3,
              cold_runs: int = 3) -> BenchReport:
    timings = warm_latencies(assistant, golden, passes)
    colds = cold_start(cold_runs)
    peak_kib = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return BenchReport(
        questions=len(golden), passes=passes,
        warm_p50_ms=round(statistics.median(timings), 2),
        warm_p95_ms=round(percentile(timings, 0.95), 2),
        warm_max_ms=round(max(timings), 2),
        cold_start_to_first_answer_s=round(statistics.median(colds), 2), cold_runs=cold_runs,
        peak_memory_mib=round(peak_kib / 1024, 1),
    )
