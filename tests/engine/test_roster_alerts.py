"""late_login and abnormal_logout from the roster (issue #9, addendum 21).

Times are seconds after T0 = 09:00:00 +08:00 (2026-03-02); team bj_claims_a has the
default rules: late_login_grace_s 300, early_logout_grace_s 300, early_login_window_s 7200.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

from pipeline.engine import FloorEngine
from pipeline.notify.messages import build_message
from schemas.config import Settings
from schemas.snapshot import Alert
from tests.engine.helpers import T0_LOCAL, at, login, logout, run, sample_settings, state

SHIFT_8H = (0, 28800)  # 09:00-17:00


def roster_settings(tmp_path: Path, *shifts: tuple[str, float, float]) -> Settings:
    """The sample settings with a JSON roster of (agent, start, end) shifts of bj_claims_a,
    start/end in seconds after T0."""
    rows = [
        {"agent_id": agent, "team": "bj_claims_a", "shift_start": at(start), "shift_end": at(end)}
        for agent, start, end in shifts
    ]
    path = tmp_path / "roster.json"
    path.write_bytes(orjson.dumps({"shifts": rows}))
    base = sample_settings()
    staffing = base.staffing.model_copy(update={"roster": str(path)})
    return base.model_copy(update={"staffing": staffing})


def late_logins(snap: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in snap["alerts"] if a["kind"] == "late_login"]


def abnormal_logouts(snap: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for a in snap["alerts"] if a["kind"] == "abnormal_logout"]


def late(raised: float, cleared: float | None, **evidence: Any) -> dict[str, Any]:
    """The late_login of a1's 09:00 shift."""
    return {
        "id": f"late_login:a1:{1772413200}",
        "kind": "late_login",
        "severity": "info",
        "subject": "agent:a1",
        "raised_at": at(raised),
        "cleared_at": None if cleared is None else at(cleared),
        "evidence": {"shift_start": at(0), **evidence},
    }


# a2 logs in at 09:00:00, so the input begins before a1's deadline at 09:05:00.
A2_ON_TIME = [login("a2", 0)]


def test_rostered_agent_not_logged_in_at_grace_is_late_until_the_login(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H))
    events = [*A2_ON_TIME, login("a1", 750)]  # 09:12:30
    assert late_logins(run(events, 299, settings)[1]) == []
    assert late_logins(run(events, 300, settings)[1]) == [late(300, None, not_logged_in=True)]
    assert late_logins(run(events, 749, settings)[1]) == [late(300, None, not_logged_in=True)]
    assert late_logins(run(events, 1000, settings)[1]) == [
        late(300, 750, not_logged_in=True, late_by_s=750.0)
    ]


def test_roster_late_login_is_raised_when_the_watermark_passes_the_deadline(
    tmp_path: Path,
) -> None:
    engine = FloorEngine(roster_settings(tmp_path, ("a1", *SHIFT_8H)))
    engine.ingest(login("a2", 0), 0)
    engine.ingest(state("a2", 330, "ready"), 1)  # watermark 09:05:00: not past it yet
    assert [t for t in engine.drain().alert_transitions if t.alert["kind"] == "late_login"] == []
    engine.ingest(state("a2", 340, "ready"), 2)  # watermark 09:05:10
    raised = [t for t in engine.drain().alert_transitions if t.alert["kind"] == "late_login"]
    assert [(t.transition, t.alert) for t in raised] == [
        ("raised", late(300, None, not_logged_in=True))
    ]


def test_login_within_the_grace_raises_nothing(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H), ("a3", *SHIFT_8H))
    events = [*A2_ON_TIME, login("a1", 120), login("a3", 300)]  # a3 exactly at the deadline
    assert late_logins(run(events, 3600, settings)[1]) == []


