"""`wallboard report day|week|month`: a manager's report from the Parquet archive, written
as HTML (self-contained), XLSX and/or one CSV per table into `--out`."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from pipeline.reports.build import ReportRequest, build_report
from pipeline.reports.period import PERIOD_KINDS, period_for
from pipeline.reports.write import FORMATS, write_report
from pipeline.staffing.forecast_file import ForecastFileError
from schemas.config import ConfigError, load_settings


def _formats(text: str) -> list[str]:
    chosen = [f.strip() for f in text.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        msg = f"--format: {', '.join(unknown) or 'nothing'} (choose from {', '.join(FORMATS)})"
        raise argparse.ArgumentTypeError(msg)
    return chosen


def _report(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    archive = Path(args.archive_dir)
    if not archive.is_dir():
        print(f"error: --archive-dir {archive}: no such directory", file=sys.stderr)
        return 2
    day = args.date or (datetime.now(settings.zone).date() - timedelta(days=1))
    request = ReportRequest(args.period, day, tuple(args.queue or ()), tuple(args.team or ()),
                            args.lang)
    steps = ["queues", "teams and agents", "alerts", "intervals", "forecast", "staffing and causes"]

    def progress(step: str) -> None:
        done = steps.index(step) + 1 if step in steps else 0
        bar = "#" * done + "." * (len(steps) - done)
        print(f"\r[{bar}] {step:<24}", end="", file=sys.stderr, flush=True)

    try:
        report = build_report(archive, settings, request, progress)
    except ForecastFileError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 2
    print(file=sys.stderr)
    written = write_report(report, period_for(args.period, day), Path(args.out), args.format)
    for path in written:
        print(path)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("report", help="day/week/month report from the archive")
    parser.add_argument("period", choices=PERIOD_KINDS, help="the day, ISO week or month")
    parser.add_argument("--date", type=date.fromisoformat,
                        help="a local day in the period (YYYY-MM-DD; default yesterday)")
    parser.add_argument("--queue", action="append", help="queue to report (repeat; all)")
    parser.add_argument("--team", action="append", help="team to report (repeat; all)")
    parser.add_argument("--archive-dir", default="var/archive",
                        help="directory of the day partitions (var/archive)")
    parser.add_argument("--out", default="var/reports", help="output folder (var/reports)")
    parser.add_argument("--format", type=_formats, default=list(FORMATS),
                        help="comma-separated: html,xlsx,csv (all)")
    parser.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (zh)")
    parser.add_argument("--config", help="TOML configuration (targets, teams, staffing)")
    parser.set_defaults(func=_report)
