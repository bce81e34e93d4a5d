"""`/login` and `/logout`: the sign-in form, rate-limited per user and address, audited,
setting the session cookie (a server-side session's random token; HttpOnly,
SameSite=Lax, Secure unless `access.cookie_secure = false`). Sign-out ends the session
in Redis, so a copied cookie stops working too."""

from __future__ import annotations

from html import escape
from urllib.parse import unquote, urlsplit

import flask
import redis
from werkzeug.wrappers import Response

from dashboard.guard import client_address
from dashboard.services import access, services
from pipeline.access.policy import landing_path
from pipeline.access.sessions import SESSION_COOKIE

FORM = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>wallboard · 登录 Sign in</title>
<link rel="stylesheet" href="/assets/wallboard.css"></head>
<body class="signin"><main class="page signin-page">
<h1>登录 Sign in</h1>{message}
<form method="post" action="/login">
<input type="hidden" name="next" value="{next}">
<label>用户名 User <input name="username" autocomplete="username" required maxlength="64"
 value="{username}"></label>
<label>密码 Password <input name="password" type="password"
 autocomplete="current-password" required maxlength="256"></label>
<button type="submit">登录 Sign in</button>
</form></main></body></html>
"""


def _form(
    status: int, message: str = "", username: str = "", next_path: str = ""
) -> Response:
    note = f'<p class="signin-error" role="alert">{escape(message)}</p>' if message else ""
    html = FORM.format(message=note, next=escape(next_path), username=escape(username))
    return flask.Response(html, status=status, mimetype="text/html")


MAX_NEXT = 2048


def _plain_path(text: str) -> bool:
    """A same-origin absolute path: "/x", never "//host", "/\\host" or a scheme, with no
    control characters (browsers drop tabs and newlines, turning "/\t/host" into "//host")."""
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    if any(ord(c) < 32 or ord(c) == 127 or c.isspace() for c in text):
        return False
    parts = urlsplit(text)
    return not parts.scheme and not parts.netloc


def safe_next(next_path: str) -> str | None:
    """The redirect target after sign-in if it is a path on this site, else None; checked
    as sent and once percent-decoded."""
    if len(next_path) > MAX_NEXT:
        return None
    if _plain_path(next_path) and _plain_path(unquote(next_path)):
        return next_path
    return None


def show_form() -> Response:
    return _form(200, next_path=flask.request.args.get("next", ""))


def sign_in() -> Response:
    svc = access()
    form = flask.request.form
    username = form.get("username", "").strip()[:64]
    password = form.get("password", "")[:256]
    next_path = form.get("next", "")
    address = client_address()
    now = services().clock()
    try:
        allowance = svc.limiter.attempt(username, address, now.timestamp())
        if not allowance.allowed:
            if allowance.first_refusal:  # one entry per pair or address and window
                svc.refused.record("sign_in_limited", who=username, at=now, address=address)
            response = _form(429, "尝试次数过多，请稍后再试 Too many attempts, try later",
                             username, next_path)
            response.headers["Retry-After"] = str(allowance.retry_after_s)
            return response
        who = svc.check_password(username, password)
        if who is None:
            svc.refused.record("sign_in_failed", who=username, at=now, address=address)
            return _form(401, "用户名或密码错误 Wrong user or password", username, next_path)
        svc.limiter.succeeded(username, address, now.timestamp())
        svc.audit.record("sign_in", who=username, at=now, address=address,
                         detail=who.role or "")
        cookie = svc.sessions.issue(username, now)
    except (redis.RedisError, OSError):
        return _form(503, "暂时无法登录 Sign-in unavailable (storage)", username, next_path)
    response = flask.redirect(safe_next(next_path) or landing_path(who))
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(svc.settings.session_max_age_s),
                        httponly=True, samesite="Lax", secure=svc.settings.cookie_secure)
    return response


def sign_out() -> Response:
    svc = access()
    try:
        user = svc.sessions.revoke(flask.request.cookies.get(SESSION_COOKIE))
        if user is not None:
            svc.audit.record("sign_out", who=user, at=services().clock(),
                             address=client_address())
    except (redis.RedisError, OSError):
        # Say so: the session lives on in Redis until its TTL; the cookie goes anyway.
        failed = _form(503, "暂时无法退出 Sign-out unavailable (storage), try again")
        failed.delete_cookie(SESSION_COOKIE)
        return failed
    response = flask.redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
