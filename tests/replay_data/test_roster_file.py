"""The simulated roster as a `[staffing] roster` file (JSON and CSV) and `--roster-out`."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.cli import main
from pipeline.staffing.roster import load_pipeline_roster
from replay_data.agents import Agent, PlannedBreak
from replay_data.roster_file import write_roster
from schemas.events import AgentLogin, InvalidEvent, parse_event
from tests.conftest import SAMPLE_CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = int(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI).timestamp())


def _agent() -> Agent:
    return Agent(
        agent_id="ag0001",
        team="bj_claims_a",
        site="beijing",
        channel="voice",
        queues=("claims_report",),
        shift_start=NINE,
        shift_end=NINE + 8 * 3600,
        breaks=[
            PlannedBreak(NINE + 5400, 600, "break"),  # 10:30-10:40, paid
            PlannedBreak(NINE + 3 * 3600, 2400, "lunch"),  # 12:00-12:40, unpaid
        ],
    )


@pytest.mark.parametrize("name", ["roster.json", "roster.csv"])
def test_written_roster_loads_back_with_shift_breaks_and_paid_time(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    write_roster([_agent()], path, SHANGHAI)
    [shift] = load_pipeline_roster(path).shifts
    assert (shift.agent_id, shift.team, shift.queues) == (
        "ag0001",
        "bj_claims_a",
        ("claims_report",),
    )
    assert shift.shift_start.isoformat() == "2026-03-02T09:00:00+08:00"
    assert shift.shift_end.isoformat() == "2026-03-02T17:00:00+08:00"
    assert [(b.start.isoformat(), b.end.isoformat(), b.reason, b.paid) for b in shift.breaks] == [
        ("2026-03-02T10:30:00+08:00", "2026-03-02T10:40:00+08:00", "break", True),
        ("2026-03-02T12:00:00+08:00", "2026-03-02T12:40:00+08:00", "lunch", False),
    ]
    assert shift.paid_s == 8 * 3600 - 2400


def test_unknown_roster_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.json or \.csv"):
        write_roster([_agent()], tmp_path / "roster.txt", SHANGHAI)


def test_simulate_writes_the_roster_its_logins_carry(tmp_path: Path) -> None:
    out, roster = tmp_path / "day.jsonl", tmp_path / "roster.json"
    code = main([
        "simulate", "--agents", "8", "--hours", "3", "--seed", "5",
        "--start", "2026-03-02T08:00:00+08:00", "--config", str(SAMPLE_CONFIG),
        "--out", str(out), "--roster-out", str(roster),
    ])  # fmt: skip
    assert code == 0
    shifts = {
        s.agent_id: (s.shift_start.isoformat(), s.shift_end.isoformat())
        for s in load_pipeline_roster(roster).shifts
    }
    logins = {}
    for line in out.read_bytes().splitlines():
        try:
            event = parse_event(line)
        except InvalidEvent:
            continue  # the simulator's dirt
        if isinstance(event, AgentLogin) and event.shift_start and event.shift_end:
            logins[event.agent_id] = (event.shift_start.isoformat(), event.shift_end.isoformat())
    assert len(shifts) == 8
    assert logins == {agent: shifts[agent] for agent in logins}
    assert logins
