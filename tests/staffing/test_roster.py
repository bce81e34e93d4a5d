"""Roster: loading, scheduled FTE per interval, absenteeism and utilization vs paid time."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.staffing.roster import (
    Roster,
    RosterError,
    absenteeism,
    load_roster,
    scheduled_per_interval,
    utilization_against_schedule,
)
from schemas.config import load_settings
from schemas.snapshot import AgentKpis
from tests.conftest import SAMPLE_CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")

ROSTER_CSV = """agent_id,team,queues,shift_start,shift_end,breaks
a1,bj_claims_a,,2026-03-02T09:00:00+08:00,2026-03-02T13:00:00+08:00,2026-03-02T10:00:00+08:00/2026-03-02T10:15:00+08:00
a2,cd_service_b,,2026-03-02T09:10:00+08:00,2026-03-02T11:00:00+08:00,2026-03-02T10:00:00+08:00/2026-03-02T10:30:00+08:00/lunch/unpaid
a3,cd_chat,chat_service,2026-03-02T01:00:00+00:00,2026-03-02T10:00:00+08:00,
"""

ROSTER_JSON = {
    "shifts": [
        {
            "agent_id": "a1",
            "team": "bj_claims_a",
            "shift_start": "2026-03-02T09:00:00+08:00",
            "shift_end": "2026-03-02T13:00:00+08:00",
            "breaks": [{"start": "2026-03-02T10:00:00+08:00", "end": "2026-03-02T10:15:00+08:00"}],
        },
        {
            "agent_id": "a2",
            "team": "cd_service_b",
            "shift_start": "2026-03-02T09:10:00+08:00",
            "shift_end": "2026-03-02T11:00:00+08:00",
            "breaks": [
                {
                    "start": "2026-03-02T10:00:00+08:00",
                    "end": "2026-03-02T10:30:00+08:00",
                    "reason": "lunch",
                    "paid": False,
                }
            ],
        },
        {
            "agent_id": "a3",
            "team": "cd_chat",
            "queues": ["chat_service"],
            "shift_start": "2026-03-02T01:00:00+00:00",
            "shift_end": "2026-03-02T10:00:00+08:00",
        },
    ]
}


@pytest.fixture
def roster(tmp_path: Path) -> Roster:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER_CSV, encoding="utf-8")
    return load_roster(path)


def test_csv_and_json_rosters_load_to_the_same_shifts(roster: Roster, tmp_path: Path) -> None:
    path = tmp_path / "roster.json"
    path.write_text(json.dumps(ROSTER_JSON), encoding="utf-8")
    assert load_roster(path) == roster
    first = roster.shifts[0]
    assert first.shift_start == datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI)
    assert first.breaks[0].reason == "break"
    assert roster.shifts[1].breaks[0].paid is False
    assert roster.paid_s_by_agent() == {"a1": 14400.0, "a2": 4800.0, "a3": 3600.0}


def test_scheduled_agents_per_queue_per_interval_are_on_phone_fte(roster: Roster) -> None:
    settings = load_settings(SAMPLE_CONFIG)
    frame = scheduled_per_interval(roster, settings, interval_min=30)
    got = {
        (r["queue"], r["interval_start"].strftime("%H:%M")): round(r["scheduled"], 9)
        for r in frame.iter_rows(named=True)
    }
    third = round(1200 / 1800, 9)
    assert got == {
        ("chat_service", "09:00"): 1.0,
        ("chat_service", "09:30"): 1.0,
        ("claims_report", "09:00"): 1.0,
        ("claims_report", "09:30"): 1.0,
        ("claims_report", "10:00"): 0.5,  # break 10:00–10:15
        ("claims_report", "10:30"): 1.0,
        ("claims_report", "11:00"): 1.0,
        ("claims_report", "11:30"): 1.0,
        ("claims_report", "12:00"): 1.0,
        ("claims_report", "12:30"): 1.0,
        # a2 (team cd_service_b serves policy_service and complaints) from 09:10, lunch 10:00
        ("complaints", "09:00"): third,
        ("complaints", "09:30"): 1.0,
        ("complaints", "10:30"): 1.0,
        ("policy_service", "09:00"): third,
        ("policy_service", "09:30"): 1.0,
        ("policy_service", "10:30"): 1.0,
    }
    assert (
        str(frame.schema["interval_start"]) == "Datetime(time_unit='us', time_zone='Asia/Shanghai')"
    )


def test_absenteeism_is_hours_lost_over_scheduled_hours(roster: Roster) -> None:
    # a1 paid 14400 s, logged 12000 → 2400 lost; a2 paid 4800, logged 6000 → 0 lost (not
    # negative); a3 paid 3600, never logged in → 3600 lost; a9 is not rostered.
    report = absenteeism(roster, {"a1": 12000.0, "a2": 6000.0, "a9": 5000.0})
    assert report.scheduled_s == 22800.0
    assert report.lost_s == 6000.0
    assert report.absenteeism == 6000.0 / 22800.0
    assert report.lost_s_by_agent == {"a1": 2400.0, "a2": 0.0, "a3": 3600.0}


def test_utilization_against_paid_schedule(roster: Roster) -> None:
    kpis = {
        "a1": AgentKpis(logged_in_s=12000, busy_s=6000, acw_s=1200, ready_s=3000, not_ready_s=1800),
        "a2": AgentKpis(logged_in_s=6000, busy_s=2400, acw_s=600, ready_s=600, not_ready_s=2400),
    }
    report = utilization_against_schedule(roster, kpis)
    assert report.scheduled_s == 22800.0
    assert report.available_s == 13800.0
    assert report.utilization == 13800.0 / 22800.0
    assert report.by_agent == {"a1": 10200.0 / 14400.0, "a2": 0.75, "a3": 0.0}


def test_empty_roster_has_no_ratios() -> None:
    empty = Roster(shifts=())
    assert absenteeism(empty, {"a1": 100.0}).absenteeism is None
    assert utilization_against_schedule(empty, {}).utilization is None


def test_invalid_roster_names_the_shift_and_field(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(
        "agent_id,team,queues,shift_start,shift_end,breaks\n"
        "a1,t,,2026-03-02T09:00:00+08:00,2026-03-02T13:00:00+08:00,\n"
        "a2,t,,2026-03-02T09:00:00+08:00,2026-03-02T08:00:00+08:00,\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError, match=r"roster.csv: shift 2: \(row\): Value error, shift_end"):
        load_roster(path)
    naive = tmp_path / "naive.csv"
    naive.write_text(
        "agent_id,team,queues,shift_start,shift_end,breaks\n"
        "a1,t,,2026-03-02T09:00:00,2026-03-02T13:00:00+08:00,\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError, match=r"shift 1: shift_start: Input should have timezone"):
        load_roster(naive)
