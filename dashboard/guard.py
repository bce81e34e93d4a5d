"""Role enforcement on every request: page loads and Dash callbacks alike. The one place
that lets a request through or refuses it.

A callback request is first verified against the callback the layout registered
(`dashboard.authz`: every output, input and state entry by position, the page path as
Dash's router resolves it), then the page it serves is judged like a page load, and an
acknowledgement is checked against the alert it names. Refusals are 401 (not signed in)
or 403 (signed in, not allowed) and always leave an audit record; every view of one
agent's numbers, whatever route it came by, is audited as `view_agent`.
Sign-in state: session cookie (checked in Redis), then trusted proxy header, then TV
screen token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import dash
import flask
import redis
from werkzeug.wrappers import Response

from dashboard import authz, ids
from dashboard.data import DataUnavailable
from dashboard.services import ACCESS_EXTENSION, DASH_EXTENSION, access, services
from pipeline.access.audit import AuditAction
from pipeline.access.policy import Page, decide, landing_path, page_of
from pipeline.access.principal import Principal, open_access, screen_principal
from pipeline.access.sessions import SESSION_COOKIE

SCREEN_COOKIE = "wb_screen"
SCREEN_PARAM = "screen"
CALLBACK_PATH = "/_dash-update-component"
ACK_HISTORY_ROWS = 500  # an alert cleared this recently may still be acknowledged
# Served to everyone: the Dash shell, its scripts and styles carry no data.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
PUBLIC_PATHS = frozenset({
    "/login", "/logout", "/_dash-layout", "/_dash-dependencies", "/_favicon.ico",
    "/_reload-hash",
})


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
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        user = svc.sessions.user_of(cookie)
        found = svc.user(user, "password") if user is not None else None
        if found is not None:
            return found
        if user is not None:  # a session of a user no longer configured
            svc.sessions.revoke(cookie)
        flask.g.refused_cookie = True
    header = svc.settings.proxy_header
    if header and request.remote_addr in svc.settings.proxy_trusted:
        proxied = request.headers.get(header)
        if proxied and not svc.sessions.is_removed(proxied):
            return svc.user(proxied, "proxy")
    token = request.args.get(SCREEN_PARAM) or request.cookies.get(SCREEN_COOKIE)
    if token:
        screen = svc.screen_check.screen_of(token)
        if screen is not None:
            flask.g.screen_token = token
            return screen_principal(screen)
    return None


def _page_path(page: Page) -> str:
    return f"/{page.kind}/{page.subject}" if page.subject else f"/{page.kind}"


def _refuse(status: int, message: str) -> Response:
    return flask.Response(message + "\n", status=status, mimetype="text/plain")


def _deny(who: Principal, target: str, reason: str) -> Response:
    """403 with an `access_denied` entry in the (authenticated) audit trail, within the
    principal's budget of such entries (beyond it, counted into the next entry)."""
    suppressed = access().denials.take(who.name)
    if suppressed is not None:
        detail = f"{reason} (+{suppressed} refused, not recorded)" if suppressed else reason
        access().audit.record("access_denied", who=who.name, at=services().clock(),
                              target=target, detail=detail, address=client_address())
    return _refuse(403, "forbidden")


def _unauthenticated(target: str) -> None:
    """Record a request nobody signed in for, in the stream of refused traffic."""
    action: AuditAction = (
        "session_refused" if flask.g.get("refused_cookie") else "unauthenticated"
    )
    access().refused.record(action, who="-", at=services().clock(), target=target,
                            address=client_address())


def _audit_view(who: Principal, page: Page, *, opened: bool) -> None:
    """`view_agent` for one agent's numbers (not an agent's own page): when the page is
    opened, and once per viewer and agent every few minutes of refreshes (whatever
    route), within the principal's budget of such entries."""
    if page.kind == "agent" or (page.kind == "me" and page.subject != who.agent_id):
        if not access().views.due(who.name, page.subject, opened=opened):
            return
        suppressed = access().view_budget.take(who.name)
        if suppressed is not None:
            detail = f"{page.kind} (+{suppressed} views not recorded)" if suppressed \
                else page.kind
            access().audit.record("view_agent", who=who.name, at=services().clock(),
                                  target=page.subject, detail=detail,
                                  address=client_address())


def ack_refusal(who: Principal, rows: Any, selected: Any, by: Any, note: Any) -> str | None:
    """Why an acknowledgement may not be written, or None: the typed name and note within
    their limits, the selected alert active (or in the recent history) and about a
    subject `who` may see. Asked by the guard for signed-in requests and by the callback
    itself (so the limits hold with sign-in off too). May raise `DataUnavailable`."""
    text = authz.ack_text_refusal(by, note)
    if text:
        return text
    try:
        alert_id = authz.ack_target(rows, selected)
    except authz.Refused as exc:
        return str(exc)
    if alert_id is None:
        return None  # nothing selected: the callback only asks to pick a row
    data = services().data
    floor = data.floor()
    alert = next((a for a in floor.active_alerts if a.id == alert_id), None)
    if alert is None:  # cleared since the table was drawn: its history still has it
        alert = next((h.alert for h in data.alert_history(ACK_HISTORY_ROWS)
                      if h.alert.id == alert_id), None)
    if alert is None:
        return f"ack: no alert {alert_id[:80]!r}"
    if not authz.may_see_alert(who, alert, floor.snapshot, floor.settings):
        return f"ack: alert {alert_id[:80]!r} is about a subject this role cannot see"
    return None


def _check_callback(who: Principal) -> Response | None:
    app: dash.Dash = flask.current_app.extensions[DASH_EXTENSION]
    try:
        request = authz.verify(app, flask.request.get_json(silent=True))
    except authz.Refused as exc:
        return _deny(who, CALLBACK_PATH, str(exc))
    page = request.page
    if page is None:
        return None  # Dash's 404 layout: no data
    if decide(who, page, _agent_team) != "allow":
        return _deny(who, _page_path(page), f"callback {request.route} {request.output[:80]}")
    if request.route == "write":
        values = request.values
        try:
            reason = ack_refusal(
                who, values.get(f"{ids.AL_ACTIVE}.derived_virtual_data"),
                values.get(f"{ids.AL_ACTIVE}.derived_virtual_selected_rows"),
                values.get(f"{ids.AL_ACK_BY}.value"), values.get(f"{ids.AL_ACK_NOTE}.value"))
        except DataUnavailable:
            return _refuse(503, "alerts unavailable (storage)")
        if reason:
            return _deny(who, _page_path(page), reason)
    _audit_view(who, page, opened=request.route == "layout")
    return None


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
        flask.g.principal = who
        if path == CALLBACK_PATH:
            if who is None:
                _unauthenticated(path)
                return _refuse(401, "sign in first")
            return _check_callback(who)
        if who is None:
            if flask.g.get("refused_cookie"):
                _unauthenticated(path)
            return flask.redirect(f"/login?next={quote(flask.request.full_path.rstrip('?'))}")
        return _check_page(who, path)
    except (redis.RedisError, OSError):
        return _refuse(503, "access check unavailable (storage)")


def _check_page(who: Principal, path: str) -> Response | None:
    overrides = authz.query_overrides(flask.request.args)
    if overrides:
        return _deny(who, path, f"query string overrides the path: {', '.join(overrides)}")
    page = page_of(path)
    if page is not None and decide(who, page, _agent_team) != "allow":
        if path == "/":
            return flask.redirect(landing_path(who))
        _deny(who, path, "page")
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
