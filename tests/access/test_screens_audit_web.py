"""TV screen tokens, sign-in limits, the audit trail and security headers on the real
server."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import requests

from dashboard import ids
from pipeline.access.audit import AuditLog
from pipeline.access.screens import ScreenRegistry
from tests.access.conftest import (
    PASSWORD,
    Served,
    callback_body,
    find_store_data,
    sign_in,
    wallboard_body,
)


def refresh_status(served: Served, session: requests.Session) -> int:
    layout = served.layouts["/wallboard"]
    body = wallboard_body(served.app, layout, find_store_data(layout, ids.WB_PARAMS))
    return session.post(f"{served.url}/_dash-update-component", json=body,
                        timeout=10).status_code


def test_screen_token_shows_the_wallboard_only_until_revoked(served: Served) -> None:
    registry = ScreenRegistry(served.client, served.access_keys)
    token = registry.add("bj-floor-2", "cli:test", datetime.now(tz=UTC))
    tv = requests.Session()
    page = tv.get(f"{served.url}/wallboard?screen={token}", allow_redirects=False, timeout=10)
    assert page.status_code == 200
    assert refresh_status(served, tv) == 200  # the cookie carries the token to callbacks
    assert tv.get(f"{served.url}/alerts", allow_redirects=False, timeout=10).status_code == 403
    team = callback_body(served.app, ids.T_TABLE, {"t-params.data": {"team": "bj_claims_a"}})
    assert tv.post(f"{served.url}/_dash-update-component", json=team,
                   timeout=10).status_code == 403

    registry.revoke("bj-floor-2")
    revoked_at = time.monotonic()
    while refresh_status(served, tv) == 200:
        assert time.monotonic() - revoked_at < 10
        time.sleep(0.2)
    assert refresh_status(served, tv) == 401
    page = tv.get(f"{served.url}/wallboard?screen={token}", allow_redirects=False, timeout=10)
    assert page.status_code == 302


def test_sign_ins_failures_limits_drill_downs_and_acks_are_audited(served: Served) -> None:
    audit = AuditLog(served.client, served.access_keys)
    refused = AuditLog(served.client, served.access_keys, refused=True)
    served.client.delete(served.access_keys.audit(), served.access_keys.audit_refused())
    bad = requests.post(f"{served.url}/login", data={"username": "mona", "password": "nope"},
                        allow_redirects=False, timeout=10)
    assert bad.status_code == 401
    lead = sign_in(served, "lee")
    layout = callback_body(served.app, "_pages_content",
                           {"_pages_location.pathname": "/agent/a001",
                            "_pages_location.search": ""})
    assert lead.post(f"{served.url}/_dash-update-component", json=layout,
                     timeout=10).status_code == 200
    alert = served.floor.snapshot.alerts[0]
    ack = callback_body(served.app, ids.AL_ACK_RESULT, {
        f"{ids.AL_ACK_BUTTON}.n_clicks": 1,
        f"{ids.AL_ACTIVE}.derived_virtual_data": [{"id": alert.id}],
        f"{ids.AL_ACTIVE}.derived_virtual_selected_rows": [0],
        f"{ids.AL_ACK_BY}.value": "someone else",
        f"{ids.AL_ACK_NOTE}.value": "called the vendor",
        f"{ids.AL_PARAMS}.data": {"lang": "en"},
    })
    answer = lead.post(f"{served.url}/_dash-update-component", json=ack, timeout=10)
    assert answer.status_code == 200
    lead.get(f"{served.url}/logout", allow_redirects=False, timeout=10)
    entries = [(e.who, e.action, e.target, e.detail) for e in reversed(audit.entries(20))]
    # Refused sign-ins go to their own stream: anonymous traffic cannot evict the trail.
    assert [(e.who, e.action) for e in refused.entries(20)] == [("mona", "sign_in_failed")]
    assert entries == [
        ("lee", "sign_in", "", "team_lead"),
        ("lee", "view_agent", "a001", "agent"),
        ("lee", "alert_ack", alert.id, "called the vendor"),
        ("lee", "sign_out", "", ""),
    ]
    assert served.client.hget(served.keys.alert_acks(), alert.id) is not None
    assert audit.entries(1)[0].address == "127.0.0.1"


def test_sign_in_is_rate_limited_per_user_and_address(served: Served) -> None:
    statuses = [
        requests.post(f"{served.url}/login", data={"username": "adam", "password": "wrong"},
                      allow_redirects=False, timeout=10).status_code
        for _ in range(4)
    ]
    right = requests.post(f"{served.url}/login",
                          data={"username": "adam", "password": PASSWORD},
                          allow_redirects=False, timeout=10)
    assert statuses == [401, 401, 401, 429]
    assert right.status_code == 429
    assert 0 < int(right.headers["Retry-After"]) <= 60
    assert AuditLog(served.client, served.access_keys, refused=True).entries(
        1, "sign_in_limited")[0].who == "adam"


def test_forged_or_foreign_session_cookies_are_not_believed(served: Served) -> None:
    forged = requests.Session()
    forged.cookies.set("wb_session", "eyJ1IjoiYWRhbSJ9.AAAA.BBBB")
    response = forged.get(f"{served.url}/alerts", allow_redirects=False, timeout=10)
    assert response.status_code == 302


def test_every_response_carries_the_security_headers(served: Served) -> None:
    manager = sign_in(served, "mona")
    for path in ("/wallboard", "/agent/a001", "/login", "/_dash-layout"):
        response = manager.get(served.url + path, allow_redirects=False, timeout=10)
        headers = response.headers
        assert headers["Content-Security-Policy"] == (
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
            "font-src 'self' data:; media-src 'self' data: blob:; connect-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_open_redirects_after_sign_in_are_refused(served: Served) -> None:
    session = requests.Session()
    response = session.post(f"{served.url}/login",
                            data={"username": "vera", "password": PASSWORD,
                                  "next": "//evil.example/x"},
                            allow_redirects=False, timeout=10)
    assert response.headers["Location"] == "/wallboard"
