"""The dashboard runs as the Redis ACL user documented in docs/redis-layout.md (reads
only what it shows, writes only acks, audit, sessions and sign-in counters): sign-in,
pages, an acknowledgement and sign-out all work, and the user cannot read dead letters
or the screen registry, nor rewrite `wb:config`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis

from dashboard import ids
from dashboard.app import create_app
from pipeline.access.audit import AuditLog
from pipeline.access.keys import AccessKeys
from pipeline.redis_keys import RedisKeys
from tests.access.conftest import PASSWORD, access_settings, callback_body
from tests.conftest import REPO
from tests.dashboard.fixtures import write_floor

ACL_PASSWORD = "dashboard-acl-7c1"


def documented_acl(prefix: str, major: int) -> list[str]:
    """The `ACL SETUSER` rules of docs/redis-layout.md, for key prefix `prefix` and Redis
    major version `major` (6.2 has no read-only key patterns: `%R~` becomes `~`)."""
    text = (REPO / "docs" / "redis-layout.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(ACL SETUSER wallboard-dashboard .*?)```", text, re.DOTALL)
    assert block is not None
    words = block.group(1).split()[3:]  # after ACL SETUSER <name>
    rules = [w.replace("wb:", f"{prefix}:").replace(">CHANGE-ME", f">{ACL_PASSWORD}")
             for w in words]
    return rules if major >= 7 else [r.replace("%R~", "~", 1) for r in rules]


@pytest.fixture
def acl_url(redis_url: str) -> Iterator[tuple[str, str, redis.Redis]]:
    prefix = f"wbacl{uuid.uuid4().hex[:8]}"
    user = f"dash-{prefix}"
    admin = redis.Redis.from_url(redis_url)
    major = int(str(admin.info("server")["redis_version"]).split(".")[0])
    admin.execute_command("ACL", "SETUSER", user, *documented_acl(prefix, major))
    parts = urlsplit(redis_url)
    url = f"redis://{user}:{ACL_PASSWORD}@{parts.hostname}:{parts.port}/0"
    try:
        yield url, prefix, admin
    finally:
        admin.execute_command("ACL", "DELUSER", user)
        leftovers = list(admin.scan_iter(match=f"{prefix}:*", count=1000))
        if leftovers:
            admin.delete(*leftovers)
        admin.close()


def test_the_dashboard_works_as_the_documented_acl_user_and_reads_nothing_else(
    acl_url: tuple[str, str, redis.Redis], tmp_path: Path
) -> None:
    url, prefix, admin = acl_url
    keys = RedisKeys(prefix)
    write_floor(admin, keys, datetime.now(tz=UTC), history_minutes=5)
    admin.xadd(keys.dead_letter(), {"reason": "bad json", "raw": "x"})
    app = create_app(url, prefix, access=access_settings(), archive_dir=tmp_path)
    client = app.server.test_client()
    response = client.post("/login", data={"username": "lee", "password": PASSWORD})
    assert response.status_code == 302
    for path in ("/agent/a001", "/team/bj_claims_a", "/queue/claims_report", "/alerts"):
        body = callback_body(app, "_pages_content", {"_pages_location.pathname": path,
                                                     "_pages_location.search": ""})
        assert client.post("/_dash-update-component", json=body).status_code == 200, path
    refresh = callback_body(app, ids.A_STATE, {f"{ids.A_INTERVAL}.n_intervals": 1,
                                               f"{ids.A_PARAMS}.data": {"agent": "a001"}})
    answer = client.post("/_dash-update-component", json=refresh)
    assert answer.status_code == 200 and "a001" in answer.get_data(as_text=True)
    ack = callback_body(app, ids.AL_ACK_RESULT, {
        f"{ids.AL_ACK_BUTTON}.n_clicks": 1,
        f"{ids.AL_ACTIVE}.derived_virtual_data": [{"id": "long_away:a005:1"}],
        f"{ids.AL_ACTIVE}.derived_virtual_selected_rows": [0],
        f"{ids.AL_ACK_NOTE}.value": "on it", f"{ids.AL_PARAMS}.data": {"lang": "en"}})
    assert client.post("/_dash-update-component", json=ack).status_code == 200
    assert client.get("/logout").status_code == 302
    assert [e.action for e in AuditLog(admin, AccessKeys(prefix)).entries(10)] == [
        "sign_out", "alert_ack", "view_agent", "sign_in"]
    assert admin.hget(keys.alert_acks(), "long_away:a005:1") is not None

    dashboard = redis.Redis.from_url(url)
    try:
        for forbidden in (lambda: dashboard.xrange(keys.dead_letter()),
                          lambda: dashboard.hgetall(f"{prefix}:access:screens"),
                          lambda: dashboard.set(keys.config(), "{}"),
                          lambda: dashboard.get("other-app:secret")):
            with pytest.raises(redis.exceptions.NoPermissionError):
                forbidden()
    finally:
        dashboard.close()
