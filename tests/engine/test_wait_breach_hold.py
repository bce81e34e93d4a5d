"""wait_breach clears only after longest_wait_s has stayed at or below the threshold for the
clear hold (60 s): hand-worked cases, the same in the stream engine and the DuckDB reference."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from pipeline.compare import snapshot_differences
from pipeline.engine import FloorEngine
from pipeline.reference import reference_snapshot
from pipeline.runner import engine_snapshot, feed_engine
from schemas.config import Settings, parse_settings
from tests.conftest import SAMPLE_CONFIG
from tests.reference.scenario import Events, at, epoch, sample_settings, ts

Q = "claims_report"  # voice: threshold 120 s
EVIDENCE = {"threshold_s": 120.0, "longest_wait_s": 120.0, "contacts_over": 1}


def _both(e: Events, clock: str, settings: Settings) -> list[dict[str, Any]]:
    """The wait_breach alerts at `clock`, after checking both engines agree."""
    stream = engine_snapshot(e.lines, at(clock), settings)
    batch = reference_snapshot(e.lines, at(clock), settings)
    assert snapshot_differences(stream, batch) == []
    return [a for a in batch["alerts"] if a["kind"] == "wait_breach"]


def _shape(alerts: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(a["raised_at"], a["cleared_at"]) for a in alerts]


def _transitions(e: Events, settings: Settings) -> list[tuple[str, str]]:
    """(transition, alert id) of wait_breach, as the notifier reads them from history."""
    engine = FloorEngine(settings)
    feed_engine(engine, e.lines)
    return [
        (kind, alert["id"])
        for kind, alert in engine.alerts.transitions
        if alert["kind"] == "wait_breach"
    ]


def _dip(seconds_below: int) -> Events:
    # c1 waits over 120 s from 09:02:00 until answered at 09:02:30; c2 crosses 120 s
    # `seconds_below` seconds later and is answered at 09:05:00.
    e = Events()
    e.offered("09:00:00", "c1", Q)
    e.answered("09:02:30", "c1", "a1")
    minutes, seconds = divmod(30 + seconds_below, 60)  # offered 120 s before its breach
    e.offered(f"09:0{minutes}:{seconds:02d}", "c2", Q)
    e.answered("09:05:00", "c2", "a1")
    return e


def test_a_dip_of_30_seconds_below_the_threshold_is_one_alert() -> None:
    e, settings = _dip(30), sample_settings()
    # Below the threshold 09:02:30-09:03:00, then c2 over it from 09:03:00 to 09:05:00.
    [during] = _both(e, "09:03:10", settings)
    assert during == {
        "id": f"wait_breach:{Q}:{epoch('09:02:00')}",
        "kind": "wait_breach",
        "severity": "warning",
        "subject": f"queue:{Q}",
        "raised_at": ts("09:02:00"),
        "cleared_at": None,
        "evidence": EVIDENCE,
    }
    assert _shape(_both(e, "09:05:59", settings)) == [(ts("09:02:00"), None)]
    assert _shape(_both(e, "09:06:00", settings)) == [(ts("09:02:00"), ts("09:06:00"))]
    alert_id = f"wait_breach:{Q}:{epoch('09:02:00')}"
    e.offered("09:10:00", "c9", "policy_service")  # moves the event clock past 09:06:00
    assert _transitions(e, settings) == [("raised", alert_id), ("cleared", alert_id)]


def test_below_the_threshold_for_60_seconds_clears_at_exactly_plus_60() -> None:
    e, settings = _dip(60), sample_settings()
    # c1's breach ends 09:02:30; c2's starts 09:03:30, exactly one hold later: the first
    # alert clears at 09:03:30 and a second one starts then.
    assert _shape(_both(e, "09:03:29", settings)) == [(ts("09:02:00"), None)]
    assert _shape(_both(e, "09:07:00", settings)) == [
        (ts("09:02:00"), ts("09:03:30")),
        (ts("09:03:30"), ts("09:06:00")),
    ]


def test_a_gap_of_59_seconds_is_still_the_same_alert() -> None:
    e, settings = _dip(59), sample_settings()
    assert _shape(_both(e, "09:07:00", settings)) == [(ts("09:02:00"), ts("09:06:00"))]


def test_clear_hold_is_configured_per_queue() -> None:
    data = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["queues"][Q]["wait_clear_hold_s"] = 0
    settings = parse_settings(data)
    e = _dip(30)
    assert _shape(_both(e, "09:07:00", settings)) == [
        (ts("09:02:00"), ts("09:02:30")),
        (ts("09:03:00"), ts("09:05:00")),
    ]


@pytest.mark.parametrize("clock", ["09:02:00", "09:02:10"])
def test_contacts_crossing_together_are_counted_in_the_evidence(clock: str) -> None:
    e = Events()
    for cid in ("c1", "c2", "c3"):
        e.offered("09:00:00", cid, Q)
    e.answered("09:01:00", "c3", "a1")  # answered before the threshold: not over it
    [alert] = _both(e, clock, sample_settings())
    assert alert["evidence"] == {"threshold_s": 120.0, "longest_wait_s": 120.0, "contacts_over": 2}
