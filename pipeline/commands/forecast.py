"""`wallboard forecast`: volume/AHT forecast per queue per interval, or its accuracy.

`wallboard forecast --history H.parquet --evaluate [--holdout-days 7]` prints MAPE and WAPE
per queue; without `--evaluate` it writes the forecast for today (local day of the
configured zone, or `--start`) and the next `forecast_days` days to `--out` (.parquet or
.csv; CSV to stdout without `--out`). `--events FILE.jsonl.gz` builds the history from an
event file instead of a Parquet archive.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from pipeline.staffing.forecast import evaluate, forecast
from pipeline.staffing.history import history_from_events
from schemas.config import ConfigError, Settings, load_settings


def _load_history(args: argparse.Namespace, settings: Settings) -> pl.DataFrame:
    if args.events:
        return history_from_events(args.events, settings)
    return pl.read_parquet(args.history)


def _forecast(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.config)
        history = _load_history(args, settings)
        if args.evaluate:
            return _print_evaluation(evaluate(history, args.holdout_days, settings), args.json)
        start = (
            date.fromisoformat(args.start)
            if args.start
            else datetime.now(UTC).astimezone(settings.zone).date()
        )
        result = forecast(history, settings, start)
    except (ConfigError, ValueError, FileNotFoundError, pl.exceptions.PolarsError) as exc:
        print(f"forecast: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(result.write_csv())
    elif Path(args.out).suffix == ".csv":
        result.write_csv(args.out)
    else:
        result.write_parquet(args.out)
    return 0


def _print_evaluation(scores: pl.DataFrame, as_json: bool) -> int:
    rows = scores.to_dicts()
    if as_json:
        print(json.dumps({r["queue"]: r for r in rows}, sort_keys=True))
        return 0
    print(f"{'queue':<24} {'actual':>9} {'forecast':>9} {'MAPE':>7} {'WAPE':>7}")
    for r in rows:
        mape = "-" if r["mape"] is None else f"{r['mape']:.1%}"
        wape = "-" if r["wape"] is None else f"{r['wape']:.1%}"
        print(f"{r['queue']:<24} {r['actual']:>9.0f} {r['forecast']:>9.1f} {mape:>7} {wape:>7}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "forecast", help="forecast contacts and AHT per queue per interval, or evaluate it"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--history", help="Parquet: queue, interval_start, offered, aht_s")
    source.add_argument("--events", help="event file (JSON Lines, .gz ok) to build history")
    parser.add_argument("--config", default=None, help="TOML configuration file")
    parser.add_argument("--evaluate", action="store_true", help="print MAPE/WAPE per queue")
    parser.add_argument("--holdout-days", type=int, default=7, help="days held out (default 7)")
    parser.add_argument("--start", default=None, help="first forecast day (default today)")
    parser.add_argument("--out", default=None, help="output .parquet or .csv")
    parser.add_argument("--json", action="store_true", help="evaluation as JSON")
    parser.set_defaults(func=_forecast)
