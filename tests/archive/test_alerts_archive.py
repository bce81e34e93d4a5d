"""Alert transitions archived to Parquet, against a real Redis."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import polars as pl
import pytest
import redis

from pipeline.archive.archiver import Archiver
from pipeline.archive.keys import ArchiveKeys
from schemas.config import Settings
from tests.archive.helpers import stream_fields

SHANGHAI = ZoneInfo("Asia/Shanghai")


def alert(alert_id: str, kind: str, subject: str, raised: str, cleared: str | None) -> bytes:
    return orjson.dumps({
        "id": alert_id, "kind": kind, "severity": "warning", "subject": subject,
        "raised_at": raised, "cleared_at": cleared, "evidence": {"value": 0.5, "limit": 0.8},
    })


@pytest.fixture
def archiver(redis_client: redis.Redis, redis_prefix: str, tmp_path: Path) -> Archiver:
    return Archiver(Settings(redis_prefix=redis_prefix), redis_client, tmp_path / "archive")


def test_a_cleared_alert_is_one_row_in_the_day_it_was_raised(
    archiver: Archiver, redis_client: redis.Redis, redis_prefix: str
) -> None:
    keys = ArchiveKeys(redis_prefix)
    history = keys.alerts_history()
    redis_client.xadd(history, {"transition": "raised", "alert": alert(
        "sl_breach:claims:1", "sl_breach", "claims", "2026-03-02T23:50:00+08:00", None)})
    redis_client.xadd(history, {"transition": "raised", "alert": alert(
        "long_away:a1:2", "long_away", "a1", "2026-03-03T09:00:00+08:00", None)})
    redis_client.xadd(history, {"transition": "cleared", "alert": alert(
        "sl_breach:claims:1", "sl_breach", "claims", "2026-03-02T23:50:00+08:00",
        "2026-03-03T00:20:00+08:00")})
    redis_client.xadd(history, {"transition": "raised", "alert": b"{not json"})

    assert archiver.alerts.drain() == 4
    assert archiver.alerts.drain() == 0

    base = archiver.archive_dir
    day2 = pl.read_parquet(base / "day=2026-03-02" / "alerts.parquet").to_dicts()
    day3 = pl.read_parquet(base / "day=2026-03-03" / "alerts.parquet").to_dicts()
    assert day2 == [{
        "id": "sl_breach:claims:1", "kind": "sl_breach", "severity": "warning",
        "subject": "claims", "raised_at": datetime(2026, 3, 2, 23, 50, tzinfo=SHANGHAI),
        "cleared_at": datetime(2026, 3, 3, 0, 20, tzinfo=SHANGHAI),
        "evidence": '{"limit":0.8,"value":0.5}',
    }]
    assert [(r["id"], r["cleared_at"]) for r in day3] == [("long_away:a1:2", None)]
    (rejected,) = stream_fields(redis_client, keys.archive_rejected())
    assert rejected["kind"] == "alerts" and rejected["reason"].startswith("alert: ")
    last = stream_fields(redis_client, history)
    assert len(last) == 4
    assert redis_client.get(keys.archive_alerts_cursor()) is not None

    # Re-reading everything (a crash before the cursor moved) gives the same files.
    redis_client.delete(keys.archive_alerts_cursor())
    archiver.alerts.drain()
    assert pl.read_parquet(base / "day=2026-03-02" / "alerts.parquet").to_dicts() == day2
