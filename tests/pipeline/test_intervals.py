"""Closed-interval records: what the engine hands to the Parquet archive, end to end."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import polars as pl
import pytest
import redis

from pipeline.archive.archiver import Archiver
from pipeline.engine import FloorEngine, IntervalRecord
from pipeline.flow import FlowOptions, build_flow
from pipeline.reference import reference_snapshot
from pipeline.runner import feed_engine, run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource, open_events
from schemas.config import Settings, load_settings
from tests.conftest import REPO, SAMPLE_CONFIG

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
BOUNDARY = int(datetime.fromisoformat("2026-03-02T10:15:00+08:00").timestamp())
DURATIONS = ("logged_in_s", "busy_s", "acw_s", "ready_s", "not_ready_s", "not_ready_by_reason_s")


@pytest.fixture(scope="module")
def engine_at_boundary() -> tuple[FloorEngine, list[IntervalRecord]]:
    """The sample day fed up to 10:20, its interval records, and the engine."""
    settings = load_settings(SAMPLE_CONFIG)
    engine = FloorEngine(settings)
    with open_events(SAMPLE_DAY) as handle:
        feed_engine(engine, (line.rstrip(b"\n") for line in handle), at_epoch=BOUNDARY + 300)
    return engine, engine.drain().intervals


def test_queue_records_equal_the_interval_window_at_the_last_second(
    engine_at_boundary: tuple[FloorEngine, list[IntervalRecord]],
) -> None:
    engine, records = engine_at_boundary
    closing = [r for r in records if r.interval_start == BOUNDARY - 900]
    snapshot = engine.snapshot(BOUNDARY - 1)
    queues = {r.entity_id: r.kpis for r in closing if r.kind == "queue"}
    assert queues == {q: entry["interval"] for q, entry in snapshot["queues"].items()}
    [everything] = [r.kpis for r in closing if r.kind == "all"]
    assert everything == snapshot["all"]["interval"]
    assert {r.interval_s for r in closing} == {900}


def test_agent_records_hold_the_whole_interval_of_time_and_its_contacts(
    engine_at_boundary: tuple[FloorEngine, list[IntervalRecord]],
) -> None:
    engine, records = engine_at_boundary
    agents = {
        r.entity_id: r.kpis
        for r in records
        if r.kind == "agent" and r.interval_start == BOUNDARY - 900
    }
    assert len(agents) > 100
    # Time: the 15-minute window at the boundary is exactly [start, boundary].
    at_boundary = engine.snapshot(BOUNDARY)["agents"]
    # Contacts: seconds start .. boundary - 1, the interval window one second earlier.
    before = engine.snapshot(BOUNDARY - 1)["agents"]
    for agent_id, kpis in agents.items():
        assert {k: kpis[k] for k in DURATIONS} == {
            k: at_boundary[agent_id]["15m"][k] for k in DURATIONS
        }
        assert (kpis["handled"], kpis["aht_s"]) == (
            before[agent_id]["interval"]["handled"],
            before[agent_id]["interval"]["aht_s"],
        )


@pytest.mark.slow
def test_replay_writes_intervals_that_the_archiver_turns_into_parquet(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = Settings.model_validate(
        {**load_settings(SAMPLE_CONFIG).model_dump(), "redis_prefix": redis_prefix}
    )
    at = datetime.fromisoformat("2026-03-02T12:00:00+08:00")
    flow = build_flow(
        settings,
        FileReplaySource(SAMPLE_DAY),
        RedisStateSink(redis_url, settings),
        FlowOptions(at_epoch=at.timestamp()),
    )
    run_flow(flow)
    archive = tmp_path / "archive"
    Archiver(settings, redis_client, archive).drain()
    queues = pl.read_parquet(archive / "day=2026-03-02" / "queue.parquet")
    claims = queues.filter(pl.col("id") == "claims_report").sort("interval_start")
    # 00:00 .. 12:00: 48 closed quarter hours of a 24 h queue.
    assert claims.height == 48
    with open_events(SAMPLE_DAY) as handle:
        lines = list(handle)
    last_closed = datetime.fromisoformat("2026-03-02T11:59:59+08:00")
    day = reference_snapshot(lines, last_closed, settings)["queues"]["claims_report"]["day"]
    assert (claims["offered"].sum(), claims["answered"].sum(), claims["abandoned"].sum()) == (
        day["offered"],
        day["answered"],
        day["abandoned"],
    )
