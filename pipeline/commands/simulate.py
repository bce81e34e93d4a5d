"""`wallboard simulate`: generate a seeded contact-center day with labelled anomalies."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

from replay_data.day import default_labels_path, generate_day, write_day
from replay_data.forecast import plan_forecast, write_forecast
from replay_data.roster_file import write_roster
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
    roster_out = Path(args.roster_out) if args.roster_out else None
    if roster_out is not None and roster_out.suffix.lower() not in {".json", ".csv"}:
        print("--roster-out must end in .json or .csv", file=sys.stderr)
        return 2
    began = time.monotonic()
    day = generate_day(settings, args.agents, args.hours, args.seed, start)
    out = Path(args.out)
    labels = Path(args.labels) if args.labels else default_labels_path(out)
    write_day(day, out, labels)
    if args.forecast_out:
        write_forecast(plan_forecast(day.plan, settings), Path(args.forecast_out))
    if roster_out is not None:
        write_roster(day.roster, roster_out, settings.zone)
    kinds = Counter(label["kind"] for label in day.labels)
    summary = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
    print(
        f"{out}: {len(day.lines)} lines, {len(day.roster)} agents, "
        f"{time.monotonic() - began:.1f} s; {labels}: {summary}"
    )
    if roster_out is not None:
        print(f"{roster_out}: {len(day.roster)} shifts")
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
    parser.add_argument(
        "--roster-out",
        default=None,
        help="also write the agents' shifts as a roster file (.json or .csv) for [staffing] roster",
    )
    parser.add_argument(
        "--forecast-out",
        default=None,
        help="also write the arrival plan as a forecast file (.csv or .parquet) for "
        "`[staffing] forecast` (volume_spike alerts)",
    )
    parser.set_defaults(func=_simulate)
