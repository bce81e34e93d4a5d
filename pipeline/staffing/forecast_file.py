"""Reading the forecast file of `[staffing] forecast` for the live `volume_spike` rule.

The file is what `wallboard forecast --out` writes (.parquet, or .csv with RFC 3339
timestamps carrying their offset): one row per queue and interval with `queue`,
`interval_start` (tz-aware) and `offered` (forecast contacts in that interval, float);
other columns are ignored. Every `interval_start` must lie on the configured local
interval grid (`interval_min` minutes of wall-clock time in `timezone`, default
Asia/Shanghai), so a forecast made for another interval length is refused rather than
silently compared with the wrong volume. A row with an empty `offered` is no forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.config import Settings

REQUIRED_COLUMNS: tuple[str, ...] = ("queue", "interval_start", "offered")


class ForecastFileError(ValueError):
    """The forecast file is missing, unreadable or inconsistent; the message says where."""


@dataclass(frozen=True, slots=True)
class ForecastRow:
    """Forecast contacts offered to `queue` in the interval starting at `interval_start`
    (epoch seconds)."""

    queue: str
    interval_start: int
    offered: float


def _read(path: Path) -> pl.DataFrame:
    if not path.exists():
        msg = f"{path}: forecast file not found"
        raise ForecastFileError(msg)
    try:
        if path.suffix == ".csv":
            frame = pl.read_csv(path, schema_overrides={"interval_start": pl.String})
        else:
            frame = pl.read_parquet(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        msg = f"{path}: not a readable forecast file: {exc}"
        raise ForecastFileError(msg) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        msg = f"{path}: forecast is missing columns {missing}; expected {list(REQUIRED_COLUMNS)}"
        raise ForecastFileError(msg)
    return frame.select(REQUIRED_COLUMNS)


def _aware_starts(frame: pl.DataFrame, path: Path) -> pl.DataFrame:
    """`interval_start` as a UTC datetime column, whatever the file stored."""
    dtype = frame.schema["interval_start"]
    if dtype == pl.String:
        try:
            return frame.with_columns(pl.col("interval_start").str.to_datetime(time_zone="UTC"))
        except pl.exceptions.PolarsError:
            msg = f"{path}: interval_start must be RFC 3339 timestamps with a UTC offset"
            raise ForecastFileError(msg) from None
    if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
        msg = f"{path}: interval_start must be a tz-aware datetime, got {dtype}"
        raise ForecastFileError(msg)
    return frame


def read_forecast(path: str | Path, settings: Settings) -> list[ForecastRow]:
    """The rows of a forecast file, sorted by queue and interval start; raises
    `ForecastFileError` naming the file and the first offending row."""
    path = Path(path)
    frame = _aware_starts(_read(path), path).filter(pl.col("offered").is_not_null())
    local = pl.col("interval_start").dt.convert_time_zone(settings.timezone)
    checked = frame.with_columns(
        (
            (local.dt.minute() % settings.interval_min == 0)
            & (local.dt.second() == 0)
            & (local.dt.microsecond() == 0)
        ).alias("on_grid"),
        (pl.col("interval_start").dt.epoch("us") // 1_000_000).alias("start_s"),
        pl.col("offered").cast(pl.Float64),
    )
    rows = checked.sort("queue", "start_s").to_dicts()
    seen: set[tuple[str, int]] = set()
    out: list[ForecastRow] = []
    for row in rows:
        where = f"{path}: queue {row['queue']!r} interval {row['interval_start']}"
        if row["queue"] is None:
            msg = f"{path}: a row without a queue"
            raise ForecastFileError(msg)
        if not row["on_grid"]:
            msg = f"{where}: not on the {settings.interval_min}-minute grid of {settings.timezone}"
            raise ForecastFileError(msg)
        offered = row["offered"]
        if not offered >= 0:  # also refuses NaN
            msg = f"{where}: offered must be a number >= 0, got {offered}"
            raise ForecastFileError(msg)
        key = (row["queue"], row["start_s"])
        if key in seen:
            msg = f"{where}: appears twice"
            raise ForecastFileError(msg)
        seen.add(key)
        out.append(ForecastRow(row["queue"], row["start_s"], offered))
    return out


def forecast_by_queue(rows: list[ForecastRow]) -> dict[str, dict[int, float]]:
    """queue → {interval start (epoch seconds) → forecast contacts}."""
    out: dict[str, dict[int, float]] = {}
    for row in rows:
        out.setdefault(row.queue, {})[row.interval_start] = row.offered
    return out
