"""The stream engine (`pipeline.runner.engine_snapshot`, FloorEngine without Bytewax) must
equal the SQL reference: floats to 1e-9, everything else identical."""

from __future__ import annotations

import gzip
from datetime import datetime

import pytest

from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshots
from pipeline.runner import engine_snapshot
from tests.conftest import REPO
from tests.reference.scenario import at, sample_settings
from tests.reference.test_agent_kpis import (
    hour,
    outbound_call,
    outbound_settings,
    outbound_with_contact,
)
from tests.reference.test_queue_kpis import morning

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"


@pytest.mark.parametrize(
    ("scenario", "clock"), [(morning, "10:05:00.700"), (hour, "10:00:00")]
)
def test_hand_computed_scenarios_agree(scenario: object, clock: str) -> None:
    lines = scenario().lines  # type: ignore[operator]
    settings = sample_settings()
    [reference] = reference_snapshots(lines, [at(clock)], settings)
    assert snapshot_differences(reference, engine_snapshot(lines, at(clock), settings)) == []


@pytest.mark.parametrize(
    ("scenario", "clocks"),
    [
        (outbound_call, ["09:01:40", "09:03:20"]),
        (outbound_with_contact, ["09:02:30", "09:03:20", "09:04:00", "09:06:00"]),
    ],
)
def test_outbound_calls_are_busy_time_in_both_engines(scenario: object, clocks: list[str]) -> None:
    lines = scenario().lines  # type: ignore[operator]
    settings = outbound_settings()
    instants = [at(clock) for clock in clocks]
    for instant, reference in zip(instants, reference_snapshots(lines, instants, settings),
                                  strict=True):
        stream = engine_snapshot(lines, instant, settings)
        assert snapshot_differences(reference, stream) == [], instant
        assert stream["agents"]["a1"]["day"]["not_ready_s"] == 0.0


@pytest.mark.slow
@pytest.mark.skipif(not SAMPLE_DAY.exists(), reason="no sample day")
def test_sample_day_agrees_at_odd_instants() -> None:
    lines = gzip.decompress(SAMPLE_DAY.read_bytes()).splitlines()
    settings = sample_settings()
    instants = [
        datetime.fromisoformat(text)
        for text in ("2026-03-02T09:30:32.28779+08:00", "2026-03-02T15:23:29.64118+08:00",
                     "2026-03-03T00:00:00+08:00")
    ]
    for instant, reference in zip(instants, reference_snapshots(lines, instants, settings),
                                  strict=True):
        stream = engine_snapshot(lines, instant, settings)
        assert snapshot_differences(reference, stream) == [], instant
