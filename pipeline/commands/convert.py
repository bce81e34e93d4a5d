"""`wallboard convert --from SOURCE FILE`: real telephony logs to our JSON Lines events.

Sources: `asterisk-queue-log` (in log order; `--follow` tails a growing file),
`cdr-csv` (column mapping from `[importers.cdr]` of `--config`) and `bank-1999` (the
Anonymous Bank data set; `--day` picks one day). CSV sources are written in canonical
event order. Events go to `--out` (default stdout), dead letters
(`{"reason", "raw", "line"}`) to `--dead-letter` (default stderr); a one-line summary goes
to stderr at the end. `--tz` is the zone the output timestamps are written in (default:
the configured time zone for Asterisk and CDR, UTC+03:00 for the bank data).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, tzinfo
from typing import IO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.adapters.asterisk import QueueLogMapper
from pipeline.adapters.bank_1999 import map_bank_file
from pipeline.adapters.cdr_csv import map_cdr_file
from pipeline.adapters.lines import OverLong, follow_lines, read_lines
from pipeline.adapters.records import DeadLetter
from pipeline.adapters.writer import EventWriter
from schemas.config import ConfigError, Settings, load_settings

SOURCES = ("asterisk-queue-log", "cdr-csv", "bank-1999")


def _zone(name: str | None) -> tzinfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"--tz: unknown time zone {name!r}"
        raise ConfigError(msg) from None


def _asterisk(args: argparse.Namespace, settings: Settings, writer: EventWriter) -> None:
    mapper = QueueLogMapper(settings, _zone(args.tz))
    lines: Iterator[tuple[int, str]]
    if args.follow:
        lines = follow_lines(
            args.file, poll_s=args.poll_s, idle_exit_s=args.idle_exit_s, on_idle=writer.flush
        )
    else:
        lines = read_lines(args.file)
    for number, raw in lines:
        if isinstance(raw, OverLong):
            writer.mapped(DeadLetter(raw.reason, raw, number))
        else:
            writer.mapped(mapper.map_line(raw, number))


def _run(args: argparse.Namespace, out: IO[bytes], dead: IO[bytes]) -> int:
    settings = load_settings(args.config)
    writer = EventWriter(out, dead, zone=_zone(args.tz), flush_each=args.follow)
    if args.follow and args.source != "asterisk-queue-log":
        print("convert: --follow is only for asterisk-queue-log", file=sys.stderr)
        return 2
    if args.source == "asterisk-queue-log":
        _asterisk(args, settings, writer)
    elif args.source == "cdr-csv":
        if settings.importers.cdr is None:
            print(
                "convert: cdr-csv needs --config with an [importers.cdr] column mapping",
                file=sys.stderr,
            )
            return 2
        writer.sorted_batch(map_cdr_file(args.file, settings))
    else:
        writer.sorted_batch(map_bank_file(args.file, day=args.day, ivr_hangups=args.ivr_hangups))
    writer.flush()
    print(f"convert: {writer.counts.summary()}", file=sys.stderr)
    return 0


def _convert(args: argparse.Namespace) -> int:
    try:
        with ExitStack() as stack:
            out = stack.enter_context(open(args.out, "wb")) if args.out else sys.stdout.buffer
            dead = (
                stack.enter_context(open(args.dead_letter, "wb"))
                if args.dead_letter
                else sys.stderr.buffer
            )
            return _run(args, out, dead)
    except ConfigError as exc:
        print(f"convert: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"convert: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "convert", help="convert an Asterisk queue_log, a CDR CSV or the bank data to events"
    )
    parser.add_argument("file", help="source file (.gz is read decompressed)")
    parser.add_argument("--from", dest="source", required=True, choices=SOURCES)
    parser.add_argument("--config", help="TOML configuration (queues, teams, [importers])")
    parser.add_argument("--out", help="events JSON Lines file (default stdout)")
    parser.add_argument("--dead-letter", help="dead letters JSON Lines file (default stderr)")
    parser.add_argument("--tz", help="time zone of the output timestamps (IANA name)")
    parser.add_argument(
        "--follow", action="store_true", help="keep reading as the file grows (queue_log)"
    )
    parser.add_argument(
        "--poll-s", type=float, default=0.2, help="follow: seconds between checks for data"
    )
    parser.add_argument(
        "--idle-exit-s",
        type=float,
        default=None,
        help="follow: stop after this many seconds without new data (default: never)",
    )
    parser.add_argument(
        "--day", type=date.fromisoformat, help="bank-1999: only calls arriving that day"
    )
    parser.add_argument(
        "--ivr-hangups",
        choices=("self_served", "skip"),
        default="self_served",
        help="bank-1999: what a call that hung up in the IVR becomes",
    )
    parser.set_defaults(func=_convert)
