"""Forecast: accuracy on synthetic weeks, special days, intraday re-forecast, event history."""

from __future__ import annotations

import gzip
import json
import math
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from pipeline.cli import main
from pipeline.commands.forecast import evaluation_json
from pipeline.staffing.backtest import backtest
from pipeline.staffing.forecast import forecast, reforecast_intraday
from pipeline.staffing.history import history_from_events
from schemas.config import Settings, parse_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 1, 5)  # a Monday
WEEKS = 9
OPEN_SLOTS = range(16, 40)  # 08:00 to 20:00 in 30-minute intervals
HOLIDAY = date(2026, 3, 4)  # a Wednesday in the last (held-out) week
CAMPAIGN = date(2026, 2, 11)  # a Wednesday in the training weeks, claims_report only


def _mean_volume(queue: str, day: date, slot: int) -> float:
    """The known day-of-week × interval profile the synthetic weeks are drawn from."""
    weekday = day.weekday()
    day_level = [1.0, 0.95, 0.9, 0.9, 0.85, 0.5, 0.4][weekday]
    shape = 1.0 + 0.6 * math.sin((slot - 16) / 24 * math.pi)  # midday peak
    base = {"claims_report": 110.0, "chat_service": 70.0}[queue]
    return base * day_level * shape


def _special(queue: str, day: date) -> float:
    if day == HOLIDAY:
        return 0.4
    if day == CAMPAIGN and queue == "claims_report":
        return 1.8
    return 1.0


def _poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _at(day: date, slot: int) -> datetime:
    return datetime(day.year, day.month, day.day, slot // 2, 30 * (slot % 2), tzinfo=SHANGHAI)


def _slot(moment: datetime) -> int:
    return moment.hour * 2 + moment.minute // 30


def _history(volume: Callable[[str, date, int], float]) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for offset in range(WEEKS * 7):
        day = FIRST_DAY + timedelta(days=offset)
        for queue in ("claims_report", "chat_service"):
            for slot in OPEN_SLOTS:
                offered = volume(queue, day, slot)
                if offered > 0:
                    aht = 180.0 if queue == "claims_report" else 420.0
                    rows.append(
                        {
                            "queue": queue,
                            "interval_start": _at(day, slot),
                            "offered": offered,
                            "aht_s": aht,
                        }
                    )
    return pl.DataFrame(
        rows,
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", "Asia/Shanghai"),
            "offered": pl.Int64,
            "aht_s": pl.Float64,
        },
    )


@pytest.fixture(scope="module")
def noisy_history() -> pl.DataFrame:
    rng = random.Random(20260305)
    return _history(lambda q, d, s: _poisson(rng, _mean_volume(q, d, s) * _special(q, d)))


def _settings(special_days: list[dict[str, Any]] | None = None, **staffing: Any) -> Settings:
    calendar = (
        [
            {"date": HOLIDAY.isoformat(), "kind": "holiday", "name": "test holiday", "factor": 0.4},
            {
                "date": CAMPAIGN.isoformat(),
                "kind": "campaign",
                "queues": ["claims_report"],
                "factor": 1.8,
            },
        ]
        if special_days is None
        else special_days
    )
    return parse_settings({"interval_min": 30, "staffing": {"special_days": calendar, **staffing}})


def test_forecast_wape_is_below_15_percent_per_queue_on_synthetic_weeks(
    noisy_history: pl.DataFrame,
) -> None:
    result = backtest(noisy_history, _settings(), holdout_days=7)
    assert result.held_out == [date(2026, 3, 2) + timedelta(days=i) for i in range(7)]
    for queue in ("chat_service", "claims_report"):
        model = result.scores[queue]["30min"]["model"]
        print(queue, model)
        assert model.wape is not None and model.wape < 0.15, (queue, model)
        assert model.mape is not None and model.mape < 0.20, (queue, model)


