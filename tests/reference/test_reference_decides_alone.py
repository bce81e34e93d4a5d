"""The reference's own decisions, each pinned with hand-worked values and held equal to the
engine's: threshold inheritance, the tie-break at one timestamp, the window bounds, and
the roster and forecast readers (rows read, malformed files refused by both)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest

from pipeline.compare import snapshot_differences
from pipeline.reference.order import CANONICAL_RANK
from pipeline.reference.rules import contact_rules_table, queue_rules_table, team_rules_tables
from pipeline.reference.staffing_files import ReferenceFileError, read_forecast, read_roster
from pipeline.reference.windows import instant, window_table
from pipeline.runner import engine_snapshot
from pipeline.staffing import forecast_file, roster
from schemas.config import Settings, load_settings
from tests.reference.scenario import Events, at, epoch, sample_settings

CONFIG = """
[voice]
sl_threshold_s = 15
wait_breach_s = 100
ultra_long_s = 1000

[queue_defaults]
sl_target = 0.9

[queues.claims]
sl_threshold_s = 30
site = "north"

[queues.sales]
channel = "chat"
sl_min_contacts = 4

[team_defaults]
late_login_grace_s = 120
long_away_s = { break = 600 }

[teams.alpha]
queues = ["claims"]
relogin_count = 5
long_away_s = { lunch = 1800 }
"""

NO_EVENTS = pa.table(
    {"type": pa.array([], pa.string()), "queue": pa.array([], pa.string()),
     "team": pa.array([], pa.string())}
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    path = tmp_path / "wallboard.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return load_settings(path)


def _by(rows: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in rows}


def test_a_queue_value_beats_the_written_channel_block_which_beats_the_default(
    settings: Settings,
) -> None:
    crules = _by(contact_rules_table(NO_EVENTS, settings).to_pylist(), "queue", "channel")
    # claims/voice: own sl_threshold 30; the written [voice] block's 100 and 1000; the block
    # omits ultra_short_s, so there is none (not the default 10); short abandon default 5.
    assert crules[("claims", "voice")] == {
        "queue": "claims", "channel": "voice", "sl_threshold_s": 30.0, "wait_breach_s": 100.0,
        "ultra_long_s": 1000.0, "ultra_short_s": None, "short_abandon_s": 5.0,
    }
    # claims/chat: own 30; chat keeps its default block (60/300/1800/none).
    assert crules[("claims", "chat")] == {
        "queue": "claims", "channel": "chat", "sl_threshold_s": 30.0, "wait_breach_s": 300.0,
        "ultra_long_s": 1800.0, "ultra_short_s": None, "short_abandon_s": 5.0,
    }
    assert crules[("sales", "voice")]["sl_threshold_s"] == 15.0
    for (queue, channel), row in crules.items():
        engine = settings.queue_rules(queue, channel)  # type: ignore[arg-type]
        assert row["sl_threshold_s"] == engine.sl_threshold_s
        assert row["wait_breach_s"] == engine.wait_breach_s
        assert row["ultra_long_s"] == engine.ultra_long_s
        assert row["ultra_short_s"] == engine.ultra_short_s
        assert row["short_abandon_s"] == engine.short_abandon_s


def test_queue_rules_take_the_queue_then_queue_defaults_then_the_built_in_default(
    settings: Settings,
) -> None:
    qrules = _by(queue_rules_table(NO_EVENTS, settings).to_pylist(), "queue")
    claims, sales = qrules[("claims",)], qrules[("sales",)]
    assert (claims["site"], claims["configured"], claims["sl_target"]) == ("north", True, 0.9)
    assert (claims["sl_min_contacts"], claims["sl_hold_s"], claims["abandon_spike_rate"]) == (
        10, 60.0, 0.1)
    assert (sales["site"], sales["sl_min_contacts"], sales["sl_target"]) == ("main", 4, 0.9)
    for queue, row in qrules.items():
        engine = settings.queue_rules(queue[0])
        assert row["site"] == settings.queue_site(queue[0])
        for name in ("sl_target", "sl_min_contacts", "sl_hold_s", "sl_clear_margin",
                     "abandon_spike_rate", "abandon_min_contacts", "abandon_hold_s",
                     "volume_spike_factor", "volume_spike_min_contacts",
                     "volume_spike_min_elapsed_s"):
            assert row[name] == getattr(engine, name), (queue, name)


def test_team_rules_take_the_team_then_team_defaults_and_merge_long_away_by_reason(
    settings: Settings,
) -> None:
    tables = team_rules_tables(NO_EVENTS, settings, rostered=["beta"])
    trules = _by(tables["trules"].to_pylist(), "team")
    assert trules[("alpha",)] == {
        "team": "alpha", "late_login_grace_s": 120.0, "early_logout_grace_s": 300.0,
        "relogin_count": 5, "relogin_window_s": 1800.0, "early_login_window_s": 7200.0,
    }
    assert trules[("beta",)]["relogin_count"] == 3
    # A written [team_defaults] long_away_s replaces the built-in table; alpha adds lunch.
    assert tables["tlimits"].to_pylist() == [
        {"team": "alpha", "reason": "break", "limit_s": 600.0},
        {"team": "alpha", "reason": "lunch", "limit_s": 1800.0},
        {"team": "beta", "reason": "break", "limit_s": 600.0},
    ]
    assert tables["serves"].to_pylist() == [{"team": "alpha", "queue": "claims"}]
    for team in ("alpha", "beta"):
        engine = settings.team_rules(team)
        limits = {r["reason"]: r["limit_s"] for r in tables["tlimits"].to_pylist()
                  if r["team"] == team}
        assert limits == engine.long_away_s
        assert trules[(team,)]["relogin_count"] == engine.relogin_count
        assert trules[(team,)]["late_login_grace_s"] == engine.late_login_grace_s


def test_unconfigured_settings_resolve_to_the_built_in_defaults() -> None:
    crules = _by(contact_rules_table(NO_EVENTS, Settings()).to_pylist(), "queue", "channel")
    assert crules == {}
    events = pa.table({"type": ["contact.offered"], "queue": ["q"], "team": [None]})
    crules = _by(contact_rules_table(events, Settings()).to_pylist(), "queue", "channel")
    assert [(r["sl_threshold_s"], r["wait_breach_s"], r["ultra_long_s"], r["ultra_short_s"])
            for r in crules.values()] == [(20.0, 120.0, 1200.0, 10.0), (60.0, 300.0, 1800.0, None)]


def test_the_canonical_rank_is_the_lifecycle_order() -> None:
    assert sorted(CANONICAL_RANK, key=lambda kind: (CANONICAL_RANK[kind], kind)) == [
        "agent.login", "agent.state", "contact.offered", "contact.self_served",
        "contact.abandoned", "contact.answered", "contact.ended", "contact.wrapup_ended",
        "survey.response", "agent.logout",
    ]
    assert CANONICAL_RANK["agent.logout"] == 7  # alerts_sql relies on it


def test_events_at_one_timestamp_are_taken_in_lifecycle_order_not_arrival_order() -> None:
    events = Events()
    events.login("09:00:00", "a1", "bj_claims_a", "beijing")
    events.state("09:00:00", "a1", "ready")
    # Same second, arriving backwards: logout, wrap-up end, end, answer, offer.
    events.logout("09:02:00", "a1")
    events.wrapped("09:02:00", "c1", "a1")
    events.ended("09:02:00", "c1", "a1")
    events.answered("09:02:00", "c1", "a1")
    events.offered("09:02:00", "c1", "claims_report")
    settings = sample_settings()
    reference = events.snapshot("09:05:00", settings)
    queue = reference["queues"]["claims_report"]["15m"]
    # Taken as offered, answered, ended, wrapped, logged out: one contact answered at once.
    assert (queue["offered"], queue["answered"], queue["answered_in_sl"], queue["handled"]) == (
        1, 1, 1, 1)
    assert queue["asa_s"] == 0.0
    agent = reference["agents"]["a1"]["15m"]
    assert (agent["handled"], agent["logged_in_s"]) == (1, 120.0)
    engine = engine_snapshot(events.lines, at("09:05:00"), settings)
    assert snapshot_differences(engine, reference) == []


def test_window_bounds_at_an_instant_are_hand_worked() -> None:
    moment = instant(datetime.fromisoformat("2026-03-02T09:20:07.9+08:00"), Settings())
    now = epoch("09:20:07")
    assert moment.now == now
    assert window_table(moment).to_pylist() == [
        {"w": "15m", "lo_sec": now - 899, "lo_us": (now - 900) * 1_000_000},
        {"w": "30m", "lo_sec": now - 1799, "lo_us": (now - 1800) * 1_000_000},
        {"w": "60m", "lo_sec": now - 3599, "lo_us": (now - 3600) * 1_000_000},
        {"w": "interval", "lo_sec": epoch("09:15:00"), "lo_us": epoch("09:15:00") * 1_000_000},
        {"w": "day", "lo_sec": epoch("00:00:00"), "lo_us": epoch("00:00:00") * 1_000_000},
    ]


ROSTER_HEADER = "agent_id,team,queues,shift_start,shift_end,breaks\n"
ROSTER = ROSTER_HEADER + (
    "a1,alpha,claims,2026-03-02T09:00:00+08:00,2026-03-02T17:00:00+08:00,"
    "2026-03-02T12:00:00+08:00/2026-03-02T13:00:00+08:00/lunch/unpaid\n"
    "a2,beta,,2026-03-02T01:30:00Z,2026-03-02 18:00+08:00,\n"
)


def test_the_reference_reads_a_roster_csv_to_exactly_its_shifts(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    assert read_roster(path) == [
        {"agent_id": "a1", "team": "alpha",
         "shift_start": epoch("09:00:00") * 1_000_000, "shift_end": epoch("17:00:00") * 1_000_000},
        {"agent_id": "a2", "team": "beta",
         "shift_start": epoch("09:30:00") * 1_000_000, "shift_end": epoch("18:00:00") * 1_000_000},
    ]
    engine = roster.load_pipeline_roster(path).shifts
    assert [(s.agent_id, s.team, s.shift_start.timestamp(), s.shift_end.timestamp())
            for s in engine] == [
        (r["agent_id"], r["team"], r["shift_start"] / 1e6, r["shift_end"] / 1e6)
        for r in read_roster(path)
    ]


@pytest.mark.parametrize(
    "row",
    [
        "a1,alpha,,2026-03-02T09:00:00+08:00,2026-03-02T08:00:00+08:00,",  # ends first
        "a1,alpha,,2026-03-02T09:00:00,2026-03-02T17:00:00+08:00,",  # no offset
        "a1,,,2026-03-02T09:00:00+08:00,2026-03-02T17:00:00+08:00,",  # no team
        "a1,alpha,,2026-03-02T09:00:00+08:00,2026-03-02T17:00:00+08:00,"
        "2026-03-02T18:00:00+08:00/2026-03-02T18:30:00+08:00",  # break outside the shift
        "a2,beta,,2026-03-02T09:30:00+08:00,2026-03-02T18:00:00+08:00,",  # a2 twice at 09:30
    ],
    ids=["end-before-start", "naive-time", "empty-team", "break-outside", "same-start-twice"],
)
def test_a_malformed_roster_row_is_refused_by_both_readers(tmp_path: Path, row: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER + row + "\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match="shift 3"):
        read_roster(path)
    with pytest.raises(roster.RosterError, match="shift 3"):
        roster.load_pipeline_roster(path)


FORECAST = (
    "queue,interval_start,offered,lower\n"
    "claims,2026-03-02T09:15:00.000000+0800,12.5,3\n"
    "claims,2026-03-02T09:00:00+08:00,20,4\n"
    "claims,2026-03-02T09:30:00+08:00,,5\n"
    "billing,2026-03-02T01:00:00Z,0,0\n"
)


def test_the_reference_reads_a_forecast_csv_to_exactly_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text(FORECAST, encoding="utf-8")
    nine = epoch("09:00:00") * 1_000_000
    # Sorted by queue and start; the row without `offered` is no forecast.
    assert read_forecast(path, "Asia/Shanghai", 15) == [
        {"queue": "billing", "start_us": nine, "forecast": 0.0},
        {"queue": "claims", "start_us": nine, "forecast": 20.0},
        {"queue": "claims", "start_us": nine + 900_000_000, "forecast": 12.5},
    ]
    engine = forecast_file.read_forecast(path, Settings())
    assert [(r.queue, r.interval_start * 1_000_000, r.offered) for r in engine] == [
        (r["queue"], r["start_us"], r["forecast"])
        for r in read_forecast(path, "Asia/Shanghai", 15)
    ]


@pytest.mark.parametrize(
    "row",
    [
        "claims,2026-03-02T09:05:00+08:00,3",  # off the 15-minute grid
        "claims,2026-03-02T09:00:00+08:00,3",  # the 09:00 interval twice
        "claims,2026-03-02T10:00:00+08:00,-1",  # negative
        "claims,2026-03-02T10:00:00+08:00,NaN",  # not a number
        ",2026-03-02T10:00:00+08:00,3",  # no queue
    ],
    ids=["off-grid", "twice", "negative", "nan", "no-queue"],
)
def test_a_malformed_forecast_row_is_refused_by_both_readers(tmp_path: Path, row: str) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text(FORECAST.replace(",lower", "").replace(",3\n", "\n").replace(",4\n", "\n")
                    .replace(",5\n", "\n").replace(",0,0\n", ",0\n") + row + "\n",
                    encoding="utf-8")
    with pytest.raises(ReferenceFileError):
        read_forecast(path, "Asia/Shanghai", 15)
    with pytest.raises(forecast_file.ForecastFileError):
        forecast_file.read_forecast(path, Settings())


def test_a_forecast_without_the_offered_column_is_refused_by_both(tmp_path: Path) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text("queue,interval_start\nclaims,2026-03-02T09:00:00+08:00\n", encoding="utf-8")
    with pytest.raises(ReferenceFileError, match=r"lacks columns \['offered'\]"):
        read_forecast(path, "Asia/Shanghai", 15)
    with pytest.raises(forecast_file.ForecastFileError, match="missing columns"):
        forecast_file.read_forecast(path, Settings())


def test_parquet_forecasts_need_aware_starts_in_both_readers(tmp_path: Path) -> None:
    path = tmp_path / "forecast.parquet"
    nine = datetime.fromisoformat("2026-03-02T09:00:00+08:00")
    frame = pl.DataFrame(
        {"queue": ["claims"], "interval_start": [nine], "offered": [7]},
        schema={"queue": pl.String, "interval_start": pl.Datetime("us", "Asia/Shanghai"),
                "offered": pl.Int64},
    )
    frame.write_parquet(path)
    assert read_forecast(path, "Asia/Shanghai", 15) == [
        {"queue": "claims", "start_us": epoch("09:00:00") * 1_000_000, "forecast": 7.0}
    ]
    assert forecast_file.read_forecast(path, Settings()) == [
        forecast_file.ForecastRow("claims", epoch("09:00:00"), 7.0)
    ]
    frame.with_columns(pl.col("interval_start").dt.replace_time_zone(None)).write_parquet(path)
    with pytest.raises(ReferenceFileError, match="must carry a UTC offset"):
        read_forecast(path, "Asia/Shanghai", 15)
    with pytest.raises(forecast_file.ForecastFileError, match="tz-aware"):
        forecast_file.read_forecast(path, Settings())
