"""Helpers shared by the benchmarks: timing, RSS, the sample day, a Redis to write to."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.redis_server import EmbeddedRedis

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
SAMPLE_CONFIG = REPO / "replay_data" / "sample_config.toml"


@dataclass
class Figure:
    """One measured figure with its baseline from the same run and its target."""

    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_name: str
    target: str
    met: bool | None

    @property
    def ratio(self) -> float | None:
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline  # type: ignore[operator]


def rss_mb() -> float:
    """Current resident set size of this process in MiB (Linux /proc)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@contextmanager
def redis_for_bench() -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with EmbeddedRedis(data_dir=REPO / "var" / "bench-redis") as server:
        yield server.url


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    box: list[float] = []
    started = time.perf_counter()
    try:
        yield box
    finally:
        box.append(time.perf_counter() - started)
