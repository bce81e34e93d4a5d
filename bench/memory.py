"""4. Memory over a 24 h replay: peak RSS and its growth from event hour 2 to hour 24.

Runs in a child process (`python -m bench.memory`) so other benchmarks do not pollute its
RSS. The child drives `FloorEngine` directly over the sample day, parsing lines as it goes
(nothing is held), takes a snapshot and drains the output every minute of event time, as
the flow does, and prints `(event hour, RSS MiB)` samples as JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys

from bench.common import SAMPLE_CONFIG, Figure, peak_rss_mb, rss_mb, sample_lines, shifted_line
from pipeline.engine import FloorEngine
from schemas.config import load_settings
from schemas.events import InvalidEvent, parse_event

TARGET_GROWTH = 0.10


def _child(days: int) -> None:
    lines = sample_lines()
    engine = FloorEngine(load_settings(SAMPLE_CONFIG))
    first: float | None = None
    next_minute: float | None = None
    samples: list[tuple[float, float]] = []
    next_hour = 1
    seq = 0
    for day in range(days):
        for raw in lines:
            seq += 1
            try:
                event = parse_event(shifted_line(raw, day))
            except InvalidEvent:
                continue
            engine.ingest(event, seq)
            ts = event.ts.timestamp()
            if first is None:
                first, next_minute = ts, ts + 60
            assert next_minute is not None
            if ts >= next_minute:
                engine.snapshot(int(ts))
                engine.drain()
                next_minute = ts + 60
            if ts - first >= next_hour * 3600:
                samples.append((next_hour, rss_mb()))
                next_hour += 1
    engine.finish()
    engine.snapshot(int(engine.latest or 0))
    engine.drain()
    samples.append((24 * days, rss_mb()))
    print(json.dumps({"samples": samples, "peak_mb": peak_rss_mb()}))


def measure(days: int = 2) -> list[Figure]:
    """Day 1 gives the asked-for figure; day 2 (same traffic) tells a ramp from a leak."""
    result = subprocess.run(  # noqa: S603 - ourselves
        [sys.executable, "-m", "bench.memory", str(days)],
        capture_output=True,
        check=True,
        text=True,
    )
    data = json.loads(result.stdout.strip().splitlines()[-1])
    samples = {int(hour): mb for hour, mb in data["samples"]}
    at2, at24 = samples[2], samples[24]
    growth = (at24 - at2) / at2
    trail = ", ".join(f"h{h}: {mb:.0f}" for h, mb in sorted(samples.items()) if h % 6 == 0)
    figures = [
        Figure(
            f"4. peak RSS over a {24 * days} h replay (FloorEngine, snapshot per minute)",
            data["peak_mb"],
            "MiB",
            None,
            "",
            "—",
            None,
            f"RSS MiB {trail}",
        ),
        Figure(
            "4. RSS growth, event hour 2 → 24 (day 1)",
            at24,
            "MiB",
            at2,
            "RSS at hour 2",
            f"≤ {TARGET_GROWTH:.0%} growth",
            growth <= TARGET_GROWTH,
            f"growth {growth:+.1%}",
        ),
    ]
    if days >= 2:
        day2 = samples[48 if 48 in samples else max(samples)]
        leak = (day2 - at24) / at24
        figures.append(
            Figure(
                "4. RSS growth, hour 24 → 48 (same traffic again: the leak check)",
                day2,
                "MiB",
                at24,
                "RSS at hour 24",
                f"≤ {TARGET_GROWTH:.0%} growth",
                leak <= TARGET_GROWTH,
                f"growth {leak:+.1%}",
            )
        )
    return figures


if __name__ == "__main__":
    _child(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
