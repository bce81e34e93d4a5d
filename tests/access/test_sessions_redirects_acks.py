"""Sessions that end (sign-out, removal), cookies that cannot be forged, redirects that stay
on the site, acknowledgements checked on the server, and no secrets in `wb:config`."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest
import redis
import requests
from itsdangerous import URLSafeTimedSerializer

from dashboard import ids
from pipeline.access.audit import AuditLog
from pipeline.access.sessions import SessionStore
from pipeline.sinks import RedisStateWriter
from schemas.config import Settings
from tests.access.conftest import PASSWORD, Served, access_settings, callback_body, sign_in

CALLBACK = "/_dash-update-component"


def agent_page_refresh(served: Served, agent: str = "a001") -> dict[str, Any]:
    return callback_body(served.app, ids.A_STATE, {f"{ids.A_INTERVAL}.n_intervals": 1,
                                                   f"{ids.A_PARAMS}.data": {"agent": agent}})


def newest_refused(served: Served) -> tuple[str, str]:
    entry = AuditLog(served.client, served.access_keys, refused=True).entries(1)[0]
    return entry.action, entry.target


def test_a_cookie_stops_working_at_sign_out_even_if_copied_before(served: Served) -> None:
    manager = sign_in(served, "mona")
    copied = requests.Session()
    copied.cookies.set("wb_session", manager.cookies["wb_session"])
    assert copied.post(served.url + CALLBACK, json=agent_page_refresh(served),
                       timeout=10).status_code == 200
    assert manager.get(f"{served.url}/logout", allow_redirects=False,
                       timeout=10).status_code == 302
    page = copied.get(f"{served.url}/alerts", allow_redirects=False, timeout=10)
    assert (page.status_code, page.headers["Location"]) == (302, "/login?next=/alerts")
    assert newest_refused(served) == ("session_refused", "/alerts")
    assert copied.post(served.url + CALLBACK, json=agent_page_refresh(served),
                       timeout=10).status_code == 401
    assert newest_refused(served) == ("session_refused", CALLBACK)


def test_redis_holds_only_a_digest_of_the_session_token(served: Served) -> None:
    session = sign_in(served, "adam")
    token = session.cookies["wb_session"]
    digest = hashlib.sha256(token.encode()).hexdigest()
    stored = served.client.hgetall(served.access_keys.session(digest))
    assert stored[b"user"] == b"adam"
    assert 0 < served.client.ttl(served.access_keys.session(digest)) <= 8 * 3600
    dumped = b"".join(served.client.dump(k) or b"" for k in served.client.scan_iter(
        match=f"{served.access_keys.prefix}:access:*"))
    assert token.encode() not in dumped


FORGED_COOKIES = {
    # The old design: itsdangerous-signed with the key kept in Redis.
    "signed_with_the_redis_key": "signed",
    "the_digest_read_from_redis": "digest",
    "random_token": "A" * 43,
    "oversized": "A" * 5000,
    "empty": "",
}


@pytest.mark.parametrize("kind", sorted(FORGED_COOKIES))
def test_forged_session_cookies_are_refused(served: Served, kind: str) -> None:
    value = FORGED_COOKIES[kind]
    if value == "signed":
        key = "a-signing-key-an-attacker-read-from-redis"
        served.client.set(f"{served.access_keys.prefix}:access:session_key", key)
        value = URLSafeTimedSerializer(key, salt="wallboard-session").dumps(
            {"u": "adam", "n": "00"})
    elif value == "digest":
        real = sign_in(served, "adam").cookies["wb_session"]
        value = hashlib.sha256(real.encode()).hexdigest()
    forged = requests.Session()
    forged.cookies.set("wb_session", value)
    page = forged.get(f"{served.url}/alerts", allow_redirects=False, timeout=10)
    assert page.status_code == 302
    assert forged.post(served.url + CALLBACK, json=agent_page_refresh(served),
                       timeout=10).status_code == 401


def test_a_removed_user_loses_sessions_and_sign_in_at_once(served: Served) -> None:
    store = SessionStore(served.client, served.access_keys, 3600)
    adam = sign_in(served, "adam")
    assert store.remove_user("adam") >= 1
    try:
        assert adam.post(served.url + CALLBACK, json=agent_page_refresh(served),
                         timeout=10).status_code == 401
        again = requests.post(f"{served.url}/login",
                              data={"username": "adam", "password": PASSWORD},
                              allow_redirects=False, timeout=10)
        assert again.status_code == 401
    finally:
        store.restore_user("adam")
    assert sign_in(served, "adam").get(f"{served.url}/alerts", allow_redirects=False,
                                       timeout=10).status_code == 200


REDIRECTS = [
    ("/%09/evil.example", "/wallboard"),
    ("/\t/evil.example", "/wallboard"),
    ("//evil.example", "/wallboard"),
    ("//x", "/wallboard"),
    ("/\\x", "/wallboard"),
    ("/\\\\evil.example", "/wallboard"),
    ("https://x", "/wallboard"),
    ("javascript:alert(1)", "/wallboard"),
    ("/\nLocation: https://evil.example", "/wallboard"),
    ("/%0d%0aSet-Cookie:x=1", "/wallboard"),
    ("/%2F%2Fevil.example", "/wallboard"),
    ("/%5Cevil.example", "/wallboard"),
    (" //evil.example", "/wallboard"),
    ("/" + "a" * 3000, "/wallboard"),
    ("", "/wallboard"),
    ("/queue/claims_report?lang=en", "/queue/claims_report?lang=en"),
    ("/alerts", "/alerts"),
]


@pytest.mark.parametrize(("next_path", "location"), REDIRECTS)
def test_sign_in_redirects_only_to_paths_on_this_site(
    served: Served, next_path: str, location: str
) -> None:
    response = requests.post(f"{served.url}/login",
                             data={"username": "vera", "password": PASSWORD,
                                   "next": next_path},
                             allow_redirects=False, timeout=10)
    assert (response.status_code, response.headers["Location"]) == (302, location)


def test_the_sign_in_form_echoes_next_as_text(served: Served) -> None:
    response = requests.get(f"{served.url}/login",
                            params={"next": '"><script>alert(1)</script>'}, timeout=10)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&quot;&gt;&lt;script&gt;" in response.text


def ack_body(served: Served, alert_id: str, note: Any = "called the vendor",
             rows: Any = None, selected: Any = None) -> dict[str, Any]:
    return callback_body(served.app, ids.AL_ACK_RESULT, {
        f"{ids.AL_ACK_BUTTON}.n_clicks": 1,
        f"{ids.AL_ACTIVE}.derived_virtual_data": rows if rows is not None
        else [{"id": alert_id}],
        f"{ids.AL_ACTIVE}.derived_virtual_selected_rows": selected if selected is not None
        else [0],
        f"{ids.AL_ACK_BY}.value": "",
        f"{ids.AL_ACK_NOTE}.value": note,
        f"{ids.AL_PARAMS}.data": {"lang": "en"},
    })


def newest_audit(served: Served) -> tuple[str, str, str, str]:
    entry = AuditLog(served.client, served.access_keys).entries(1)[0]
    return entry.who, entry.action, entry.target, entry.detail


ACK_REFUSALS = [
    # (user, body arguments, audited target, audited detail)
    ("lee", {"alert_id": "sl_breach:complaints:1"}, "/alerts",
     "ack: alert 'sl_breach:complaints:1' is about a subject this role cannot see"),
    ("lee", {"alert_id": "made-up:1"}, "/alerts", "ack: no alert 'made-up:1'"),
    ("mona", {"alert_id": "made-up:1", "note": "x" * 1_000_000}, "/alerts",
     "ack: note longer than 500 characters"),
    ("mona", {"alert_id": "long_away:a005:1", "note": "x" * 501}, "/alerts",
     "ack: note longer than 500 characters"),
    ("mona", {"alert_id": "long_away:a005:1", "note": {"$gt": ""}}, "/alerts",
     "ack: note is not text"),
    ("mona", {"alert_id": "", "rows": [{"id": "long_away:a005:1"}], "selected": [5]},
     "/alerts", "ack: selection does not name a row"),
    ("mona", {"alert_id": "", "rows": [{"id": 7}]}, "/alerts",
     "ack: the selected row has no alert id"),
    ("vera", {"alert_id": "long_away:a005:1"}, "/alerts", "callback write al-ack-result.children"),
    ("ann", {"alert_id": "long_away:a005:1"}, "/alerts", "callback write al-ack-result.children"),
]


@pytest.mark.parametrize("case", ACK_REFUSALS, ids=[c[3][:40] for c in ACK_REFUSALS])
def test_acknowledgements_are_checked_on_the_server(
    served: Served, case: tuple[str, dict[str, Any], str, str]
) -> None:
    user, arguments, target, detail = case
    served.client.delete(served.keys.alert_acks())
    response = sign_in(served, user).post(served.url + CALLBACK,
                                          json=ack_body(served, **arguments), timeout=10)
    assert response.status_code == 403
    who, action, audited_target, audited_detail = newest_audit(served)
    assert (who, action, audited_target) == (user, "access_denied", target)
    assert audited_detail == detail
    assert served.client.hlen(served.keys.alert_acks()) == 0


def test_a_team_lead_acknowledges_an_alert_of_their_team_with_a_500_character_note(
    served: Served
) -> None:
    served.client.delete(served.keys.alert_acks())
    note = "n" * 500
    response = sign_in(served, "lee").post(
        served.url + CALLBACK, json=ack_body(served, "long_away:a005:1", note=note),
        timeout=10)
    assert response.status_code == 200
    stored = orjson.loads(served.client.hget(served.keys.alert_acks(), "long_away:a005:1"))
    assert (stored["by"], stored["note"]) == ("lee", note)
    assert newest_audit(served) == ("lee", "alert_ack", "long_away:a005:1", note)


def test_wb_config_carries_no_access_section(redis_url: str, redis_prefix: str) -> None:
    settings = Settings.model_validate({"redis_prefix": redis_prefix,
                                        "access": access_settings().model_dump()})
    client = redis.Redis.from_url(redis_url)
    try:
        RedisStateWriter(client, settings).write_config()
        stored = client.get(f"{redis_prefix}:config")
        assert stored is not None
        assert b"argon2" not in stored and b"password_hash" not in stored
        assert b'"access"' not in stored
        assert Settings.model_validate_json(stored).access.users == {}
    finally:
        client.delete(f"{redis_prefix}:config")
        client.close()


def test_with_sign_in_off_the_acknowledgement_limits_still_hold(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis
) -> None:
    from datetime import UTC, datetime

    from dashboard.app import create_app
    from pipeline.redis_keys import RedisKeys
    from tests.dashboard.fixtures import write_floor

    keys = RedisKeys(redis_prefix)
    write_floor(redis_client, keys, datetime.now(tz=UTC), history_minutes=1)
    app = create_app(redis_url, redis_prefix)  # no [access]: everyone sees everything
    client = app.server.test_client()

    def ack(alert_id: str, note: str) -> str:
        body = callback_body(app, ids.AL_ACK_RESULT, {
            f"{ids.AL_ACK_BUTTON}.n_clicks": 1,
            f"{ids.AL_ACTIVE}.derived_virtual_data": [{"id": alert_id}],
            f"{ids.AL_ACTIVE}.derived_virtual_selected_rows": [0],
            f"{ids.AL_ACK_BY}.value": "王丽", f"{ids.AL_ACK_NOTE}.value": note,
            f"{ids.AL_PARAMS}.data": {"lang": "en"}})
        response = client.post(CALLBACK, json=body)
        assert response.status_code == 200
        return str(response.get_json()["response"][ids.AL_ACK_RESULT]["children"])

    assert ack("made-up:1", "x") == "ack: no alert 'made-up:1'"
    assert ack("long_away:a005:1", "x" * 1_000_000) == "ack: note longer than 500 characters"
    assert redis_client.hlen(keys.alert_acks()) == 0
    assert ack("long_away:a005:1", "on it").startswith("Acknowledged")
    assert redis_client.hlen(keys.alert_acks()) == 1
