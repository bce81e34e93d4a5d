"""Helpers shared by the benchmarks: figures, CPU and RSS, sample-day files, Redis."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import orjson

from pipeline.redis_server import EmbeddedRedis
from pipeline.sources import open_events

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
SAMPLE_CONFIG = REPO / "replay_data" / "sample_config.toml"
WALLBOARD = REPO / ".venv" / "bin" / "wallboard"
DAY_S = 86_400
# Fields of an event that hold a time or an identifier that must stay unique per copy.
_TIME_FIELDS = ("ts", "shift_start", "shift_end")
_ID_FIELDS = ("event_id", "contact_id", "parent_contact_id")


@dataclass
class Figure:
    """One measured figure with its baseline from the same run and its target.

    `better` says which way is good: "higher" (throughput) or "lower" (latency, CPU).
    """

    name: str
    value: float
    unit: str
    baseline: float | None
    baseline_name: str
    target: str
    met: bool | None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline


def _status_mb(field: str, pid: int | str) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_mb(pid: int | str = "self") -> float:
    """Current resident set size of a process in MiB (Linux /proc)."""
    return _status_mb("VmRSS:", pid)


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak RSS of a process in MiB: VmHWM, which (unlike ru_maxrss) does not carry the
    parent's peak over a fork + exec."""
    return _status_mb("VmHWM:", pid)


def cpu_s() -> float:
    """CPU seconds (user + system, all threads) used by this process so far."""
    return time.process_time()


def sample_lines(path: Path = SAMPLE_DAY) -> list[bytes]:
    """The non-empty lines of an event file."""
    with open_events(path) as handle:
        return [line.rstrip(b"\r\n") for line in handle if line.strip()]


def shifted_line(line: bytes, days: int) -> bytes:
    """The event moved `days` whole days later, with ids suffixed so copies stay distinct."""
    if days == 0:
        return line
    try:
        raw = orjson.loads(line)
    except orjson.JSONDecodeError:
        return line  # the sample's deliberately broken lines stay broken
    if not isinstance(raw, dict):
        return line
    for name in _TIME_FIELDS:
        value = raw.get(name)
        if isinstance(value, str):
            try:
                moved = datetime.fromisoformat(value) + timedelta(days=days)
            except ValueError:
                continue
            raw[name] = moved.isoformat()
    for name in _ID_FIELDS:
        value = raw.get(name)
        if isinstance(value, str):
            raw[name] = f"{value}.d{days}"
    return orjson.dumps(raw)


def multi_day_file(directory: Path, days: int) -> Path:
    """Write the sample day repeated `days` times (day n shifted by n days) as JSON Lines."""
    lines = sample_lines()
    path = directory / f"sample_{days}d.jsonl"
    with path.open("wb") as out:
        for day in range(days):
            for line in lines:
                out.write(shifted_line(line, day))
                out.write(b"\n")
    return path


def temp_config(directory: Path, **top_level: float | str) -> Path:
    """The sample configuration with extra top-level keys (e.g. tick_s, redis_prefix)."""
    lines = [f"{key} = {orjson.dumps(value).decode()}" for key, value in sorted(top_level.items())]
    # Top-level keys must precede the first [table], so they go first.
    text = "\n".join(lines) + "\n" + SAMPLE_CONFIG.read_text(encoding="utf-8")
    path = directory / "bench_config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@contextmanager
def redis_for_bench() -> Iterator[str]:
    """`REDIS_URL` when set, else an embedded redis-server for the run."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    with EmbeddedRedis(data_dir=REPO / "var" / "bench-redis") as server:
        yield server.url


def clear_prefix(url: str, prefix: str) -> None:
    """Delete every key under `prefix:`."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
    finally:
        client.close()


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
