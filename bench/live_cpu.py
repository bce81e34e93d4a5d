"""Live-path CPU per stage at 5,000 events/s with a 0.1 s tick, without Bytewax.

Drives the pieces of `wallboard run --clock wall` in one thread on a simulated wall clock:
every tick, `rate * tick_s` lines stamped with the clock are parsed (`parse_chunk`), fed
to `FloorLogic.on_item`, then `FloorLogic.on_notify` takes the tick (snapshot) and
`RedisStateWriter.write` writes it to Redis. It reports the CPU seconds each stage needs
per simulated second of traffic (above 1.0 the live pipeline cannot keep up on one core)
and, as the baseline of the same run, what a plain orjson parse + dict loop needs for the
same lines (the floor of benchmark 1).

    .venv/bin/python -m bench.live_cpu [--feed latency|soak] [--seconds 30] [--profile]

`--profile` prints the top of a cProfile of the whole loop instead of the table. The
garbage collector is tuned as `wallboard run` tunes it (`--default-gc`: CPython's default).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import pstats
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import orjson

from bench import latency, soak
from bench.common import SAMPLE_CONFIG, Figure, clear_prefix, redis_for_bench
from pipeline.access.masking import CustomerMask
from pipeline.floor_logic import FloorLogic
from pipeline.gc_tuning import tune_collector_for_live_state
from pipeline.parse import parse_chunk
from pipeline.sinks import RedisStateWriter, fail_fast_client
from schemas.config import load_settings

RATE = 5000
TICK_S = 0.1
PREFIX = "wblivecpu"
# Simulated start: a weekday morning, so queues, agents and alerts are all busy.
START_EPOCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC).timestamp()
STAGES = ("parse", "ingest", "snapshot", "sink")


def latency_feed() -> Callable[[float, int], list[bytes]]:
    """Benchmark 3's synthetic lifecycle on 300 agents, stamped with the simulated clock."""
    events = latency.live_events()
    counter = itertools.count()

    def batch(now: float, n: int) -> list[bytes]:
        stamp = datetime.fromtimestamp(now, tz=UTC).isoformat()
        out = []
        for event in itertools.islice(events, n):
            event["event_id"] = f"le{next(counter)}"
            event["ts"] = stamp
            out.append(orjson.dumps(event))
        return out

    return batch


def soak_feed() -> Callable[[float, int], list[bytes]]:
    """The soak's feed: the sample day looped, ids suffixed per copy, `ts` = the clock."""
    sample = soak._sample()
    positions: Iterator[tuple[int, int]] = (
        (loop, index) for loop in itertools.count() for index in range(len(sample))
    )

    def batch(now: float, n: int) -> list[bytes]:
        out = []
        for loop, index in itertools.islice(positions, n):
            body, raw, _valid = sample[index]
            out.append(soak._live(body, raw, loop, now))
        return out

    return batch


FEEDS = {"latency": latency_feed, "soak": soak_feed}


def floor_cpu_s(lines: list[bytes]) -> float:
    """CPU seconds of the benchmark-1 floor (orjson parse + count by type) over `lines`."""
    counts: dict[str, int] = {}
    started = time.process_time()
    for line in lines:
        try:
            kind = orjson.loads(line).get("type", "")
        except (orjson.JSONDecodeError, AttributeError):
            kind = "bad"
        counts[kind] = counts.get(kind, 0) + 1
    return time.process_time() - started


def run(url: str, feed: str, seconds: float, rate: float, tick_s: float) -> dict[str, float]:
    """CPU seconds per stage over `seconds` of simulated traffic (plus `floor`, `events`)."""
    settings = load_settings(SAMPLE_CONFIG).model_copy(
        update={"tick_s": tick_s, "redis_prefix": PREFIX}
    )
    clear_prefix(url, PREFIX)
    clock = [START_EPOCH]
    logic = FloorLogic(settings, "wall", None, None, wall_clock=lambda: clock[0])
    client = fail_fast_client(url)
    writer = RedisStateWriter(client, settings)
    writer.write_config()
    mask = CustomerMask.from_environment()
    make_batch = FEEDS[feed]()
    per_tick = round(rate * tick_s)
    spent = dict.fromkeys(STAGES, 0.0)
    all_lines: list[bytes] = []
    seq = 0
    cpu = time.process_time
    for _ in range(round(seconds / tick_s)):
        lines = make_batch(clock[0], per_tick)
        all_lines += lines
        chunk = list(enumerate(lines, start=seq))
        seq += len(lines)
        t0 = cpu()
        parsed = parse_chunk(chunk, mask=mask)
        t1 = cpu()
        logic.on_item(parsed)
        t2 = cpu()
        clock[0] += tick_s
        ticks, _retain = logic.on_notify()
        t3 = cpu()
        for tick in ticks:
            writer.write(tick)
        t4 = cpu()
        for stage, took in zip(STAGES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            spent[stage] += took
    client.close()
    clear_prefix(url, PREFIX)
    return {**spent, "floor": floor_cpu_s(all_lines), "events": float(len(all_lines))}


def measure(url: str, seconds: float = 30.0) -> list[Figure]:
    """Benchmark 8: the live path's CPU per second of benchmark 3's feed, by stage."""
    default = gc.get_threshold()
    tune_collector_for_live_state()
    try:
        result = run(url, "latency", seconds, RATE, TICK_S)
    finally:
        gc.set_threshold(*default)
    floor = result["floor"] / seconds
    stages = {stage: result[stage] / seconds for stage in STAGES}
    total = sum(stages.values())
    note = ", ".join(
        f"{stage} {value:.3f} ({value / floor:.0f}× floor)" for stage, value in stages.items()
    )
    return [
        Figure(
            f"8. live path CPU per second of traffic (5,000 events/s, tick {TICK_S:g} s, "
            "feed of 3, no Bytewax)",
            total,
            "CPU s/s",
            floor,
            "orjson parse + dict loop",
            "< 1 (keeps up on one core)",
            total < 1,
            note,
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_cpu", description=__doc__)
    parser.add_argument("--feed", choices=sorted(FEEDS), default="latency")
    parser.add_argument("--seconds", type=float, default=30.0, help="simulated seconds")
    parser.add_argument("--rate", type=float, default=RATE, help="events per second")
    parser.add_argument("--tick", type=float, default=TICK_S, help="tick_s (seconds)")
    parser.add_argument("--profile", action="store_true", help="cProfile instead of the table")
    parser.add_argument("--default-gc", action="store_true", help="keep CPython's GC settings")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if not args.default_gc:
        tune_collector_for_live_state()
    with redis_for_bench() as url:
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            run(url, args.feed, args.seconds, args.rate, args.tick)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
            return 0
        result = run(url, args.feed, args.seconds, args.rate, args.tick)
    floor = result["floor"]
    total = sum(result[s] for s in STAGES)
    print(
        f"live CPU, feed {args.feed}: {result['events']:,.0f} events over {args.seconds:g} "
        f"simulated s ({args.rate:,.0f}/s, tick {args.tick:g} s)"
    )
    print(f"{'stage':10} {'CPU s per s':>12} {'× floor':>10}")
    for stage in (*STAGES, "total"):
        spent = total if stage == "total" else result[stage]
        print(f"{stage:10} {spent / args.seconds:12.4f} {spent / floor:10.1f}")
    print(f"{'floor':10} {floor / args.seconds:12.4f} {1.0:10.1f}  (orjson parse + dict loop)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
