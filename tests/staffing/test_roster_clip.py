"""Clipping a roster to a window: scheduled (paid) time "so far today"."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pipeline.staffing.roster import absenteeism, clip_roster, load_roster

SHANGHAI = ZoneInfo("Asia/Shanghai")

ROSTER = """agent_id,team,queues,shift_start,shift_end,breaks
a1,bj_claims_a,,2026-03-02T08:00:00+08:00,2026-03-02T17:00:00+08:00,2026-03-02T09:45:00+08:00/2026-03-02T10:15:00+08:00/lunch/unpaid;2026-03-02T15:00:00+08:00/2026-03-02T15:15:00+08:00
a2,bj_claims_a,,2026-03-02T13:00:00+08:00,2026-03-02T21:00:00+08:00,
a3,bj_claims_b,,2026-03-01T22:00:00+08:00,2026-03-02T06:00:00+08:00,2026-03-01T23:30:00+08:00/2026-03-02T00:30:00+08:00/lunch/unpaid
"""


def _at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def test_clipping_to_midnight_and_now_keeps_the_scheduled_part_so_far(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    clipped = clip_roster(load_roster(path), _at(0), _at(10))
    # a1: 08:00–10:00 with the unpaid lunch cut to 09:45–10:00 → 2 h − 15 min = 6,300 s;
    # a2 starts at 13:00 (dropped); a3: 00:00–06:00 with its lunch cut to 00:00–00:30
    # → 6 h − 30 min = 19,800 s.
    assert clipped.paid_s_by_agent() == {"a1": 6300.0, "a3": 19800.0}
    a1 = clipped.shifts[0]
    assert (a1.shift_start, a1.shift_end) == (_at(8), _at(10))
    assert [(b.start, b.end, b.paid) for b in a1.breaks] == [(_at(9, 45), _at(10), False)]
    # a1 logged in 1 h 30 min of its 1 h 45 min so far, a3 all of its 5 h 30 min:
    # lost 900 s / scheduled 26,100 s.
    report = absenteeism(clipped, {"a1": 5400.0, "a3": 19800.0})
    assert (report.scheduled_s, report.lost_s) == (26100.0, 900.0)
    assert report.absenteeism == 900.0 / 26100.0


def test_clipping_needs_aware_bounds(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    with pytest.raises(ValueError, match="timezone-aware"):
        clip_roster(load_roster(path), datetime(2026, 3, 2), _at(10))  # noqa: DTZ001
