"""Role enforcement on every request: page loads and Dash callbacks alike.

A callback is mapped to the page it serves (by its outputs) and to that page's subject
(from the page's params store in the request), then judged like a page load, so a
direct POST to `/_dash-update-component` gets exactly the access of the page.
Sign-in state: session cookie, then trusted proxy header, then TV screen token.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import flask
import redis
from werkzeug.wrappers import Response

from dashboard import ids
from dashboard.data import DataUnavailable
from dashboard.services import ACCESS_EXTENSION, access, services
from pipeline.access.policy import Page, PageKind, decide, landing_path, page_of
from pipeline.access.principal import Principal, open_access, screen_principal
from pipeline.access.sessions import SESSION_COOKIE

SCREEN_COOKIE = "wb_screen"
SCREEN_PARAM = "screen"
CALLBACK_PATH = "/_dash-update-component"
PAGES_CONTENT = "_pages_content"
PAGES_LOCATION = "_pages_location"
# Served to everyone: the Dash shell, its scripts and styles carry no data.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
PUBLIC_PATHS = frozenset({
    "/login", "/logout", "/_dash-layout", "/_dash-dependencies", "/_favicon.ico",
    "/_reload-hash",
})
# Output component id → (page kind, params store id, params key of the subject).
CALLBACK_PAGES: dict[str, tuple[PageKind, str, str]] = {
    ids.WB_CLOCK: ("wallboard", "", ""),
    ids.WB_STAFF_GAP_VALUE: ("wallboard", "", ""),
    ids.Q_KPIS: ("queue", ids.Q_PARAMS, "queue"),
    ids.Q_DAYS_CHART: ("queue", ids.Q_PARAMS, "queue"),
    ids.Q_STAFF_BODY: ("queue", ids.Q_PARAMS, "queue"),
    ids.T_TABLE: ("team", ids.T_PARAMS, "team"),
    ids.T_ADH_TABLE: ("team", ids.T_PARAMS, "team"),
    ids.A_STATE: ("agent", ids.A_PARAMS, "agent"),
    ids.AL_ACTIVE: ("alerts", "", ""),
    ids.AL_ACK_RESULT: ("alerts", "", ""),
    ids.ME_STATE: ("me", ids.ME_PARAMS, "agent"),
}


def principal() -> Principal:
    """Who is making the current request (set by `enforce`; open access if sign-in is off)."""
    found: Principal | None = flask.g.get("principal")
    return found if found is not None else open_access()


def client_address() -> str:
    return flask.request.remote_addr or "-"


def _agent_team(agent_id: str) -> str | None:
    try:
        snapshot = services().data.floor().snapshot
    except DataUnavailable:
        return None
    entry = snapshot.agents.get(agent_id) if snapshot else None
    return entry.team if entry else None


def _identify() -> Principal | None:
    svc = access()
    request = flask.request
    user = svc.signer().user_of(request.cookies.get(SESSION_COOKIE))
    if user is not None:
        return svc.user(user, "password")
    header = svc.settings.proxy_header
    if header and request.remote_addr in svc.settings.proxy_trusted:
        proxied = request.headers.get(header)
        if proxied:
            return svc.user(proxied, "proxy")
    token = request.args.get(SCREEN_PARAM) or request.cookies.get(SCREEN_COOKIE)
    if token:
        screen = svc.screen_check.screen_of(token)
        if screen is not None:
            flask.g.screen_token = token
            return screen_principal(screen)
    return None


def _output_ids(output: str) -> list[str]:
    """Component ids in a callback's `output` string ("..a.x...b.y.." or "a.x")."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    found = []
    for part in parts:
        component = part.rsplit(".", 1)[0]
        if component.startswith("{"):
            try:
                component = str(json.loads(component).get("type", ""))
            except (ValueError, AttributeError):
                component = ""
        found.append(component)
    return found


def _value_of(body: dict[str, Any], component: str, prop: str) -> Any:
    for group in ("inputs", "state"):
        for item in body.get(group) or []:
            if isinstance(item, dict) and item.get("id") == component and \
                    item.get("property") == prop:
                return item.get("value")
    return None


def callback_page(body: dict[str, Any]) -> Page | None:
    """The page a callback request serves, or None when it is none of ours."""
    components = _output_ids(str(body.get("output", "")))
    if PAGES_CONTENT in components:
        return page_of(str(_value_of(body, PAGES_LOCATION, "pathname") or ""))
    kinds = {CALLBACK_PAGES[c] for c in components if c in CALLBACK_PAGES}
    if len(kinds) != 1:
        return None
    kind, store, key = kinds.pop()
    if not store:
        return Page(kind)
    params = _value_of(body, store, "data")
    subject = params.get(key) if isinstance(params, dict) else None
    return Page(kind, str(subject)) if subject else None


def _audit_view(who: Principal, page: Page) -> None:
    if page.kind == "agent" or (page.kind == "me" and page.subject != who.agent_id):
        access().audit.record("view_agent", who=who.name, at=services().clock(),
                              target=page.subject, detail=page.kind,
                              address=client_address())


def _refuse(status: int, message: str) -> Response:
    return flask.Response(message + "\n", status=status, mimetype="text/plain")


def enforce() -> Response | None:
    """Flask `before_request`: None lets the request through, else the refusal."""
    svc = flask.current_app.extensions.get(ACCESS_EXTENSION)
    if svc is None or not svc.enabled:
        return None
    path = flask.request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    try:
        who = _identify()
    except (redis.RedisError, OSError):
        return _refuse(503, "access check unavailable (storage)")
    flask.g.principal = who
    if path == CALLBACK_PATH:
        if who is None:
            return _refuse(401, "sign in first")
        body = flask.request.get_json(silent=True)
        page = callback_page(body) if isinstance(body, dict) else None
        if page is None or decide(who, page, _agent_team) != "allow":
            return _refuse(403, "forbidden")
        if PAGES_CONTENT in _output_ids(str(body.get("output", ""))):  # type: ignore[union-attr]
            _audit_view(who, page)
        return None
    if who is None:
        return flask.redirect(f"/login?next={quote(flask.request.full_path.rstrip('?'))}")
    page = page_of(path)
    if page is not None and decide(who, page, _agent_team) != "allow":
        if path == "/":
            return flask.redirect(landing_path(who))
        access().audit.record("access_denied", who=who.name, at=services().clock(),
                              target=path, address=client_address())
        return _refuse(403, "forbidden: your role cannot open this page")
    return None


def remember_screen(response: flask.Response) -> Response:
    """Flask `after_request`: a TV that came with `?screen=` keeps its token in a cookie,
    so its callbacks (which carry no query string) are recognised."""
    token = flask.g.get("screen_token")
    if token and flask.request.args.get(SCREEN_PARAM):
        response.set_cookie(SCREEN_COOKIE, token, httponly=True, samesite="Lax",
                            secure=access().settings.cookie_secure)
    return response
