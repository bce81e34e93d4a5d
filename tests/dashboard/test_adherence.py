"""The team page's schedule adherence: scheduled (paid) time so far, logged-in time, lost
time, absenteeism and utilization against the schedule, per agent and for the team, from
a real Redis snapshot and a roster file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import redis
from dash import no_update

from dashboard import ids
from dashboard.app import create_app
from dashboard.pages import team
from pipeline.redis_keys import RedisKeys
from tests.dashboard.fixtures import write_floor

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # Monday 10:30 in Shanghai

# bj_claims_a is a001–a008 in the fixture snapshot; a099 is rostered but never logged in,
# a009 is bj_claims_b. a001's shift yesterday is not today.
ROSTER = """agent_id,team,queues,shift_start,shift_end,breaks
a001,bj_claims_a,,2026-03-01T08:00:00+08:00,2026-03-01T17:00:00+08:00,
a001,bj_claims_a,,2026-03-02T08:00:00+08:00,2026-03-02T17:00:00+08:00,2026-03-02T09:45:00+08:00/2026-03-02T10:15:00+08:00/lunch/unpaid
a002,bj_claims_a,,2026-03-02T09:30:00+08:00,2026-03-02T18:00:00+08:00,
a003,bj_claims_a,,2026-03-02T13:00:00+08:00,2026-03-02T21:00:00+08:00,
a099,bj_claims_a,,2026-03-02T10:00:00+08:00,2026-03-02T12:00:00+08:00,
a009,bj_claims_b,,2026-03-02T08:00:00+08:00,2026-03-02T17:00:00+08:00,
"""


def _with_roster(client: redis.Redis, keys: RedisKeys, path: Path | None) -> None:
    floor = write_floor(client, keys, NOW, history_minutes=1)
    base = floor.settings
    staffing = base.staffing.model_copy(update={"roster": str(path) if path else None})
    client.set(keys.config(), base.model_copy(update={"staffing": staffing}).model_dump_json())


def test_team_adherence_so_far_per_agent_and_for_the_team(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
    tmp_path: Path,
) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    _with_roster(redis_client, redis_keys, path)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW)
    with app.server.test_request_context("/"):
        rows, note = team.adherence(1, {"team": "bj_claims_a", "lang": "en"})
    assert note == ""
    # Fixture agent n: logged in 3,600 + 60 n s; busy 2,000 + 10 n, acw 400, ready 600.
    # a001: 08:00–10:30 minus the unpaid 09:45–10:15 = 7,200 s scheduled; logged in 3,660
    #       → lost 3,540 (49.2 %); (2,010 + 400 + 600) / 7,200 = 41.8 %.
    # a002: 09:30–10:30 = 3,600 s; logged in 3,720 → lost 0; 3,020 / 3,600 = 83.9 %.
    # a003: starts 13:00, nothing scheduled yet (its 3,780 s logged in offset nothing).
    # a099: 10:00–10:30 = 1,800 s, never logged in → all lost; utilization 0.
    # Team: lost 5,340 / scheduled 12,600 = 42.4 %; 6,030 / 12,600 = 47.9 %.
    assert rows == [
        {"agent": "[a001](/agent/a001)", "scheduled_so_far": "02:00:00",
         "logged_in_so_far": "01:01:00", "lost_time": "00:59:00", "absenteeism": "49.2%",
         "utilization_vs_schedule": "41.8%"},
        {"agent": "[a002](/agent/a002)", "scheduled_so_far": "01:00:00",
         "logged_in_so_far": "01:02:00", "lost_time": "00:00:00", "absenteeism": "0.0%",
         "utilization_vs_schedule": "83.9%"},
        {"agent": "[a003](/agent/a003)", "scheduled_so_far": "00:00:00",
         "logged_in_so_far": "01:03:00", "lost_time": "00:00:00", "absenteeism": "—",
         "utilization_vs_schedule": "—"},
        {"agent": "[a099](/agent/a099)", "scheduled_so_far": "00:30:00",
         "logged_in_so_far": "00:00:00", "lost_time": "00:30:00", "absenteeism": "100.0%",
         "utilization_vs_schedule": "0.0%"},
        {"agent": "Total", "scheduled_so_far": "03:30:00", "logged_in_so_far": "03:06:00",
         "lost_time": "01:29:00", "absenteeism": "42.4%", "utilization_vs_schedule": "47.9%"},
    ]
    with app.server.test_request_context("/"):
        layout = team.layout("bj_claims_a", "en")
        zh_rows, _note = team.adherence(1, {"team": "bj_claims_a", "lang": "zh"})
    found = [c for c in layout.children if getattr(c, "id", None) == ids.T_ADH_TABLE]
    assert [col["name"] for col in found[0].columns] == [
        "Agent", "Scheduled", "Logged in", "Lost", "Absenteeism", "Utilization vs schedule"]
    with app.server.test_request_context("/"):
        assert zh_rows[-1]["agent"] == "合计"
        assert team.adherence(1, {"team": "cd_chat", "lang": "en"}) == (
            [], "nobody of this team on today's roster")
        assert team.adherence(1, None) == (no_update, no_update)


def test_team_adherence_without_roster_says_so(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
) -> None:
    _with_roster(redis_client, redis_keys, None)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW)
    with app.server.test_request_context("/"):
        assert team.adherence(1, {"team": "bj_claims_a", "lang": "en"}) == (
            [], "no roster ([staffing] roster not set or unreadable)")
        assert team.adherence(1, {"team": "bj_claims_a", "lang": "zh"}) == (
            [], "未配置排班表（[staffing] roster）或排班表无法读取")
