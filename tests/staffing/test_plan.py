"""Required (Erlang C / A) vs scheduled (roster) vs staffed (snapshot) per interval."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from pyworkforce.queuing import ErlangC

from pipeline.staffing.plan import add_staffed, staffing_plan
from pipeline.staffing.roster import Roster, load_roster
from schemas.config import Settings, load_settings
from tests.conftest import SAMPLE_CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _settings(**staffing: Any) -> Settings:
    base = load_settings(SAMPLE_CONFIG)
    return Settings.model_validate({**base.model_dump(), "interval_min": 30, "staffing": staffing})


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI)


def _forecast() -> pl.DataFrame:
    starts = [_at(9, 0), _at(9, 30), _at(10, 0)]
    return pl.DataFrame(
        {
            "queue": ["claims_report"] * 3 + ["chat_service"] * 3,
            "date": [date(2026, 3, 2)] * 6,
            "interval_start": starts * 2,
            "offered": [100.0, 100.0, 0.0, 60.0, 60.0, 60.0],
            "aht_s": [180.0, 180.0, 180.0, 360.0, 360.0, None],
        },
        schema_overrides={"interval_start": pl.Datetime("us", "Asia/Shanghai")},
    )


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_text(
        "agent_id,team,queues,shift_start,shift_end,breaks\n"
        "a1,bj_claims_a,,2026-03-02T09:00:00+08:00,2026-03-02T11:00:00+08:00,"
        "2026-03-02T09:30:00+08:00/2026-03-02T09:45:00+08:00\n"
        "a2,bj_claims_b,,2026-03-02T09:00:00+08:00,2026-03-02T11:00:00+08:00,\n",
        encoding="utf-8",
    )
    return load_roster(path)


def test_plan_shows_required_scheduled_and_gap_per_interval(roster: Roster) -> None:
    plan = staffing_plan(_forecast(), _settings(shrinkage=0.3, max_occupancy=0.85), roster)
    chat_reference = ErlangC(transactions=60, aht=3, asa=1, interval=30, shrinkage=0.3)
    chat = chat_reference.required_positions(service_level=0.8, max_occupancy=0.85)
    rows = [
        {
            k: r[k]
            for k in (
                "queue",
                "required_erlang_c",
                "required_erlang_a",
                "required",
                "required_with_shrinkage",
                "scheduled",
                "gap",
            )
        }
        for r in plan.iter_rows(named=True)
    ]
    n, scheduled_n = chat["raw_positions"], chat["positions"]
    assert (n, scheduled_n) == (8, 12)  # occupancy 6 / 0.85 → 8
    assert rows == [
        # chat: AHT 360 s / concurrency 2, answered within 60 s (chat default)
        {
            "queue": "chat_service",
            "required_erlang_c": n,
            "required_erlang_a": None,
            "required": n,
            "required_with_shrinkage": scheduled_n,
            "scheduled": 0.0,
            "gap": -float(n),
        },
        {
            "queue": "chat_service",
            "required_erlang_c": n,
            "required_erlang_a": None,
            "required": n,
            "required_with_shrinkage": scheduled_n,
            "scheduled": 0.0,
            "gap": -float(n),
        },
        {
            "queue": "chat_service",
            "required_erlang_c": None,
            "required_erlang_a": None,
            "required": None,
            "required_with_shrinkage": None,
            "scheduled": 0.0,
            "gap": None,
        },
        {
            "queue": "claims_report",
            "required_erlang_c": 14,
            "required_erlang_a": None,
            "required": 14,
            "required_with_shrinkage": 20,
            "scheduled": 2.0,
            "gap": -12.0,
        },
        {
            "queue": "claims_report",
            "required_erlang_c": 14,
            "required_erlang_a": None,
            "required": 14,
            "required_with_shrinkage": 20,
            "scheduled": 1.5,
            "gap": -12.5,
        },
        {
            "queue": "claims_report",
            "required_erlang_c": 0,
            "required_erlang_a": None,
            "required": 0,
            "required_with_shrinkage": 0,
            "scheduled": 2.0,
            "gap": 2.0,
        },
    ]


def test_plan_with_patience_requires_erlang_a_agents() -> None:
    settings = _settings(shrinkage=0.3, queues={"claims_report": {"patience_s": 300}})
    plan = staffing_plan(_forecast(), settings).filter(pl.col("queue") == "claims_report")
    assert plan["required_erlang_c"].to_list() == [14, 14, 0]
    assert plan["required_erlang_a"].to_list() == [13, 13, 0]
    assert plan["required"].to_list() == [13, 13, 0]
    assert plan["required_with_shrinkage"].to_list() == [19, 19, 0]
    assert plan["scheduled"].to_list() == [0.0, 0.0, 0.0]


def _windows() -> dict[str, dict[str, Any]]:
    return {w: {} for w in ("15m", "30m", "60m", "interval", "day")}


def _snapshot(now: str) -> dict[str, Any]:
    def queue(staffed: int, not_ready: int) -> dict[str, Any]:
        counts = {
            "staffed": staffed,
            "ready": 1,
            "busy": staffed - not_ready - 1,
            "acw": 0,
            "not_ready": not_ready,
        }
        return {**_windows(), "site": "beijing", "agents_now": counts}

    return {
        "now": now,
        "queues": {"claims_report": queue(12, 2), "chat_service": queue(5, 0)},
        "channels": {"voice": _windows(), "chat": _windows()},
        "sites": {},
        "all": _windows(),
        "agents": {},
        "teams": {},
        "alerts": [],
    }


def test_add_staffed_fills_the_interval_containing_now(roster: Roster) -> None:
    settings = _settings(shrinkage=0.3)
    plan = staffing_plan(_forecast(), settings, roster)
    live = add_staffed(plan, _snapshot("2026-03-02T01:40:00+00:00"), settings)
    claims = live.filter(pl.col("queue") == "claims_report")
    assert claims["staffed"].to_list() == [None, 12, None]
    assert claims["available"].to_list() == [None, 10, None]
    assert claims["staffed_gap"].to_list() == [None, -4, None]
    chat = live.filter(pl.col("queue") == "chat_service")
    assert chat["staffed"].to_list() == [None, 5, None]
    assert chat["staffed_gap"].to_list() == [None, 5 - 8, None]
