"""`wallboard kpis --events FILE --at TS [--engine stream|duckdb] --json`."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable

import orjson

from schemas.config import ConfigError, load_settings
from schemas.timefmt import parse_ts

SHOWN_REASONS = 10


def refusal_summary(engine: str, reasons: Iterable[str]) -> list[str]:
    """Lines for stderr, so that a snapshot of zeros is never silent about what it left
    out: the number of refused events and the most frequent reasons (no
    lines when nothing was refused). Reasons are grouped up to a parenthesis, so that
    the details of one kind (how many seconds earlier) do not split it."""
    counts = Counter(reason.split(" (", 1)[0] for reason in reasons)
    total = sum(counts.values())
    if not total:
        return []
    lines = [f"wallboard kpis ({engine}): {total} events refused (not counted), by reason:"]
    for reason, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[
        :SHOWN_REASONS
    ]:
        lines.append(f"  {count:>8}  {reason}")
    if len(counts) > SHOWN_REASONS:
        lines.append(f"  … and {len(counts) - SHOWN_REASONS} more reasons")
    return lines


def _kpis(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        at = parse_ts(args.at)
    except (ConfigError, ValueError) as error:
        print(f"wallboard kpis: {error}", file=sys.stderr)
        return 2
    if args.engine == "stream":
        from pipeline.runner import stream_run

        snapshot, letters = stream_run(args.events, at, settings, workers=args.workers)
        reasons = [letter.reason for letter in letters]
    else:
        from pipeline.bounded_lines import bounded_lines
        from pipeline.reference import reference_run
        from pipeline.sources import open_events

        with open_events(args.events) as handle:
            # Over-long lines arrive cut (and are refused): never read whole.
            snapshot, reasons = reference_run(bounded_lines(handle), at, settings)
    option = orjson.OPT_SORT_KEYS | (orjson.OPT_INDENT_2 if not args.json else 0)
    sys.stdout.buffer.write(orjson.dumps(snapshot, option=option) + b"\n")
    for line in refusal_summary(args.engine, reasons):
        print(line, file=sys.stderr)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "kpis",
        help="print the KPI snapshot of an event file as of a time",
        description="Print the snapshot JSON (kpi-spec §7) as of --at; later events are ignored.",
    )
    parser.add_argument("--events", required=True, help="event file (.jsonl or .jsonl.gz)")
    parser.add_argument("--at", required=True, help="RFC 3339 time with offset")
    parser.add_argument("--engine", choices=("stream", "duckdb"), default="stream")
    parser.add_argument("--config", help="TOML configuration (default: built-in defaults)")
    parser.add_argument("--workers", type=int, default=1, help="dataflow workers (stream)")
    parser.add_argument("--json", action="store_true", help="compact JSON on one line")
    parser.set_defaults(func=_kpis)
