"""`/login` and `/logout`: the sign-in form, rate-limited, audited, setting the signed
session cookie (HttpOnly, SameSite=Lax, Secure unless `access.cookie_secure = false`)."""

from __future__ import annotations

from html import escape

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


def _safe_next(next_path: str) -> str | None:
    """Only a path on this site (no "//host", no scheme) may be the redirect target."""
    if next_path.startswith("/") and not next_path.startswith("//") and "\\" not in next_path:
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
        allowance = svc.limiter.attempt(username, address)
        if not allowance.allowed:
            svc.audit.record("sign_in_limited", who=username, at=now, address=address)
            response = _form(429, "尝试次数过多，请稍后再试 Too many attempts, try later",
                             username, next_path)
            response.headers["Retry-After"] = str(allowance.retry_after_s)
            return response
        who = svc.check_password(username, password)
        if who is None:
            svc.audit.record("sign_in_failed", who=username, at=now, address=address)
            return _form(401, "用户名或密码错误 Wrong user or password", username, next_path)
        svc.limiter.succeeded(username, address)
        svc.audit.record("sign_in", who=username, at=now, address=address,
                         detail=who.role or "")
        cookie = svc.signer().issue(username)
    except (redis.RedisError, OSError):
        return _form(503, "暂时无法登录 Sign-in unavailable (storage)", username, next_path)
    response = flask.redirect(_safe_next(next_path) or landing_path(who))
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(svc.settings.session_max_age_s),
                        httponly=True, samesite="Lax", secure=svc.settings.cookie_secure)
    return response


def sign_out() -> Response:
    svc = access()
    try:
        user = svc.signer().user_of(flask.request.cookies.get(SESSION_COOKIE))
        if user is not None:
            svc.audit.record("sign_out", who=user, at=services().clock(),
                             address=client_address())
    except (redis.RedisError, OSError):
        pass  # signing out must work even when the audit cannot be written
    response = flask.redirect("/login")
    response.delete_cookie(SESSION_COOKIE)
    return response
