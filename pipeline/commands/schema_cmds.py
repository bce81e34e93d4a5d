"""`wallboard schema` and `wallboard check-config FILE`."""

from __future__ import annotations

import argparse
import json
import sys

from pipeline.staffing.forecast_file import ForecastFileError, read_forecast
from pipeline.staffing.roster import RosterError, load_pipeline_roster
from schemas.config import ConfigError, Settings, load_settings
from schemas.events import event_json_schema


def _schema(args: argparse.Namespace) -> int:
    print(json.dumps(event_json_schema(), indent=2, ensure_ascii=False))
    return 0


def _check_config(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args.file)
    except ConfigError as exc:
        print(f"invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    try:
        extras = _check_staffing_files(settings)
    except (RosterError, ForecastFileError, OSError) as exc:
        print(f"invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    print(
        f"{args.file}: ok ({len(settings.queues)} queues, {len(settings.teams)} teams, "
        f"time zone {settings.timezone}{extras})"
    )
    return 0


def _check_staffing_files(settings: Settings) -> str:
    """Read the roster and forecast files the pipeline would load at start, so a bad file
    is reported here rather than when the engine starts inside a worker."""
    extras = ""
    if settings.staffing.roster is not None:
        roster = load_pipeline_roster(settings.staffing.roster)
        extras += f", roster {len(roster.shifts)} shifts"
    if settings.staffing.forecast is not None:
        rows = read_forecast(settings.staffing.forecast, settings)
        extras += f", forecast {len(rows)} intervals"
    return extras


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    schema = subparsers.add_parser("schema", help="print the JSON Schema of the events")
    schema.set_defaults(func=_schema)
    check = subparsers.add_parser("check-config", help="validate a configuration file")
    check.add_argument("file", help="TOML configuration file")
    check.set_defaults(func=_check_config)
