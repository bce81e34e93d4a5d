"""The browser-side watchdog every page carries (the browser half is `assets/watchdog.js`).

Each page's tick callback sends a *beat* (`beat(...)`) into the page's beat store; the
browser notes when the last one arrived. A 1-s timer in the browser marks the page stale
— class `wb-stale` on `<body>`, the app shell's banner (`ids.WD_BANNER`) shown as an
overlay, values greyed by `assets/watchdog.css` — when the last beat says the data is
stale (pipeline or Redis stopped: `views.freshness`) or when no beat has arrived for
`heartbeat_stale_s` seconds (dashboard server hung or gone, network down). It clears by
itself when beats come back. The same timer runs the wallboard's clock in the browser:
the wall clock of the configured zone (default Asia/Shanghai), or, during a replay, the
data's time labelled as replay time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import dash
from dash import ClientsideFunction, Input, Output, dcc, html

from dashboard import ids, views
from dashboard.i18n import Lang, t
from schemas.config import Settings
from schemas.snapshot import Heartbeat, Snapshot
from schemas.timefmt import parse_ts

# A snapshot whose `now` is this far from the heartbeat's `processed_at` is a replay:
# in live mode both are the pipeline's wall clock at the same tick.
REPLAY_GAP_S = 120.0
STALE_CLASS = "wb-stale"


def register(app: dash.Dash, pages: Iterable[str]) -> None:
    """For each page key, the clientside callback that hands its config and beats to the
    JS (`window.dash_clientside.watchdog.beat`)."""
    for page in pages:
        app.clientside_callback(
            ClientsideFunction(namespace="watchdog", function_name="beat"),
            Output(ids.watch(ids.WD_SINK, page), "data"),
            Input(ids.watch(ids.WD_CONFIG, page), "data"),
            Input(ids.watch(ids.WD_BEAT, page), "data"),
        )


def banner() -> html.Div:
    """The app shell's stale banner (filled and shown by the JS, never by a callback)."""
    return html.Div(id=ids.WD_BANNER, className="wd-banner", role="alert")


def config(settings: Settings, lang: Lang) -> dict[str, Any]:
    """What the browser needs before the first beat: the stale limit (seconds), the zone
    for clock times and the texts it fills in (`{time}` placeholders)."""
    return {
        "stale_s": settings.heartbeat_stale_s,
        "zone": settings.timezone,
        "lang": lang,
        "texts": {
            "no_updates": t("no_updates_since", lang, time="{time}"),
            "replay_clock": t("replay_clock", lang, time="{time}"),
            "alerts_unknown": t("alerts_unknown", lang),
        },
    }


def unknown_alerts(lang: Lang) -> dict[str, Any]:
    """Props of an alert list (with class `wd-alerts`) that says "unknown" while stale."""
    return {"data-unknown": t("alerts_unknown", lang)}


def hook(page: str, settings: Settings, lang: Lang) -> list[dcc.Store]:
    """The stores a page adds to its layout; its tick callback outputs `beat(...)` to
    `Output(ids.watch(ids.WD_BEAT, page), "data")`."""
    return [
        dcc.Store(id=ids.watch(ids.WD_CONFIG, page), data=config(settings, lang)),
        dcc.Store(id=ids.watch(ids.WD_BEAT, page), data=None),
        dcc.Store(id=ids.watch(ids.WD_SINK, page), data=None),
    ]


def is_replay(snapshot: Snapshot | None, heartbeat: Heartbeat | None) -> bool:
    """The data's time is not the wall clock: the snapshot's `now` (event time) is more
    than `REPLAY_GAP_S` from the heartbeat's `processed_at` (wall clock)."""
    if snapshot is None or heartbeat is None:
        return False
    gap = parse_ts(snapshot.now) - parse_ts(heartbeat.processed_at)
    return abs(gap.total_seconds()) > REPLAY_GAP_S


def beat(
    fresh: views.Freshness,
    settings: Settings,
    now: datetime,
    snapshot: Snapshot | None = None,
    heartbeat: Heartbeat | None = None,
) -> dict[str, Any]:
    """One tick's report to the browser: `at` the server's wall clock (RFC 3339, a new
    value every tick), the server's stale decision and banner text, the stale limit (s),
    the zone, and the data's time (`data_now`, RFC 3339) when it is a replay's."""
    replay = is_replay(snapshot, heartbeat)
    return {
        "at": now.isoformat(timespec="milliseconds"),
        "stale": fresh.stale,
        "text": fresh.banner,
        "stale_s": settings.heartbeat_stale_s,
        "zone": settings.timezone,
        "replay": replay,
        "data_now": snapshot.now if replay and snapshot is not None else None,
    }
