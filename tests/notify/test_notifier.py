"""The notifier against a real Redis and a real webhook receiver."""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import redis

from pipeline.notify.clock import FixedWallClock
from pipeline.notify.credentials import resolve_channels
from pipeline.notify.keys import NotifyKeys
from pipeline.notify.notifier import Notifier
from pipeline.redis_keys import RedisKeys
from schemas.config import Settings
from schemas.snapshot import Alert
from tests.notify.conftest import (
    FAST_RETRY,
    SIGNING_SECRET,
    TOKEN,
    Reply,
    WebhookServer,
    long_away,
    sample_settings,
    sl_breach,
)

DAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
NIGHT = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)  # 23:30 Shanghai


def _settings(prefix: str, **notify: Any) -> Settings:
    table: dict[str, Any] = {
        "dashboard_url": "http://wallboard.test",
        "start_at": "beginning",
        "poll_interval_s": 0.05,
        "retry": FAST_RETRY,
        "channels": {
            "claims": {
                "vendor": "webhook",
                "url_env": "WB_CLAIMS_URL",
                "secret_env": "WB_SEC",
                "rate_per_min": 6000,
            },
            "duty": {"vendor": "wecom", "url_env": "WB_DUTY_URL"},
        },
        "routes": [
            {
                "name": "claims",
                "queues": ["claims_report"],
                "teams": ["bj_claims_a"],
                "channels": ["claims"],
                "quiet_hours": {"start": "22:00", "end": "08:00"},
            }
        ],
    }
    table.update(notify)
    return sample_settings(table, redis_prefix=prefix)


def _notifier(
    settings: Settings,
    client: redis.Redis,
    webhook: WebhookServer,
    now: datetime = DAY,
) -> Notifier:
    environ = {
        "WB_CLAIMS_URL": webhook.url("/claims"),
        "WB_DUTY_URL": webhook.url("/duty"),
        "WB_SEC": SIGNING_SECRET,
    }
    channels = resolve_channels(settings.notify, environ)
    return Notifier(settings, client, channels, clock=FixedWallClock(now), rng=random.Random(5))


def _append(client: redis.Redis, keys: RedisKeys, transition: str, alert: Alert) -> str:
    entry: Any = client.xadd(
        keys.alerts_history(), {"transition": transition, "alert": alert.model_dump_json()}
    )
    return str(entry.decode())


def _ids(webhook: WebhookServer, path: str = "/claims") -> list[tuple[str, str]]:
    out = []
    for r in webhook.received:
        if r.path == path:
            body = json.loads(r.body)
            out.append((body["alert"]["id"], body["transition"]))
    return out


def _wait_cursor(client: redis.Redis, keys: NotifyKeys, entry: str) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        cursor: Any = client.get(keys.notify_cursor())
        if cursor is not None and cursor.decode() == entry:
            return
        time.sleep(0.02)
    raise AssertionError(f"cursor stuck at {client.get(keys.notify_cursor())!r}")


