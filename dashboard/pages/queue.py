"""`/queue/<queue_id>`: a queue's KPIs by window, 24 h of per-minute charts, today's
interval table, the last 7 / 30 days from the archive and the agents of the teams
serving it."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, dcc, html, no_update
from dash.dash_table.Format import Format, Scheme

from dashboard import history_views, ids, not_found, staffing_views, views, watchdog
from dashboard.archive_data import ArchiveUnavailable
from dashboard.components import (
    column,
    page_header,
    strip_table,
    table,
    with_lang,
)
from dashboard.data import DataUnavailable, HistoryPoint
from dashboard.figures import (
    CHART_POINTS,
    CHART_TRIM_BY_PATCH_MAX,
    extend_queue_history,
    queue_days_figure,
    queue_history_figure,
    queue_profile_figure,
)
from dashboard.guard import principal
from dashboard.i18n import Lang, normalize_lang, queue_name, t, team_name
from dashboard.interval_data import queue_intervals_today
from dashboard.pages.common import Tick, layout_settings, read_tick, tick_beat
from dashboard.services import services
from dashboard.staffing_data import queue_strip

TICK_MS = 1000
STAFFING_TICK_MS = 30_000  # the strip changes with the interval, not every second
WATCH = "queue"  # this page's key in the watchdog's store ids


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path_template="/queue/<queue_id>", title="queue",
                       layout=layout)
    app.callback(
        Output(ids.Q_KPIS, "data"),
        Output(ids.Q_CHART, "figure"),
        Output(ids.Q_CURSOR, "data"),
        Output(ids.Q_TABLE, "data"),
        Output(ids.Q_AGENTS, "data"),
        Output(ids.watch(ids.WD_BEAT, WATCH), "data"),
        Input(ids.Q_INTERVAL, "n_intervals"),
        State(ids.Q_PARAMS, "data"),
        State(ids.Q_CURSOR, "data"),
    )(refresh)
    app.callback(
        Output(ids.Q_DAYS_CHART, "figure"),
        Output(ids.Q_PROFILE_CHART, "figure"),
        Output(ids.Q_DAYS_TABLE, "data"),
        Output(ids.Q_DAYS_NOTE, "children"),
        Output(ids.Q_DAYS_BODY, "className"),
        Input(ids.Q_DAYS_CHOICE, "value"),
        State(ids.Q_PARAMS, "data"),
    )(past_days)
    app.callback(
        Output(ids.Q_STAFF_BODY, "children"),
        Output(ids.Q_STAFF_NOTE, "children"),
        Input(ids.Q_STAFF_INTERVAL, "n_intervals"),
        State(ids.Q_PARAMS, "data"),
    )(staffing)


def layout(queue_id: str = "", lang: str | None = None, **_other: str) -> html.Div:
    language = normalize_lang(lang)
    settings, floor = layout_settings()
    if not_found.missing("queue", queue_id, floor):
        return not_found.page([not_found.message("queue", queue_id, language)], language)
    rules = settings.queue_rules(queue_id)
    try:
        points = services().data.recent_history("queue", queue_id, CHART_POINTS)
    except DataUnavailable:
        points = []
    series = views.history_series(points)
    cursor = chart_cursor(points)
    windows = [column(t("kpi", language), "kpi")] + [
        column(t(f"window_{w}", language), w) for w in views.WINDOW_KEYS
    ]
    interval_cols = [
        column(t("interval", language), "interval"),
        column(t("offered", language), "offered"),
        column(t("answered", language), "answered"),
        column(t("abandoned", language), "abandoned"),
        column(t("service_level", language), "service_level"),
        column(t("abandon_rate", language), "abandon_rate"),
        column(t("asa", language), "asa"),
        column(t("aht", language), "aht"),
    ]
    team_links = [
        dcc.Link(team_name(settings, team, language), href=with_lang(f"/team/{team}", language),
                 className="chip")
        for team in settings.teams_serving(queue_id)
    ]
    return html.Div(
        className="page",
        children=[
            dcc.Store(id=ids.Q_PARAMS, data={"queue": queue_id, "lang": language}),
            dcc.Store(id=ids.Q_CURSOR, data=cursor),
            dcc.Interval(id=ids.Q_INTERVAL, interval=TICK_MS),
            *watchdog.hook(WATCH, settings, language),
            *page_header(f"{t('queue', language)} · {queue_name(settings, queue_id, language)}",
                         language),
            html.P(views.queue_tile(settings, queue_id, None, language).formula,
                   className="formula"),
            table(ids.Q_KPIS, windows),
            html.H2(t("last_24h", language)),
            dcc.Graph(id=ids.Q_CHART, figure=queue_history_figure(series, rules.sl_target,
                                                                  language),
                      config={"displaylogo": False}),
            html.H2(t("interval_table", language)),
            table(ids.Q_TABLE, interval_cols, page_size=96),
            *_staffing_section(language),
            *_past_days_section(language),
            html.H2(t("teams_serving", language)),
            html.Div(team_links, className="chips"),
            table(ids.Q_AGENTS, _agent_columns(language), sortable=True),
        ],
    )


def _staffing_section(lang: Lang) -> list[Any]:
    return [
        html.H2(t("staffing", lang)),
        dcc.Interval(id=ids.Q_STAFF_INTERVAL, interval=STAFFING_TICK_MS),
        html.P(t("formula_staffing_reforecast", lang), className="formula"),
        html.P(id=ids.Q_STAFF_NOTE, className="history-note"),
        html.Div(id=ids.Q_STAFF_BODY, className="staffing-body"),
    ]


def staffing(_n: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    """Today's staffing strip of the queue under its caption, or a plain "no forecast yet"."""
    if not params:
        return no_update, no_update
    lang = normalize_lang(params.get("lang"))
    queue = str(params["queue"])
    tick = read_tick(lang)
    snapshot = tick.floor.snapshot if tick.floor else None
    data = services().data
    try:
        found = queue_strip(data, queue, tick.settings, tick.data_now, snapshot)
    except ArchiveUnavailable:
        return [], t("history_unavailable", lang)
    except DataUnavailable:
        return no_update, no_update
    settings = tick.settings
    if found is None:
        return [], staffing_views.no_forecast_text(settings, data.configured_forecast.error,
                                                   lang)
    strip, source = found
    rows = staffing_views.strip_rows(strip.intervals, settings.zone, settings.interval_min, lang)
    caption = [
        staffing_views.forecast_source_line(source, settings, lang),
        *staffing_views.strip_caption(strip, settings.staffing.intraday_min_forecast, lang),
    ]
    return [
        *(html.P(line, className="formula strip-caption") for line in caption),
        strip_table(rows, staffing_views.strip_fields(strip), lang),
    ], ""


