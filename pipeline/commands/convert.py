"""`wallboard convert --from SOURCE FILE`: real telephony logs to our JSON Lines events.

Sources: `asterisk-queue-log` (in log order; `--follow` tails a growing file),
`asterisk-master-csv` (Asterisk's headerless `Master.csv`, call legs grouped into
contacts), `cdr-csv` (column mapping from `[importers.cdr]` of `--config`; `--header` /
`--no-header` say whether the first row names the columns) and `bank-1999` (the
Anonymous Bank data set; `--day` picks one day). CSV sources are written in canonical
event order. Events go to `--out` (default stdout), dead letters
(`{"reason", "raw", "line"}`) to `--dead-letter` (default stderr); a one-line summary goes
to stderr at the end. `--tz` is the zone the output timestamps are written in (default:
the configured time zone for Asterisk and CDR, UTC+03:00 for the bank data).

Exit codes: 0 done; 1 when dead letters exceed `--max-dead-letter-ratio` (default
`importers.max_dead_letter_ratio`, 0.5) of the input records, with the reasons counted
on stderr; 2 for a bad configuration or an unreadable file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, tzinfo
from typing import IO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.adapters.asterisk import QueueLogMapper
from pipeline.adapters.bank_1999 import map_bank_file
from pipeline.adapters.cdr_csv import map_cdr_file
from pipeline.adapters.lines import OverLong, follow_lines, read_lines
from pipeline.adapters.master_csv import map_master_csv_file
from pipeline.adapters.records import DeadLetter, Skip
from pipeline.adapters.writer import EventWriter
from schemas.config import ConfigError, Settings, load_settings

SOURCES = ("asterisk-queue-log", "asterisk-master-csv", "cdr-csv", "bank-1999")
NOT_RECORDS = frozenset({"blank line", "NUL padding"})


def _zone(name: str | None) -> tzinfo | None:
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"--tz: unknown time zone {name!r}"
        raise ConfigError(msg) from None


def _ratio(text: str) -> float:
    """A share between 0 and 1, for `--max-dead-letter-ratio`."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        msg = f"not a share between 0 and 1: {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _asterisk(args: argparse.Namespace, settings: Settings, writer: EventWriter) -> None:
    mapper = QueueLogMapper(settings, _zone(args.tz))

    def on_idle() -> None:
        # A live log: past local midnight, yesterday's agents are logged out.
        writer.mapped(mapper.tick(datetime.now(UTC)))
        writer.flush()

    lines: Iterator[tuple[int, str]]
    if args.follow:
        lines = follow_lines(
            args.file, poll_s=args.poll_s, idle_exit_s=args.idle_exit_s, on_idle=on_idle
        )
    else:
        lines = read_lines(args.file)
    for number, raw in lines:
        if isinstance(raw, OverLong):
            writer.counts.records += 1
            writer.mapped(DeadLetter(raw.reason, raw, number))
            continue
        results = mapper.map_line(raw, number)
        last = results[-1]
        if not (isinstance(last, Skip) and last.kind in NOT_RECORDS):
            writer.counts.records += 1
        for result in results:
            writer.mapped(result)
    if not args.follow:
        writer.mapped(mapper.finish())
    for note in mapper.notes:
        print(f"convert: note: {note}", file=sys.stderr)


def _too_many_dead_letters(
    args: argparse.Namespace, settings: Settings, writer: EventWriter
) -> bool:
    limit = (
        args.max_dead_letter_ratio
        if args.max_dead_letter_ratio is not None
        else settings.importers.max_dead_letter_ratio
    )
    counts = writer.counts
    if counts.dead_letter_ratio() <= limit:
        return False
    print(
        f"convert: failed: {counts.dead_letters} of {counts.records} input records "
        f"({counts.dead_letter_ratio():.0%}) are dead letters, more than the allowed "
        f"{limit:.0%}; by reason:\n{counts.reasons_summary()}",
        file=sys.stderr,
    )
    return True


def _run(args: argparse.Namespace, out: IO[bytes], dead: IO[bytes]) -> int:
    settings = load_settings(args.config)
    writer = EventWriter(out, dead, zone=_zone(args.tz), flush_each=args.follow)
    if args.follow and args.source != "asterisk-queue-log":
        print("convert: --follow is only for asterisk-queue-log", file=sys.stderr)
        return 2
    if args.source == "asterisk-queue-log":
        _asterisk(args, settings, writer)
    elif args.source == "asterisk-master-csv":
        writer.sorted_batch(map_master_csv_file(args.file, settings))
    elif args.source == "cdr-csv":
        if settings.importers.cdr is None:
            print(
                "convert: cdr-csv needs --config with an [importers.cdr] column mapping",
                file=sys.stderr,
            )
            return 2
        writer.sorted_batch(map_cdr_file(args.file, settings, header=args.header))
    else:
        writer.sorted_batch(map_bank_file(args.file, day=args.day, ivr_hangups=args.ivr_hangups))
    writer.flush()
    print(f"convert: {writer.counts.summary()}", file=sys.stderr)
    return 1 if _too_many_dead_letters(args, settings, writer) else 0


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
        "convert",
        help="convert an Asterisk queue_log or Master.csv, a CDR CSV or the bank data to events",
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
        "--header",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="cdr-csv: the first row names the columns (--no-header: it is data; "
        "default: importers.cdr.header, else the first row must name the mapped columns)",
    )
    parser.add_argument(
        "--max-dead-letter-ratio",
        type=_ratio,
        default=None,
        help="fail (exit 1) when more than this share of the input is dead-lettered "
        "(default importers.max_dead_letter_ratio, 0.5)",
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
