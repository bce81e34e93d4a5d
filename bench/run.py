"""`make bench`: every benchmark of issue 7, a table on stdout and `bench/results.md`.

    .venv/bin/python -m bench.run [--only 1,2,3,4,5,6,7,8]

Each figure stands beside a baseline measured in the same run (the machine is shared and
noisy, so ratios mean more than absolute numbers), with its target and whether it is met.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    batch,
    cardinality,
    dashboard_load,
    latency,
    live_cpu,
    memory,
    soak,
    streams,
    throughput,
)
from bench.common import REPO, SAMPLE_CONFIG, SAMPLE_DAY, Figure, clear_prefix, redis_for_bench
from schemas.config import Settings, load_settings

RESULTS = REPO / "bench" / "results.md"
DASHBOARD_PREFIX = "wbbench"


def _fill_for_dashboard(settings: Settings, url: str) -> None:
    from pipeline.flow import build_flow
    from pipeline.runner import run_flow
    from pipeline.sinks import RedisStateSink
    from pipeline.sources import FileReplaySource

    clear_prefix(url, settings.redis_prefix)
    run_flow(
        build_flow(settings, FileReplaySource(SAMPLE_DAY, speed=0), RedisStateSink(url, settings))
    )


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"


def table(figures: list[Figure]) -> str:
    rows = [
        "| benchmark | value | baseline (same run) | ratio | target | met | notes |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in figures:
        met = "—" if f.met is None else ("yes" if f.met else "**no**")
        baseline = "—" if f.baseline is None else f"{_fmt(f.baseline)} {f.unit} ({f.baseline_name})"
        ratio = "—" if f.ratio is None else f"{f.ratio:.3g}"
        rows.append(
            f"| {f.name} | {_fmt(f.value)} {f.unit} | {baseline} | {ratio} | {f.target} | {met} "
            f"| {f.note} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.run", description=__doc__)
    parser.add_argument("--only", default="1,2,3,4,5,6,7,8,9", help="benchmarks to run, e.g. 1,3")
    args = parser.parse_args(argv)
    chosen = {int(part) for part in args.only.split(",") if part}
    settings = load_settings(SAMPLE_CONFIG)
    figures: list[Figure] = []
    timings: list[str] = []
    started_at = datetime.now(UTC)
    with redis_for_bench() as url, tempfile.TemporaryDirectory(prefix="wbbench-") as tmp:
        workdir = Path(tmp)
        steps = [
            (1, "throughput", lambda: throughput.measure(workdir, settings, url)),
            (2, "streams", lambda: streams.measure(url)),
            (3, "latency", lambda: latency.measure(workdir, url)),
            (4, "memory", memory.measure),
            (5, "batch", lambda: batch.measure(settings)),
            (6, "dashboard", lambda: _dashboard(workdir, settings, url, 1 in chosen)),
            (7, "soak", lambda: _soak(url)),
            (8, "live CPU", lambda: live_cpu.measure(url)),
            (9, "cardinality", _cardinality),
        ]
        for number, name, run in steps:
            if number not in chosen:
                continue
            began = time.perf_counter()
            print(f"[bench] {number}. {name} …", file=sys.stderr, flush=True)
            figures.extend(run())
            timings.append(f"{number}. {name}: {time.perf_counter() - began:.0f} s")
            print(f"[bench] {timings[-1]}", file=sys.stderr, flush=True)
    text = table(figures)
    print(text)
    header = (
        f"# Benchmark results\n\nRun {started_at:%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"({platform.python_version()}); shared 2-core machine, so compare ratios.\n"
        f"Durations: {'; '.join(timings)}.\n\n"
    )
    RESULTS.write_text(header + text + "\n", encoding="utf-8")
    return 0


def _soak(url: str) -> list[Figure]:
    """The soak of issue 6: 60 s at 5,000 events/s through the Redis input streams."""
    result = soak.soak(url, 60.0, 5000.0)
    return [
        Figure(
            f"7. soak {name} (60 s, 5,000 events/s offered)",
            float(value),
            "",
            None,
            "",
            "—",
            None,
        )
        for name, value in result.items()
    ]


def _cardinality() -> list[Figure]:
    """100,000 queue names and 200,000 agent ids against the default `[limits]`, and the
    engine's memory per 1,000 agents (each in a child process, its RSS its own)."""
    flood = cardinality.run_child("flood", "100000", "200000")
    one = cardinality.run_child("agents", "1000")
    three = cardinality.run_child("agents", "3000")
    note = (
        f"kept {flood['queues']} queues, {flood['agents']} agents; refused "
        f"{flood['entities_refused']}; snapshot {flood['snapshot_bytes']:,} B"
    )
    per_k = {key: (three[key] - one[key]) / 2 for key in one if isinstance(one[key], float)}
    return [
        Figure("9. peak RSS, 100k queue names + 200k agent ids, default caps", flood["peak_rss_mb"],
               "MiB", flood["start_rss_mb"], "RSS after imports", "bounded by the caps", None,
               note),
        *(
            Figure(f"9. {key} per 1,000 agents (3,000 − 1,000 agents, ÷ 2)", value, "MiB",
                   None, "", "—", None)
            for key, value in per_k.items()
        ),
    ]


def _dashboard(workdir: Path, settings: Settings, url: str, replayed: bool) -> list[Figure]:
    if not replayed:  # benchmark 1 already left a replay's state under the prefix
        _fill_for_dashboard(settings.model_copy(update={"redis_prefix": DASHBOARD_PREFIX}), url)
    return dashboard_load.measure(workdir, url, DASHBOARD_PREFIX)


if __name__ == "__main__":
    raise SystemExit(main())
