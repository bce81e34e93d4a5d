"""Per-channel sender workers: a bounded queue, the rate limit, retries and the
"delivered" marks that keep a restart from sending twice.

De-duplication: before sending, a job whose mark `notify:delivered:<channel>:<transition>:
<alert id>` exists is skipped; after a 2xx the mark is written with SET NX. A crash between
the vendor's 2xx and the SET is the one window in which a restart sends a duplicate.
A `cleared` message goes only to a channel that got the alert's `raised` message (not held
back by quiet hours, not failed, not before the notifier's first start).
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass

import redis

from pipeline.notify.clock import Clock
from pipeline.notify.credentials import ResolvedChannel
from pipeline.notify.formatters import build_request
from pipeline.notify.keys import FAILED_MAXLEN, NotifyKeys
from pipeline.notify.messages import AlertMessage
from pipeline.notify.ratelimit import TokenBucket
from pipeline.notify.routing import Transition
from pipeline.notify.transport import SendOutcome, Transport
from schemas.notify import RetrySettings
from schemas.snapshot import Alert

log = logging.getLogger("pipeline.notify")

REDIS_RETRY_S = 1.0


def backoff_delay(attempt: int, retry: RetrySettings, rng: random.Random) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based).

    Exponential `base * 2**(attempt-1)` capped at `max_delay_s`, with "equal jitter": half
    of it fixed, half uniformly random, so senders that failed together spread out.
    """
    ceiling = min(retry.max_delay_s, retry.base_delay_s * 2 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class DeliveryResult:
    """The last attempt's outcome; `stopped` when shutdown interrupted the retries."""

    outcome: SendOutcome
    attempts: int
    stopped: bool = False


def deliver_with_retries(
    channel: ResolvedChannel,
    message: AlertMessage,
    retry: RetrySettings,
    *,
    transport: Transport,
    bucket: TokenBucket,
    clock: Clock,
    rng: random.Random,
    stop: threading.Event,
) -> DeliveryResult:
    """Send one message, retrying retryable failures; Retry-After wins over the backoff."""
    attempt = 0
    outcome = SendOutcome(False, True, None, "not sent")
    while True:
        while (wait := bucket.take(clock.monotonic())) > 0:
            if stop.wait(wait):
                return DeliveryResult(outcome, attempt, stopped=True)
        attempt += 1
        request = build_request(channel, message, clock.now().timestamp())
        outcome = transport(request, channel.vendor, retry.timeout_s)
        if outcome.delivered or not outcome.retryable or attempt >= retry.max_attempts:
            return DeliveryResult(outcome, attempt)
        if outcome.retry_after_s is not None:
            delay = min(outcome.retry_after_s, retry.max_retry_after_s)
        else:
            delay = backoff_delay(attempt, retry, rng)
        log.warning(
            "channel %s: alert %s attempt %d failed (%s), retrying in %.2f s",
            channel.name,
            message.alert.id,
            attempt,
            outcome.reason,
            delay,
        )
        if stop.wait(delay):
            return DeliveryResult(outcome, attempt, stopped=True)


@dataclass(frozen=True)
class DeliveryJob:
    """One message for one channel; `on_done` runs once it is delivered, skipped or failed."""

    transition: Transition
    alert: Alert
    message: AlertMessage
    on_done: Callable[[], None]
    # Send only if this transition was delivered to the channel before (a `cleared` needs
    # its `raised`: no "recovered" message about an alert the channel never heard of).
    requires: Transition | None = None


class ChannelSender:
    """One worker thread per channel, fed by a bounded queue."""

    def __init__(
        self,
        channel: ResolvedChannel,
        client: redis.Redis,
        keys: NotifyKeys,
        retry: RetrySettings,
        delivered_ttl_s: int,
        *,
        transport: Transport,
        clock: Clock,
        rng: random.Random,
        stop: threading.Event,
    ) -> None:
        self.channel = channel
        self.client = client
        self.keys = keys
        self.retry = retry
        self.delivered_ttl_s = delivered_ttl_s
        self.transport = transport
        self.clock = clock
        self.rng = rng
        self.stop = stop
        self.bucket = TokenBucket(channel.rate_per_min, channel.burst, clock.monotonic())
        self.jobs: queue.Queue[DeliveryJob] = queue.Queue(maxsize=channel.queue_size)
        self.thread = threading.Thread(target=self._run, name=f"notify-{channel.name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def submit(self, job: DeliveryJob) -> bool:
        """Queue a job, waiting while the queue is full; False if shutdown came first."""
        while not self.stop.is_set():
            try:
                self.jobs.put(job, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                job = self.jobs.get(timeout=0.1)
            except queue.Empty:
                continue
            finished = False
            while not self.stop.is_set():
                try:
                    finished = self._handle(job)
                    break
                except redis.RedisError as exc:
                    log.error(
                        "channel %s: Redis unavailable (%s), holding alert %s",
                        self.channel.name,
                        type(exc).__name__,
                        job.alert.id,
                    )
                    self.stop.wait(REDIS_RETRY_S)
            if not finished:
                continue  # stopped: the cursor stays before it and a restart sends it
            try:
                job.on_done()  # exactly once per job, so the cursor count stays right
            except redis.RedisError as exc:
                log.error(
                    "channel %s: cursor not stored (%s)", self.channel.name, type(exc).__name__
                )

    def _handle(self, job: DeliveryJob) -> bool:
        """Deliver, skip or record the failure of one job; False when shutdown interrupted."""
        mark = self.keys.notify_delivered(self.channel.name, job.transition, job.alert.id)
        if self.client.exists(mark):
            log.info(
                "channel %s: %s %s already delivered, skipped",
                self.channel.name,
                job.transition,
                job.alert.id,
            )
            return True
        if job.requires is not None and not self.client.exists(
            self.keys.notify_delivered(self.channel.name, job.requires, job.alert.id)
        ):
            log.info(
                "channel %s: %s %s skipped, its %s message was not sent",
                self.channel.name,
                job.transition,
                job.alert.id,
                job.requires,
            )
            return True
        result = deliver_with_retries(
            self.channel,
            job.message,
            self.retry,
            transport=self.transport,
            bucket=self.bucket,
            clock=self.clock,
            rng=self.rng,
            stop=self.stop,
        )
        if result.stopped:
            return False
        if result.outcome.delivered:
            self.client.set(mark, self.clock.now().isoformat(), nx=True, ex=self.delivered_ttl_s)
            log.info(
                "channel %s: %s %s delivered (%s, attempt %d)",
                self.channel.name,
                job.transition,
                job.alert.id,
                result.outcome.reason,
                result.attempts,
            )
        else:
            self.client.xadd(
                self.keys.notify_failed(),
                {
                    "channel": self.channel.name,
                    "alert_id": job.alert.id,
                    "transition": job.transition,
                    "reason": result.outcome.reason,
                    "attempts": str(result.attempts),
                    "failed_at": self.clock.now().isoformat(),
                    "alert": job.alert.model_dump_json(),
                },
                maxlen=FAILED_MAXLEN,
                approximate=True,
            )
            log.error(
                "channel %s: %s %s failed after %d attempt(s): %s",
                self.channel.name,
                job.transition,
                job.alert.id,
                result.attempts,
                result.outcome.reason,
            )
        return True
