"""The SQL reference's late_login / abnormal_logout from the roster (issue #9, addendum 21),
hand-computed, and the stream engine equal to it on the same logs.

Local times of 2026-03-02 (+08:00); team bj_claims_a has the default rules:
late_login_grace_s 300, early_logout_grace_s 300, early_login_window_s 7200.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshots
from pipeline.runner import engine_snapshot
from schemas.config import Settings, parse_settings
from tests.engine.test_roster_alerts import roster_settings
from tests.reference.scenario import Events, alerts_of, at, epoch, ts

NINE_TO_FIVE = (0, 28800)  # seconds after 09:00


def late(
    raised: str, cleared: str | None, shift_start: str = "09:00:00", **evidence: Any
) -> dict[str, Any]:
    return {
        "id": f"late_login:a1:{epoch(shift_start)}",
        "kind": "late_login",
        "severity": "info",
        "subject": "agent:a1",
        "raised_at": ts(raised),
        "cleared_at": None if cleared is None else ts(cleared),
        "evidence": {"shift_start": ts(shift_start), **evidence},
    }


def early_logout(clock: str, shift_end: str) -> dict[str, Any]:
    return {
        "id": f"abnormal_logout:a1:{epoch(clock)}",
        "kind": "abnormal_logout",
        "severity": "warning",
        "subject": "agent:a1",
        "raised_at": ts(clock),
        "cleared_at": ts(clock),
        "evidence": {"reasons": ["early_logout"], "shift_end": ts(shift_end)},
    }


def agreeing(events: Events, clocks: list[str], settings: Settings) -> list[dict[str, Any]]:
    """Reference snapshots at `clocks`, each checked equal to the stream engine's."""
    instants = [at(clock) for clock in clocks]
    snapshots = reference_snapshots(events.lines, instants, settings)
    for instant, reference in zip(instants, snapshots, strict=True):
        stream = engine_snapshot(events.lines, instant, settings)
        assert snapshot_differences(reference, stream) == [], instant
    return snapshots


def a2_on_time() -> Events:
    """a2 logs in at 09:00, so the input begins before a1's 09:05 deadline."""
    e = Events()
    e.login("09:00:00", "a2", "bj_claims_a", "beijing")
    return e


def test_late_from_the_roster_raised_at_grace_and_cleared_at_the_login(tmp_path: Path) -> None:
    e = a2_on_time()
    e.login("09:12:30", "a1", "bj_claims_a", "beijing")
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE))
    before, raised, cleared = agreeing(e, ["09:04:59", "09:05:00", "09:20:00"], settings)
    assert alerts_of(before, "late_login") == []
    assert alerts_of(raised, "late_login") == [late("09:05:00", None, not_logged_in=True)]
    assert alerts_of(cleared, "late_login") == [
        late("09:05:00", "09:12:30", not_logged_in=True, late_by_s=750.0)
    ]


def test_on_time_login_raises_nothing(tmp_path: Path) -> None:
    e = a2_on_time()
    e.login("09:02:00", "a1", "bj_claims_a", "beijing")
    e.login("09:05:00", "a3", "bj_claims_a", "beijing")  # exactly at the deadline
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE), ("a3", *NINE_TO_FIVE))
    [snap] = agreeing(e, ["10:00:00"], settings)
    assert alerts_of(snap, "late_login") == []


def test_never_logged_in_is_cleared_absent_at_shift_end(tmp_path: Path) -> None:
    e = a2_on_time()
    e.logout("13:00:00", "a2")
    settings = roster_settings(tmp_path, ("a1", 0, 14400))  # 09:00-13:00
    open_, closed = agreeing(e, ["12:59:59", "13:00:00"], settings)
    assert alerts_of(open_, "late_login") == [late("09:05:00", None, not_logged_in=True)]
    assert alerts_of(closed, "late_login") == [
        late("09:05:00", "13:00:00", not_logged_in=True, absent=True)
    ]


def test_early_logout_against_the_roster_shift_end(tmp_path: Path) -> None:
    e = Events()
    e.login("07:30:00", "a1", "bj_claims_a", "beijing")  # inside the 2 h early window
    e.login("09:00:00", "a3", "bj_claims_a", "beijing")
    e.logout("16:50:00", "a1")  # 10 min early
    e.logout("16:56:00", "a3")  # within the 300 s grace
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE), ("a3", *NINE_TO_FIVE))
    [snap] = agreeing(e, ["17:00:00"], settings)
    assert alerts_of(snap, "abnormal_logout") == [early_logout("16:50:00", "17:00:00")]
    assert alerts_of(snap, "late_login") == []


def test_login_fields_win_over_the_roster(tmp_path: Path) -> None:
    e = Events()
    e.login(
        "08:55:00", "a1", "bj_claims_a", "beijing", shift_start="08:00:00", shift_end="16:00:00"
    )
    e.logout("16:30:00", "a1")  # early for the roster's 17:00, not for the login's 16:00
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE))
    [snap] = agreeing(e, ["17:00:00"], settings)
    assert alerts_of(snap, "abnormal_logout") == []
    assert alerts_of(snap, "late_login") == [
        late("08:55:00", "08:55:00", shift_start="08:00:00", late_by_s=3300.0)
    ]