def test_forecast_wape_on_regular_days_against_the_true_profile(
    noisy_history: pl.DataFrame,
) -> None:
    start = date(2026, 3, 2)
    predicted = forecast(noisy_history, _settings(), start, days=7).filter(
        pl.col("date") != HOLIDAY
    )
    for queue in ("claims_report", "chat_service"):
        rows = predicted.filter(pl.col("queue") == queue)
        truth = [
            _mean_volume(queue, r["date"], _slot(r["interval_start"]))
            for r in rows.iter_rows(named=True)
        ]
        error = sum(abs(f - t) for f, t in zip(rows["offered"], truth, strict=True))
        assert error / sum(truth) < 0.05, queue  # the profile itself is recovered closely


def test_special_day_in_the_horizon_multiplies_the_forecast_by_its_factor(
    noisy_history: pl.DataFrame,
) -> None:
    start = date(2026, 3, 2)
    campaign_only = [{"date": CAMPAIGN.isoformat(), "queues": ["claims_report"], "factor": 1.8}]
    with_holiday = forecast(noisy_history, _settings(), start, days=7)
    without = forecast(noisy_history, _settings(campaign_only), start, days=7)
    ratio = with_holiday["offered"] / without["offered"]
    on_holiday = with_holiday["date"] == HOLIDAY
    assert ratio.filter(on_holiday).round(12).unique().to_list() == [0.4]
    assert ratio.filter(~on_holiday).round(12).unique().to_list() == [1.0]
    assert with_holiday.filter(on_holiday)["special_factor"].unique().to_list() == [0.4]


def test_special_day_in_the_history_does_not_inflate_its_weekday(
    noisy_history: pl.DataFrame,
) -> None:
    start = date(2026, 3, 2)
    wednesday = date(2026, 3, 4)
    true_total = sum(_mean_volume("claims_report", wednesday, s) for s in OPEN_SLOTS)

    def wednesday_total(settings: Settings) -> float:
        frame = forecast(noisy_history, settings, start, days=7)
        rows = frame.filter((pl.col("queue") == "claims_report") & (pl.col("date") == wednesday))
        return float(rows["offered"].sum())

    campaign = {"date": CAMPAIGN.isoformat(), "queues": ["claims_report"], "factor": 1.8}
    normalized = wednesday_total(_settings([campaign]))
    unaware = wednesday_total(_settings([]))
    assert abs(normalized / true_total - 1) < 0.03
    assert unaware / true_total > 1.06  # one 1.8× Wednesday among eight, not normalized


def test_noise_free_history_forecasts_its_profile_within_two_percent() -> None:
    # Smoothing (±30 min) and shrinkage toward the pooled shape move a noise-free profile
    # slightly (most at the opening-hour edges); well-measured slots keep most of their own
    # share, so it stays within 2 %.
    history = _history(lambda q, d, s: round(_mean_volume(q, d, s)))
    settings = _settings([])
    start = FIRST_DAY + timedelta(weeks=WEEKS)  # Monday after the history
    result = forecast(history, settings, start)
    assert result.height == 8 * 24 * 2  # today + 7 days, 24 intervals, 2 queues
    assert result.schema["interval_start"] == pl.Datetime("us", "Asia/Shanghai")
    first = result.row(0, named=True)
    assert first["queue"] == "chat_service"
    assert first["interval_start"] == _at(start, 16)
    assert first["aht_s"] == 420.0
    assert result["level"].round(5).unique().to_list() == [1.0]
    for row in result.iter_rows(named=True):
        truth = round(_mean_volume(row["queue"], row["date"], _slot(row["interval_start"])))
        assert abs(row["offered"] / truth - 1) < 0.02, row
    saturday = start + timedelta(days=5)
    day_total = result.filter((pl.col("queue") == "claims_report") & (pl.col("date") == saturday))[
        "offered"
    ].sum()
    expected = sum(round(_mean_volume("claims_report", saturday, s)) for s in OPEN_SLOTS)
    assert abs(day_total - expected) < 0.01  # the day level is recovered to a hundredth


