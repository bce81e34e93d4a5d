"""Today's interval table and strip actuals on the queue page: closed intervals from the
pipeline's exact interval records, the current one from the snapshot — pure assembly,
the per-app record cache over a real Redis, and the engine → sink → page path."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import redis

from dashboard.app import create_app
from dashboard.data import HistoryPoint, WallboardData
from dashboard.interval_data import INTERVAL_PAGE, ClosedIntervalCache
from dashboard.interval_views import ClosedInterval, IntervalActuals, today_intervals
from dashboard.pages import queue
from dashboard.views import interval_rows
from pipeline.redis_keys import RedisKeys
from schemas.config import Settings, load_settings
from tests.archive.helpers import interval_fields, queue_kpis, write_archive
from tests.conftest import SAMPLE_CONFIG
from tests.dashboard.fixtures import event_line, write_engine_state

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 10, 16, 30, tzinfo=SHANGHAI)


def _at(hour: int, minute: int, second: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=SHANGHAI)


def _point(moment: datetime, offered: int) -> HistoryPoint:
    return HistoryPoint(entry_id="0-1", ts=moment.isoformat(),
                        kpis={"interval": {"offered": offered}})


def _record(start: datetime, offered: int, queue_id: str = "claims_report") -> ClosedInterval:
    return ClosedInterval(queue_id, start, 900, {"offered": offered})


def test_closed_intervals_take_the_record_the_current_one_the_snapshot() -> None:
    points = [
        _point(_at(23, 59, day=1), 99),  # yesterday
        _point(_at(9, 44), 5),  # 09:30 interval: recorded below
        _point(_at(9, 59), 8),  # 09:45 interval: its record has not arrived yet
        _point(_at(10, 14), 11),  # the 10:00 interval's last minute is missing here
        _point(_at(10, 16), 2),
    ]
    records = {
        _at(9, 30): _record(_at(9, 30), 6),
        _at(10, 0): _record(_at(10, 0), 13),  # the whole interval, last minute included
        _at(10, 15): _record(_at(10, 15), 77),  # left by an earlier run: not closed at NOW
    }
    found = today_intervals(records=records, points=points, current={"offered": 3},
                            now=NOW, zone=SHANGHAI, interval_min=15)
    assert found == [
        IntervalActuals(_at(9, 30), 900, {"offered": 6}, "record"),
        IntervalActuals(_at(9, 45), 900, {"offered": 8}, "history"),
        IntervalActuals(_at(10, 0), 900, {"offered": 13}, "record"),
        IntervalActuals(_at(10, 15), 900, {"offered": 3}, "snapshot"),
    ]
    # Without the queue in the snapshot, the current interval keeps its last history point.
    without = today_intervals(records={}, points=points, current=None, now=NOW,
                              zone=SHANGHAI, interval_min=15)
    assert [(i.start.strftime("%H:%M"), i.kpis["offered"], i.source) for i in without] == [
        ("09:30", 5, "history"), ("09:45", 8, "history"), ("10:00", 11, "history"),
        ("10:15", 2, "history")]


def test_interval_rows_are_newest_first_with_formatted_kpis() -> None:
    rows = interval_rows([
        IntervalActuals(_at(10, 0), 900, {"offered": 12, "answered": 10, "abandoned": 2,
                                          "service_level": 0.9, "abandon_rate": 0.1,
                                          "asa_s": 9.5, "aht_s": None}, "record"),
        IntervalActuals(_at(10, 15), 900, {"offered": 1}, "snapshot"),
    ])
    assert rows == [
        {"interval": "10:15–10:30", "offered": "1", "answered": "—", "abandoned": "—",
         "service_level": "—", "abandon_rate": "—", "asa": "—", "aht": "—"},
        {"interval": "10:00–10:15", "offered": "12", "answered": "10", "abandoned": "2",
         "service_level": "90.0%", "abandon_rate": "10.0%", "asa": "0:09", "aht": "—"},
    ]


def _xadd_interval(pipe: Any, keys: RedisKeys, kind: str, entity: str, start: datetime, *,
                   offered: int) -> None:
    pipe.xadd(keys.intervals(),
              interval_fields(kind, entity, start.isoformat(), queue_kpis(offered=offered)))


def test_record_cache_reads_back_to_an_earlier_day_then_only_new_entries(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    pipe = redis_client.pipeline(transaction=False)
    # Far back: a record dated today that a bounded read must never reach...
    _xadd_interval(pipe, redis_keys, "queue", "claims_report", _at(8, 0), offered=555)
    # ...behind more than a page of yesterday's records.
    for n in range(INTERVAL_PAGE + 200):
        _xadd_interval(pipe, redis_keys, "agent", f"a{n:04d}", _at(23, 45, day=1), offered=1)
    _xadd_interval(pipe, redis_keys, "queue", "claims_report", _at(23, 45, day=1), offered=9)
    _xadd_interval(pipe, redis_keys, "queue", "claims_report", _at(9, 0), offered=4)
    _xadd_interval(pipe, redis_keys, "agent", "a0001", _at(9, 0), offered=1)
    _xadd_interval(pipe, redis_keys, "queue", "complaints", _at(9, 0), offered=7)
    pipe.xadd(redis_keys.intervals(), {"kind": "queue", "id": "claims_report",
                                       "interval_start": "not a time", "interval_s": "900",
                                       "kpis": "{}"})
    pipe.execute()
    data = WallboardData(redis_url, redis_prefix, archive_dir=tmp_path)
    cache = ClosedIntervalCache()
    try:
        first = cache.queue_intervals(data, "claims_report", TODAY, SHANGHAI)
        assert {s.strftime("%H:%M"): r.kpis["offered"] for s, r in first.items()} == {
            "09:00": 4}
        assert cache.queue_intervals(data, "complaints", TODAY, SHANGHAI)[_at(9, 0)].kpis[
            "offered"] == 7
        _xadd_interval(redis_client, redis_keys, "queue", "claims_report", _at(9, 15), offered=6)
        later = cache.queue_intervals(data, "claims_report", TODAY, SHANGHAI)
        assert {s.strftime("%H:%M"): r.kpis["offered"] for s, r in later.items()} == {
            "09:00": 4, "09:15": 6}
        # Yesterday's view starts over from the newest entry and stops at the first
        # page reaching an earlier day than itself.
        yesterday = cache.queue_intervals(data, "claims_report", date(2026, 3, 1), SHANGHAI)
        assert [(s.strftime("%d %H:%M"), r.kpis["offered"]) for s, r in yesterday.items()
                ] == [("01 23:45", 9)]
    finally:
        data.close()


def _one_queue_morning() -> list[bytes]:
    """claims_report: two contacts offered and abandoned in 10:00–10:15, the second in the
    interval's last minute (10:14:20), and one offered at 10:16 still waiting."""
    n = [0]
    lines = []
    for contact, offered in (("c1", _at(10, 5)), ("c2", _at(10, 14, 20))):
        lines.append(event_line(offered, {"type": "contact.offered", "contact_id": contact,
                                          "channel": "voice", "queue": "claims_report"}, n))
        lines.append(event_line(offered + timedelta(seconds=30),
                                {"type": "contact.abandoned", "contact_id": contact}, n))
    lines.append(event_line(_at(10, 16), {"type": "contact.offered", "contact_id": "c3",
                                          "channel": "voice", "queue": "claims_report"}, n))
    return lines


