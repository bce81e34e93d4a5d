"""Retries, Retry-After, rate limit and secrecy of one channel against a real receiver."""

from __future__ import annotations

import logging
import random
import threading
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from pipeline.notify.clock import SystemClock
from pipeline.notify.credentials import ResolvedChannel
from pipeline.notify.delivery import DeliveryResult, backoff_delay, deliver_with_retries
from pipeline.notify.messages import build_message
from pipeline.notify.ratelimit import TokenBucket
from pipeline.notify.transport import judge_response, parse_retry_after, post
from schemas.notify import RetrySettings
from tests.notify.conftest import (
    FAST_RETRY,
    SIGNING_SECRET,
    TOKEN,
    Reply,
    WebhookServer,
    sample_settings,
    sl_breach,
)

SETTINGS = sample_settings({})
RETRY = RetrySettings(**FAST_RETRY)


def _channel(webhook: WebhookServer, vendor: str = "wecom", rate: float = 600) -> ResolvedChannel:
    return ResolvedChannel(
        name="claims_wecom",
        vendor=vendor,  # type: ignore[arg-type]
        language="zh-CN",
        url=SecretStr(webhook.url()),
        secret=SecretStr(SIGNING_SECRET),
        rate_per_min=rate,
        burst=1,
        queue_size=10,
    )


def _deliver(channel: ResolvedChannel, retry: RetrySettings = RETRY) -> DeliveryResult:
    clock = SystemClock()
    return deliver_with_retries(
        channel,
        build_message(sl_breach(), "raised", channel.language, SETTINGS, clock.now()),
        retry,
        transport=post,
        bucket=TokenBucket(6000, 1, clock.monotonic()),
        clock=clock,
        rng=random.Random(7),
        stop=threading.Event(),
    )


def test_retries_after_500_then_delivers(webhook: WebhookServer) -> None:
    webhook.replies = [Reply(status=500, body=b"oops")]
    result = _deliver(_channel(webhook))
    assert (result.outcome.delivered, result.outcome.status, result.attempts) == (True, 200, 2)
    assert len(webhook.received) == 2
    assert webhook.received[0].body == webhook.received[1].body


def test_retries_after_a_timeout_then_delivers(webhook: WebhookServer) -> None:
    webhook.replies = [Reply(delay_s=1.0)]  # the client gives up after 0.5 s
    result = _deliver(_channel(webhook))
    assert (result.outcome.delivered, result.attempts) == (True, 2)
    assert len(webhook.wait_for(2)) == 2


def test_honours_retry_after_on_429(webhook: WebhookServer) -> None:
    webhook.replies = [Reply(status=429, headers={"Retry-After": "1"}, body=b"slow down")]
    result = _deliver(_channel(webhook, vendor="slack"))
    assert (result.outcome.delivered, result.attempts) == (True, 2)
    gap = webhook.received[1].at - webhook.received[0].at
    assert 1.0 <= gap < 2.5


def test_wecom_rate_limit_error_code_is_retried(webhook: WebhookServer) -> None:
    webhook.replies = [Reply(body=b'{"errcode":45009,"errmsg":"api freq out of limit"}')]
    result = _deliver(_channel(webhook, vendor="wecom"))
    assert (result.outcome.delivered, result.attempts) == (True, 2)


def test_gives_up_after_last_retry_with_reason(webhook: WebhookServer) -> None:
    webhook.default = Reply(status=503, body=b"down")
    result = _deliver(_channel(webhook))
    assert (result.outcome.delivered, result.attempts, result.outcome.reason) == (
        False,
        3,
        "HTTP 503",
    )
    assert len(webhook.received) == 3


def test_client_error_is_not_retried(webhook: WebhookServer) -> None:
    webhook.default = Reply(status=400, body=b"bad")
    result = _deliver(_channel(webhook))
    assert (result.outcome.delivered, result.attempts, result.outcome.reason) == (
        False,
        1,
        "HTTP 400",
    )


def test_connection_refused_is_retried_and_reported_without_url() -> None:
    channel = ResolvedChannel(
        name="gone",
        vendor="slack",
        language="en",
        url=SecretStr(f"http://127.0.0.1:9/hook?access_token={TOKEN}"),
        secret=None,
        rate_per_min=600,
        burst=1,
        queue_size=10,
    )
    result = _deliver(channel)
    assert (result.outcome.delivered, result.attempts) == (False, 3)
    assert result.outcome.reason == "connection error (ConnectionRefusedError)"


def test_rate_limit_spaces_messages(webhook: WebhookServer) -> None:
    clock = SystemClock()
    channel = _channel(webhook, rate=121)  # burst 1, then 2 per second
    bucket = TokenBucket(channel.rate_per_min, channel.burst, clock.monotonic())
    message = build_message(sl_breach(), "raised", "zh-CN", SETTINGS, clock.now())
    for _ in range(3):
        deliver_with_retries(
            channel,
            message,
            RETRY,
            transport=post,
            bucket=bucket,
            clock=clock,
            rng=random.Random(1),
            stop=threading.Event(),
        )
    times = [r.at for r in webhook.received]
    assert times[1] - times[0] >= 0.45
    assert times[2] - times[1] >= 0.45


def test_token_bucket_keeps_any_minute_within_the_limit() -> None:
    bucket = TokenBucket(20, 1, now=0.0)
    sent, now = [], 0.0
    while now < 120:
        wait = bucket.take(now)
        if wait == 0:
            sent.append(now)
        now += wait if wait > 0 else 0.0
    windows = [sum(1 for t in sent if start <= t < start + 60) for start in sent]
    assert max(windows) == 20
    assert len(sent) == 38  # at 0 s, then every 60/19 s before 120 s
    fresh = TokenBucket(20, 1, now=0.0)
    assert (fresh.take(0.0), fresh.take(0.0)) == (0.0, pytest.approx(60 / 19))


def test_backoff_doubles_with_jitter_and_caps() -> None:
    retry = RetrySettings(base_delay_s=1, max_delay_s=8)
    rng = random.Random(3)
    delays = [backoff_delay(n, retry, rng) for n in (1, 2, 3, 4, 5, 6)]
    for delay, ceiling in zip(delays, (1, 2, 4, 8, 8, 8), strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    now = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert parse_retry_after("7", now) == 7.0
    assert parse_retry_after("Mon, 02 Mar 2026 01:00:30 GMT", now) == 30.0
    assert parse_retry_after("soon", now) is None
    assert judge_response("dingtalk", 200, b'{"errcode":310000,"errmsg":"sign not match"}', None)
    outcome = judge_response("dingtalk", 200, b'{"errcode":310000}', None)
    assert (outcome.delivered, outcome.retryable, outcome.reason) == (
        False,
        False,
        "HTTP 200, dingtalk error code 310000",
    )
    feishu = judge_response("feishu", 200, b'{"code":0,"msg":"success"}', None)
    assert feishu.delivered is True


def test_secret_never_in_logs_or_reprs(
    webhook: WebhookServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    webhook.replies = [Reply(status=500), Reply(delay_s=1.0)]
    webhook.default = Reply(status=502)
    channel = _channel(webhook)
    result = _deliver(channel)
    assert result.attempts == 3
    text = caplog.text + repr(channel) + repr(result) + str(result.outcome)
    assert "attempt 1 failed (HTTP 500)" in caplog.text
    assert TOKEN not in text
    assert SIGNING_SECRET not in text
    assert webhook.base not in text
