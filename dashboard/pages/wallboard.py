"""`/wallboard?queues=a,b|site=x&lang=zh|en&rotate=20&sound=1`: the TV wallboard.

One tile per queue (rolling 15 min) plus the floor summary, an alert ticker, the clock,
data freshness and a paged agent grid. One 1-s interval updates only the texts and
classes (pattern-matching outputs); nothing is re-laid out after the page loads.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html, no_update

from dashboard import ids, not_found, staffing_views, views, watchdog
from dashboard.archive_data import ArchiveUnavailable
from dashboard.components import with_lang
from dashboard.data import DataUnavailable, FloorState
from dashboard.i18n import Lang, normalize_lang, t
from dashboard.services import services
from dashboard.staffing_data import current_gaps
from schemas.config import Settings

PATH = "/wallboard"
GRID_PAGE_SIZE = 60
DEFAULT_ROTATE_S = 20
TICK_MS = 1000
STAFFING_TICK_MS = 15_000
METRICS = ("in_queue", "longest_wait", "abandon_rate", "asa")
AGENT_FIELDS = ("ready", "busy", "away")
WATCH = "wallboard"  # this page's key in the watchdog's store ids


def register(app: dash.Dash) -> None:
    dash.register_page(__name__, path=PATH, title="wallboard", layout=layout)
    # "/" shows the wallboard too (a redirect rule would clash with Dash's index route).
    dash.register_page(f"{__name__}.home", path="/", title="wallboard", layout=layout)
    app.callback(
        Output(ids.tile_value(ALL, ALL), "children"),  # type: ignore[arg-type]
        Output(ids.tile_value(ALL, ALL), "className"),  # type: ignore[arg-type]
        Output(ids.tile(ALL), "className"),  # type: ignore[arg-type]
        Output(ids.tile_as_of(ALL), "children"),  # type: ignore[arg-type]
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
    rotate: str | None = None,
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
    try:
        rotate_s = max(5, int(rotate or DEFAULT_ROTATE_S))
    except ValueError:
        rotate_s = DEFAULT_ROTATE_S
    params = {
        "queues": chosen,
        "queues_arg": queues,
        "site": site,
        "lang": language,
        "rotate_s": rotate_s,
        "sound": sound == "1",
        # The agent grid shows the teams serving the chosen queues when a subset is shown.
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
            html.Header(
                className="wb-header",
                children=[
                    html.H1(t("wallboard", language), className="wb-title"),
                    html.Div(id=ids.WB_FRESHNESS, className="wb-freshness"),
                    _staffing_gap_tile(language),
                    html.Div(id=ids.WB_CLOCK, className="wb-clock"),
                ],
            ),
            html.Div(id=ids.WB_TILES, className=_tiles_class(tiles), children=tiles),
            html.Div(
                className="wb-bottom",
                children=[
                    html.Div(id=ids.WB_TICKER, className="wb-ticker wd-alerts",
                             **watchdog.unknown_alerts(language)),
                    html.Div(
                        className="wb-agents",
                        children=[
                            html.Div(
                                className="wb-agents-head",
                                children=[
                                    html.Span(t("agents", language)),
                                    html.Span(id=ids.WB_GRID_PAGE, className="wb-grid-page"),
                                ],
                            ),
                            html.Div(id=ids.WB_GRID, className="wb-grid"),
                        ],
                    ),
                ],
            ),
        ],
    )


def _tiles(settings: Settings, queues: list[str], lang: Lang, site: str | None = None
           ) -> list[dcc.Link]:
    floor = views.floor_tile(settings, None, [], lang, ids.FLOOR, site=site)
    tiles = [_tile(ids.FLOOR, floor.title, floor.formula, with_lang("/alerts", lang), lang)]
    for queue in queues:
        view = views.queue_tile(settings, queue, None, lang)
        tiles.append(_tile(queue, view.title, view.formula,
                           with_lang(f"/queue/{queue}", lang), lang))
    return tiles


def _staffing_gap_tile(lang: Lang) -> html.Div:
    return html.Div(
        id=ids.WB_STAFF_GAP,
        className="wb-staffing-gap hidden",
        children=[
            html.Div("—", id=ids.WB_STAFF_GAP_VALUE, className="value status-none"),
            html.Div(t("staffing_gap", lang), className="label"),
            html.Div(id=ids.WB_STAFF_GAP_SOURCE, className="label gap-source"),
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
    return (tile.text, f"value status-{tile.status}",
            f"wb-staffing-gap status-{tile.status}{hidden}",
            staffing_views.gap_source_text([source for _gap, source in readings], lang))


def _tiles_class(tiles: list[dcc.Link]) -> str:
    return f"wb-tiles wb-tiles-{min(len(tiles), 8)}"


def _value(queue: str, field: str, label: str, extra: str = "") -> html.Div:
    return html.Div(
        className=f"metric metric-{field} {extra}".strip(),
        children=[
            html.Div("—", id=ids.tile_value(queue, field), className="value"),
            html.Div(label, className="label"),
        ],
    )


def _tile(queue: str, title: str, formula: str, href: str, lang: Lang) -> dcc.Link:
    return dcc.Link(
        id=ids.tile(queue),
        href=href,
        className="tile status-none",
        children=[
            html.Div(
                className="tile-head",
                children=[
                    html.Span(title, className="tile-title"),
                    html.Span(id=ids.tile_as_of(queue), className="tile-asof"),
                ],
            ),
            _value(queue, "sl", t("sl_short", lang), "metric-sl"),
            html.Div(
                className="tile-metrics",
                children=[
                    _value(queue, "in_queue", t("in_queue", lang)),
                    _value(queue, "longest_wait", t("longest_wait", lang)),
                    _value(queue, "abandon_rate", t("abandon_rate", lang)),
                    _value(queue, "asa", t("asa", lang)),
                ],
            ),
            html.Div(
                className="tile-agents",
                children=[
                    _value(queue, "ready", t("ready", lang), "agents-ready"),
                    _value(queue, "busy", t("busy", lang), "agents-busy"),
                    _value(queue, "away", t("away", lang), "agents-away"),
                ],
            ),
            html.Div(formula, className="tile-formula"),
        ],
    )


def refresh(
    n_intervals: int | None,
    params: dict[str, Any] | None,
    last_ok: str | None,
    previous_critical: list[str] | None,
) -> tuple[Any, ...]:
    """One tick: read Redis once, then update texts and classes only."""
    if not params:
        return (no_update,) * 15
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
    )
    if floor is None:
        return (
            *_unchanged_tiles(params), no_update, fresh.status,
            watchdog.beat(fresh, settings, now),
            no_update, no_update, no_update, no_update, no_update, no_update, no_update,
            no_update,
        )
    beat = watchdog.beat(fresh, settings, now, floor.snapshot, floor.heartbeat)
    clock_class = "wb-clock wd-replay" if beat["replay"] else "wb-clock"
    snapshot = floor.snapshot
    if not params.get("queues_arg"):
        # Queues chosen from the config (all, or a site's): when the config or the
        # snapshot's queues change (or Redis was down at page load), lay the tiles out again
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
            )
    queue_tiles = [
        views.queue_tile(settings, q, snapshot, lang) for q in params.get("queues", [])
    ]
    tiles = {tile.key: tile for tile in queue_tiles}
    tiles[ids.FLOOR] = views.floor_tile(settings, snapshot, queue_tiles, lang, ids.FLOOR,
                                        site=params.get("site") or None)

    ctx = dash.callback_context
    value_ids = [o["id"] for o in ctx.outputs_list[0]]
    tile_ids = [o["id"] for o in ctx.outputs_list[2]]
    as_of_ids = [o["id"] for o in ctx.outputs_list[3]]
    texts = [tiles[i["queue"]].values[i["field"]] if i["queue"] in tiles else "—"
             for i in value_ids]
    classes = [_value_class(tiles.get(i["queue"]), i["field"]) for i in value_ids]
    tile_classes = [
        f"tile status-{tiles[i['queue']].status}" if i["queue"] in tiles else "tile status-none"
        for i in tile_ids
    ]
    as_of = [tiles[i["queue"]].as_of if i["queue"] in tiles else "" for i in as_of_ids]

    alerts = floor.active_alerts
    ticker = [
        html.Span(item.text, className=f"ticker-item sev-{item.severity}")
        for item in views.ticker_items(alerts, settings, lang)
    ] or [html.Span(t("no_alerts", lang), className="ticker-item ticker-none")]
    teams = set(params["teams"]) if params.get("teams") is not None else None
    flagged = {
        views.subject_parts(a.subject)[1] for a in alerts if a.subject.startswith("agent:")
    }
    cells = views.agent_cells(snapshot, teams, flagged, views.data_now(snapshot, now), lang)
    shown, page, pages = views.grid_page(
        cells, GRID_PAGE_SIZE, (n_intervals or 0) * TICK_MS / 1000, params.get("rotate_s", 20)
    )
    grid = [
        html.Div(
            className=f"agent-cell state-{c.state}" + (" flagged" if c.flagged else ""),
            title=c.label,
            children=[
                html.Span(c.agent_id, className="agent-id"),
                html.Span(c.in_state, className="agent-time"),
            ],
        )
        for c in shown
    ]
    critical = sorted(a.id for a in alerts if a.severity == "critical")
    return (
        texts,
        classes,
        tile_classes,
        as_of,
        clock_class,
        fresh.status,
        beat,
        ticker,
        grid,
        t("page_of", lang, page=page, pages=pages) if pages > 1 else "",
        floor.heartbeat.processed_at if floor.heartbeat else last_ok,
        critical if critical != previous_critical else no_update,
        no_update,
        no_update,
        no_update,
    )


def _unchanged_tiles(params: dict[str, Any]) -> tuple[list[Any], ...]:
    """`no_update` for each wildcard output (one per rendered tile / tile value)."""
    tiles = len(params.get("queues", [])) + 1
    values = [no_update] * (tiles * len(views.TILE_FIELDS))
    return values, list(values), [no_update] * tiles, [no_update] * tiles


def _value_class(tile: views.TileView | None, field: str) -> str:
    status = tile.statuses.get(field, "none") if tile else "none"
    return f"value status-{status}"