def test_last_minute_contacts_count_in_the_closed_interval_row_and_strip(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    settings = Settings.model_validate(
        {**load_settings(SAMPLE_CONFIG).model_dump(), "redis_prefix": redis_prefix})
    write_engine_state(redis_client, redis_keys, settings, _one_queue_morning(),
                       now=NOW, last_event=_at(10, 16))
    # The history's last point of 10:00–10:15 (10:14:00) misses c2.
    last_minute = f"{int(_at(10, 14).timestamp()) * 1000}-0"
    rows: Any = redis_client.xrange(redis_keys.history("queue", "claims_report"),
                                    min=last_minute, max=last_minute)
    [(_id, fields)] = rows
    assert orjson.loads(fields[b"kpis"])["interval"]["offered"] == 1
    archive = tmp_path / "archive"
    write_archive(archive, [
        ("queue", "claims_report", f"{day}T{slot}:00+08:00",
         queue_kpis(offered=8, answered=8, handled=8, aht_s=180.0))
        for day in ("2026-02-16", "2026-02-23") for slot in ("10:00", "10:15")
    ])
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW.astimezone(UTC),
                     archive_dir=archive)
    params = {"queue": "claims_report", "lang": "en"}
    with app.server.test_request_context("/"):
        table = queue.refresh(0, params, None)[3]
        body, _note = queue.staffing(1, params)
    # 10:00–10:15 from its record: c1 and c2 offered, both abandoned after 30 s
    # (not short: < 5 s), none answered: SL 0 / (0 + 2 − 0), abandon rate 2 / 2.
    assert table == [
        {"interval": "10:15–10:30", "offered": "1", "answered": "0", "abandoned": "0",
         "service_level": "—", "abandon_rate": "—", "asa": "—", "aht": "—"},
        {"interval": "10:00–10:15", "offered": "2", "answered": "0", "abandoned": "2",
         "service_level": "0.0%", "abandon_rate": "100.0%", "asa": "—", "aht": "—"},
    ]
    strip = body[-1]
    cells = [[cell.children for cell in row.children] for row in strip.children[1].children]
    assert [(row[0], row[3]) for row in cells] == [("10:00–10:15", "2"), ("10:15–10:30", "1")]
