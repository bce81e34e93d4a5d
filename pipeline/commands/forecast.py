"""`wallboard forecast`: volume/AHT forecast per queue per interval, or its backtest.

Without `--evaluate` it writes the forecast for today (local day of the configured zone,
or `--start`) and the next `forecast_days` days to `--out` (.parquet or .csv; CSV to
stdout without `--out`). `wallboard forecast --events FILE.jsonl.gz --evaluate
[--holdout-days 21] [--horizon-days 7]` prints the rolling-origin backtest
(`pipeline.staffing.backtest`): the held-out days, then per queue and over all queues
WAPE, MAPE (intervals with actual > 0 only), bias of the model and of the two baselines,
and the Poisson noise floor, at 15 min, 30 min, hour and day. `--events` builds the
history from an event file (JSON Lines, .gz ok), `--history` reads a Parquet archive.
`--tz` overrides the configured time zone (an IANA name, or a whole-hour offset such as
`+03:00` for the bank data) for the local days, intervals and weekdays.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from pipeline.staffing.backtest import METHODS, Backtest, Score, backtest
from pipeline.staffing.forecast import forecast
from pipeline.staffing.history import history_from_events
from schemas.config import ConfigError, Settings, load_settings

_OFFSET = re.compile(r"^(?:UTC)?([+-])(\d{1,2})(?::00)?$")


def zone_name(text: str) -> str:
    """An IANA zone name for `--tz`: the name itself, or `Etc/GMT∓H` for a whole-hour
    offset `+HH:00` / `UTC+H` (POSIX `Etc` names invert the sign)."""
    match = _OFFSET.match(text.strip())
    if match:
        sign, hours = match.group(1), int(match.group(2))
        if hours == 0:
            return "UTC"
        return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"--tz: unknown time zone {text!r} (an IANA name or a whole-hour offset +HH:00)"
        raise ConfigError(msg) from None
    return text


def _settings(args: argparse.Namespace) -> Settings:
    settings = load_settings(args.config)
    if args.tz:
        return settings.model_copy(update={"timezone": zone_name(args.tz)})
    return settings


def _load_history(args: argparse.Namespace, settings: Settings) -> pl.DataFrame:
    if args.events:
        return history_from_events(args.events, settings)
    return pl.read_parquet(args.history)


def _forecast(args: argparse.Namespace) -> int:
    try:
        settings = _settings(args)
        history = _load_history(args, settings)
        if args.evaluate:
            result = backtest(history, settings, args.holdout_days, args.horizon_days)
            if args.json:
                print(json.dumps(evaluation_json(result), sort_keys=True))
            else:
                print_evaluation(result, settings)
            return 0
        start = (
            date.fromisoformat(args.start)
            if args.start
            else datetime.now(UTC).astimezone(settings.zone).date()
        )
        frame = forecast(history, settings, start)
    except (ConfigError, ValueError, FileNotFoundError, pl.exceptions.PolarsError) as exc:
        print(f"forecast: {exc}", file=sys.stderr)
        return 2
    if args.out is None:
        sys.stdout.write(frame.write_csv())
    elif Path(args.out).suffix == ".csv":
        frame.write_csv(args.out)
    else:
        frame.write_parquet(args.out)
    return 0


def _score_json(score: Score) -> dict[str, float | int | None]:
    return {
        "actual": score.actual,
        "forecast": score.forecast,
        "wape": score.wape,
        "mape": score.mape,
        "mape_intervals": score.mape_intervals,
        "bias": score.bias,
    }


def evaluation_json(result: Backtest) -> dict[str, object]:
    """The backtest as plain JSON: folds, held-out days, scores and noise floors."""
    return {
        "folds": [
            {"origin": origin.isoformat(), "days": [d.isoformat() for d in days]}
            for origin, days in result.folds
        ],
        "held_out": [d.isoformat() for d in result.held_out],
        "queues": {
            queue: {
                level: {
                    **{m: _score_json(scores[m]) for m in METHODS},
                    "noise_floor": result.noise_floor[queue][level],
                }
                for level, scores in levels.items()
            }
            for queue, levels in result.scores.items()
        },
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1%}"


def print_evaluation(result: Backtest, settings: Settings) -> None:
    """The backtest as a text table (percentages; bias signed, + = over-forecast)."""
    print(f"rolling-origin backtest, local days in {settings.timezone}; each fold forecast")
    print("from its origin with only the history before it:")
    for origin, days in result.folds:
        listed = ", ".join(f"{d.isoformat()} {d.strftime('%a')}" for d in days)
        print(f"  origin {origin.isoformat()}: {listed}")
    print("WAPE = sum|a-f|/sum a; bias = (sum f - sum a)/sum a; MAPE over intervals with")
    print("a > 0 only (zero-actual intervals skipped, n = intervals used); floor = Poisson")
    print("noise floor, the WAPE of a perfect-rate forecast at this volume.")
    print("baselines: last_week = same interval a week before; mean_3_weeks = mean of the")
    print("same interval on the last 3 same weekdays.")
    header = (
        f"{'queue':<16} {'level':<6} {'actual':>8} {'model':>7} {'last_wk':>7} "
        f"{'mean_3w':>7} {'floor':>7} {'bias':>7} {'bias_lw':>7} {'bias_3w':>7} "
        f"{'MAPE':>7} {'n':>5}"
    )
    print(header)
    for queue, levels in result.scores.items():
        for level, scores in levels.items():
            model = scores["model"]
            print(
                f"{queue:<16} {level:<6} {model.actual:>8.0f} {_pct(model.wape):>7} "
                f"{_pct(scores['last_week'].wape):>7} {_pct(scores['mean_3_weeks'].wape):>7} "
                f"{_pct(result.noise_floor[queue][level]):>7} {_signed(model.bias):>7} "
                f"{_signed(scores['last_week'].bias):>7} "
                f"{_signed(scores['mean_3_weeks'].bias):>7} {_pct(model.mape):>7} "
                f"{model.mape_intervals:>5}"
            )


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "forecast", help="forecast contacts and AHT per queue per interval, or backtest it"
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--history", help="Parquet: queue, interval_start, offered, aht_s")
    source.add_argument("--events", help="event file (JSON Lines, .gz ok) to build history")
    parser.add_argument("--config", default=None, help="TOML configuration file")
    parser.add_argument("--tz", default=None, help="time zone (IANA name or +HH:00)")
    parser.add_argument(
        "--evaluate", action="store_true", help="rolling-origin backtest against baselines"
    )
    parser.add_argument(
        "--holdout-days", type=int, default=21, help="last days held out (default 21)"
    )
    parser.add_argument(
        "--horizon-days", type=int, default=7, help="days per fold, 1..7 (default 7)"
    )
    parser.add_argument("--start", default=None, help="first forecast day (default today)")
    parser.add_argument("--out", default=None, help="output .parquet or .csv")
    parser.add_argument("--json", action="store_true", help="evaluation as JSON")
    parser.set_defaults(func=_forecast)
