"""`/wallboard?queues=a,b|site=x&lang=zh|en&sound=1`: the TV wallboard, read from 5 m.

A headline (contacts waiting, oldest wait), one row per queue plus the floor's row (15-min
SL with its trend arrow and target, today's SL, abandon rate 15 min and today, ASA, agents
ready), the agents by state (the colour legend; the parts add up to staffed), an alert
ticker, the agents exceptions first, and a footer line with the definitions, "as of" and
the data's age. Numbers are at least 48 px high at 1080p and labels 28 px (CSS in
`assets/wallboard.css`, scaled with the viewport so 4K shows the same physical size).
One 1-s interval updates only texts and classes (pattern-matching outputs); nothing is
re-laid out after the page loads.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html, no_update

from dashboard import ids, not_found, staffing_views, views, watchdog
from dashboard.archive_data import ArchiveUnavailable
from dashboard.components import with_lang
from dashboard.data import DataUnavailable, FloorState
from dashboard.format import MISSING, fmt_count, fmt_duration_short
from dashboard.i18n import Lang, normalize_lang, t
from dashboard.services import services
from dashboard.staffing_data import current_gaps
from schemas.config import Settings

PATH = "/wallboard"
# Agent cells on screen (exceptions first); the rest are counted, not rotated through.
GRID_CELLS = 16
# Alerts in the ticker (each may take two lines); the rest are counted.
TICKER_ITEMS = 3
TICK_MS = 1000
STAFFING_TICK_MS = 15_000
WATCH = "wallboard"  # this page's key in the watchdog's store ids
# The board's columns: (head text key, fields shown in the cell).
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("in_queue", ("in_queue",)),
    ("longest_wait", ("longest_wait",)),
    ("col_sl", ("sl", "sl_trend", "sl_target")),
    ("col_sl_day", ("sl_day",)),
    ("col_abandon", ("abandon_rate", "abandon_trend")),
    ("col_abandon_day", ("abandon_day",)),
    ("col_asa", ("asa", "asa_trend")),
    ("state_ready", ("ready",)),
)
_TRENDS = frozenset({"sl_trend", "abandon_trend", "asa_trend"})


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, title="wallboard", layout=layout)
    # "/" shows the wallboard too (a redirect rule would clash with Dash's index route).
    dash.register_page(f"{__name__}.home", path="/", title="wallboard", layout=layout)
    app.callback(
        Output(ids.tile_value(ALL, ALL), "children"),  # type: ignore[arg-type]
        Output(ids.tile_value(ALL, ALL), "className"),  # type: ignore[arg-type]
        Output(ids.tile(ALL), "className"),  # type: ignore[arg-type]
        # The clock's text is the browser's (assets/watchdog.js); its class says replay.
        Output(ids.WB_CLOCK, "className"),
        Output(ids.WB_FRESHNESS, "children"),
        Output(ids.watch(ids.WD_BEAT, WATCH), "data"),
        Output(ids.WB_TICKER, "children"),
        Output(ids.WB_GRID, "children"),
        Output(ids.WB_GRID_PAGE, "children"),
        Output(ids.WB_LAST_OK, "data"),
        Output(ids.WB_CRITICAL, "data"),
        Output(ids.WB_TILES, "children"),
        Output(ids.WB_TILES, "className"),
        Output(ids.WB_PARAMS, "data"),
        Output(ids.WB_HEADLINE, "className"),
        Output(ids.WB_WAITING, "children"),
        Output(ids.WB_OLDEST, "children"),
        Output(ids.WB_AGENT_SUMMARY, "children"),
        Output(ids.WB_AS_OF, "children"),
        Input(ids.WB_INTERVAL, "n_intervals"),
        State(ids.WB_PARAMS, "data"),
        State(ids.WB_LAST_OK, "data"),
        State(ids.WB_CRITICAL, "data"),
    )(refresh)
    app.clientside_callback(
        ClientsideFunction(namespace="wallboard", function_name="alarm"),
        Output(ids.WB_SOUND_DUMMY, "data"),
        Input(ids.WB_CRITICAL, "data"),
        State(ids.WB_PARAMS, "data"),
    )
    app.callback(
        Output(ids.WB_STAFF_GAP_VALUE, "children"),
        Output(ids.WB_STAFF_GAP_VALUE, "className"),
        Output(ids.WB_STAFF_GAP, "className"),
        Output(ids.WB_STAFF_GAP_SOURCE, "children"),
        Input(ids.WB_STAFF_INTERVAL, "n_intervals"),
        State(ids.WB_PARAMS, "data"),
    )(staffing_gap)


def _settings_or_default() -> tuple[Settings, FloorState | None]:
    try:
        floor = services().data.floor()
    except DataUnavailable:
        return Settings(), None
    return floor.settings, floor


def layout(
    queues: str | None = None,
    site: str | None = None,
    lang: str | None = None,
    sound: str | None = None,
    **_other: str,
) -> html.Div:
    language = normalize_lang(lang)
    settings, floor = _settings_or_default()
    unknown = not_found.wallboard_lines(floor, queues, site, language)
    if unknown:
        return not_found.page(unknown, language)
    snapshot = floor.snapshot if floor else None
    chosen = views.select_queues(settings, snapshot, queues, site)
    params = {
        "queues": chosen,
        "queues_arg": queues,
        "site": site,
        "lang": language,
        "sound": sound == "1",
        # The agents shown are the teams serving the chosen queues when a subset is shown.
        "teams": sorted(views.teams_for_queues(settings, chosen)) if (queues or site) else None,
    }
    tiles = _tiles(settings, chosen, language, site)
    return html.Div(
        id=ids.WB_ROOT,
        className="wb",
        children=[
            dcc.Store(id=ids.WB_PARAMS, data=params),
            dcc.Store(id=ids.WB_LAST_OK, data=None),
            dcc.Store(id=ids.WB_CRITICAL, data=None),
            dcc.Store(id=ids.WB_SOUND_DUMMY),
            *watchdog.hook(WATCH, settings, language),
            dcc.Interval(id=ids.WB_INTERVAL, interval=TICK_MS),
            dcc.Interval(id=ids.WB_STAFF_INTERVAL, interval=STAFFING_TICK_MS),
            _header(language),
            html.Div(
                className="wb-board",
                children=[
                    _board_head(language),
                    html.Div(id=ids.WB_TILES, className=_tiles_class(tiles), children=tiles),
                ],
            ),
            html.Div(id=ids.WB_AGENT_SUMMARY, className="wb-agent-summary"),
            html.Div(
                className="wb-bottom",
                children=[
                    html.Div(id=ids.WB_TICKER, className="wb-ticker wd-alerts",
                             **watchdog.unknown_alerts(language)),
                    html.Div(
                        className="wb-agents",
                        children=[
                            html.Div(id=ids.WB_GRID, className="wb-grid"),
                            html.Div(id=ids.WB_GRID_PAGE, className="wb-grid-more lbl"),
                        ],
                    ),
                ],
            ),
            html.Footer(
                className="wb-footer lbl",
                children=[
                    html.Span(id=ids.WB_AS_OF),
                    html.Span(id=ids.WB_FRESHNESS, className="wb-freshness"),
                ],
            ),
        ],
    )


def _header(lang: Lang) -> html.Header:
    return html.Header(
        className="wb-header",
        children=[
            html.Div(
                className="wb-title-slot",
                children=[
                    html.H1(t("wallboard", lang), className="wb-title lbl"),
                    # The watchdog's banner text (assets/watchdog.js) shown instead of
                    # the title while stale: the board below keeps its place.
                    html.Div(className="wd-banner-inline lbl", role="alert"),
                ],
            ),
            html.Div(
                id=ids.WB_HEADLINE,
                className="wb-headline calm",
                children=[
                    html.Span(t("waiting_now", lang), className="lbl headline-label"),
                    html.Span(MISSING, id=ids.WB_WAITING, className="num headline-num"),
                    html.Span(t("longest_wait", lang), className="lbl headline-label"),
                    html.Span(MISSING, id=ids.WB_OLDEST, className="num headline-num"),
                ],
            ),
            _staffing_gap_tile(lang),
            html.Div(id=ids.WB_CLOCK, className="wb-clock num"),
        ],
    )


def _board_head(lang: Lang) -> html.Div:
    return html.Div(
        className="wb-row wb-row-head",
        children=[
            html.Div(html.Span(t("queue", lang), className="lbl"), className="cell cell-name"),
            *(html.Div(html.Span(t(key, lang), className="lbl"),
                       className=f"cell cell-{fields[0]}")
              for key, fields in COLUMNS),
        ],
    )


def _tiles(settings: Settings, queues: list[str], lang: Lang, site: str | None = None
           ) -> list[dcc.Link]:
    floor = views.floor_tile(settings, None, [], lang, ids.FLOOR, site=site)
    tiles = [_tile(ids.FLOOR, floor.title, with_lang("/alerts", lang))]
    for queue in queues:
        view = views.queue_tile(settings, queue, None, lang)
        tiles.append(_tile(queue, view.title, with_lang(f"/queue/{queue}", lang)))
    return tiles


def _staffing_gap_tile(lang: Lang) -> html.Div:
    return html.Div(
        id=ids.WB_STAFF_GAP,
        className="wb-staffing-gap hidden",
        children=[
            html.Span("—", id=ids.WB_STAFF_GAP_VALUE, className="num value status-none"),
            html.Span(
                className="gap-labels",
                children=[
                    html.Span(t("staffing_gap", lang), className="lbl"),
                    html.Span(id=ids.WB_STAFF_GAP_SOURCE, className="lbl gap-source"),
                ],
            ),
        ],
    )


def staffing_gap(_n: int | None, params: dict[str, Any] | None) -> tuple[Any, ...]:
    """Agents short/over now across the shown queues, and which forecast it is against;
    hidden when none has a forecast."""
    if not params:
        return no_update, no_update, no_update, no_update
    lang = normalize_lang(params.get("lang"))
    svc = services()
    try:
        floor = svc.data.floor()
        snapshot = floor.snapshot
        now = views.data_now(snapshot, svc.clock())
        readings = current_gaps(svc.data, list(params.get("queues") or []), floor.settings,
                                now, snapshot)
    except (DataUnavailable, ArchiveUnavailable):
        return no_update, no_update, no_update, no_update
    tile = staffing_views.gap_tile([gap for gap, _source in readings], lang)
    hidden = " hidden" if tile.hidden else ""
    return (tile.text, f"num value status-{tile.status}",
            f"wb-staffing-gap status-{tile.status}{hidden}",
            staffing_views.gap_source_text([source for _gap, source in readings], lang))


def _tiles_class(tiles: list[dcc.Link]) -> str:
    return f"wb-rows wb-rows-{min(len(tiles), 12)}"


def _field_class(field: str) -> str:
    if field in _TRENDS:
        return "sym trend"
    if field == "sl_target":
        return "num target"
    return "num value"


def _tile(queue: str, title: str, href: str) -> dcc.Link:
    cells = [
        html.Div(
            className=f"cell cell-{fields[0]}",
            children=[
                html.Span("—" if field not in _TRENDS else "", id=ids.tile_value(queue, field),
                          className=_field_class(field))
                for field in fields
            ],
        )
        for _key, fields in COLUMNS
    ]
    return dcc.Link(
        id=ids.tile(queue),
        href=href,
        className="tile wb-row status-none" + (" wb-row-floor" if queue == ids.FLOOR else ""),
        children=[
            html.Div(html.Span(title, className="lbl tile-title"), className="cell cell-name"),
            *cells,
        ],
    )


def refresh(
    _n_intervals: int | None,
    params: dict[str, Any] | None,
    last_ok: str | None,
    previous_critical: list[str] | None,
) -> tuple[Any, ...]:
    """One tick: read Redis once, then update texts and classes only."""
    if not params:
        return (no_update,) * 19
    svc = services()
    now = svc.clock()
    lang: Lang = normalize_lang(params.get("lang"))
    try:
        floor: FloorState | None = svc.data.floor()
    except DataUnavailable:
        floor = None
    settings = floor.settings if floor else Settings()
    fresh = views.freshness(
        floor.heartbeat.processed_at if floor and floor.heartbeat else None,
        last_ok,
        reachable=floor is not None,
        now=now,
        stale_after_s=settings.heartbeat_stale_s,
        zone=settings.zone,
        lang=lang,
        refused_time=floor.heartbeat.events_refused_time if floor and floor.heartbeat else 0,
    )
    keep = (no_update,) * 5
    if floor is None:
        return (
            *_unchanged_tiles(params), no_update, fresh.status,
            watchdog.beat(fresh, settings, now),
            no_update, no_update, no_update, no_update, no_update, no_update, no_update,
            no_update, *keep,
        )
    beat = watchdog.beat(fresh, settings, now, floor.snapshot, floor.heartbeat)
    clock_class = "wb-clock num wd-replay" if beat["replay"] else "wb-clock num"
    snapshot = floor.snapshot
    if not params.get("queues_arg"):
        # Queues chosen from the config (all, or a site's): when the config or the
        # snapshot's queues change (or Redis was down at page load), lay the rows out again
        # and fill them on the next tick.
        wanted = views.select_queues(settings, snapshot, None, params.get("site"))
        if wanted != params.get("queues"):
            tiles_now = _tiles(settings, wanted, lang, params.get("site"))
            teams_now = views.teams_for_queues(settings, wanted)
            return (
                *_unchanged_tiles(params), clock_class, fresh.status, beat, no_update,
                no_update,
                no_update, no_update, no_update, tiles_now, _tiles_class(tiles_now),
                {**params, "queues": wanted,
                 "teams": sorted(teams_now) if params.get("site") else None},
                *keep,
            )
    shown_queues = list(params.get("queues", []))
    queue_tiles = [views.queue_tile(settings, q, snapshot, lang) for q in shown_queues]
    tiles = {tile.key: tile for tile in queue_tiles}
    tiles[ids.FLOOR] = views.floor_tile(settings, snapshot, queue_tiles, lang, ids.FLOOR,
                                        site=params.get("site") or None)

    ctx = dash.callback_context
    value_ids = [o["id"] for o in ctx.outputs_list[0]]
    tile_ids = [o["id"] for o in ctx.outputs_list[2]]
    texts = [tiles[i["queue"]].values[i["field"]] if i["queue"] in tiles else "—"
             for i in value_ids]
    classes = [_value_class(tiles.get(i["queue"]), i["field"]) for i in value_ids]
    tile_classes = [_row_class(i["queue"], tiles.get(i["queue"])) for i in tile_ids]

    alerts = floor.active_alerts
    items = views.ticker_items(alerts, settings, lang)
    ticker: list[Any] = [
        html.Div(item.text, className=f"ticker-item lbl sev-{item.severity}")
        for item in items[:TICKER_ITEMS]
    ]
    if len(items) > TICKER_ITEMS:
        ticker.append(html.Div(t("more_alerts", lang, n=len(items) - TICKER_ITEMS),
                               className="ticker-more lbl"))
    if not ticker:
        # While stale the watchdog hides "no alerts" and says the alerts are unknown
        # (assets/watchdog.css), also when no tick reaches the browser.
        ticker = [html.Div(t("no_alerts", lang), className="ticker-item lbl ticker-none")]
    teams = set(params["teams"]) if params.get("teams") is not None else None
    flagged = {
        views.subject_parts(a.subject)[1] for a in alerts if a.subject.startswith("agent:")
    }
    cells = views.agent_cells(snapshot, teams, flagged, views.data_now(snapshot, now), lang)
    grid = [_agent_cell(c) for c in cells[:GRID_CELLS]]
    more = len(cells) - GRID_CELLS
    waiting = views.waiting_now(settings, snapshot, shown_queues)
    critical = sorted(a.id for a in alerts if a.severity == "critical")
    footer = t("wb_footer", lang, time=views.as_of(snapshot, settings))
    return (
        texts,
        classes,
        tile_classes,
        clock_class,
        fresh.status,
        beat,
        ticker,
        grid,
        t("more_agents", lang, n=more) if more > 0 else "",
        floor.heartbeat.processed_at if floor.heartbeat else last_ok,
        critical if critical != previous_critical else no_update,
        no_update,
        no_update,
        no_update,
        _headline_class(waiting),
        fmt_count(waiting.count) if waiting else MISSING,
        fmt_duration_short(waiting.longest_s) if waiting and waiting.count else MISSING,
        _agent_summary(views.agent_summary(snapshot, teams, lang), lang),
        footer,
    )


def _headline_class(waiting: views.Waiting | None) -> str:
    """Big and coloured while contacts wait; small and calm when nobody does."""
    if waiting is None or waiting.count == 0:
        return "wb-headline calm"
    status = waiting.status if waiting.status in ("amber", "red") else "amber"
    return f"wb-headline waiting status-{status}"


def _agent_cell(cell: views.AgentCell) -> html.Div:
    return html.Div(
        className=f"agent-cell state-{cell.state}" + (" flagged" if cell.flagged else ""),
        title=cell.label,
        children=[
            html.Span(cell.agent_id, className="lbl agent-id"),
            html.Span(cell.in_state, className="num agent-time"),
        ],
    )


def _agent_summary(summary: views.AgentSummary | None, lang: Lang) -> list[Any]:
    """The agents by state, each with its colour swatch (the grid's legend), the not-ready
    ones by reason, and staffed = the sum; the anomaly outline explained last."""
    if summary is None:
        return []
    parts: list[Any] = []
    for state in views.AGENT_STATES_SHOWN:
        parts.append(html.Span(
            className=f"summary-part wbsum-{state}",
            children=[
                html.Span(className=f"swatch state-{state}"),
                html.Span(t(f"state_{state}", lang), className="lbl"),
                html.Span(str(getattr(summary, state)), className="num"),
            ],
        ))
        if state == "not_ready" and summary.reasons:
            parts.append(html.Span(
                className="summary-reasons",
                children=[
                    child
                    for label, n in summary.reasons[:3]
                    for child in (html.Span(label, className="lbl"),
                                  html.Span(str(n), className="num"))
                ],
            ))
    parts.append(html.Span(
        className="summary-part wbsum-staffed",
        children=[html.Span("=", className="lbl"),
                  html.Span(t("staffed", lang), className="lbl"),
                  html.Span(str(summary.staffed), className="num")],
    ))
    parts.append(html.Span(
        className="summary-part wbsum-flagged",
        children=[html.Span(className="swatch flagged"),
                  html.Span(t("flagged_legend", lang), className="lbl")],
    ))
    return parts


def _unchanged_tiles(params: dict[str, Any]) -> tuple[list[Any], ...]:
    """`no_update` for each wildcard output (one per rendered row / row value)."""
    tiles = len(params.get("queues", [])) + 1
    values = [no_update] * (tiles * len(views.TILE_FIELDS))
    return values, list(values), [no_update] * tiles


def _row_class(queue: str, tile: views.TileView | None) -> str:
    floor = " wb-row-floor" if queue == ids.FLOOR else ""
    return f"tile wb-row status-{tile.status if tile else 'none'}{floor}"


def _value_class(tile: views.TileView | None, field: str) -> str:
    if field in _TRENDS:
        quality = tile.trends.get(field, "none") if tile else "none"
        return f"sym trend trend-{quality}"
    if field == "sl_target":
        return "num target"
    status = tile.statuses.get(field, "none") if tile else "none"
    return f"num value status-{status}"
