"""The stream engine equals the DuckDB reference: random logs, and the sample day hourly."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings

from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshot, reference_snapshots
from pipeline.runner import engine_snapshot, stream_snapshot
from pipeline.sources import open_events
from schemas.config import Settings, load_settings
from tests.conftest import REPO, SAMPLE_CONFIG
from tests.pipeline.eventlogs import EventLog, event_logs

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
DAY_START = datetime.fromisoformat("2026-03-02T00:00:00+08:00")
PROPERTY_SETTINGS = Settings(interval_min=30)


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs)
def test_stream_engine_equals_duckdb_on_random_logs(log: EventLog) -> None:
    for at in log.at_points():
        stream = engine_snapshot(log.lines, at, PROPERTY_SETTINGS)
        batch = reference_snapshot(log.lines, at, PROPERTY_SETTINGS)
        assert snapshot_differences(stream, batch) == []


@hyp_settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(log=event_logs)
def test_dataflow_equals_duckdb_on_random_logs(
    log: EventLog, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("log") / "events.jsonl"
    path.write_bytes(b"\n".join(log.lines) + b"\n")
    at = log.end
    assert (
        snapshot_differences(
            stream_snapshot(path, at, PROPERTY_SETTINGS),
            reference_snapshot(log.lines, at, PROPERTY_SETTINGS),
        )
        == []
    )


@pytest.fixture(scope="module")
def sample_settings() -> Settings:
    return load_settings(SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def sample_lines() -> list[bytes]:
    if not SAMPLE_DAY.exists():
        pytest.skip("sample day not generated yet")
    with open_events(SAMPLE_DAY) as handle:
        return [line.rstrip(b"\n") for line in handle]


HOURS = [DAY_START + timedelta(hours=h) for h in range(1, 25)]


@pytest.fixture(scope="module")
def reference_by_hour(sample_lines: list[bytes], sample_settings: Settings) -> dict[datetime, dict]:
    return dict(zip(HOURS, reference_snapshots(sample_lines, HOURS, sample_settings), strict=True))


@pytest.mark.slow
@pytest.mark.parametrize("at", HOURS, ids=[f"{h:02d}h" for h in range(1, 25)])
def test_sample_day_dataflow_equals_duckdb_at_every_hour(
    at: datetime, reference_by_hour: dict[datetime, dict], sample_settings: Settings
) -> None:
    stream = stream_snapshot(SAMPLE_DAY, at, sample_settings)
    assert snapshot_differences(stream, reference_by_hour[at]) == []


@pytest.mark.slow
def test_two_workers_give_the_same_snapshot_as_one(sample_settings: Settings) -> None:
    if not SAMPLE_DAY.exists():
        pytest.skip("sample day not generated yet")
    at = DAY_START + timedelta(hours=11, minutes=7)
    one = stream_snapshot(SAMPLE_DAY, at, sample_settings, workers=1)
    two = stream_snapshot(SAMPLE_DAY, at, sample_settings, workers=2)
    assert one == two
