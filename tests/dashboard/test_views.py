"""View models built from a known snapshot: tiles, freshness, agent grid, tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dashboard import views
from dashboard.data import HistoryPoint
from dashboard.i18n import Lang, t
from schemas.snapshot import Alert
from tests.dashboard.fixtures import build_snapshot, sample_settings

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # 10:30:00 in Shanghai
SETTINGS = sample_settings()
SNAPSHOT = build_snapshot(NOW, SETTINGS)


def test_queue_tile_shows_15_minute_and_today_kpis_with_its_own_thresholds() -> None:
    tile = views.queue_tile(SETTINGS, "complaints", SNAPSHOT, "en")
    assert tile.title == "Complaints"
    # The fixture's windows are equal, so every arrow says "no change" (▶).
    assert tile.values == {
        "in_queue": "4", "longest_wait": "2:30",
        "sl": "70.0%", "sl_trend": "▶", "sl_target": "/85%", "sl_day": "70.0%",
        "abandon_rate": "25.0%", "abandon_trend": "▶", "abandon_day": "25.0%",
        "asa": "0:30", "asa_trend": "▶", "ready": "2",
    }
    # ASA 30 s against the 20 s SL threshold: amber (red beyond 40 s).
    assert tile.statuses == {"sl": "red", "sl_day": "red", "longest_wait": "red",
                             "abandon_rate": "red", "abandon_day": "red", "asa": "amber",
                             "ready": "green"}
    assert tile.trends == {"sl_trend": "flat", "abandon_trend": "flat", "asa_trend": "flat"}
    assert tile.status == "red"
    assert tile.formula == (
        "SL = answered within 20 s, short abandons < 5 s excluded · target 85%")


def test_trend_arrows_compare_15_minutes_with_the_last_hour() -> None:
    entry = SNAPSHOT.queues["claims_report"]
    # The last hour: SL 85.0 %, abandon rate 8.3 % - 0.9 pp, ASA 12 s + 6 s.
    hour = entry.w60m.model_copy(update={"service_level": 0.85, "abandon_rate": 0.074,
                                         "asa_s": 18.0})
    queues = {**SNAPSHOT.queues, "claims_report": entry.model_copy(update={"w60m": hour})}
    tile = views.queue_tile(SETTINGS, "claims_report",
                            SNAPSHOT.model_copy(update={"queues": queues}), "en")
    # SL 81.25 % is 3.75 pp under the hour: ▼, worse. Abandons 8.33 % vs 7.4 %: ▶ (within
    # 1 pp). ASA 12 s vs 18 s: ▼ by 6 s (> 5 s), better.
    assert (tile.values["sl"], tile.values["sl_trend"], tile.trends["sl_trend"]) == (
        "81.3%", "▼", "worse")
    assert (tile.values["abandon_trend"], tile.trends["abandon_trend"]) == ("▶", "flat")
    assert (tile.values["asa"], tile.values["asa_trend"], tile.trends["asa_trend"]) == (
        "0:12", "▼", "better")


def test_zero_ready_while_contacts_wait_is_red() -> None:
    entry = SNAPSHOT.queues["chat_service"]
    nobody = entry.agents_now.model_copy(update={"ready": 0, "busy": 3})
    queues = {**SNAPSHOT.queues,
              "chat_service": entry.model_copy(update={"agents_now": nobody})}
    tile = views.queue_tile(SETTINGS, "chat_service",
                            SNAPSHOT.model_copy(update={"queues": queues}), "zh")
    assert (tile.values["in_queue"], tile.values["ready"]) == ("5", "0")
    assert tile.statuses["ready"] == "red"
    assert tile.status == "red"
    assert tile.formula == "服务水平 = 60 秒内响应，5 秒内短放弃不计 · 目标 80%"


def test_queue_tile_colours_callback_queue_against_its_lower_target() -> None:
    tile = views.queue_tile(SETTINGS, "new_policy_callback", SNAPSHOT, "zh")
    assert tile.values["sl"] == "82.4%"
    assert tile.values["longest_wait"] == "—"
    assert tile.statuses["sl"] == "green"  # target 0.70 + margin 0.05 <= 0.824
    assert tile.formula == "服务水平 = 30 秒内接通，5 秒内短放弃不计 · 目标 70%"


def test_tile_of_a_queue_without_data_shows_dashes_not_zeros() -> None:
    tile = views.queue_tile(SETTINGS, "claims_report", None, "en")
    numbers = {k: v for k, v in tile.values.items() if not k.endswith(("_trend", "_target"))}
    assert set(numbers.values()) == {"—"}
    assert {tile.values[k] for k in ("sl_trend", "abandon_trend", "asa_trend")} == {""}
    assert tile.values["sl_target"] == "/80%"
    assert tile.statuses == {"sl": "none", "sl_day": "none", "longest_wait": "green",
                             "abandon_rate": "none", "abandon_day": "none", "asa": "none",
                             "ready": "none"}


def test_floor_tile_adds_up_the_center() -> None:
    queue_tiles = [views.queue_tile(SETTINGS, q, SNAPSHOT, "en") for q in SETTINGS.queues]
    floor = views.floor_tile(SETTINGS, SNAPSHOT, queue_tiles, "en", "@all")
    # answered 151, abandoned 17, short 5, in SL 138: 138/163 and 12/163
    assert floor.values["sl"] == "84.7%"
    assert floor.values["abandon_rate"] == "7.4%"
    assert floor.values["in_queue"] == "15"
    assert floor.values["longest_wait"] == "2:40"
    assert floor.values["ready"] == "10"
    assert floor.statuses == {"sl": "amber", "sl_day": "amber", "longest_wait": "red",
                              "abandon_rate": "amber", "abandon_day": "amber",
                              "asa": "amber", "ready": "green"}


def test_agent_summary_adds_up_to_staffed_with_not_ready_by_reason() -> None:
    summary = views.agent_summary(SNAPSHOT, None, "zh")
    assert summary is not None
    # 40 agents cycling ready, busy, busy, acw, not ready, ready, busy, not ready:
    # 10 ready, 15 on contact, 5 in ACW, 10 not ready (odd numbers on break, even at lunch).
    assert (summary.staffed, summary.ready, summary.busy, summary.acw, summary.not_ready) == (
        40, 10, 15, 5, 10)
    assert summary.ready + summary.busy + summary.acw + summary.not_ready == summary.staffed
    assert summary.reasons == [("小休", 5), ("午餐", 5)]  # equal counts: by reason key
    team = views.agent_summary(SNAPSHOT, {"cd_complaints"}, "en")
    assert team is not None
    assert (team.staffed, team.ready, team.busy, team.acw, team.not_ready) == (4, 1, 2, 0, 1)
    assert team.reasons == [("lunch", 1)]


def test_headline_counts_contacts_waiting_and_the_oldest_wait() -> None:
    waiting = views.waiting_now(SETTINGS, SNAPSHOT, SETTINGS.queues)
    assert waiting == views.Waiting(count=15, longest_s=160.0, status="red")
    calm = views.waiting_now(SETTINGS, SNAPSHOT, ["new_policy_callback"])
    assert calm == views.Waiting(count=0, longest_s=None, status="green")


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


def test_agent_grid_shows_exceptions_first() -> None:
    cells = views.agent_cells(SNAPSHOT, None, {"a005"}, NOW, "en")
    assert len(cells) == 40
    # The flagged agent first, then the longest in a state other than ready.
    assert [(c.agent_id, c.label, c.in_state, c.flagged) for c in cells[:3]] == [
        ("a005", "Not ready · break", "2:34", True),
        ("a040", "Not ready · lunch", "20:04", False),
        ("a039", "On contact", "19:33", False),
    ]
    # Ready agents come last, longest ready first.
    assert [c.state for c in cells[-10:]] == ["ready"] * 10
    assert (cells[-10].agent_id, cells[-1].agent_id) == ("a038", "a001")


def test_agent_grid_of_chosen_teams_only() -> None:
    teams = views.teams_for_queues(SETTINGS, ["complaints"])
    assert teams == {"cd_service_b", "cd_complaints"}
    cells = views.agent_cells(SNAPSHOT, teams, set(), NOW, "en")
    assert [c.agent_id for c in cells] == [
        "a035", "a034", "a032", "a031", "a029", "a028", "a027", "a026", "a033", "a030"]


def test_ticker_lists_active_alerts_critical_first() -> None:
    items = views.ticker_items(SNAPSHOT.alerts, SETTINGS, "en")
    assert [(i.severity, i.text) for i in items] == [
        ("critical", "SL breach · Complaints · since 10:28:00"),
        ("warning", "Wait breach · Complaints · since 10:29:30"),
        ("warning", "Not ready too long · a005 · since 10:23:20"),
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
        "not_ready": "00:14:10", "ultra_short": 0, "ultra_long": 0,
        "anomalies": "Not ready too long",
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
    shown = {c.agent_id: c.in_state for c in cells}
    assert (shown["a001"], shown["a002"]) == ("0:30", "1:01")


def test_alert_evidence_reads_as_people_read_it_in_both_languages() -> None:
    def evidence(kind: str, ev: dict[str, object], lang: Lang) -> str:
        alert = Alert(id=f"{kind}:q:1", kind=kind, severity="warning", subject="queue:complaints",
                      raised_at="2026-03-02T10:00:00+08:00", cleared_at=None, evidence=ev)
        return views.alert_row(alert, SETTINGS, lang, None)["evidence"]

    spike = {"abandon_rate": 0.13924050632911392, "threshold": 0.1, "contacts": 79}
    assert evidence("abandon_spike", spike, "en") == (
        "abandon rate 13.9%, threshold 10.0%, contacts 79")
    assert evidence("abandon_spike", spike, "zh") == "放弃率 13.9%，阈值 10.0%，联络数 79"
    volume = {"offered": 120, "forecast": 90.03152395854451, "factor": 1.3}
    assert evidence("volume_spike", volume, "en") == "offered 120, forecast 90, factor 1.3"
    wait = {"threshold_s": 120.0, "longest_wait_s": 150.0, "contacts_over": 2}
    assert evidence("wait_breach", wait, "zh") == "阈值 2:00，最长等待 2:30，超时排队 2"
    assert evidence("long_away", {"reason": "break", "limit_s": 900.0}, "zh") == (
        "原因 小休，时限 15:00")
    assert evidence("sl_breach", {"queue": "complaints", "absent": True}, "zh") == (
        "队列 投诉，整班未到 是")


def test_alert_rows_are_localised() -> None:
    row = views.alert_row(SNAPSHOT.alerts[3], SETTINGS, "zh", None)
    assert (row["kind"], row["severity"], row["subject"]) == ("服务水平不达标", "严重", "投诉")
    assert row["evidence"] == "服务水平 70.0%，目标 85.0%，联络数 20"
    assert (t("transition_raised", "zh"), t("transition_cleared", "zh")) == ("触发", "解除")


def test_freshness_warns_when_events_were_refused_for_their_time() -> None:
    beat = "2026-03-02T10:29:55+08:00"
    warned = views.freshness(beat, None, reachable=True, now=NOW, stale_after_s=10,
                             zone=SETTINGS.zone, lang="en", refused_time=2)
    assert warned == views.Freshness(
        False, "", "data 5 s old · ⚠ 2 events refused for their time (see dead letters)")
