"""A 24 h, 300-agent day (~200k events): 24 hourly snapshots well under a minute."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from pipeline.reference import reference_snapshots
from tests.reference.daygen import SHANGHAI, synthetic_day
from tests.reference.scenario import sample_settings


@pytest.mark.slow
def test_hourly_snapshots_of_a_300_agent_day_take_under_a_minute() -> None:
    day = datetime(2026, 3, 2, tzinfo=SHANGHAI)
    lines = synthetic_day(day, agents=300, mean_talk_s=60)
    assert len(lines) > 195_000
    ats = [day + timedelta(hours=h) for h in range(1, 25)]
    started = time.perf_counter()
    snapshots = reference_snapshots(lines, ats, sample_settings())
    elapsed = time.perf_counter() - started
    assert elapsed < 60, f"24 snapshots took {elapsed:.1f} s"
    assert [s["now"] for s in snapshots[:2]] == [
        "2026-03-02T01:00:00+08:00", "2026-03-02T02:00:00+08:00"]
    # At noon every agent of the morning and day shifts has worked; the day window counts
    # every contact offered since midnight.
    noon = snapshots[11]
    assert len(noon["agents"]) >= 200
    assert noon["all"]["day"]["offered"] == sum(
        q["day"]["offered"] for q in noon["queues"].values())