def test_level_follows_a_linear_trend_to_the_last_day_without_extrapolating() -> None:
    # every interval of day i (from FIRST_DAY) has 40 + i contacts; the window is the last
    # 8 weeks (days 7..62): its weekday effects are exactly 1 (ratio to a centered moving
    # average of a straight line), the weighted line through the days hits day 62 exactly,
    # so every forecast interval is 40 + 62 = 102; the window's mean is 40 + 34.5.
    history = _history(lambda q, d, s: 40 + (d - FIRST_DAY).days)
    start = FIRST_DAY + timedelta(weeks=WEEKS)
    result = forecast(history, _settings([]), start, days=2)
    assert result["offered"].round(6).unique().to_list() == [102.0]
    assert result["level"].round(9).unique().to_list() == [round(102 / 74.5, 9)]


def _flat_history(per_interval: int) -> pl.DataFrame:
    return _history(lambda q, d, s: per_interval)


def test_intraday_reforecast_scales_the_rest_of_today_by_actual_over_forecast() -> None:
    settings = _settings([])
    today = FIRST_DAY + timedelta(weeks=WEEKS)
    base = forecast(_flat_history(10), settings, today, days=2)
    actuals = pl.DataFrame(
        {
            "queue": ["claims_report"] * 5,
            "interval_start": [_at(today, s) for s in range(16, 21)],
            "offered": [15, 15, 15, 15, 40],  # 08:00–09:30 closed; 10:00 still open
        },
        schema_overrides={"interval_start": pl.Datetime("us", "Asia/Shanghai")},
    )
    now = datetime(today.year, today.month, today.day, 2, 5, tzinfo=UTC)  # 10:05 in Shanghai
    result = reforecast_intraday(base, actuals, now, settings)
    claims = result.filter(pl.col("queue") == "claims_report")
    closed = claims.filter(pl.col("interval_start") < _at(today, 20))
    rest = claims.filter((pl.col("date") == today) & (pl.col("interval_start") >= _at(today, 20)))
    tomorrow = claims.filter(pl.col("date") != today)
    assert closed["offered"].unique().to_list() == [10.0]
    assert rest["offered"].unique().to_list() == [15.0]
    assert rest["intraday_factor"].unique().to_list() == [1.5]
    assert tomorrow["offered"].unique().to_list() == [10.0]
    # chat_service had no actuals at all: 0 / 40 is bounded by intraday_min (0.25)
    chat_rest = result.filter(
        (pl.col("queue") == "chat_service")
        & (pl.col("interval_start") >= _at(today, 20))
        & (pl.col("date") == today)
    )
    assert chat_rest["offered"].unique().to_list() == [2.5]


def test_intraday_reforecast_waits_for_enough_forecast_volume() -> None:
    settings = _settings([], intraday_min_forecast=50)
    today = FIRST_DAY + timedelta(weeks=WEEKS)
    base = forecast(_flat_history(10), settings, today, days=1)
    actuals = pl.DataFrame(
        {
            "queue": ["claims_report"] * 4,
            "interval_start": [_at(today, s) for s in range(16, 20)],
            "offered": [30, 30, 30, 30],
        },
        schema_overrides={"interval_start": pl.Datetime("us", "Asia/Shanghai")},
    )
    now = datetime(today.year, today.month, today.day, 10, 5, tzinfo=SHANGHAI)
    result = reforecast_intraday(base, actuals, now, settings)
    assert result["offered"].unique().to_list() == [10.0]


