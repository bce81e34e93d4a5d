"""`wallboard run`: the pipeline, keeping Redis current."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from pipeline.logsafe import configure_logging
from schemas.config import ConfigError, load_settings
from schemas.timefmt import parse_ts


def _run(args: argparse.Namespace) -> int:
    from bytewax.inputs import Source

    from pipeline.access.masking import MaskKeyMissing
    from pipeline.floor_logic import Clock
    from pipeline.flow import FlowOptions, build_flow
    from pipeline.gc_tuning import tune_collector_for_live_state
    from pipeline.runner import recovery_config, run_flow
    from pipeline.sinks import RedisStateSink, preflight_write
    from pipeline.sources import Chunk, FileReplaySource, StdinSource

    configure_logging()
    try:
        settings = load_settings(args.config)
        fast_until = parse_ts(args.fast_until).timestamp() if args.fast_until else None
    except (ConfigError, ValueError) as error:
        print(f"wallboard run: {error}", file=sys.stderr)
        return 2
    url = args.redis_url or os.environ.get("REDIS_URL")
    if not url:
        print(
            "wallboard run: no Redis: pass --redis-url or set REDIS_URL "
            "(`make demo` starts an embedded one)",
            file=sys.stderr,
        )
        return 2
    refused = preflight_write(url, settings)
    if refused is not None:
        print(f"wallboard run: {refused}", file=sys.stderr)
        return 1
    source: Source[Chunk]
    clock: Clock
    if args.source == "redis":
        from pipeline.redis_keys import RedisKeys
        from pipeline.redis_source import RedisStreamSource

        source = RedisStreamSource(
            url,
            RedisKeys(settings.redis_prefix),
            args.partitions,
            stop_when_idle_s=args.stop_when_idle,
        )
        clock = "wall" if args.clock is None else args.clock
    elif args.events == "-":
        source = StdinSource()
        clock = "wall" if args.clock is None else args.clock
    else:
        source = FileReplaySource(args.events, args.speed, fast_until)
        clock = "event" if args.clock is None else args.clock
    sink = RedisStateSink(url, settings)
    try:
        flow = build_flow(
            settings,
            source,
            sink,
            FlowOptions(clock=clock, recovery=args.recovery_dir is not None),
        )
    except MaskKeyMissing as error:
        print(f"wallboard run: {error}", file=sys.stderr)
        return 2
    addresses = args.addresses.split(";") if args.addresses else None
    tune_collector_for_live_state()  # fewer full GC passes over the floor state (stalls)
    run_flow(
        flow,
        workers=args.workers,
        recovery=recovery_config(args.recovery_dir, args.recovery_partitions),
        epoch_interval=timedelta(seconds=args.epoch_s),
        process_id=args.process_id,
        addresses=addresses,
    )
    if sink.failures:
        print(f"wallboard run: {'; '.join(sink.failures)}", file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "run",
        help="run the pipeline: events in, KPIs and alerts kept current in Redis",
    )
    parser.add_argument(
        "--source",
        choices=("file", "redis"),
        default="file",
        help="file/stdin or the Redis input streams",
    )
    parser.add_argument("--partitions", type=int, default=2, help="Redis input streams to read")
    parser.add_argument("--events", default="-", help="event file (.jsonl[.gz]) or - for stdin")
    parser.add_argument(
        "--speed", type=float, default=0.0, help="replay speed: 1 real time, 0 as fast as possible"
    )
    parser.add_argument("--fast-until", help="replay flat out up to this RFC 3339 time, then pace")
    parser.add_argument(
        "--clock",
        choices=("event", "wall"),
        help="what `now` is (default: event for files, wall for stdin)",
    )
    parser.add_argument("--config", help="TOML configuration")
    parser.add_argument("--redis-url", help="Redis URL (default: $REDIS_URL)")
    parser.add_argument("--workers", type=int, default=1, help="worker threads")
    parser.add_argument("--recovery-dir", help="Bytewax recovery directory (resume after a crash)")
    parser.add_argument(
        "--recovery-partitions",
        type=int,
        default=1,
        help="partitions to create in a new recovery directory",
    )
    parser.add_argument(
        "--epoch-s",
        type=float,
        default=2.0,
        help="seconds between recovery snapshots (what a restart replays at most)",
    )
    parser.add_argument(
        "--process-id", type=int, help="this process's index in a Bytewax cluster (from 0)"
    )
    parser.add_argument(
        "--addresses",
        help="the cluster's processes as 'host:port;host:port' (same order on every host)",
    )
    parser.add_argument(
        "--stop-when-idle",
        type=float,
        help="with --source redis: stop after this many seconds without new events",
    )
    parser.set_defaults(func=_run)
