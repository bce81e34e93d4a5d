"""`/team/<team_id>`: the team's agent state board (sortable), with links to each agent,
and today's schedule adherence (absenteeism, utilization against scheduled time) of the
team's agents on the roster."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html, no_update
from dash.dash_table.Format import Format, Scheme

from dashboard import ids, not_found, schedule_views, views, watchdog
from dashboard.components import column, page_header, table, with_lang
from dashboard.format import fmt_count
from dashboard.i18n import Lang, normalize_lang, queue_name, t, team_name
from dashboard.pages.common import layout_settings, read_tick, tick_beat
from dashboard.services import services

TICK_MS = 1000
ADHERENCE_TICK_MS = 30_000  # scheduled and logged-in time move by seconds; 30 s is plenty
WATCH = "team"  # this page's key in the watchdog's store ids


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template="/team/<team_id>", title="team", layout=layout)
    app.callback(
        Output(ids.T_TABLE, "data"),
        Output(ids.T_SUMMARY, "children"),
        Output(ids.watch(ids.WD_BEAT, WATCH), "data"),
        Input(ids.T_INTERVAL, "n_intervals"),
        State(ids.T_PARAMS, "data"),
    )(refresh)
    app.callback(
        Output(ids.T_ADH_TABLE, "data"),
        Output(ids.T_ADH_NOTE, "children"),
        Input(ids.T_ADH_INTERVAL, "n_intervals"),
        State(ids.T_PARAMS, "data"),
    )(adherence)


def columns(lang: Lang) -> list[dict[str, Any]]:
    percent = Format(precision=1, scheme=Scheme.percentage).nully("—")
    return [
        column(t("agent", lang), "agent", presentation="markdown"),
        column(t("state", lang), "state"),
        column(t("time_in_state", lang), "in_state"),
        column(t("handled", lang), "handled", type="numeric"),
        column(t("aht", lang), "aht"),
        column(t("utilization", lang), "utilization", type="numeric", format=percent),
        column(t("occupancy", lang), "occupancy", type="numeric", format=percent),
        column(t("not_ready_time", lang), "not_ready"),
        column(t("ultra_short", lang), "ultra_short", type="numeric"),
        column(t("ultra_long", lang), "ultra_long", type="numeric"),
        column(t("anomalies", lang), "anomalies"),
    ]


def layout(team_id: str = "", lang: str | None = None, **_other: str) -> html.Div:
    language = normalize_lang(lang)
    settings, floor = layout_settings()
    if not_found.missing("team", team_id, floor):
        return not_found.page([not_found.message("team", team_id, language)], language)
    queue_links = [
        dcc.Link(queue_name(settings, q, language), href=with_lang(f"/queue/{q}", language),
                 className="chip")
        for q in settings.team_rules(team_id).queues
    ]
    return html.Div(
        className="page",
        children=[
            dcc.Store(id=ids.T_PARAMS, data={"team": team_id, "lang": language}),
            dcc.Interval(id=ids.T_INTERVAL, interval=TICK_MS),
            *watchdog.hook(WATCH, settings, language),
            *page_header(f"{t('team', language)} · {team_name(settings, team_id, language)}",
                         language),
            html.Div(queue_links, className="chips"),
            html.Div(id=ids.T_SUMMARY, className="summary"),
            table(ids.T_TABLE, columns(language), sortable=True),
            html.H2(t("adherence", language)),
            dcc.Interval(id=ids.T_ADH_INTERVAL, interval=ADHERENCE_TICK_MS),
            html.P(t("formula_adherence", language), className="formula"),
            html.P(id=ids.T_ADH_NOTE, className="history-note"),
            table(ids.T_ADH_TABLE, adherence_columns(language), page_size=100),
        ],
    )


def adherence_columns(lang: Lang) -> list[dict[str, Any]]:
    return [
        column(t(field, lang), field, presentation="markdown") if field == "agent"
        else column(t(field, lang), field)
        for field in schedule_views.ADHERENCE_FIELDS
    ]


def adherence(_n: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    """Per agent of the team on today's roster, and the team total, so far today."""
    if not params:
        return no_update, no_update
    lang = normalize_lang(params.get("lang"))
    team = str(params["team"])
    tick = read_tick(lang)
    if tick.floor is None:
        return no_update, no_update
    roster = services().data.staffing.roster(tick.settings)
    if roster is None:
        return [], t("no_roster", lang)
    rows = schedule_views.team_adherence(
        roster, team, tick.floor.snapshot, tick.data_now, tick.settings.zone
    )
    if not rows:
        return [], t("not_on_roster", lang)
    return schedule_views.adherence_rows(rows, lang), ""


def refresh(_n: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    if not params:
        return (no_update,) * 3
    lang = normalize_lang(params.get("lang"))
    team = str(params["team"])
    tick = read_tick(lang)
    beat = tick_beat(tick)
    if tick.floor is None:
        return (no_update, no_update, beat)
    snapshot = tick.floor.snapshot
    rows = views.team_rows(snapshot, team, tick.floor.active_alerts, tick.data_now, lang)
    entry = snapshot.teams.get(team) if snapshot else None
    # Staffed = ready + on contact + after-call work + not ready, in the wallboard's words.
    summary = [
        html.Span(f"{t(key, lang)} {fmt_count(getattr(entry, attr) if entry else None)}",
                  className=f"summary-item summary-{attr}")
        for key, attr in (("staffed", "staffed"), ("state_ready", "ready"),
                          ("state_busy", "busy"), ("state_acw", "acw"),
                          ("state_not_ready", "not_ready"))
    ]
    return rows, summary, beat
