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
from pipeline.reference.database import ReferenceDatabase
from pipeline.reference.windows import instant
from pipeline.runner import feed_engine, run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource, open_events
from schemas.config import Settings, load_settings
from tests.conftest import REPO, SAMPLE_CONFIG
from tests.pipeline.eventlogs import generate

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


# The waits of every answer and abandon before $boundary, per interval of its outcome
# second, over the reference's accepted contacts (its dedupe and acceptance rules). Intervals
# are `sec - sec % $interval_s`: Asia/Shanghai is UTC+8, a whole number of intervals, so
# these are the local ones.
WAITS_SQL = """
WITH outcome AS (
    SELECT c.queue, c.channel, r.site, c.answered, c.wait_s,
           c.outcome_ts // 1000000 AS sec
    FROM contacts c JOIN qrules r ON r.queue = c.queue
    WHERE c.outcome_ts IS NOT NULL AND c.outcome_ts // 1000000 < $boundary
)
SELECT CASE WHEN grouping(queue) = 0 THEN 'queue' WHEN grouping(channel) = 0 THEN 'channel'
            WHEN grouping(site) = 0 THEN 'site' ELSE 'all' END AS kind,
       coalesce(queue, channel, site, '') AS entity,
       sec - sec % $interval_s AS interval_start,
       coalesce(sum(wait_s) FILTER (WHERE answered), 0) AS answered_wait_s,
       coalesce(sum(wait_s) FILTER (WHERE NOT answered), 0) AS abandoned_wait_s
FROM outcome
GROUP BY GROUPING SETS ((queue, interval_start), (channel, interval_start),
                        (site, interval_start), (interval_start))
"""


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_interval_wait_sums_equal_an_independent_duckdb_query_over_the_same_events(
    seed: int,
) -> None:
    # Random logs with abandons, duplicates, refused events and disorder within lateness.
    log = generate(seed, agents=10, contacts=400, minutes=150, noise=40)
    settings = Settings(interval_min=30)
    engine = FloorEngine(settings)
    feed_engine(engine, log.lines, at_epoch=log.end.timestamp())
    engine.snapshot(int(log.end.timestamp()))
    records = [r for r in engine.drain().intervals if r.kind not in {"team", "agent"}]
    boundary = max(r.interval_start for r in records) + 1800
    db = ReferenceDatabase(log.lines, settings)
    try:
        db.compute(instant(log.end, settings))
        rows = db.con.execute(WAITS_SQL, {"boundary": boundary, "interval_s": 1800}).fetchall()
    finally:
        db.close()
    reference = {(kind, entity, start): (a, b) for kind, entity, start, a, b in rows}
    recorded = {
        (r.kind, r.entity_id, r.interval_start): (r.answered_wait_s, r.abandoned_wait_s)
        for r in records
    }
    # Quarter-second timestamps: both sums are exact in binary floating point.
    assert {key: sums for key, sums in recorded.items() if sums != (0.0, 0.0)} == {
        key: sums for key, sums in reference.items() if sums != (0.0, 0.0)
    }
    assert sum(b or 0.0 for (kind, _e, _s), (_a, b) in recorded.items() if kind == "all") > 0
    assert len({start for _k, _e, start in recorded}) >= 4


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