def _event_lines() -> list[dict[str, Any]]:
    def offered(event: str, contact: str, ts: str, queue: str) -> dict[str, Any]:
        return {
            "event_id": event,
            "ts": ts,
            "type": "contact.offered",
            "contact_id": contact,
            "channel": "voice",
            "queue": queue,
        }

    def step(event: str, kind: str, contact: str, ts: str, agent: str = "a1") -> dict[str, Any]:
        return {"event_id": event, "ts": ts, "type": kind, "contact_id": contact, "agent_id": agent}

    return [
        offered("e1", "c1", "2026-03-02T09:01:00+08:00", "claims_report"),
        step("e2", "contact.answered", "c1", "2026-03-02T09:01:10+08:00"),
        step("e3", "contact.ended", "c1", "2026-03-02T09:04:10+08:00"),
        step("e4", "contact.wrapup_ended", "c1", "2026-03-02T01:04:40+00:00"),
        offered("e1", "c9", "2026-03-02T09:02:00+08:00", "claims_report"),  # duplicate id
        offered("e5", "c2", "2026-03-02T09:14:59+08:00", "claims_report"),
        offered("e6", "c3", "2026-03-02T09:15:00", "claims_report"),  # no offset: skipped
        offered("e7", "c4", "2026-03-02T09:20:00+08:00", "policy_service"),
        step("e8", "contact.answered", "c4", "2026-03-02T09:20:30+08:00", "a2"),
        step("e9", "contact.ended", "c4", "2026-03-02T09:26:00+08:00", "a2"),
        step("e10", "contact.wrapup_ended", "c4", "2026-03-02T09:30:30+08:00", "a3"),  # wrong
        step("e11", "contact.wrapup_ended", "c4", "2026-03-02T09:31:30+08:00", "a2"),
        offered("e12", "c5", "2026-03-02T09:16:00+08:00", "claims_report"),
        step("e13", "contact.abandoned", "c5", "2026-03-02T09:16:30+08:00"),
    ]


def _write_events(path: Path) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as sink:
        for line in _event_lines():
            sink.write(json.dumps(line) + "\n")
        sink.write("{not json\n")
    return path


def test_history_from_events_counts_offered_and_mean_handle_time_per_interval(
    tmp_path: Path,
) -> None:
    events = _write_events(tmp_path / "events.jsonl.gz")
    history = history_from_events(events, parse_settings({"interval_min": 15}))
    assert history.schema["interval_start"] == pl.Datetime("us", "Asia/Shanghai")
    assert history.to_dicts() == [
        {
            "queue": "claims_report",
            "interval_start": datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI),
            "offered": 2,
            "handled": 1,
            "aht_s": 210.0,
        },
        {
            "queue": "claims_report",
            "interval_start": datetime(2026, 3, 2, 9, 15, tzinfo=SHANGHAI),
            "offered": 1,
            "handled": 0,
            "aht_s": None,
        },
        {
            "queue": "policy_service",
            "interval_start": datetime(2026, 3, 2, 9, 15, tzinfo=SHANGHAI),
            "offered": 1,
            "handled": 0,
            "aht_s": None,
        },
        {
            "queue": "policy_service",
            "interval_start": datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI),
            "offered": 0,
            "handled": 1,
            "aht_s": 660.0,
        },
    ]


def test_forecast_cli_evaluates_and_writes_a_forecast(
    tmp_path: Path, noisy_history: pl.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "history.parquet"
    noisy_history.write_parquet(archive)
    config = tmp_path / "config.toml"
    config.write_text(
        "interval_min = 30\n[[staffing.special_days]]\ndate = 2026-03-04\nfactor = 0.4\n"
        '[[staffing.special_days]]\ndate = 2026-02-11\nqueues = ["claims_report"]\n'
        "factor = 1.8\n",
        encoding="utf-8",
    )
    assert (
        main(
            ["forecast", "--history", str(archive), "--config", str(config), "--evaluate", "--json"]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out)
    expected = evaluation_json(backtest(noisy_history, _settings(), holdout_days=21))
    assert printed == json.loads(json.dumps(expected))
    out = tmp_path / "forecast.parquet"
    assert (
        main(
            [
                "forecast",
                "--history",
                str(archive),
                "--config",
                str(config),
                "--start",
                "2026-03-09",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    written = pl.read_parquet(out)
    assert written.height == 8 * 24 * 2
    assert written["date"].min() == date(2026, 3, 9)
    assert written["date"].max() == date(2026, 3, 16)


def test_forecast_cli_builds_history_from_an_event_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = _write_events(tmp_path / "events.jsonl.gz")
    assert main(["forecast", "--events", str(events), "--start", "2026-03-03"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0] == "queue,date,interval_start,offered,aht_s,level,special_factor,intraday_factor"
    )
    # claims_report had offers in two intervals, policy_service in one (its 09:30 row is
    # a wrap-up only, no offer): eight days of each
    assert len(lines) == 1 + 8 * 2 + 8 * 1
