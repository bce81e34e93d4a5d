"""Backtest: baselines, scores and the Poisson noise floor, hand-worked; closures learned;
the CLI's evaluation table and `--tz`."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from pipeline.cli import main
from pipeline.commands.forecast import zone_name
from pipeline.staffing.backtest import backtest, noise_floor, poisson_mad
from pipeline.staffing.forecast import forecast
from schemas.config import ConfigError, parse_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 1, 5)  # a Monday


def _frame(rows: list[tuple[str, datetime, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [{"queue": q, "interval_start": t, "offered": n, "aht_s": 200.0} for q, t, n in rows],
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", "Asia/Shanghai"),
            "offered": pl.Int64,
            "aht_s": pl.Float64,
        },
    )


def test_poisson_mad_is_the_closed_form_and_the_floor_weights_it_by_volume() -> None:
    assert poisson_mad(0.0) == 0.0
    assert math.isclose(poisson_mad(1.0), 2 / math.e)  # 2·1²·e⁻¹/1!
    assert math.isclose(poisson_mad(2.0), 2 * 2**3 * math.exp(-2) / 2)  # 2·2³·e⁻²/2!
    brute = sum(abs(k - 3.5) * math.exp(-3.5) * 3.5**k / math.factorial(k) for k in range(80))
    assert math.isclose(poisson_mad(3.5), brute)
    floor = noise_floor(np.array([1.0, 2.0, 0.0]))
    assert floor is not None and math.isclose(floor, (2 / math.e + 8 * math.exp(-2)) / 3)


def test_baselines_are_last_week_and_the_mean_of_the_last_three_same_weekdays() -> None:
    # one queue, one interval a day (09:00): 10 contacts a day in week 1, 20 in week 2,
    # 30 in week 3, 40 in the held-out week 4. last_week forecasts 30 (WAPE 10/40, bias
    # −25 %), mean_3_weeks (10 + 20 + 30)/3 = 20 (WAPE 50 %, bias −50 %).
    rows = [
        ("claims", datetime.combine(FIRST + timedelta(days=i), datetime.min.time(), SHANGHAI)
         + timedelta(hours=9), 10 * (i // 7 + 1))
        for i in range(28)
    ]  # fmt: skip
    settings = parse_settings({"interval_min": 15})
    result = backtest(_frame(rows), settings, holdout_days=7)
    assert result.folds == [(FIRST + timedelta(days=21), [FIRST + timedelta(days=21 + i)
                                                          for i in range(7)])]  # fmt: skip
    for level in ("15min", "30min", "hour", "day"):
        scores = result.scores["claims"][level]
        last_week, mean_3 = scores["last_week"], scores["mean_3_weeks"]
        assert (last_week.actual, last_week.forecast) == (280.0, 210.0)
        assert (last_week.wape, last_week.bias, last_week.mape) == (0.25, -0.25, 0.25)
        assert last_week.mape_intervals == 7
        assert (mean_3.forecast, mean_3.wape, mean_3.bias) == (140.0, 0.5, -0.5)
        floor = result.noise_floor["claims"][level]
        assert floor is not None and math.isclose(floor, poisson_mad(40.0) / 40.0)
    assert result.scores["(all)"]["day"]["last_week"] == result.scores["claims"]["day"][
        "last_week"
    ]


def test_closed_hours_and_a_closed_weekday_are_learned_from_history() -> None:
    # Sunday–Thursday open 08:00–18:00 (10 contacts per half hour), Friday 08:00–12:00
    # only, Saturday closed: the forecast is exactly 0 on Friday afternoon and Saturday.
    rows = []
    for i in range(28):
        day = FIRST + timedelta(days=i)
        closing = {4: 12, 5: 8}.get(day.weekday(), 18)
        for half_hour in range(16, closing * 2):
            start = datetime.combine(day, datetime.min.time(), SHANGHAI)
            rows.append(("claims", start + timedelta(minutes=30 * half_hour), 10))
    settings = parse_settings({"interval_min": 30})
    result = forecast(_frame(rows), settings, FIRST + timedelta(days=28), days=7)
    hour = pl.col("interval_start").dt.hour()
    friday = result.filter(pl.col("date").dt.weekday() == 5)
    saturday = result.filter(pl.col("date").dt.weekday() == 6)
    assert friday.filter(hour >= 12)["offered"].unique().to_list() == [0.0]
    assert round(friday.filter(hour < 12)["offered"].sum(), 6) == 80.0
    assert saturday["offered"].unique().to_list() == [0.0]
    monday = result.filter(pl.col("date").dt.weekday() == 1)
    assert round(monday["offered"].sum(), 6) == 200.0


def test_tz_option_takes_an_iana_name_or_a_whole_hour_offset() -> None:
    assert zone_name("+03:00") == "Etc/GMT-3"  # POSIX Etc names invert the sign
    assert zone_name("UTC-5") == "Etc/GMT+5"
    assert zone_name("+00:00") == "UTC"
    assert zone_name("Asia/Jerusalem") == "Asia/Jerusalem"
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Base'"):
        zone_name("Mars/Base")


def test_evaluate_prints_the_held_out_days_and_the_baselines_beside_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        ("claims", datetime.combine(FIRST + timedelta(days=i), datetime.min.time(), SHANGHAI)
         + timedelta(hours=9), 10 * (i // 7 + 1))
        for i in range(28)
    ]  # fmt: skip
    history = tmp_path / "history.parquet"
    _frame(rows).write_parquet(history)
    code = main(["forecast", "--history", str(history), "--evaluate", "--holdout-days", "7"])
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert "  origin 2026-01-26: 2026-01-26 Mon, 2026-01-27 Tue, 2026-01-28 Wed, " in out[2] + ", "
    header = next(line for line in out if line.startswith("queue"))
    assert header.split() == [
        "queue", "level", "actual", "model", "last_wk", "mean_3w", "floor",
        "bias", "bias_lw", "bias_3w", "MAPE", "n",
    ]  # fmt: skip
    day = next(line for line in out if line.startswith("claims") and " day " in line).split()
    assert day[2:3] + day[4:6] + day[8:10] == ["280", "25.0%", "50.0%", "-25.0%", "-50.0%"]