def _past_days_section(lang: Lang) -> list[Any]:
    choices = [
        {"label": t(f"last_{days}_days", lang), "value": days}
        for days in history_views.HISTORY_DAYS
    ]
    return [
        html.H2(t("past_days", lang)),
        dcc.RadioItems(id=ids.Q_DAYS_CHOICE, options=choices,
                       value=history_views.HISTORY_DAYS[0], inline=True,
                       className="days-choice"),
        html.P(id=ids.Q_DAYS_NOTE, className="history-note"),
        html.Div(
            id=ids.Q_DAYS_BODY,
            className="hidden",
            children=[
                dcc.Graph(id=ids.Q_DAYS_CHART, config={"displaylogo": False}),
                table(ids.Q_DAYS_TABLE, history_views.queue_day_columns(lang), page_size=31),
                html.H3(t("typical_day", lang)),
                dcc.Graph(id=ids.Q_PROFILE_CHART, config={"displaylogo": False}),
            ],
        ),
    ]


def past_days(days: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    """The last 7 / 30 whole days of the queue from the archive (not today: it is live)."""
    if not params:
        return (no_update,) * 4
    lang = normalize_lang(params.get("lang"))
    queue = str(params["queue"])
    span = days if days in history_views.HISTORY_DAYS else history_views.HISTORY_DAYS[0]
    tick = read_tick(lang)
    today = tick.data_now.astimezone(tick.settings.zone).date()
    data = services().data
    try:
        rows = data.queue_days(queue, today, span)
        slots = data.queue_profile(queue, today, span, tick.settings.timezone) if rows else []
    except ArchiveUnavailable:
        return no_update, no_update, [], t("history_unavailable", lang), "hidden"
    if not rows:
        return no_update, no_update, [], history_views.history_note(False, lang), "hidden"
    target = tick.settings.queue_rules(queue).sl_target
    return (
        queue_days_figure(history_views.daily_series(rows, today, span), target, lang),
        queue_profile_figure(history_views.profile_series(slots), target, lang),
        history_views.queue_day_rows(rows, lang),
        "",
        "history-body",
    )


def _agent_columns(lang: Lang) -> list[dict[str, Any]]:
    percent = Format(precision=1, scheme=Scheme.percentage).nully("—")
    return [
        column(t("agent", lang), "agent", presentation="markdown"),
        column(t("team", lang), "team"),
        column(t("state", lang), "state"),
        column(t("time_in_state", lang), "in_state"),
        column(t("handled", lang), "handled", type="numeric"),
        column(t("aht", lang), "aht"),
        column(t("occupancy", lang), "occupancy", type="numeric", format=percent),
        column(t("anomalies", lang), "anomalies"),
    ]


def chart_cursor(points: list[HistoryPoint]) -> dict[str, Any]:
    """What the page remembers of its chart (`Q_CURSOR`): the newest history entry id
    shown (`after`, None: none yet) and how many points each trace holds (`shown`)."""
    return {"after": points[-1].entry_id if points else None, "shown": len(points)}


def _chart_update(
    queue: str, cursor: Any, tick: Tick, lang: Lang
) -> tuple[Any, Any]:
    """(figure, cursor) for the history points after the cursor: a Patch appending them and
    dropping the oldest beyond `CHART_POINTS`, or, when more than `CHART_TRIM_BY_PATCH_MAX`
    would go (a page that slept, a cursor of an older page version), the whole figure of
    the newest `CHART_POINTS`; (no_update, no_update) when nothing is new."""
    data = services().data
    after = cursor.get("after") if isinstance(cursor, dict) else None
    shown = cursor.get("shown") if isinstance(cursor, dict) else None
    new_points = data.history("queue", queue, after_id=after)
    if not new_points:
        return no_update, no_update
    drop = max(0, (shown or 0) + len(new_points) - CHART_POINTS)
    if isinstance(shown, int) and drop <= CHART_TRIM_BY_PATCH_MAX:
        patch = extend_queue_history(views.history_series(new_points), drop)
        return patch, {"after": new_points[-1].entry_id,
                       "shown": shown + len(new_points) - drop}
    points = data.recent_history("queue", queue, CHART_POINTS)
    target = tick.settings.queue_rules(queue).sl_target
    return queue_history_figure(views.history_series(points), target, lang), chart_cursor(points)


def refresh(
    n_intervals: int | None, params: dict[str, Any] | None, cursor: dict[str, Any] | None
) -> tuple[Any, ...]:
    if not params:
        return (no_update,) * 6
    lang = normalize_lang(params.get("lang"))
    queue = str(params["queue"])
    tick = read_tick(lang)
    beat = tick_beat(tick)
    if tick.floor is None:
        return (no_update, no_update, no_update, no_update, no_update, beat)
    snapshot = tick.floor.snapshot
    entry = snapshot.queues.get(queue) if snapshot else None
    figure: Any = no_update
    new_cursor: Any = no_update
    interval_data: Any = no_update
    try:
        figure, new_cursor = _chart_update(queue, cursor, tick, lang)
        if new_cursor is not no_update or not n_intervals:
            # Closed intervals and history points arrive together, once a minute.
            interval_data = views.interval_rows(
                queue_intervals_today(services().data, queue, snapshot, tick.data_now,
                                      tick.settings)
            )
    except DataUnavailable:
        pass
    # Agent rows only for the teams the signed-in person may see (none for a viewer).
    teams = {tm for tm in tick.settings.teams_serving(queue) if principal().sees_team(tm)}
    agent_rows = []
    for team in sorted(teams):
        for row in views.team_rows(snapshot, team, tick.floor.active_alerts, tick.data_now, lang):
            agent_rows.append({**row, "team": team_name(tick.settings, team, lang)})
    return (
        views.queue_kpi_table(entry, lang),
        figure,
        new_cursor,
        interval_data,
        agent_rows,
        beat,
    )
