"""The archiver against a real Redis: interval entries in, Parquet rows out."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
import redis

from pipeline.archive.archiver import Archiver
from pipeline.archive.keys import ArchiveKeys
from pipeline.archive.records import parse_entry
from pipeline.archive.store import merge_day
from schemas.config import Settings
from tests.archive.helpers import (
    IntervalWriter,
    agent_kpis,
    interval_fields,
    queue_kpis,
    stream_fields,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def keys(redis_prefix: str) -> ArchiveKeys:
    return ArchiveKeys(redis_prefix)


@pytest.fixture
def archiver(redis_client: redis.Redis, redis_prefix: str, tmp_path: Path) -> Archiver:
    return Archiver(Settings(redis_prefix=redis_prefix), redis_client, tmp_path / "archive")


@pytest.fixture
def writer(redis_client: redis.Redis, keys: ArchiveKeys) -> IntervalWriter:
    return IntervalWriter(redis_client, keys)


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _rows(path: Path) -> list[dict[str, object]]:
    return pl.read_parquet(path).to_dicts()


def test_entries_become_one_row_each_in_their_day_and_kind_file(
    archiver: Archiver, writer: IntervalWriter
) -> None:
    claims = queue_kpis(offered=10, answered=8, abandoned=2, answered_in_sl=6,
                        service_level=0.75, asa_s=12.5)
    floor = queue_kpis(offered=30, answered=26)
    agent = agent_kpis(logged_in_s=900.0, busy_s=500.0, ready_s=400.0,
                       not_ready_by_reason_s={"lunch": 60.0, "break": 30.0}, handled=3,
                       aht_s=150.0, utilization=1.0, occupancy=0.5555)
    writer.add("queue", "claims_report", "2026-03-02T09:00:00+08:00", claims,
               waits=(100.0, 37.5))
    writer.add("all", "", "2026-03-02T09:00:00+08:00", floor)  # as an older pipeline wrote
    writer.add("agent", "a001", "2026-03-02T09:15:00+08:00", agent)

    result = archiver.poll_once()

    day = archiver.archive_dir / "day=2026-03-02"
    assert result.read == 3
    assert result.files == {day / "all.parquet": 1, day / "agent.parquet": 1,
                            day / "queue.parquet": 1}
    assert _rows(day / "queue.parquet") == [
        {"kind": "queue", "id": "claims_report", "interval_start": _at(2, 9, 0),
         "interval_s": 900, **claims, "answered_wait_s": 100.0, "abandoned_wait_s": 37.5}
    ]
    assert _rows(day / "all.parquet") == [
        {"kind": "all", "id": "", "interval_start": _at(2, 9, 0), "interval_s": 900, **floor,
         "answered_wait_s": None, "abandoned_wait_s": None}
    ]
    assert _rows(day / "agent.parquet") == [
        {"kind": "agent", "id": "a001", "interval_start": _at(2, 9, 15), "interval_s": 900,
         **agent, "not_ready_by_reason_s": '{"break":30.0,"lunch":60.0}'}
    ]
    assert sorted(p.name for p in day.iterdir()) == ["agent.parquet", "all.parquet",
                                                      "queue.parquet"]


def test_parquet_schema_has_timezone_timestamp_and_one_column_per_kpi(
    archiver: Archiver, writer: IntervalWriter
) -> None:
    writer.add("team", "bj_claims_a", "2026-03-02T09:00:00+08:00",
                 agent_kpis(logged_in_s=1800.0))
    archiver.poll_once()

    frame = pl.read_parquet(archiver.archive_dir / "day=2026-03-02" / "team.parquet")
    assert frame.schema == pl.Schema({  # type: ignore[arg-type]
        "kind": pl.String, "id": pl.String,
        "interval_start": pl.Datetime("us", "Asia/Shanghai"), "interval_s": pl.Int64,
        "logged_in_s": pl.Float64, "busy_s": pl.Float64, "acw_s": pl.Float64,
        "ready_s": pl.Float64, "not_ready_s": pl.Float64, "not_ready_by_reason_s": pl.String,
        "utilization": pl.Float64, "occupancy": pl.Float64, "handled": pl.Int64,
        "aht_s": pl.Float64, "ultra_short": pl.Int64, "ultra_long": pl.Int64,
    })


def test_day_partition_is_the_local_day_of_the_interval_start(
    archiver: Archiver, writer: IntervalWriter
) -> None:
    # 16:00Z is midnight in Shanghai: the next local day.
    writer.add("queue", "complaints", "2026-03-02T15:45:00Z",
                 queue_kpis(offered=1))
    writer.add("queue", "complaints", "2026-03-02T16:00:00Z",
                 queue_kpis(offered=2))
    archiver.poll_once()

    base = archiver.archive_dir
    assert [(r["interval_start"], r["offered"]) for r in
            _rows(base / "day=2026-03-02" / "queue.parquet")] == [(_at(2, 23, 45), 1)]
    assert [(r["interval_start"], r["offered"]) for r in
            _rows(base / "day=2026-03-03" / "queue.parquet")] == [(_at(3, 0, 0), 2)]


def test_a_repeated_interval_keeps_one_row_and_the_last_values_win(
    archiver: Archiver, writer: IntervalWriter
) -> None:
    start = "2026-03-02T09:00:00+08:00"
    writer.add("queue", "claims_report", start, queue_kpis(offered=5))
    writer.add("queue", "policy_service", start, queue_kpis(offered=7))
    writer.add("queue", "claims_report", start, queue_kpis(offered=6))
    archiver.poll_once()
    # After a pipeline recovery the same interval arrives again, in a later batch.
    writer.add("queue", "claims_report", start, queue_kpis(offered=9))
    archiver.poll_once()

    path = archiver.archive_dir / "day=2026-03-02" / "queue.parquet"
    assert [(r["id"], r["offered"]) for r in _rows(path)] == [
        ("claims_report", 9), ("policy_service", 7)
    ]


def test_a_restarted_archiver_resumes_after_the_stored_cursor(
    redis_client: redis.Redis, keys: ArchiveKeys, redis_prefix: str, tmp_path: Path,
    writer: IntervalWriter,
) -> None:
    settings = Settings(redis_prefix=redis_prefix)
    first = Archiver(settings, redis_client, tmp_path)
    writer.add("queue", "q1", "2026-03-02T09:00:00+08:00",
                 queue_kpis(offered=1))
    second_id = writer.add("queue", "q1", "2026-03-02T09:15:00+08:00",
                             queue_kpis(offered=2))
    assert first.drain() == 2
    assert redis_client.get(keys.archive_cursor()) == second_id.encode()

    restarted = Archiver(settings, redis_client, tmp_path)
    third_id = writer.add("queue", "q1", "2026-03-02T09:30:00+08:00",
                            queue_kpis(offered=3))
    result = restarted.poll_once()

    assert result.read == 1
    assert restarted.cursor() == third_id
    path = tmp_path / "day=2026-03-02" / "queue.parquet"
    assert [r["offered"] for r in _rows(path)] == [1, 2, 3]
    assert restarted.poll_once().read == 0


def test_a_batch_merged_again_after_a_crash_leaves_the_same_file(
    archiver: Archiver, redis_client: redis.Redis, keys: ArchiveKeys
) -> None:
    fields = [
        interval_fields("queue", "q1", "2026-03-02T09:00:00+08:00", queue_kpis(offered=4)),
        interval_fields("queue", "q1", "2026-03-02T09:15:00+08:00", queue_kpis(offered=8)),
    ]
    for item in fields:
        redis_client.xadd(keys.intervals(), item)  # type: ignore[arg-type]
    # The crash: files were written, the cursor was not moved.
    records = [parse_entry(f, SHANGHAI) for f in fields]
    merge_day(archiver.archive_dir, records[0].local_day(), "queue", records, "Asia/Shanghai")
    path = archiver.archive_dir / "day=2026-03-02" / "queue.parquet"
    before = _rows(path)

    assert archiver.drain() == 2
    assert _rows(path) == before
    assert [r["offered"] for r in before] == [4, 8]
    assert [p.name for p in path.parent.iterdir()] == ["queue.parquet"]  # no temp file left


def test_invalid_entries_are_recorded_as_rejected_and_the_cursor_moves_on(
    archiver: Archiver, redis_client: redis.Redis, keys: ArchiveKeys,
    writer: IntervalWriter,
) -> None:
    writer.add("wallboard", "x", "2026-03-02T09:00:00+08:00",
                 queue_kpis())
    writer.add("queue", "q1", "2026-03-02T09:00:00", queue_kpis())
    bad_kpis = writer.add("queue", "q1", "2026-03-02T09:00:00+08:00",
                            {**queue_kpis(offered=1), "offered": "many"})
    good = writer.add("queue", "q1", "2026-03-02T09:15:00+08:00",
                        queue_kpis(offered=2))

    result = archiver.poll_once()

    assert (result.read, result.rejected) == (4, 3)
    assert archiver.cursor() == good
    rejected = stream_fields(redis_client, keys.archive_rejected())
    assert [(r["kind"], r["id"]) for r in rejected] == [("wallboard", "x"), ("queue", "q1"),
                                                        ("queue", "q1")]
    assert rejected[0]["reason"].startswith("kind: 'wallboard' is not one of queue, ")
    assert rejected[1]["reason"] == (
        "interval_start: timestamp '2026-03-02T09:00:00' has no UTC offset"
    )
    assert rejected[2]["entry_id"] == bad_kpis
    assert rejected[2]["reason"].startswith("kpis: offered: Input should be a valid integer")
    path = archiver.archive_dir / "day=2026-03-02" / "queue.parquet"
    assert [(r["interval_start"], r["offered"]) for r in _rows(path)] == [(_at(2, 9, 15), 2)]


def test_no_customer_identifier_reaches_the_archive(
    archiver: Archiver, redis_client: redis.Redis, keys: ArchiveKeys,
    writer: IntervalWriter,
) -> None:
    customer = "CUST-13800138000"
    start = "2026-03-02T09:00:00+08:00"
    writer.add("queue", "claims_report", start, queue_kpis(offered=3))
    writer.add("agent", "a001", start, agent_kpis(handled=3))
    # A KPI dict smuggling a customer id is refused, not archived.
    writer.add("queue", "claims_report", start,
                 {**queue_kpis(offered=4), "customer_id": customer})
    archiver.poll_once()

    files = sorted(archiver.archive_dir.rglob("*.parquet"))
    assert [p.name for p in files] == ["agent.parquet", "queue.parquet"]
    for path in files:
        frame = pl.read_parquet(path)
        assert not [c for c in frame.columns if "customer" in c or "contact" in c]
        cells = [str(v) for row in frame.rows() for v in row]
        assert not [c for c in cells if customer in c]
        assert customer.encode() not in path.read_bytes()
    rejected = stream_fields(redis_client, keys.archive_rejected())
    assert len(rejected) == 1
    assert not [v for entry in rejected for v in entry.values() if customer in v]
    assert rejected[0]["reason"] == "kpis: customer_id: Extra inputs are not permitted"
    assert [r["offered"] for r in _rows(archiver.archive_dir / "day=2026-03-02" /
                                        "queue.parquet")] == [3]


def test_a_day_file_from_an_older_version_gains_the_new_kpi_columns_as_null(
    archiver: Archiver, writer: IntervalWriter
) -> None:
    path = archiver.archive_dir / "day=2026-03-02" / "queue.parquet"
    path.parent.mkdir(parents=True)
    old = pl.DataFrame(
        {"kind": ["queue"], "id": ["q1"], "interval_start": [_at(2, 9, 0)], "interval_s": [900],
         "offered": [4], "retired_kpi": [1.5]},
        schema_overrides={"interval_start": pl.Datetime("us", "Asia/Shanghai")},
    )
    old.write_parquet(path)
    writer.add("queue", "q1", "2026-03-02T09:15:00+08:00", queue_kpis(offered=8, asa_s=3.0))

    archiver.poll_once()

    frame = pl.read_parquet(path)
    assert "retired_kpi" not in frame.columns
    assert frame.select("offered", "answered", "asa_s").rows() == [(4, None, None),
                                                                    (8, 0, 3.0)]
    assert frame.select("answered_wait_s", "abandoned_wait_s").rows() == [(None, None),
                                                                          (None, None)]


def test_queue_rows_keep_the_wait_sums_and_agent_rows_have_none(
    archiver: Archiver, redis_client: redis.Redis, keys: ArchiveKeys, writer: IntervalWriter
) -> None:
    start = "2026-03-02T09:00:00+08:00"
    writer.add("site", "beijing", start, queue_kpis(answered=4, abandoned=2),
               waits=(62.5, 0.0))
    writer.add("agent", "a001", start, agent_kpis(handled=1), waits=(1.0, 2.0))
    bad = writer.add("queue", "q1", start, queue_kpis(abandoned=1), waits=(3.0, -1.0))
    writer.add("queue", "q2", start, queue_kpis(abandoned=1), waits=(3.0, float("nan")))

    result = archiver.poll_once()

    assert (result.read, result.rejected) == (4, 2)
    day = archiver.archive_dir / "day=2026-03-02"
    site = pl.read_parquet(day / "site.parquet")
    assert site.select("id", "answered_wait_s", "abandoned_wait_s").rows() == [
        ("beijing", 62.5, 0.0)]
    assert site.schema["abandoned_wait_s"] == pl.Float64
    assert not {"answered_wait_s", "abandoned_wait_s"} & set(
        pl.read_parquet(day / "agent.parquet").columns)
    rejected = stream_fields(redis_client, keys.archive_rejected())
    assert [(r["entry_id"], r["reason"]) for r in rejected][0] == (
        bad, "abandoned_wait_s: '-1.0' is not a finite number of seconds ≥ 0")
    assert rejected[1]["reason"] == (
        "abandoned_wait_s: 'nan' is not a finite number of seconds ≥ 0")
