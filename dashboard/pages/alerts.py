"""`/alerts`: active alerts and their history, filtered by kind / queue / team, with
acknowledgement (who, when, note) stored in `wb:alerts:acks`."""

from __future__ import annotations

from typing import Any

import dash
import redis
from dash import Input, Output, State, dcc, html, no_update

from dashboard import ids, views, watchdog
from dashboard.authz import ack_target, may_see_alert
from dashboard.components import column, page_header, table
from dashboard.data import DataUnavailable
from dashboard.guard import ack_refusal, client_address, principal
from dashboard.i18n import Lang, normalize_lang, queue_name, t, team_name
from dashboard.pages.common import layout_settings, read_tick, tick_beat
from dashboard.services import access, services
from schemas.alert_kinds import ALERT_KINDS

TICK_MS = 1000
HISTORY_ROWS = 500
WATCH = "alerts"  # this page's key in the watchdog's store ids


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path="/alerts", title="alerts", layout=layout)
    app.callback(
        Output(ids.AL_ACTIVE, "data"),
        Output(ids.AL_HISTORY, "data"),
        Output(ids.watch(ids.WD_BEAT, WATCH), "data"),
        Input(ids.AL_INTERVAL, "n_intervals"),
        Input(ids.AL_KIND, "value"),
        Input(ids.AL_QUEUE, "value"),
        Input(ids.AL_TEAM, "value"),
        State(ids.AL_PARAMS, "data"),
    )(refresh)
    app.callback(
        Output(ids.AL_ACK_RESULT, "children"),
        Input(ids.AL_ACK_BUTTON, "n_clicks"),
        State(ids.AL_ACTIVE, "derived_virtual_data"),
        State(ids.AL_ACTIVE, "derived_virtual_selected_rows"),
        State(ids.AL_ACK_BY, "value"),
        State(ids.AL_ACK_NOTE, "value"),
        State(ids.AL_PARAMS, "data"),
        prevent_initial_call=True,
    )(acknowledge)


def _columns(lang: Lang, with_transition: bool) -> list[dict[str, Any]]:
    cols = [
        column(t("severity", lang), "severity"),
        column(t("kind", lang), "kind"),
        column(t("subject", lang), "subject"),
        column(t("raised_at", lang), "raised_at"),
        column(t("cleared_at", lang), "cleared_at"),
        column(t("evidence", lang), "evidence"),
        column(t("acked", lang), "ack"),
    ]
    if with_transition:
        cols.insert(0, column(t("transition", lang), "transition"))
    return cols


def layout(lang: str | None = None, **_other: str) -> html.Div:
    language = normalize_lang(lang)
    settings, _floor = layout_settings()
    kinds = [{"label": t("kind_" + k, language), "value": k} for k in ALERT_KINDS]
    queues = [{"label": queue_name(settings, q, language), "value": q} for q in settings.queues]
    teams = [{"label": team_name(settings, tm, language), "value": tm} for tm in settings.teams]
    return html.Div(
        className="page alerts-page",
        children=[
            dcc.Store(id=ids.AL_PARAMS, data={"lang": language}),
            dcc.Interval(id=ids.AL_INTERVAL, interval=TICK_MS),
            *watchdog.hook(WATCH, settings, language),
            *page_header(t("alerts", language), language),
            html.Div(
                className="filters",
                children=[
                    dcc.Dropdown(kinds, id=ids.AL_KIND, placeholder=t("kind", language)),
                    dcc.Dropdown(queues, id=ids.AL_QUEUE, placeholder=t("queue", language)),
                    dcc.Dropdown(teams, id=ids.AL_TEAM, placeholder=t("team", language)),
                ],
            ),
            html.H2(t("active_alerts", language)),
            html.P(t("alerts_unknown", language), className="wd-when-stale"),
            table(ids.AL_ACTIVE, _columns(language, False), row_selectable="single"),
            html.Div(
                className="ack-form",
                children=[
                    dcc.Input(id=ids.AL_ACK_BY, placeholder=t("ack_by", language),
                              type="text", maxLength=64),
                    dcc.Input(id=ids.AL_ACK_NOTE, placeholder=t("ack_note", language),
                              type="text", maxLength=500),
                    html.Button(t("ack", language), id=ids.AL_ACK_BUTTON),
                    html.Span(id=ids.AL_ACK_RESULT, className="ack-result"),
                ],
            ),
            html.H2(t("alert_history", language)),
            table(ids.AL_HISTORY, _columns(language, True), page_size=25),
        ],
    )


def refresh(
    _n: int | None,
    kind: str | None,
    queue: str | None,
    team: str | None,
    params: dict[str, Any] | None,
) -> tuple[Any, ...]:
    lang = normalize_lang((params or {}).get("lang"))
    tick = read_tick(lang)
    beat = tick_beat(tick)
    if tick.floor is None:
        return no_update, no_update, beat
    data = services().data
    try:
        acks = data.acks()
        history = data.alert_history(HISTORY_ROWS)
    except DataUnavailable:
        return no_update, no_update, beat
    snapshot, settings = tick.floor.snapshot, tick.settings

    who = principal()

    def keep(alert: Any) -> bool:
        if not may_see_alert(who, alert, snapshot, settings):
            return False
        return views.alert_matches(alert, snapshot, settings, kind=kind, queue=queue, team=team)

    active = [
        views.alert_row(a, settings, lang, acks.get(a.id))
        for a in sorted(tick.floor.active_alerts, key=lambda a: a.raised_at, reverse=True)
        if keep(a)
    ]
    past = [
        {**views.alert_row(h.alert, settings, lang, acks.get(h.alert.id)),
         "transition": t(f"transition_{h.transition}", lang)}
        for h in history
        if keep(h.alert)
    ]
    return active, past, beat


def acknowledge(
    _clicks: int | None,
    rows: list[dict[str, Any]] | None,
    selected: list[int] | None,
    by: str | None,
    note: str | None,
    params: dict[str, Any] | None,
) -> str:
    lang = normalize_lang((params or {}).get("lang"))
    who = principal()
    try:
        # Signed in, the guard has refused this already; with sign-in off it is the check.
        refusal = ack_refusal(who, rows, selected, by, note)
    except DataUnavailable as exc:
        return str(exc)
    if refusal:
        return refusal
    alert_id = ack_target(rows, selected)
    if alert_id is None:
        return t("ack_pick", lang)
    # Signed in, the acknowledgement is the person's, whatever name was typed.
    name = (by or "").strip() if who.via == "open" else who.name
    if not name:
        return t("ack_name", lang)
    svc = services()
    try:
        settings = svc.data.settings()
        at = svc.clock().astimezone(settings.zone)
        ack = svc.data.acknowledge(alert_id, name, (note or "").strip(), at)
        if who.via != "open":
            access().audit.record("alert_ack", who=name, at=at, target=alert_id,
                                  detail=(note or "").strip(), address=client_address())
    except DataUnavailable as exc:
        return str(exc)
    except (redis.RedisError, OSError) as exc:
        return f"audit unavailable: {exc}"
    return t("ack_done", lang, alert=alert_id, by=ack.by, time=ack.at)