def test_roster_and_login_fields_with_the_same_start_give_one_alert(tmp_path: Path) -> None:
    e = a2_on_time()
    e.login(
        "09:12:30", "a1", "bj_claims_a", "beijing", shift_start="09:00:00", shift_end="17:00:00"
    )
    e.logout("16:00:00", "a1")
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE))
    [snap] = agreeing(e, ["17:00:00"], settings)
    assert alerts_of(snap, "late_login") == [
        late("09:05:00", "09:12:30", not_logged_in=True, late_by_s=750.0)
    ]
    assert alerts_of(snap, "abnormal_logout") == [early_logout("16:00:00", "17:00:00")]


def test_logged_out_again_before_the_deadline_is_late(tmp_path: Path) -> None:
    e = a2_on_time()
    e.login("08:58:00", "a1", "bj_claims_a", "beijing")
    e.logout("09:03:00", "a1")
    e.login("09:30:00", "a1", "bj_claims_a", "beijing")  # the next login clears it
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE))
    [snap] = agreeing(e, ["10:00:00"], settings)
    assert alerts_of(snap, "late_login") == [
        late("09:05:00", "09:30:00", not_logged_in=True, late_by_s=1800.0)
    ]


@pytest.mark.parametrize("clock", ["09:04:00", "09:06:00"])
def test_deadline_before_the_first_event_is_not_judged(tmp_path: Path, clock: str) -> None:
    e = Events()
    e.login(clock, "a2", "bj_claims_a", "beijing")
    e.login("09:20:00", "a1", "bj_claims_a", "beijing")
    settings = roster_settings(tmp_path, ("a1", *NINE_TO_FIVE))
    [snap] = agreeing(e, ["10:00:00"], settings)
    expected = [late("09:05:00", "09:20:00", not_logged_in=True, late_by_s=1200.0)]
    assert alerts_of(snap, "late_login") == (expected if clock < "09:05" else [])


# ------------------------------------------------------------------ random logs
T0_CLOCK = "09:00:00"
PROPERTY_TEAMS = {
    "t1": {"late_login_grace_s": 300, "early_login_window_s": 1800},
    "t2": {"late_login_grace_s": 120, "early_login_window_s": 600, "early_logout_grace_s": 60},
}


def _clock(offset_s: int) -> str:
    """Local clock `offset_s` seconds after 09:00:00."""
    return (at(T0_CLOCK) + timedelta(seconds=offset_s)).strftime("%H:%M:%S")


@st.composite
def roster_logs(draw: st.DrawFn) -> tuple[list[tuple[str, str, int, int]], Events, list[str]]:
    """(roster shifts (agent, team, start, end) in seconds after 09:00, event log, clocks)."""
    shifts: list[tuple[str, str, int, int]] = []
    for agent in ("a1", "a2", "a3"):
        for _ in range(draw(st.integers(0, 2))):
            start = draw(st.integers(0, 60)) * 60
            length = draw(st.integers(5, 60)) * 60
            if all(s[0] != agent or s[2] != start for s in shifts):
                shifts.append((agent, draw(st.sampled_from(["t1", "t2"])), start, start + length))
    moments: list[tuple[int, str, str, dict[str, str]]] = []
    first = draw(st.integers(-300, 600))
    moments.append((first, "anchor", "a9", {}))
    for agent in ("a1", "a2", "a3"):
        times = sorted(draw(st.lists(st.integers(-1800, 5400), max_size=6, unique=True)))
        for index, t in enumerate(times):
            if index % 2 == 0:
                fields: dict[str, str] = {}
                if draw(st.booleans()) and draw(st.booleans()):
                    own = draw(st.sampled_from([s[2] for s in shifts if s[0] == agent] or [0]))
                    fields = {"shift_start": _clock(own), "shift_end": _clock(own + 1800)}
                moments.append((t, "login", agent, fields))
            else:
                moments.append((t, "logout", agent, {}))
    events = Events()
    for t, kind, agent, fields in sorted(moments, key=lambda m: (m[0], m[1], m[2])):
        if kind == "logout":
            events.logout(_clock(t), agent)
        else:
            team = draw(st.sampled_from(["t1", "t2"]))
            events.login(_clock(t), agent, team, "beijing", **fields)
    clocks = sorted({_clock(draw(st.integers(0, 7200))) for _ in range(3)} | {_clock(7200)})
    return shifts, events, clocks


@hyp_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=roster_logs())
def test_stream_engine_equals_the_reference_on_random_roster_logs(
    case: tuple[list[tuple[str, str, int, int]], Events, list[str]],
) -> None:
    shifts, events, clocks = case
    rows = [
        {"agent_id": a, "team": team, "shift_start": ts(_clock(s)), "shift_end": ts(_clock(e))}
        for a, team, s, e in shifts
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.json"
        path.write_bytes(orjson.dumps(rows))
        settings = parse_settings(
            {"teams": PROPERTY_TEAMS, "staffing": {"roster": str(path)}}, "property"
        )
        agreeing(events, clocks, settings)
