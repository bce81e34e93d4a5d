"""`wallboard simulate`: generate a seeded contact-center day with labelled anomalies."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from replay_data.day import default_labels_path, generate_day, write_day
from schemas.config import ConfigError, load_settings
from schemas.timefmt import parse_ts

DEFAULT_CONFIG = Path(__file__).resolve().parents[2] / "replay_data" / "sample_config.toml"


def _simulate(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    try:
        start = parse_ts(args.start)
    except ValueError as exc:
        print(f"--start: {exc}", file=sys.stderr)
        return 2
    if args.agents < 1 or args.hours <= 0:
        print("--agents must be >= 1 and --hours > 0", file=sys.stderr)
        return 2
    began = time.monotonic()
    day = generate_day(settings, args.agents, args.hours, args.seed, start)
    out = Path(args.out)
    labels = Path(args.labels) if args.labels else default_labels_path(out)
    write_day(day, out, labels)
    kinds = Counter(label["kind"] for label in day.labels)
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    print(
        f"{out}: {len(day.lines)} lines, {len(day.roster)} agents, "
        f"{time.monotonic() - began:.1f} s; {labels}: {summary}"
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "simulate",
        help="generate a seeded contact-center day (JSON Lines) with labelled anomalies",
        description=(
            "Simulate agents, queues and customers of the configured contact center and write "
            "the events in arrival order (with duplicates, out-of-order and malformed lines) "
            "plus a labels file naming every injected anomaly and every dirty line. The same "
            "arguments give the same bytes."
        ),
    )
    parser.add_argument("--agents", type=int, required=True, help="number of agents on the roster")
    parser.add_argument("--hours", type=float, required=True, help="length of the day in hours")
    parser.add_argument("--seed", type=int, required=True, help="random seed")
    parser.add_argument(
        "--start",
        default="2026-03-02T00:00:00+08:00",
        help="RFC 3339 start with offset (default %(default)s)",
    )
    parser.add_argument(
        "--config", default=str(DEFAULT_CONFIG), help="TOML configuration (default: the sample)"
    )
    parser.add_argument(
        "--out", required=True, help="events file, FILE.jsonl or FILE.jsonl.gz (gzip, mtime 0)"
    )
    parser.add_argument(
        "--labels", default=None, help="labels file (default: <out stem>.labels.jsonl)"
    )
    parser.set_defaults(func=_simulate)
