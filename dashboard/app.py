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

from dashboard import ids, not_found, signin, watchdog
from dashboard.data import WallboardData
from dashboard.guard import enforce, remember_screen
from dashboard.headers import add_security_headers
from dashboard.pages import agent, alerts, me, queue, team, wallboard
from dashboard.reports_route import register_reports
from dashboard.services import (
    ACCESS_EXTENSION,
    DASH_EXTENSION,
    EXTENSION,
    Services,
    wall_clock,
)
from pipeline.access.service import AccessService
from pipeline.redis_keys import DEFAULT_REDIS_URL
from schemas.access import AccessSettings
from schemas.config import load_settings

ASSETS = Path(__file__).resolve().parent / "assets"
PAGES = (wallboard, queue, team, agent, alerts, me)


def create_app(
    redis_url: str,
    prefix: str = "wb",
    *,
    clock: Callable[[], datetime] = wall_clock,
    access: AccessSettings | None = None,
    archive_dir: Path | None = None,
    reports_dir: Path | None = None,
) -> dash.Dash:
    """A dashboard reading the pipeline's state under `prefix` in the Redis at `redis_url`.

    `clock` returns the current time (aware); tests inject their own. `access` (the
    config's `[access]`) turns on sign-in, roles and screen tokens when it has users or a
    proxy header (or `auth = "on"`); without it everyone sees everything — for a
    trusted network and the tests. Security headers are sent either way. `archive_dir`
    holds the Parquet day partitions (default `WALLBOARD_ARCHIVE_DIR` or `var/archive`);
    `reports_dir` the written reports served at `/reports` (default `WALLBOARD_REPORTS_DIR`
    or `var/reports`).
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
    app.server.extensions[EXTENSION] = Services(
        WallboardData(redis_url, prefix, archive_dir=archive_dir), clock
    )
    for page in PAGES:
        page.register(app)
    watchdog.register(app, (page.WATCH for page in PAGES))
    app.layout = html.Div(id=ids.SHELL, children=[watchdog.banner(), dash.page_container])
    app.server.extensions[DASH_EXTENSION] = app
    _secure(app.server, AccessService(access or AccessSettings(auth="off"), redis_url, prefix))
    register_reports(app.server, reports_dir or Path(
        os.environ.get("WALLBOARD_REPORTS_DIR", "var/reports")))
    return app


def _secure(server: flask.Flask, service: AccessService) -> None:
    """Sign-in routes, the role check before every request, headers after every one."""
    server.extensions[ACCESS_EXTENSION] = service
    server.before_request(enforce)
    server.before_request(not_found.check_request)
    server.after_request(remember_screen)
    frame_origins = tuple(service.settings.frame_origins)

    def headers(response: flask.Response) -> flask.Response:
        add_security_headers(response, frame_origins)
        return response

    server.after_request(headers)
    if service.enabled:
        server.add_url_rule("/login", "wallboard_login_form", signin.show_form,
                            methods=["GET"])
        server.add_url_rule("/login", "wallboard_login", signin.sign_in, methods=["POST"])
        server.add_url_rule("/logout", "wallboard_logout", signin.sign_out,
                            methods=["GET", "POST"])


def create_server(redis_url: str | None = None, prefix: str | None = None) -> flask.Flask:
    """The WSGI server; arguments default to `REDIS_URL` / `WALLBOARD_PREFIX` or built-ins.

    `WALLBOARD_CONFIG` (a TOML file) supplies the `[access]` settings: users, roles,
    proxy header. It is read once here, never from Redis, so an unreachable Redis can
    never switch sign-in off.
    """
    url = redis_url or os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    config = os.environ.get("WALLBOARD_CONFIG")
    access = load_settings(config).access if config else None
    app = create_app(url, prefix or os.environ.get("WALLBOARD_PREFIX", "wb"), access=access)
    server: flask.Flask = app.server
    # Dash registers its script paths and page routes on the first request, after setting
    # its "done" flag, so under gunicorn's threads a concurrent first request can miss them
    # ("dash is not a registered library"). Make that first request before serving.
    server.test_client().get("/_dash-layout")
    return server
