"""Erlang A on the queue page with the caller patience observed today: the waiting-time
sums of today's closed interval records, pure, then engine → Redis → queue page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import redis

from dashboard.app import create_app
from dashboard.interval_data import IntervalEntry, closed_interval
from dashboard.interval_views import IntervalActuals, closed_waits
from dashboard.pages import queue
from pipeline.redis_keys import RedisKeys
from pipeline.staffing.patience import Patience, QueueWaits, queue_patience
from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff
from schemas.config import Settings, load_settings
from tests.archive.helpers import queue_kpis, write_archive
from tests.conftest import SAMPLE_CONFIG
from tests.dashboard.fixtures import event_line, write_engine_state

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 16, 30, tzinfo=SHANGHAI)


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=SHANGHAI)


def _interval(start: datetime, abandoned: int, waits: tuple[float, float] | None,
              source: Any = "record") -> IntervalActuals:
    answered_s, abandoned_s = waits if waits is not None else (None, None)
    return IntervalActuals(start, 900, {"abandoned": abandoned}, source, answered_s,
                           abandoned_s)


def test_closed_waits_add_the_records_that_carry_sums_and_nothing_else() -> None:
    intervals = [
        _interval(_at(9, 30), 4, (100.0, 80.0)),
        _interval(_at(9, 45), 7, None),  # written by an older pipeline: left out whole
        _interval(_at(10, 0), 5, (60.0, 150.0)),
        _interval(_at(10, 15), 3, None, "snapshot"),  # the open interval
    ]
    assert closed_waits(intervals) == QueueWaits(160.0, 230.0, 9)
    assert closed_waits(intervals[1:2] + intervals[3:]) is None
    # 9 abandons are under the threshold: the configured patience stays.
    settings = load_settings(SAMPLE_CONFIG)
    settings = settings.model_copy(
        update={"staffing": settings.staffing.model_copy(update={"patience_s": 120.0})})
    assert queue_patience("claims_report", settings, closed_waits(intervals)) == Patience(
        120.0, "configured")
    ten = [*intervals, _interval(_at(10, 15), 1, (0.0, 40.0))]
    assert queue_patience("claims_report", settings, closed_waits(ten)) == Patience(
        43.0, "observed")  # (160 + 270) / 10


def test_an_entry_reads_its_sums_and_a_broken_one_reads_as_none() -> None:
    def entry(answered: str | None, abandoned: str | None) -> IntervalEntry:
        return IntervalEntry("1-0", "queue", "claims_report", "2026-03-02T10:00:00+08:00",
                             "900", orjson.dumps(queue_kpis(abandoned=2)), answered, abandoned)

    read = closed_interval(entry("12.5", "80.0"), SHANGHAI)
    assert read is not None
    assert (read.answered_wait_s, read.abandoned_wait_s) == (12.5, 80.0)
    for answered, abandoned in (("12.5", None), (None, None), ("-1", "80"), ("x", "80")):
        broken = closed_interval(entry(answered, abandoned), SHANGHAI)
        assert broken is not None
        assert (broken.answered_wait_s, broken.abandoned_wait_s) == (None, None)


def _morning() -> list[bytes]:
    """claims_report in 10:00–10:15: 10 contacts abandoned after 40 s each (400 s) and
    5 answered after 20 s each (100 s); one more offered at 10:16, still waiting."""
    n = [0]
    lines = []
    for i in range(15):
        contact = f"c{i}"
        offered = _at(10, 1) + timedelta(seconds=30 * i)
        lines.append(event_line(offered, {"type": "contact.offered", "contact_id": contact,
                                          "channel": "voice", "queue": "claims_report"}, n))
        if i < 10:
            lines.append(event_line(offered + timedelta(seconds=40),
                                    {"type": "contact.abandoned", "contact_id": contact}, n))
        else:
            lines.append(event_line(offered + timedelta(seconds=20),
                                    {"type": "contact.answered", "contact_id": contact,
                                     "agent_id": "a1"}, n))
    lines.append(event_line(_at(10, 16), {"type": "contact.offered", "contact_id": "late",
                                          "channel": "voice", "queue": "claims_report"}, n))
    return lines


def test_queue_page_strip_uses_the_patience_observed_in_todays_closed_intervals(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    # No patience configured: without today's sums the strip would be Erlang C only.
    settings = Settings.model_validate(
        {**load_settings(SAMPLE_CONFIG).model_dump(), "redis_prefix": redis_prefix})
    assert settings.staffing.patience_s is None
    write_engine_state(redis_client, redis_keys, settings, _morning(),
                       now=NOW, last_event=_at(10, 16))
    rows: Any = redis_client.xrange(redis_keys.intervals())
    [claims] = [
        {k.decode(): v.decode() for k, v in fields.items()}
        for _id, fields in rows
        if fields[b"kind"] == b"queue" and fields[b"id"] == b"claims_report"
        and fields[b"interval_start"] == b"2026-03-02T10:00:00+08:00"
    ]
    assert (claims["answered_wait_s"], claims["abandoned_wait_s"]) == ("100.0", "400.0")
    archive = tmp_path / "archive"
    write_archive(archive, [
        ("queue", "claims_report", f"{day}T{slot}:00+08:00",
         queue_kpis(offered=8, answered=8, handled=8, aht_s=180.0))
        for day in ("2026-02-16", "2026-02-23") for slot in ("10:00", "10:15")
    ])
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW.astimezone(UTC),
                     archive_dir=archive)
    with app.server.test_request_context("/"):
        body, _note = queue.staffing(1, {"queue": "claims_report", "lang": "en"})
    *caption, table = body
    # (100 + 400) / 10 abandons = 50 s.
    assert caption[-1].children == "Erlang A patience 50 s: observed today (total wait / abandons)"
    header = [cell.children for cell in table.children[0].children.children]
    assert header[5:7] == ["Required (Erlang C)", "Required (Erlang A)"]
    # The closed 10:00 row: the forecast 8 contacts at the forecast AHT 180 s (none handled
    # today), 80 % in 20 s at occupancy ≤ 0.85, shrinkage 0.3: Erlang C 4, Erlang A 3 → 5.
    erlang_a = required_staff(Workload(8, 900, 180.0), ServiceGoal(0.8, 20, 0.85, 0.3),
                              patience_s=50.0)
    assert (erlang_a.agents, erlang_a.agents_with_shrinkage) == (3, 5)
    cells = [[cell.children for cell in row.children] for row in table.children[1].children]
    assert cells[0][:8] == ["10:00–10:15", "8.0", "—", "15", "3:00", "4", "3", "5"]
