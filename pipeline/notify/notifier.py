"""The notifier loop: read `alerts:history` from the stored cursor, route, hand each message
to its channel's sender, advance the cursor, and escalate alerts active too long.

Runs beside the dataflow (`wallboard alerts run`), never inside it: the dataflow only
appends to Redis. The cursor (`notify:cursor`) is the id of the last history entry whose
messages are all delivered, skipped or recorded as failed, so a restart re-reads at most
the entries in flight; their delivered marks stop duplicates. Run one notifier per prefix.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections import OrderedDict
from functools import partial
from typing import Any

import redis
from pydantic import ValidationError

from pipeline.notify.clock import Clock, SystemClock
from pipeline.notify.credentials import ResolvedChannel
from pipeline.notify.delivery import ChannelSender, DeliveryJob
from pipeline.notify.keys import NotifyKeys
from pipeline.notify.messages import build_message
from pipeline.notify.routing import (
    Transition,
    alert_scope,
    channels_for,
    escalation_channels,
    split_subject,
)
from pipeline.notify.transport import Transport, post
from schemas.config import Settings
from schemas.snapshot import Alert

log = logging.getLogger("pipeline.notify")

READ_BATCH = 100
ESCALATION_SCAN_S = 1.0


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


class Notifier:
    """Start with `start()`, stop with `stop()`; or call `poll_once()` from your own loop."""

    def __init__(
        self,
        settings: Settings,
        client: redis.Redis,
        channels: dict[str, ResolvedChannel],
        *,
        transport: Transport = post,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        keys: NotifyKeys | None = None,
    ) -> None:
        self.settings = settings
        self.notify = settings.notify
        self.client = client
        self.keys = keys or NotifyKeys(settings.redis_prefix)
        self.clock = clock or SystemClock()
        self.stop_event = threading.Event()
        rng = rng or random.Random()
        self.senders = {
            name: ChannelSender(
                channel,
                client,
                self.keys,
                self.notify.retry,
                self.notify.delivered_ttl_s,
                transport=transport,
                clock=self.clock,
                rng=random.Random(rng.random()),
                stop=self.stop_event,
            )
            for name, channel in channels.items()
        }
        self._pending: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._read_from: str | None = None
        self._escalating: set[tuple[str, str]] = set()
        self._last_escalation_scan: float | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        for sender in self.senders.values():
            sender.start()
        self._thread = threading.Thread(target=self._loop, name="notify-reader", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop reading and sending; messages not yet delivered are sent after a restart."""
        self.stop_event.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        for sender in self.senders.values():
            if sender.thread.is_alive():
                sender.thread.join(timeout_s)

    def run_forever(self) -> None:
        self.start()
        try:
            while not self.stop_event.wait(0.5):
                pass
        finally:
            self.stop()

    def _loop(self) -> None:
        block_ms = int(self.notify.poll_interval_s * 1000)
        while not self.stop_event.is_set():
            try:
                self.poll_once(block_ms)
            except redis.RedisError as exc:
                log.error("notifier: Redis unavailable (%s), retrying", type(exc).__name__)
                self.stop_event.wait(self.notify.poll_interval_s)

    # Reading -----------------------------------------------------------------------------
    def _start_position(self) -> str:
        cursor = self.client.get(self.keys.notify_cursor())
        if cursor is not None:
            return _text(cursor)
        if self.notify.start_at == "beginning":
            return "0-0"
        last = self.client.xrevrange(self.keys.alerts_history(), count=1)
        return _text(last[0][0]) if last else "0-0"

    def poll_once(self, block_ms: int = 0) -> int:
        """Read and dispatch the next batch of transitions; returns how many were read."""
        if self._read_from is None:
            self._read_from = self._start_position()
        reply: Any = self.client.xread(
            {self.keys.alerts_history(): self._read_from},
            count=READ_BATCH,
            block=block_ms if block_ms > 0 else None,
        )
        read = 0
        for _stream, entries in reply or []:
            for raw_id, fields in entries:
                if self.stop_event.is_set():
                    return read
                self._dispatch(_text(raw_id), fields)
                read += 1
        self._maybe_escalate()
        return read

    def _dispatch(self, entry_id: str, fields: dict[Any, Any]) -> None:
        decoded = {_text(k): _text(v) for k, v in fields.items()}
        transition: Transition | None = None
        if decoded.get("transition") == "raised":
            transition = "raised"
        elif decoded.get("transition") == "cleared":
            transition = "cleared"
        try:
            alert = Alert.model_validate_json(decoded.get("alert", ""))
        except ValidationError:
            alert = None
        if alert is None or transition is None:
            log.warning("notifier: history entry %s is not an alert transition, skipped", entry_id)
            self._register(entry_id, 0)
            self._read_from = entry_id
            return
        now = self.clock.now()
        scope = alert_scope(alert, self.settings, self._agent_team(alert))
        targets = [
            c
            for c in channels_for(self.settings, alert, transition, scope, now)
            if c in self.senders
        ]
        self._register(entry_id, len(targets))
        for name in targets:
            if not self._submit(name, transition, alert, partial(self._entry_done, entry_id)):
                return  # shutting down: the cursor stays before this entry
        self._read_from = entry_id

    def _submit(self, channel: str, transition: Transition, alert: Alert, on_done: Any) -> bool:
        sender = self.senders[channel]
        message = build_message(
            alert, transition, sender.channel.language, self.settings, self.clock.now()
        )
        requires: Transition | None = "raised" if transition == "cleared" else None
        return sender.submit(DeliveryJob(transition, alert, message, on_done, requires))

    def _agent_team(self, alert: Alert) -> str | None:
        kind, agent = split_subject(alert.subject)
        if kind != "agent":
            return None
        raw = self.client.get(self.keys.entity("agent", agent))
        if raw is None:
            return None
        try:
            team = json.loads(raw).get("team")
        except (ValueError, AttributeError):
            return None
        return team if isinstance(team, str) else None

    # Cursor ------------------------------------------------------------------------------
    def _register(self, entry_id: str, jobs: int) -> None:
        with self._lock:
            self._pending[entry_id] = jobs
        if jobs == 0:
            self._advance()

    def _entry_done(self, entry_id: str) -> None:
        with self._lock:
            self._pending[entry_id] -= 1
        self._advance()

    def _advance(self) -> None:
        """Store the cursor at the end of the leading run of finished entries."""
        with self._lock:
            last: str | None = None
            while self._pending and next(iter(self._pending.values())) <= 0:
                last, _ = self._pending.popitem(last=False)
            if last is not None:
                self.client.set(self.keys.notify_cursor(), last)

    # Escalation --------------------------------------------------------------------------
    def _maybe_escalate(self) -> None:
        if self.notify.escalate_after_s is None:
            return
        now_mono = self.clock.monotonic()
        if (
            self._last_escalation_scan is not None
            and now_mono - self._last_escalation_scan < ESCALATION_SCAN_S
        ):
            return
        self._last_escalation_scan = now_mono
        self.escalate_now()

    def escalate_now(self) -> int:
        """Queue one escalation per (channel, alert) active past `escalate_after_s`."""
        now = self.clock.now()
        active_ids: set[str] = set()
        queued = 0
        for raw in self.client.hvals(self.keys.alerts_active()):
            try:
                alert = Alert.model_validate_json(raw)
            except ValidationError:
                continue
            active_ids.add(alert.id)
            for name in escalation_channels(self.settings, alert, now):
                if (name, alert.id) in self._escalating or name not in self.senders:
                    continue
                self._escalating.add((name, alert.id))
                if not self._submit(name, "escalated", alert, lambda: None):
                    return queued
                queued += 1
        self._escalating = {(c, a) for c, a in self._escalating if a in active_ids}
        return queued
