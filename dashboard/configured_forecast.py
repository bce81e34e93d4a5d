"""Today's forecast of a queue from the configured `[staffing] forecast` file, for the
staffing strip and the gap tile when the archive has no history yet.

The file is the one the pipeline's `volume_spike` rule reads (`wallboard forecast --out`,
or the demo's `var/sample_day.forecast.csv`): `queue`, `interval_start` (aware) and
`offered` (contacts per interval), validated by `pipeline.staffing.forecast_file`; its
`aht_s` column (seconds), when present, is the forecast handle time. The frame returned
has the columns of a forecast (`pipeline.staffing.forecast.forecast_schema`), intervals
in the configured zone (default Asia/Shanghai), level and factors 1.0. The file is
re-read only when its path, size or modification time (or the settings) change; an
unreadable file is no forecast (`error` says why).
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from pipeline.staffing.forecast import forecast_schema
from pipeline.staffing.forecast_file import ForecastFileError, read_forecast
from schemas.config import Settings


class ConfiguredForecast:
    """Per-app cache of the parsed forecast file; thread-safe."""

    def __init__(self) -> None:
        self._key: tuple[object, ...] | None = None
        self._frame: pl.DataFrame | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def day(self, queue: str, today: date, settings: Settings) -> pl.DataFrame:
        """The file's forecast of `queue` for the local day `today` (empty: none)."""
        frame = self._whole(settings)
        if frame is None:
            return pl.DataFrame(schema=forecast_schema(settings))
        return frame.filter((pl.col("queue") == queue) & (pl.col("date") == today))

    def _whole(self, settings: Settings) -> pl.DataFrame | None:
        path = settings.staffing.forecast
        if not path:
            return None
        try:
            stat = Path(path).stat()
        except OSError as exc:
            self.error = f"{path}: {exc.strerror}"
            return None
        key = (path, stat.st_size, stat.st_mtime_ns, settings.timezone, settings.interval_min)
        with self._lock:
            if key == self._key:
                return self._frame
        try:
            frame: pl.DataFrame | None = _read(Path(path), settings)
            error = None
        except ForecastFileError as exc:
            frame, error = None, str(exc)
        with self._lock:
            self._key, self._frame, self.error = key, frame, error
        return frame


def _read(path: Path, settings: Settings) -> pl.DataFrame:
    rows = read_forecast(path, settings)  # validated: grid, duplicates, offered >= 0
    aht = _aht_by_interval(path)
    zone = settings.zone
    starts = [datetime.fromtimestamp(r.interval_start, tz=UTC).astimezone(zone) for r in rows]
    return pl.DataFrame(
        {
            "queue": [r.queue for r in rows],
            "date": [s.date() for s in starts],
            "interval_start": starts,
            "offered": [r.offered for r in rows],
            "aht_s": [aht.get((r.queue, r.interval_start)) for r in rows],
            "level": [1.0] * len(rows),
            "special_factor": [1.0] * len(rows),
            "intraday_factor": [1.0] * len(rows),
        },
        schema=forecast_schema(settings),
    )


def _aht_by_interval(path: Path) -> dict[tuple[str, int], float]:
    """(queue, interval start epoch s) → forecast AHT (s), from an `aht_s` column if any."""
    if path.suffix == ".csv":
        frame = pl.read_csv(path, schema_overrides={"interval_start": pl.String})
    else:
        frame = pl.read_parquet(path)
    if "aht_s" not in frame.columns:
        return {}
    if frame.schema["interval_start"] == pl.String:
        frame = frame.with_columns(pl.col("interval_start").str.to_datetime(time_zone="UTC"))
    epochs = frame.select(
        "queue",
        (pl.col("interval_start").dt.epoch("us") // 1_000_000).alias("start_s"),
        pl.col("aht_s").cast(pl.Float64),
    ).filter(pl.col("aht_s").is_not_null())
    return {(q, int(s)): float(a) for q, s, a in epochs.iter_rows()}
