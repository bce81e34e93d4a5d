"""Sign-in floods: 10,000 refused sign-ins from one address lock nobody out elsewhere,
create no key per attempted name, and evict nothing from the authenticated audit trail.
(Flask's test client against the real app and a real Redis: 10,000 requests over HTTP
would only measure the socket.)"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import flask
import pytest
import redis

from dashboard import ids
from dashboard.app import create_app
from pipeline.access.audit import AuditLog
from pipeline.access.keys import AccessKeys
from pipeline.redis_keys import RedisKeys
from tests.access.conftest import PASSWORD, access_settings, callback_body
from tests.dashboard.fixtures import write_floor

ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"
FLOOD = 10_000


@dataclass
class Flooded:
    app: flask.Flask
    client: redis.Redis
    keys: AccessKeys
    dash_app: object


@pytest.fixture
def flooded(redis_url: str) -> Iterator[Flooded]:
    prefix = f"wbflood-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    write_floor(client, RedisKeys(prefix), datetime.now(tz=UTC), history_minutes=1)
    # The smallest trails allowed: a flood would turn them over many times.
    app = create_app(redis_url, prefix, access=access_settings(
        audit_maxlen=100, audit_refused_maxlen=100, signin_window_s=300))
    try:
        yield Flooded(app.server, client, AccessKeys(prefix), app)
    finally:
        leftovers = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if leftovers:
            client.delete(*leftovers)
        client.close()


def sign_in(app: flask.Flask, user: str, password: str, address: str) -> tuple[int, object]:
    client = app.test_client()
    response = client.post("/login", data={"username": user, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    return response.status_code, client


@pytest.mark.slow  # 10,000 requests: ~10 s on an idle machine (the acceptance case)
def test_ten_thousand_refused_sign_ins_from_one_address_change_nothing_elsewhere(
    flooded: Flooded
) -> None:
    app = flooded.app
    # Authenticated actions before the flood: a sign-in, a drill-down, an acknowledgement.
    status, lee = sign_in(app, "lee", PASSWORD, OFFICE)
    assert status == 302
    opened = callback_body(flooded.dash_app, "_pages_content",  # type: ignore[arg-type]
                           {"_pages_location.pathname": "/agent/a001",
                            "_pages_location.search": ""})
    assert lee.post("/_dash-update-component", json=opened,  # type: ignore[attr-defined]
                    environ_base={"REMOTE_ADDR": OFFICE}).status_code == 200
    ack = callback_body(flooded.dash_app, ids.AL_ACK_RESULT, {  # type: ignore[arg-type]
        f"{ids.AL_ACK_BUTTON}.n_clicks": 1,
        f"{ids.AL_ACTIVE}.derived_virtual_data": [{"id": "long_away:a005:1"}],
        f"{ids.AL_ACTIVE}.derived_virtual_selected_rows": [0],
        f"{ids.AL_ACK_NOTE}.value": "on it", f"{ids.AL_PARAMS}.data": {"lang": "en"}})
    assert lee.post("/_dash-update-component", json=ack,  # type: ignore[attr-defined]
                    environ_base={"REMOTE_ADDR": OFFICE}).status_code == 200
    audit = AuditLog(flooded.client, flooded.keys)
    before = [(e.entry_id, e.who, e.action, e.target) for e in audit.entries(100)]
    assert [row[1:] for row in reversed(before)] == [
        ("lee", "sign_in", ""), ("lee", "view_agent", "a001"),
        ("lee", "alert_ack", "long_away:a005:1")]

    # The flood: the real user's name (and made-up ones) with wrong passwords.
    attacker = app.test_client()
    statuses: dict[int, int] = {}
    for n in range(FLOOD):
        name = "lee" if n % 2 == 0 else f"guess{n}"
        response = attacker.post("/login", data={"username": name, "password": "wrong"},
                                 environ_base={"REMOTE_ADDR": ATTACKER})
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    # 3 attempts per name and address (lee: n = 0, 2, 4), 12 per address; then 429.
    assert statuses == {401: 9, 429: FLOOD - 9}

    # The real user, from the office: not locked out.
    status, _ = sign_in(app, "lee", PASSWORD, OFFICE)
    assert status == 302
    after = [(e.entry_id, e.who, e.action, e.target) for e in audit.entries(100)]
    assert after[1:] == before  # nothing evicted
    assert after[0][1:] == ("lee", "sign_in", "")
    # Refused attempts: in their own stream; `sign_in_limited` once for the pair (n = 6)
    # and once for the address (n = 12), not 9,991 times.
    refused = AuditLog(flooded.client, flooded.keys, refused=True).entries(1000)
    assert [(e.who, e.action) for e in refused if e.action == "sign_in_limited"] == [
        ("lee", "sign_in_limited"), ("lee", "sign_in_limited")]
    assert {e.address for e in refused} == {ATTACKER}
    assert len(refused) == 9 + 2
    # Bounded keys: one hash for the window's counters (it may straddle two windows)
    # holding the address, lee's pair and the six names tried before the address limit.
    counters = list(flooded.client.scan_iter(match=f"{flooded.keys.prefix}:access:signin:*"))
    assert 1 <= len(counters) <= 2
    assert sum(flooded.client.hlen(k) for k in counters) <= 2 * 8
    assert all(0 < flooded.client.ttl(k) <= 600 for k in counters)


def test_wrong_passwords_from_elsewhere_do_not_lock_the_real_user_out(
    flooded: Flooded
) -> None:
    for n in range(30):
        sign_in(flooded.app, "mona", "wrong", f"192.0.2.{n + 1}")
    assert sign_in(flooded.app, "mona", "wrong", OFFICE)[0] == 401
    assert sign_in(flooded.app, "mona", PASSWORD, OFFICE)[0] == 302
    # ... while the attacker's own pair stays locked.
    assert sign_in(flooded.app, "mona", PASSWORD, "192.0.2.1")[0] == 302
    for _ in range(3):
        sign_in(flooded.app, "mona", "wrong", "192.0.2.1")
    assert sign_in(flooded.app, "mona", PASSWORD, "192.0.2.1")[0] == 429


def test_one_ipv6_client_counts_as_its_64_network(flooded: Flooded) -> None:
    names = ("vera", "lee", "mona", "adam", "ann")  # ≤ 3 tries each: under the pair limit
    codes = [sign_in(flooded.app, names[n % 5], "wrong", f"2001:db8:1:2::{n:x}")[0]
             for n in range(1, 15)]
    assert codes == [401] * 12 + [429] * 2
