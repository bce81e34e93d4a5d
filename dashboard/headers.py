"""Security headers on every response.

CSP: Dash's renderer starts from an inline script and components set inline styles, so
scripts and styles allow 'self' plus 'unsafe-inline' (no 'unsafe-eval'; no third-party
origin). The real protections against injected script are that every text we render
goes through React (escaped) and the sign-in page escapes its inputs. Framing is
refused unless `access.frame_origins` lists origins. Pages and callback answers are
never cached (they carry personal numbers); only Dash's static bundles and our assets
may be.
"""

from __future__ import annotations

from collections.abc import Sequence

import flask

STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")


def content_security_policy(frame_origins: Sequence[str]) -> str:
    ancestors = " ".join(frame_origins) if frame_origins else "'none'"
    return "; ".join((
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        f"frame-ancestors {ancestors}",
    ))


def add_security_headers(response: flask.Response, frame_origins: Sequence[str]) -> None:
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(frame_origins)
    if not frame_origins:
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    # The screen token is in the TV's URL: never send it on as a referrer.
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if not flask.request.path.startswith(STATIC_PREFIXES):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
