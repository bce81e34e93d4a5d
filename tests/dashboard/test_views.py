"""View models built from a known snapshot: tiles, freshness, agent grid, tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dashboard import views
from dashboard.data import HistoryPoint
from dashboard.i18n import t
from schemas.snapshot import Alert
from tests.dashboard.fixtures import build_snapshot, sample_settings

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # 10:30:00 in Shanghai
SETTINGS = sample_settings()
SNAPSHOT = build_snapshot(NOW, SETTINGS)


def test_queue_tile_shows_15_minute_kpis_with_its_own_thresholds() -> None:
    tile = views.queue_tile(SETTINGS, "complaints", SNAPSHOT, "en")
    assert tile.title == "Complaints"
    assert tile.values == {
        "sl": "70.0%", "in_queue": "4", "longest_wait": "2:30", "abandon_rate": "25.0%",
        "asa": "0:30", "ready": "2", "busy": "6", "away": "2",
    }
    assert tile.statuses == {"sl": "red", "longest_wait": "red", "abandon_rate": "red"}
    assert tile.status == "red"
    assert tile.formula == "SL 20 s, short abandons < 5 s excluded · target 85%"
    assert tile.as_of == "as of 10:30:00"


def test_queue_tile_colours_callback_queue_against_its_lower_target() -> None:
    tile = views.queue_tile(SETTINGS, "new_policy_callback", SNAPSHOT, "zh")
    assert tile.values["sl"] == "82.4%"
    assert tile.values["longest_wait"] == "—"
    assert tile.statuses["sl"] == "green"  # target 0.70 + margin 0.05 <= 0.824
    assert tile.formula == "服务水平 30 秒内接通，5 秒内短放弃不计 · 目标 70%"


def test_tile_of_a_queue_without_data_shows_dashes_not_zeros() -> None:
    tile = views.queue_tile(SETTINGS, "claims_report", None, "en")
    assert set(tile.values.values()) == {"—"}
    assert tile.statuses == {"sl": "none", "longest_wait": "green", "abandon_rate": "none"}
    assert tile.as_of == "as of —"


def test_floor_tile_adds_up_the_center() -> None:
    queue_tiles = [views.queue_tile(SETTINGS, q, SNAPSHOT, "en") for q in SETTINGS.queues]
    floor = views.floor_tile(SETTINGS, SNAPSHOT, queue_tiles, "en", "@all")
    # answered 151, abandoned 17, short 5, in SL 138: 138/163 and 12/163
    assert floor.values["sl"] == "84.7%"
    assert floor.values["abandon_rate"] == "7.4%"
    assert floor.values["in_queue"] == "15"
    assert floor.values["longest_wait"] == "2:40"
    assert (floor.values["ready"], floor.values["busy"], floor.values["away"]) == (
        "10", "20", "10")
    assert floor.statuses == {"sl": "amber", "longest_wait": "red", "abandon_rate": "amber"}


def test_select_queues_by_list_by_site_or_all() -> None:
    assert views.select_queues(SETTINGS, SNAPSHOT, "complaints, chat_claims", None) == [
        "complaints", "chat_claims"]
    assert views.select_queues(SETTINGS, SNAPSHOT, None, "beijing") == [
        "claims_report", "new_policy_callback"]
    assert views.select_queues(SETTINGS, None, None, None) == list(SETTINGS.queues)


def test_the_wallboard_shows_configured_queues_then_the_busiest_others_48_at_most() -> None:
    entry = next(iter(SNAPSHOT.queues.values()))

    def offering(n: int) -> Any:
        return entry.model_copy(update={"day": entry.day.model_copy(update={"offered": n})})

    extra = {f"u{i:03d}": offering(i % 50) for i in range(100)}
    flooded = SNAPSHOT.model_copy(update={"queues": {**SNAPSHOT.queues, **extra}})
    shown = views.select_queues(SETTINGS, flooded, None, None)
    configured = list(SETTINGS.queues)
    # u049 and u099 offered 49 each, then u048 and u098, ... (ties by name).
    busiest = [f"u{i:03d}" for k in range(49, -1, -1) for i in (k, k + 50)]
    assert shown == [*configured, *busiest][: views.WALLBOARD_MAX_QUEUES]
    assert len(shown) == views.WALLBOARD_MAX_QUEUES == 48


def test_freshness_fresh_stale_and_unreachable() -> None:
    zone = SETTINGS.zone
    beat = "2026-03-02T10:29:55+08:00"
    fresh = views.freshness(beat, None, reachable=True, now=NOW, stale_after_s=10, zone=zone,
                            lang="en")
    assert fresh == views.Freshness(False, "", "data 5 s old")
    stale = views.freshness("2026-03-02T10:29:49+08:00", None, reachable=True, now=NOW,
                            stale_after_s=10, zone=zone, lang="zh")
    assert stale.stale is True
    assert stale.banner == "数据已停止更新，最后更新于 10:29:49"
    down = views.freshness(None, beat, reachable=False, now=NOW, stale_after_s=10, zone=zone,
                           lang="en")
    assert down == views.Freshness(True, "data stale since 10:29:55",
                                   "data stale since 10:29:55")
    never = views.freshness(None, None, reachable=False, now=NOW, stale_after_s=10, zone=zone,
                            lang="en")
    assert never.banner == "no data yet (Redis unreachable)"


def test_agent_grid_pages_itself_every_rotation() -> None:
    cells = views.agent_cells(SNAPSHOT, None, {"a005"}, NOW, "en")
    assert len(cells) == 40
    assert cells[0].agent_id == "a015"  # bj_callback sorts first
    flagged = [c for c in cells if c.flagged]
    assert [(c.agent_id, c.label, c.in_state) for c in flagged] == [
        ("a005", "Not ready · break", "2:34")]
    page, number, pages = views.grid_page(cells, 15, elapsed_s=41, rotate_s=20)
    assert (number, pages, page[0].agent_id) == (3, 3, cells[30].agent_id)
    assert len(page) == 10
    assert views.grid_page([], 60, 100, 20) == ([], 1, 1)


def test_agent_grid_of_chosen_teams_only() -> None:
    teams = views.teams_for_queues(SETTINGS, ["complaints"])
    assert teams == {"cd_service_b", "cd_complaints"}
    cells = views.agent_cells(SNAPSHOT, teams, set(), NOW, "en")
    assert [c.agent_id for c in cells] == [f"a{n:03d}" for n in range(32, 36)] + [
        f"a{n:03d}" for n in range(26, 32)]


def test_ticker_lists_active_alerts_critical_first() -> None:
    items = views.ticker_items(SNAPSHOT.alerts, SETTINGS, "en")
    assert [(i.severity, i.text) for i in items] == [
        ("critical", "SL breach · Complaints · since 10:28:00"),
        ("warning", "Wait breach · Complaints · since 10:29:30"),
        ("warning", "Long away · a005 · since 10:23:20"),
    ]


def test_history_series_takes_the_rolling_15_minute_values() -> None:
    series = views.history_series([
        HistoryPoint("1-0", "2026-03-02T10:00:00+08:00",
                     {"15m": {"service_level": 0.8, "offered": 40, "in_queue": 2,
                              "abandon_rate": None}}),
    ])
    assert series == views.HistorySeries(["2026-03-02T10:00:00+08:00"], [0.8], [40], [2],
                                         [None])


def test_team_rows_for_a_sortable_board() -> None:
    rows = views.team_rows(SNAPSHOT, "bj_claims_a", SNAPSHOT.alerts, NOW, "en")
    assert len(rows) == 8
    assert rows[4] == {
        "agent": "[a005](/agent/a005)", "agent_id": "a005", "state": "Not ready · break",
        "state_key": "not_ready", "in_state": "00:02:34", "handled": 15, "aht": "00:03:45",
        "utilization": SNAPSHOT.agents["a005"].day.utilization,
        "occupancy": SNAPSHOT.agents["a005"].day.occupancy,
        "not_ready": "00:14:10", "ultra_short": 0, "ultra_long": 0, "anomalies": "Long away",
    }


def test_my_numbers_against_the_team_median() -> None:
    rows = views.me_rows(SNAPSHOT, "a005", "en")
    assert rows[0] == {"kpi": "Handled", "mine": "15", "median": "12.5"}
    assert rows[1] == {"kpi": "AHT", "mine": "3:45", "median": "3:42"}
    assert views.me_rows(SNAPSHOT, "nobody", "en")[0] == {
        "kpi": "Handled", "mine": "—", "median": "—"}


def test_anomalies_explained_in_plain_words_with_a_tip() -> None:
    short = SNAPSHOT.alerts[0]
    zh = views.explain_alert(short, SETTINGS, "zh")
    assert zh.title == "超短通话"
    assert zh.text == "通话 6 秒 就结束了（低于 10 秒）。"
    assert zh.tip == t("tip_ultra_short_contact", "zh")
    en = views.explain_alert(SNAPSHOT.alerts[1], SETTINGS, "en")
    assert en.text == "Stayed in 'break' longer than 15 min."
    assert en.when == "2026-03-02 10:23:20"
    logout = Alert(id="x", kind="abnormal_logout", severity="warning", subject="agent:a1",
                   raised_at="2026-03-02T10:00:00+08:00", cleared_at="2026-03-02T10:00:00+08:00",
                   evidence={"reasons": ["active_contact", "early_logout"]})
    assert views.explain_alert(logout, SETTINGS, "en").text == (
        "Unusual logout: a contact was still active, before shift end.")


def test_roster_late_login_explained_while_missing_when_late_and_when_absent() -> None:
    def late(evidence: dict[str, object]) -> str:
        alert = Alert(id="late_login:a1:1772413200", kind="late_login", severity="warning",
                      subject="agent:a1", raised_at="2026-03-02T09:05:00+08:00",
                      cleared_at=None, evidence=evidence)
        return views.explain_alert(alert, SETTINGS, "en").text

    start = {"shift_start": "2026-03-02T09:00:00+08:00", "not_logged_in": True}
    assert late(start) == "Not logged in yet; the shift began at 2026-03-02 09:00:00."
    assert late(start | {"late_by_s": 750.0}) == "Logged in 12 min 30 s after shift start."
    assert late(start | {"absent": True}) == (
        "Did not log in for the shift that began at 2026-03-02 09:00:00.")


def test_alert_filters_by_kind_queue_and_team() -> None:
    sl, wait, away = SNAPSHOT.alerts[3], SNAPSHOT.alerts[2], SNAPSHOT.alerts[1]
    short = SNAPSHOT.alerts[0]
    assert views.alert_matches(sl, SNAPSHOT, SETTINGS, kind="sl_breach", queue=None, team=None)
    assert not views.alert_matches(wait, SNAPSHOT, SETTINGS, kind="sl_breach", queue=None,
                                   team=None)
    assert views.alert_matches(short, SNAPSHOT, SETTINGS, kind=None, queue="claims_report",
                               team=None)
    assert views.alert_matches(sl, SNAPSHOT, SETTINGS, kind=None, queue=None,
                               team="cd_complaints")
    assert views.alert_matches(away, SNAPSHOT, SETTINGS, kind=None, queue=None,
                               team="bj_claims_a")
    assert not views.alert_matches(away, SNAPSHOT, SETTINGS, kind=None, queue=None,
                                   team="cd_chat")


def test_queue_kpi_table_by_window() -> None:
    rows = views.queue_kpi_table(SNAPSHOT.queues["claims_report"], "en")
    assert rows[0] == {"kpi": "Service level", "15m": "81.3%", "30m": "81.3%", "60m": "81.3%",
                       "interval": "81.3%", "day": "81.3%"}
    assert views.queue_kpi_table(None, "en")[0]["day"] == "—"
    assert views.padded_duration(3725) == "01:02:05"


def test_times_in_state_are_measured_at_the_snapshot_now_not_the_wall_clock() -> None:
    wall = datetime(2026, 11, 26, 10, 0, 0, tzinfo=UTC)  # a replay of an older day
    assert views.data_now(SNAPSHOT, wall) == NOW
    assert views.data_now(None, wall) == wall
    cells = views.agent_cells(SNAPSHOT, {"bj_claims_a"}, set(), views.data_now(SNAPSHOT, wall),
                              "en")
    assert [c.in_state for c in cells[:2]] == ["0:30", "1:01"]


def test_freshness_warns_when_events_were_refused_for_their_time() -> None:
    beat = "2026-03-02T10:29:55+08:00"
    warned = views.freshness(beat, None, reachable=True, now=NOW, stale_after_s=10,
                             zone=SETTINGS.zone, lang="en", refused_time=2)
    assert warned == views.Freshness(
        False, "", "data 5 s old · ⚠ 2 events refused for their time (see dead letters)")
