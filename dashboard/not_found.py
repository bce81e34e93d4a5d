"""Not found: unknown paths, queues, teams, agents and sites.

Dash serves its index page for any path, so `check_request` (a Flask `before_request`)
answers HTTP 404 with a plain "not found" page for a path that is none of our pages, and
for a page of a queue, team or agent the configuration and the snapshot do not know. In
the app (a link followed without a page load) the page layouts show `page(...)` instead
of a made-up tile or an empty table. Whether something exists is only decided when the
pipeline's configuration or snapshot could be read; otherwise the page is served and
fills in when the data arrives.
"""

from __future__ import annotations

import html as html_text
import re

import flask
from dash import dcc, html
from werkzeug.wrappers import Response

from dashboard.components import with_lang
from dashboard.data import DataUnavailable, FloorState
from dashboard.i18n import Lang, normalize_lang, t
from dashboard.services import services
from schemas.config import Settings
from schemas.snapshot import Snapshot

# Dash's index routes (endpoint names): "/" and its catch-all.
DASH_INDEX_ENDPOINTS = frozenset({"/", "/<path:path>"})
PAGE_PATH = re.compile(r"^/(?:|wallboard|alerts|(?P<kind>queue|team|agent|me)/(?P<id>[^/]+))$")


def knows_floor(settings: Settings, snapshot: Snapshot | None) -> bool:
    """Whether the configuration or the snapshot has been read (else nothing is "unknown")."""
    return snapshot is not None or bool(settings.queues) or bool(settings.teams)


def known_queues(settings: Settings, snapshot: Snapshot | None) -> set[str]:
    return set(settings.queues) | (set(snapshot.queues) if snapshot else set())


def known_teams(settings: Settings, snapshot: Snapshot | None) -> set[str]:
    return set(settings.teams) | (set(snapshot.teams) if snapshot else set())


def known_sites(settings: Settings, snapshot: Snapshot | None) -> set[str]:
    sites = {settings.queue_site(q) for q in settings.queues}
    return sites | (set(snapshot.sites) if snapshot else set())


def missing(kind: str, entity: str, floor: FloorState | None) -> bool:
    """True when the `kind` (queue, team, agent, me) `entity` is known not to exist."""
    if floor is None or not knows_floor(floor.settings, floor.snapshot):
        return False
    settings, snapshot = floor.settings, floor.snapshot
    if kind == "queue":
        return entity not in known_queues(settings, snapshot)
    if kind == "team":
        return entity not in known_teams(settings, snapshot)
    # Agents are known from today's snapshot (logged-out ones included).
    return snapshot is not None and entity not in snapshot.agents


def wallboard_lines(
    floor: FloorState | None, queues: str | None, site: str | None, lang: Lang
) -> list[str]:
    """What a wallboard's `?queues=` / `?site=` names that does not exist (empty: all
    known, or nothing to tell yet)."""
    if floor is None or not knows_floor(floor.settings, floor.snapshot):
        return []
    lines = []
    if queues:
        known = known_queues(floor.settings, floor.snapshot)
        lines += [message("queue", q.strip(), lang) for q in queues.split(",")
                  if q.strip() and q.strip() not in known]
    if site and site not in known_sites(floor.settings, floor.snapshot):
        lines.append(message("site", site, lang))
    return lines


def message(kind: str, entity: str, lang: Lang) -> str:
    """`未找到队列：nosuch` / `Queue not found: nosuch`."""
    what = {"queue": "queue", "team": "team", "agent": "agent", "me": "agent",
            "site": "site_word"}[kind]
    return t("not_found_entity", lang, what=t(what, lang), name=entity)


def page(lines: list[str], lang: Lang) -> html.Div:
    """The in-app "not found" page: what was not found and the way back."""
    return html.Div(
        className="page not-found",
        children=[
            html.H1(t("not_found", lang)),
            *(html.P(line, className="not-found-what") for line in lines),
            html.P(dcc.Link(t("back_to_wallboard", lang), href=with_lang("/wallboard", lang))),
        ],
    )


def _response(lines: list[str], lang: Lang) -> Response:
    items = "".join(f"<p>{html_text.escape(line)}</p>" for line in lines)
    back = html_text.escape(t("back_to_wallboard", lang))
    title = html_text.escape(t("not_found", lang))
    body = (f"<!doctype html><html lang=\"{'en' if lang == 'en' else 'zh-CN'}\"><head>"
            f"<meta charset=\"utf-8\"><title>{title}</title></head><body>"
            f"<h1>{title}</h1>{items}<p><a href=\"{with_lang('/wallboard', lang)}\">{back}</a>"
            f"</p></body></html>")
    return flask.Response(body, status=404, mimetype="text/html")


def check_request() -> Response | None:
    """Flask `before_request`: 404 for a Dash index request of no page of ours or of an
    unknown queue / team / agent; None lets the request through."""
    request = flask.request
    if request.endpoint not in DASH_INDEX_ENDPOINTS:
        return None
    lang = normalize_lang(request.args.get("lang"))
    found = PAGE_PATH.match(request.path)
    if found is None:
        return _response([t("no_such_page", lang, path=request.path)], lang)
    kind, entity = found.group("kind"), found.group("id")
    wallboard = kind is None and request.path in ("/", "/wallboard")
    if kind is None and not (wallboard and (request.args.get("queues")
                                            or request.args.get("site"))):
        return None
    try:
        floor: FloorState | None = services().data.floor()
    except DataUnavailable:
        floor = None
    if wallboard:
        lines = wallboard_lines(floor, request.args.get("queues"), request.args.get("site"),
                                lang)
        return _response(lines, lang) if lines else None
    if missing(kind, entity, floor):
        return _response([message(kind, entity, lang)], lang)
    return None
