"""The Dash app: the app object and the layout shell only; pages live in `dashboard.pages`.

`create_app(redis_url, prefix)` builds one app with its own Redis connection pool;
`create_server(...)` returns its Flask (WSGI) server for gunicorn.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import dash
import flask
from dash import html

from dashboard import ids
from dashboard.data import WallboardData
from dashboard.pages import agent, alerts, me, queue, team, wallboard
from dashboard.services import EXTENSION, Services, wall_clock

ASSETS = Path(__file__).resolve().parent / "assets"
PAGES = (wallboard, queue, team, agent, alerts, me)


def create_app(
    redis_url: str, prefix: str = "wb", *, clock: Callable[[], datetime] = wall_clock
) -> dash.Dash:
    """A dashboard reading the pipeline's state under `prefix` in the Redis at `redis_url`.

    `clock` returns the current time (aware); tests inject their own.
    """
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder="",  # pages are registered explicitly below, once per app
        assets_folder=str(ASSETS),
        suppress_callback_exceptions=True,
        title="wallboard",
        update_title="",  # no "Updating..." flicker in the tab title
    )
    app.server.extensions[EXTENSION] = Services(WallboardData(redis_url, prefix), clock)
    for page in PAGES:
        page.register(app)
    app.layout = html.Div(id=ids.SHELL, children=[dash.page_container])
    return app


def create_server(redis_url: str | None = None, prefix: str | None = None) -> flask.Flask:
    """The WSGI server; arguments default to `REDIS_URL` / `WALLBOARD_PREFIX` or built-ins."""
    url = redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    app = create_app(url, prefix or os.environ.get("WALLBOARD_PREFIX", "wb"))
    server: flask.Flask = app.server
    return server
