"""`/agent/<agent_id>`: today's timeline of states and contacts, KPIs by window and the
agent's anomalies with their evidence."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, Patch, State, dcc, html, no_update

from dashboard import ids, not_found, views, watchdog
from dashboard.components import column, page_header, table, with_lang
from dashboard.data import DataUnavailable
from dashboard.figures import agent_timeline_figure
from dashboard.format import fmt_duration, seconds_since
from dashboard.i18n import Lang, normalize_lang, state_label, t, team_name
from dashboard.pages.common import Tick, layout_settings, read_tick, tick_beat
from dashboard.services import services

TICK_MS = 1000
WATCH = "agent"  # this page's key in the watchdog's store ids


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template="/agent/<agent_id>", title="agent",
                       layout=layout)
    app.callback(
        Output(ids.A_STATE, "children"),
        Output(ids.A_KPIS, "data"),
        Output(ids.A_TIMELINE, "figure"),
        Output(ids.A_PARAMS, "data"),
        Output(ids.A_ANOMALIES, "children"),
        Output(ids.watch(ids.WD_BEAT, WATCH), "data"),
        Input(ids.A_INTERVAL, "n_intervals"),
        State(ids.A_PARAMS, "data"),
    )(refresh)


def layout(agent_id: str = "", lang: str | None = None, **_other: str) -> html.Div:
    language = normalize_lang(lang)
    settings, floor = layout_settings()
    if not_found.missing("agent", agent_id, floor):
        return not_found.page([not_found.message("agent", agent_id, language)], language)
    entry = floor.snapshot.agents.get(agent_id) if floor and floor.snapshot else None
    team_link: list[Any] = []
    if entry is not None and entry.team:
        team_link = [dcc.Link(team_name(settings, entry.team, language),
                              href=with_lang(f"/team/{entry.team}", language), className="chip")]
    windows = [column(t("kpi", language), "kpi")] + [
        column(t(f"window_{w}", language), w) for w in views.WINDOW_KEYS
    ]
    return html.Div(
        className="page",
        children=[
            dcc.Store(id=ids.A_PARAMS, data={"agent": agent_id, "lang": language,
                                             "timeline_len": None}),
            dcc.Interval(id=ids.A_INTERVAL, interval=TICK_MS),
            *watchdog.hook(WATCH, settings, language),
            *page_header(f"{t('agent', language)} · {agent_id}", language),
            html.Div(team_link, className="chips"),
            html.Div(id=ids.A_STATE, className="agent-state"),
            table(ids.A_KPIS, windows),
            html.H2(t("timeline", language)),
            dcc.Graph(id=ids.A_TIMELINE, config={"displaylogo": False}),
            html.H2(t("anomalies", language)),
            html.Div(id=ids.A_ANOMALIES, className="anomalies"),
        ],
    )


def anomaly_cards(alerts: list[Any], settings: Any, lang: Lang) -> list[Any]:
    cards: list[Any] = []
    for alert in alerts:
        ex = views.explain_alert(alert, settings, lang)
        cards.append(html.Div(
            className=f"anomaly sev-{alert.severity}",
            children=[
                html.Div([html.Strong(ex.title), html.Span(ex.when, className="when")],
                         className="anomaly-head"),
                html.P(ex.text),
                html.P([html.Strong(t("tip_label", lang)), ex.tip], className="tip"),
                html.Code(ex.evidence, className="evidence"),
            ],
        ))
    return cards


def agent_state_view(tick: Tick, agent_id: str, lang: Lang) -> Any:
    """The agent's state pill and time in it (against the data's own `now`)."""
    snapshot = tick.floor.snapshot if tick.floor else None
    entry = snapshot.agents.get(agent_id) if snapshot else None
    if entry is None:
        return t("unknown_entity", lang, name=agent_id)
    return [
        html.Span(state_label(entry.state, entry.reason, lang),
                  className=f"state-pill state-{entry.state}"),
        html.Span(fmt_duration(seconds_since(entry.state_since, tick.data_now)),
                  className="state-time"),
    ]


def refresh(_n: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    if not params:
        return (no_update,) * 6
    lang = normalize_lang(params.get("lang"))
    agent_id = str(params["agent"])
    tick = read_tick(lang)
    beat = tick_beat(tick)
    if tick.floor is None:
        return (*(no_update,) * 5, beat)
    snapshot = tick.floor.snapshot
    entry = snapshot.agents.get(agent_id) if snapshot else None
    state = agent_state_view(tick, agent_id, lang)
    figure: Any = no_update
    new_params: Any = no_update
    try:
        timeline = services().data.timeline(agent_id)
        if len(timeline) != params.get("timeline_len"):
            figure = agent_timeline_figure(timeline, tick.data_now, tick.settings.zone, lang)
            new_params = {**params, "timeline_len": len(timeline),
                          "states": sum(1 for e in timeline if e.kind == "state")}
        elif params.get("states"):
            # Only the running state's bar grows: move its end to now.
            figure = Patch()
            figure["data"][params["states"] - 1]["x"][1] = tick.data_now.astimezone(
                tick.settings.zone).isoformat()
    except DataUnavailable:
        pass
    alerts = views.agent_alerts(snapshot.alerts if snapshot else [], agent_id)
    anomalies = anomaly_cards(alerts, tick.settings, lang) or [
        html.P(t("nothing_unusual", lang))
    ]
    return (state, views.agent_kpi_table(entry, lang), figure, new_params, anomalies, beat)
