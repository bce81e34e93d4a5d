"""`/me/<agent_id>`: an agent's own numbers today against the team median, the last 7
days beside today (from the archive), and the day's anomalies in plain words with a tip
each."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html, no_update

from dashboard import history_views, ids, not_found, views, watchdog
from dashboard.archive_data import ArchiveUnavailable
from dashboard.components import column, page_header, table
from dashboard.i18n import Lang, normalize_lang, t
from dashboard.pages.agent import agent_state_view, anomaly_cards
from dashboard.pages.common import Tick, layout_settings, read_tick, tick_beat
from dashboard.services import services
from schemas.snapshot import AgentKpis

TICK_MS = 1000
WATCH = "me"  # this page's key in the watchdog's store ids


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template="/me/<agent_id>", title="me", layout=layout)
    app.callback(
        Output(ids.ME_STATE, "children"),
        Output(ids.ME_TABLE, "data"),
        Output(ids.ME_ANOMALIES, "children"),
        Output(ids.ME_WEEK, "columns"),
        Output(ids.ME_WEEK, "data"),
        Output(ids.ME_WEEK_NOTE, "children"),
        Output(ids.watch(ids.WD_BEAT, WATCH), "data"),
        Input(ids.ME_INTERVAL, "n_intervals"),
        State(ids.ME_PARAMS, "data"),
    )(refresh)


def layout(agent_id: str = "", lang: str | None = None, **_other: str) -> html.Div:
    language = normalize_lang(lang)
    settings, floor = layout_settings()
    if not_found.missing("me", agent_id, floor):
        return not_found.page([not_found.message("me", agent_id, language)], language)
    cols = [
        column(t("kpi", language), "kpi"),
        column(t("you", language), "mine"),
        column(t("team_median", language), "median"),
    ]
    return html.Div(
        className="page me",
        children=[
            dcc.Store(id=ids.ME_PARAMS, data={"agent": agent_id, "lang": language}),
            dcc.Interval(id=ids.ME_INTERVAL, interval=TICK_MS),
            *watchdog.hook(WATCH, settings, language),
            *page_header(f"{t('my_day', language)} · {agent_id}", language),
            html.Div(id=ids.ME_STATE, className="agent-state"),
            table(ids.ME_TABLE, cols),
            html.H2(t("my_last_7_days", language)),
            html.P(id=ids.ME_WEEK_NOTE, className="history-note"),
            table(ids.ME_WEEK, [column(t("kpi", language), "kpi")]),
            html.H2(t("anomalies", language)),
            html.Div(id=ids.ME_ANOMALIES, className="anomalies"),
        ],
    )


def refresh(_n: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    if not params:
        return (no_update,) * 7
    lang = normalize_lang(params.get("lang"))
    agent_id = str(params["agent"])
    tick = read_tick(lang)
    beat = tick_beat(tick)
    if tick.floor is None:
        return (*(no_update,) * 6, beat)
    snapshot = tick.floor.snapshot
    state = agent_state_view(tick, agent_id, lang)
    alerts = views.agent_alerts(snapshot.alerts if snapshot else [], agent_id)
    anomalies = anomaly_cards(alerts, tick.settings, lang) or [
        html.P(t("nothing_unusual", lang), className="all-good")
    ]
    week = _my_week(tick, agent_id, lang)
    return state, views.me_rows(snapshot, agent_id, lang), anomalies, *week, beat


def _my_week(tick: Tick, agent_id: str, lang: Lang) -> tuple[Any, Any, str]:
    """Columns, rows and note of "my last 7 days" (past days archived, today live)."""
    snapshot = tick.floor.snapshot if tick.floor else None
    entry = snapshot.agents.get(agent_id) if snapshot else None
    team_today: list[AgentKpis] = []
    if snapshot is not None and entry is not None and entry.team is not None:
        team_today = [a.day for a in snapshot.agents.values() if a.team == entry.team]
    today = tick.data_now.astimezone(tick.settings.zone).date()
    try:
        history = services().data.agent_days(agent_id, today, history_views.MY_HISTORY_DAYS)
        note = history_views.history_note(bool(history), lang)
    except ArchiveUnavailable:
        history, note = [], t("history_unavailable", lang)
    rows = history_views.my_week_rows(history, today, entry.day if entry else None,
                                      team_today, lang)
    return history_views.my_week_columns(today, lang), rows, note