def test_raised_and_cleared_are_delivered_and_cursor_advances(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    alert = sl_breach()
    _append(redis_client, keys, "raised", alert)
    other = long_away("a001")  # agent of no routed team: goes nowhere
    _append(redis_client, keys, "raised", other)
    last = _append(redis_client, keys, "cleared", sl_breach(cleared_at="2026-03-02T09:20:00+08:00"))
    notifier = _notifier(settings, redis_client, webhook)
    notifier.start()
    try:
        _wait_cursor(redis_client, keys, last)
    finally:
        notifier.stop()
    assert _ids(webhook) == [(alert.id, "raised"), (alert.id, "cleared")]
    assert webhook.received[0].query == {"access_token": [TOKEN]}
    raised_mark = keys.notify_delivered("claims", "raised", alert.id)
    assert redis_client.get(raised_mark) == DAY.isoformat().encode()
    assert 0 < redis_client.ttl(raised_mark) <= 8 * 24 * 3600


def test_agent_alert_routed_by_team_read_from_redis(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    redis_client.set(keys.entity("agent", "a017"), json.dumps({"team": "bj_claims_a"}))
    last = _append(redis_client, keys, "raised", long_away("a017"))
    notifier = _notifier(settings, redis_client, webhook)
    notifier.start()
    try:
        _wait_cursor(redis_client, keys, last)
    finally:
        notifier.stop()
    assert _ids(webhook) == [("long_away:a017:1772413200", "raised")]


def test_restart_mid_stream_loses_nothing_and_duplicates_nothing(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    webhook.default = Reply(body=b"{}", delay_s=0.03)
    alerts = [sl_breach(n=n) for n in range(30)]
    for alert in alerts[:20]:
        _append(redis_client, keys, "raised", alert)
    first = _notifier(settings, redis_client, webhook)
    first.start()
    webhook.wait_for(8)
    first.stop()
    sent_before_restart = len(webhook.received)
    assert 8 <= sent_before_restart < 20
    last = ""
    for alert in alerts[20:]:
        last = _append(redis_client, keys, "raised", alert)
    second = _notifier(settings, redis_client, webhook)
    second.start()
    try:
        _wait_cursor(redis_client, keys, last)
    finally:
        second.stop()
    assert sorted(_ids(webhook)) == sorted((a.id, "raised") for a in alerts)


def test_redelivery_is_skipped_when_already_marked(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    last = _append(redis_client, keys, "raised", sl_breach())
    for _ in range(2):  # the second run has lost its cursor, e.g. restored from a backup
        notifier = _notifier(settings, redis_client, webhook)
        notifier.start()
        try:
            _wait_cursor(redis_client, keys, last)
        finally:
            notifier.stop()
        redis_client.delete(keys.notify_cursor())
    assert len(webhook.received) == 1


def test_failed_delivery_goes_to_failed_stream_with_reason(
    webhook: WebhookServer,
    redis_client: redis.Redis,
    redis_prefix: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    webhook.default = Reply(status=500, body=b"boom")
    alert = sl_breach()
    last = _append(redis_client, keys, "raised", alert)
    notifier = _notifier(settings, redis_client, webhook)
    notifier.start()
    try:
        _wait_cursor(redis_client, keys, last)
    finally:
        notifier.stop()
    assert len(webhook.received) == 3
    entries: Any = redis_client.xrange(keys.notify_failed())
    assert len(entries) == 1
    fields = {k.decode(): v.decode() for k, v in entries[0][1].items()}
    assert fields == {
        "channel": "claims",
        "alert_id": alert.id,
        "transition": "raised",
        "reason": "HTTP 500",
        "attempts": "3",
        "failed_at": DAY.isoformat(),
        "alert": alert.model_dump_json(),
    }
    assert redis_client.exists(keys.notify_delivered("claims", "raised", alert.id)) == 0
    assert "failed after 3 attempt(s): HTTP 500" in caplog.text
    for secret in (TOKEN, SIGNING_SECRET, webhook.base):
        assert secret not in caplog.text


def test_quiet_hours_hold_back_non_critical_at_night(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    redis_client.set(keys.entity("agent", "a017"), json.dumps({"team": "bj_claims_a"}))
    _append(redis_client, keys, "raised", long_away("a017"))  # warning: held back
    last = _append(redis_client, keys, "raised", sl_breach())  # critical: passes
    notifier = _notifier(settings, redis_client, webhook, now=NIGHT)
    notifier.start()
    try:
        _wait_cursor(redis_client, keys, last)
    finally:
        notifier.stop()
    assert _ids(webhook) == [(sl_breach().id, "raised")]


def test_cleared_goes_only_where_raised_was_sent(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix)
    keys = NotifyKeys(redis_prefix)
    redis_client.set(keys.entity("agent", "a017"), json.dumps({"team": "bj_claims_a"}))
    away = long_away("a017")
    _append(redis_client, keys, "raised", away)  # at night: held back
    notifier = _notifier(settings, redis_client, webhook, now=NIGHT)
    clock = notifier.clock
    assert isinstance(clock, FixedWallClock)
    notifier.start()
    try:
        _wait_cursor(redis_client, keys, _append(redis_client, keys, "raised", sl_breach()))
        clock.moment = DAY  # morning: both clear
        cleared = away.model_copy(update={"cleared_at": "2026-03-03T08:30:00+08:00"})
        _append(redis_client, keys, "cleared", cleared)
        last = _append(
            redis_client, keys, "cleared", sl_breach(cleared_at="2026-03-02T23:50:00+08:00")
        )
        _wait_cursor(redis_client, keys, last)
    finally:
        notifier.stop()
    assert _ids(webhook) == [(sl_breach().id, "raised"), (sl_breach().id, "cleared")]


def test_escalation_sent_once_for_alert_active_too_long(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix, escalate_after_s=900, escalation_channels=["duty"])
    keys = NotifyKeys(redis_prefix)
    old = sl_breach(raised_at="2026-03-02T09:40:00+08:00")  # 20 min before DAY
    young = sl_breach(raised_at="2026-03-02T09:50:00+08:00", n=1)
    for alert in (old, young):
        redis_client.hset(keys.alerts_active(), alert.id, alert.model_dump_json())
    for _ in range(2):  # a restart must not escalate again
        notifier = _notifier(settings, redis_client, webhook)
        assert notifier.escalate_now() + notifier.escalate_now() == 1
        notifier.start()
        deadline = time.monotonic() + 5
        mark = keys.notify_delivered("duty", "escalated", old.id)
        while not redis_client.exists(mark) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        notifier.stop()
    duty = [r for r in webhook.received if r.path == "/duty"]
    assert len(duty) == 1
    content = json.loads(duty[0].body)["markdown"]["content"]
    assert content.splitlines()[:4] == [
        '### <font color="warning">[升级] 服务水平未达标 · 队列 理赔报案 (claims_report)</font>',
        "> 级别：严重",
        "> 对象：队列 理赔报案 (claims_report)",
        "> 发生时间：2026-03-02 09:40:00",
    ]
    assert "> 已持续：20分00秒" in content


def test_without_cursor_latest_skips_old_history(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = _settings(redis_prefix, start_at="latest")
    keys = NotifyKeys(redis_prefix)
    _append(redis_client, keys, "raised", sl_breach(n=1))
    notifier = _notifier(settings, redis_client, webhook)
    notifier.start()
    try:
        time.sleep(0.2)
        last = _append(redis_client, keys, "raised", sl_breach(n=2))
        _wait_cursor(redis_client, keys, last)
    finally:
        notifier.stop()
    assert _ids(webhook) == [(sl_breach(n=2).id, "raised")]