def test_rostered_agent_who_never_comes_is_cleared_absent_at_shift_end(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", 0, 14400))  # 09:00-13:00
    events = [*A2_ON_TIME, logout("a2", 14400)]
    assert late_logins(run(events, 14399, settings)[1]) == [late(300, None, not_logged_in=True)]
    assert late_logins(run(events, 14400, settings)[1]) == [
        late(300, 14400, not_logged_in=True, absent=True)
    ]


def test_login_at_shift_end_does_not_count_as_coming(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", 0, 14400))
    events = [*A2_ON_TIME, login("a1", 14400)]
    assert late_logins(run(events, 15000, settings)[1]) == [
        late(300, 14400, not_logged_in=True, absent=True)
    ]


def test_shift_deadline_before_the_input_began_is_not_judged(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H))
    events = [login("a2", 301), login("a1", 900)]  # the first event is after 09:05:00
    assert late_logins(run(events, 3600, settings)[1]) == []


def test_early_logout_is_judged_against_the_roster_shift_end(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H), ("a3", *SHIFT_8H))
    # a1 leaves 16:50 (10 min early: abnormal), a3 at 16:56 (within the 300 s grace).
    events = [login("a1", -5400), login("a3", 0), logout("a1", 28200), logout("a3", 28560)]
    assert abnormal_logouts(run(events, 28800, settings)[1]) == [
        {
            "id": "abnormal_logout:a1:1772441400",
            "kind": "abnormal_logout",
            "severity": "warning",
            "subject": "agent:a1",
            "raised_at": at(28200),
            "cleared_at": at(28200),
            "evidence": {"reasons": ["early_logout"], "shift_end": at(28800)},
        }
    ]


def test_login_before_the_early_login_window_has_no_roster_shift(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H))
    # 06:59:00 is 7,260 s before the shift: outside early_login_window_s, so no shift_end.
    events = [login("a1", -7260), logout("a1", 3600)]
    snap = run(events, 3600, settings)[1]
    assert abnormal_logouts(snap) == []
    assert late_logins(snap) == []  # logged in (shift or not) at 09:05:00


def test_login_fields_win_over_the_roster(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H))
    # The login says 08:00-16:00: late by 3,300 s for that shift, and leaving at 16:30 is
    # after its end; the roster's 09:00-17:00 would have called 16:30 early.
    events = [login("a1", -300, shift_start=-3600, shift_end=25200), logout("a1", 27000)]
    snap = run(events, 28800, settings)[1]
    assert abnormal_logouts(snap) == []
    assert late_logins(snap) == [
        {
            "id": "late_login:a1:1772409600",
            "kind": "late_login",
            "severity": "info",
            "subject": "agent:a1",
            "raised_at": at(-300),
            "cleared_at": at(-300),
            "evidence": {"shift_start": at(-3600), "late_by_s": 3300.0},
        }
    ]


def test_roster_shift_and_login_fields_with_the_same_start_give_one_alert(
    tmp_path: Path,
) -> None:
    settings = roster_settings(tmp_path, ("a1", *SHIFT_8H))
    events = [*A2_ON_TIME, login("a1", 750, shift_start=0, shift_end=28800)]
    engine, snap = run(events, 1000, settings)
    assert late_logins(snap) == [late(300, 750, not_logged_in=True, late_by_s=750.0)]
    transitions = [
        (t.transition, t.alert["raised_at"], t.alert["cleared_at"])
        for t in engine.drain().alert_transitions
        if t.alert["kind"] == "late_login"
    ]
    assert transitions == [("raised", at(300), None), ("cleared", at(300), at(750))]


def test_shift_over_by_its_deadline_is_not_judged(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", 0, 300))  # 09:00-09:05, grace 300 s
    assert late_logins(run(A2_ON_TIME, 3600, settings)[1]) == []


def test_roster_late_login_notification_names_the_new_evidence(tmp_path: Path) -> None:
    settings = roster_settings(tmp_path, ("a1", 0, 14400))
    [alert] = late_logins(run(A2_ON_TIME, 14400, settings)[1])
    message = build_message(
        Alert.model_validate(alert), "cleared", "en", settings, T0_LOCAL + timedelta(hours=4)
    )
    assert message.facts[-3:] == (
        ("Shift start", "2026-03-02 09:00:00"),
        ("Not logged in at the grace end", "yes"),
        ("Absent all shift", "yes"),
    )
