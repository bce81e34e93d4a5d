"""Reading `[staffing] forecast` files: what `wallboard forecast --out` writes, and refusals."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from pipeline.staffing.forecast_file import ForecastFileError, ForecastRow, read_forecast
from schemas.config import Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
NINE_EPOCH = 1772413200


def _frame(starts: list[datetime], offered: list[float | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"queue": ["claims_report"] * len(starts), "interval_start": starts, "offered": offered},
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", "Asia/Shanghai"),
            "offered": pl.Float64,
        },
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_csv_and_parquet_give_epoch_interval_starts(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"forecast{suffix}"
    frame = _frame([NINE, NINE.replace(minute=15), NINE.replace(minute=30)], [20.0, None, 0.0])
    if suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    assert read_forecast(path, Settings()) == [
        ForecastRow("claims_report", NINE_EPOCH, 20.0),
        ForecastRow("claims_report", NINE_EPOCH + 1800, 0.0),
    ]


def test_an_interval_off_the_configured_grid_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    _frame([NINE.replace(minute=5)], [20.0]).write_csv(path)
    with pytest.raises(ForecastFileError, match="not on the 15-minute grid of Asia/Shanghai"):
        read_forecast(path, Settings())


def test_a_repeated_interval_and_a_missing_column_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    _frame([NINE, NINE], [20.0, 21.0]).write_csv(path)
    with pytest.raises(ForecastFileError, match="appears twice"):
        read_forecast(path, Settings())
    _frame([NINE], [20.0]).drop("offered").write_csv(path)
    with pytest.raises(ForecastFileError, match=r"missing columns \['offered'\]"):
        read_forecast(path, Settings())
