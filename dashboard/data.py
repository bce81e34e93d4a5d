"""The dashboard's only access to Redis (layout in docs/redis-layout.md) and, through
`dashboard.archive_data`, to the Parquet archive of past days.

One `WallboardData` is created with the app; it owns one connection pool that all
callbacks share. Every read returns the `schemas.snapshot` models; when Redis cannot be
reached (or holds something unreadable) a read raises `DataUnavailable` so a page can grey
its values and show the stale banner instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson
import redis
from pydantic import ValidationError

from dashboard.archive_data import ArchiveData, archive_dir_from_env
from dashboard.configured_forecast import ConfiguredForecast
from dashboard.interval_data import ClosedIntervalCache, IntervalEntry
from dashboard.staffing_data import StaffingCache
from pipeline.archive.query import AgentDay, IntervalCount, ProfileSlot, QueueDay
from pipeline.redis_keys import EntityKind, RedisKeys
from schemas.config import Settings
from schemas.snapshot import Alert, Heartbeat, Snapshot

ACK_TTL_S = 7 * 24 * 3600
T = TypeVar("T")


class DataUnavailable(RuntimeError):
    """Redis could not be read (down, timed out, or a value that does not parse)."""


@dataclass(frozen=True)
class FloorState:
    """Everything one wallboard tick needs, read in one round trip."""

    snapshot: Snapshot | None
    heartbeat: Heartbeat | None
    settings: Settings
    active_alerts: list[Alert]


@dataclass(frozen=True)
class HistoryPoint:
    """One per-minute history entry: `ts` (RFC 3339 minute) and its windows' KPIs."""

    entry_id: str
    ts: str
    kpis: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an agent's day: a state change or a contact."""

    ts: str
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class AlertTransition:
    entry_id: str
    transition: str
    alert: Alert


@dataclass(frozen=True)
class Ack:
    """Who acknowledged an alert, when (RFC 3339) and why."""

    by: str
    at: str
    note: str


@dataclass
class _ParsedCache:
    """Last raw config bytes and their parse: the config rarely changes."""

    raw: bytes | None = None
    settings: Settings = field(default_factory=Settings)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _raw(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _stream_rows(rows: Any) -> list[tuple[str, dict[str, Any]]]:
    """XRANGE/XREVRANGE replies as (entry id, {field name: raw value})."""
    return [
        (_text(entry_id), {_text(k): v for k, v in (fields or {}).items()})
        for entry_id, fields in rows or []
    ]


def _history_points(rows: Any) -> list[HistoryPoint]:
    return [
        HistoryPoint(
            entry_id=entry_id,
            ts=_text(decoded.get("ts", b"")),
            kpis=orjson.loads(decoded.get("kpis", b"{}")),
        )
        for entry_id, decoded in _stream_rows(rows)
    ]


def _interval_entries(rows: Any) -> list[IntervalEntry]:
    """The fields of `wb:intervals` entries, KPI JSON left undecoded (most are agents')."""
    return [
        IntervalEntry(
            entry_id=entry_id,
            kind=_text(decoded.get("kind", b"")),
            entity_id=_text(decoded.get("id", b"")),
            interval_start=_text(decoded.get("interval_start", b"")),
            interval_s=_text(decoded.get("interval_s", b"")),
            kpis=_raw(decoded.get("kpis", b"{}")),
            answered_wait_s=_optional_text(decoded.get("answered_wait_s")),
            abandoned_wait_s=_optional_text(decoded.get("abandoned_wait_s")),
        )
        for entry_id, decoded in _stream_rows(rows)
    ]


class WallboardData:
    """Reads (and, for acknowledgements, writes) the pipeline's state under one prefix."""

    def __init__(
        self,
        redis_url: str,
        prefix: str = "wb",
        *,
        timeout_s: float = 1.0,
        archive_dir: Path | None = None,
    ) -> None:
        self.keys = RedisKeys(prefix)
        self.archive = ArchiveData(archive_dir or archive_dir_from_env())
        # redis-py connects lazily: creating the pool opens nothing.
        self._pool = redis.ConnectionPool.from_url(
            redis_url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            max_connections=32,
        )
        self._client = redis.Redis(connection_pool=self._pool)
        self._config_cache = _ParsedCache()
        self.staffing = StaffingCache()
        self.configured_forecast = ConfiguredForecast()
        self.closed_intervals = ClosedIntervalCache()

    def close(self) -> None:
        self._pool.disconnect()

    def _guard(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except (redis.RedisError, OSError) as exc:
            msg = f"redis unavailable: {exc}"
            raise DataUnavailable(msg) from exc
        except (ValidationError, orjson.JSONDecodeError, ValueError) as exc:
            msg = f"unreadable value in redis: {exc}"
            raise DataUnavailable(msg) from exc

    def _settings_from(self, raw: Any) -> Settings:
        if raw is None:
            return Settings()
        if raw != self._config_cache.raw:
            self._config_cache = _ParsedCache(raw, Settings.model_validate_json(raw))
        return self._config_cache.settings

    # Current state
    def floor(self) -> FloorState:
        """Snapshot, heartbeat, config and active alerts in one pipelined round trip."""

        def read() -> FloorState:
            pipe = self._client.pipeline(transaction=False)
            pipe.mget(self.keys.snapshot(), self.keys.heartbeat(), self.keys.config())
            pipe.hvals(self.keys.alerts_active())
            (snap_raw, beat_raw, config_raw), alerts_raw = pipe.execute()
            return FloorState(
                snapshot=Snapshot.model_validate_json(snap_raw) if snap_raw else None,
                heartbeat=Heartbeat.model_validate_json(beat_raw) if beat_raw else None,
                settings=self._settings_from(config_raw),
                active_alerts=sorted(
                    (Alert.model_validate_json(raw) for raw in alerts_raw),
                    key=lambda a: (a.raised_at, a.id),
                ),
            )

        return self._guard(read)

    def settings(self) -> Settings:
        """The pipeline's validated config (`wb:config`), or the defaults when absent."""
        return self._guard(lambda: self._settings_from(self._client.get(self.keys.config())))

    # History
    def history(
        self,
        kind: EntityKind,
        entity_id: str,
        *,
        after_id: str | None = None,
        since: datetime | None = None,
        count: int = 1500,
    ) -> list[HistoryPoint]:
        """Per-minute entries of `wb:history:<kind>:<id>`, oldest first: after the entry
        `after_id`, or from the minute `since` (aware; the pipeline's entry ids are the
        minute's epoch milliseconds), or from the oldest."""
        key = self.keys.history(kind, entity_id)
        if after_id:
            start = f"({after_id}"
        elif since is not None:
            start = str(int(since.timestamp() * 1000))
        else:
            start = "-"
        return self._guard(
            lambda: _history_points(self._client.xrange(key, min=start, max="+", count=count))
        )

    def recent_history(self, kind: EntityKind, entity_id: str, count: int) -> list[HistoryPoint]:
        """The newest `count` per-minute entries of `wb:history:<kind>:<id>`, oldest first."""
        key = self.keys.history(kind, entity_id)
        return self._guard(
            lambda: _history_points(self._client.xrevrange(key, count=count))[::-1]
        )

    # Closed-interval records (read through `closed_intervals`, see dashboard.interval_data)
    def interval_entries_before(self, before_id: str | None, count: int) -> list[IntervalEntry]:
        """Up to `count` entries of `wb:intervals` older than `before_id` (None: from the
        newest), newest first."""
        newest = f"({before_id}" if before_id else "+"
        key = self.keys.intervals()
        return self._guard(
            lambda: _interval_entries(self._client.xrevrange(key, max=newest, count=count))
        )

    def interval_entries_after(self, after_id: str, count: int) -> list[IntervalEntry]:
        """Up to `count` entries of `wb:intervals` newer than `after_id`, oldest first."""
        key = self.keys.intervals()
        return self._guard(
            lambda: _interval_entries(
                self._client.xrange(key, min=f"({after_id}", max="+", count=count)
            )
        )

    def timeline(self, agent_id: str, count: int = 2000) -> list[TimelineEntry]:
        """The agent's day from `wb:timeline:agent:<id>`, oldest first."""

        def read() -> list[TimelineEntry]:
            rows = _stream_rows(
                self._client.xrange(self.keys.agent_timeline(agent_id), count=count)
            )
            entries = []
            for _entry_id, decoded in rows:
                entries.append(
                    TimelineEntry(
                        ts=_text(decoded.get("ts", b"")),
                        kind=_text(decoded.get("kind", b"")),
                        data=orjson.loads(decoded.get("data", b"{}")),
                    )
                )
            return entries

        return self._guard(read)

    # Alerts
    def alert_history(self, count: int = 500) -> list[AlertTransition]:
        """The newest `count` raise/clear transitions, newest first."""

        def read() -> list[AlertTransition]:
            rows = _stream_rows(self._client.xrevrange(self.keys.alerts_history(), count=count))
            out = []
            for entry_id, decoded in rows:
                out.append(
                    AlertTransition(
                        entry_id=entry_id,
                        transition=_text(decoded.get("transition", b"")),
                        alert=Alert.model_validate_json(decoded.get("alert", b"{}")),
                    )
                )
            return out

        return self._guard(read)

    def acks(self) -> dict[str, Ack]:
        """Acknowledgements by alert id."""

        def read() -> dict[str, Ack]:
            raw = self._client.hgetall(self.keys.alert_acks())
            out = {}
            for alert_id, value in raw.items():
                data = orjson.loads(value)
                out[_text(alert_id)] = Ack(
                    by=str(data.get("by", "")),
                    at=str(data.get("at", "")),
                    note=str(data.get("note", "")),
                )
            return out

        return self._guard(read)

    def acknowledge(self, alert_id: str, by: str, note: str, at: datetime) -> Ack:
        """Store who acknowledged `alert_id` at `at` (aware) with a note; TTL 7 days."""
        ack = Ack(by=by, at=at.isoformat(timespec="seconds"), note=note)

        def write() -> Ack:
            pipe = self._client.pipeline(transaction=True)
            payload = orjson.dumps({"by": ack.by, "at": ack.at, "note": ack.note})
            pipe.hset(self.keys.alert_acks(), alert_id, payload)
            pipe.expire(self.keys.alert_acks(), timedelta(seconds=ACK_TTL_S))
            pipe.execute()
            return ack

        return self._guard(write)

    # Past days (Parquet archive; raises `ArchiveUnavailable` when unreadable)
    def queue_days(self, queue: str, today: date, days: int) -> list[QueueDay]:
        """The queue's daily totals for the `days` whole local days before `today`."""
        return self.archive.queue_days(queue, today, days)

    def queue_profile(self, queue: str, today: date, days: int, zone_name: str
                      ) -> list[ProfileSlot]:
        """The queue's typical day over the `days` whole local days before `today`."""
        return self.archive.queue_profile(queue, today, days, zone_name)

    def queue_interval_counts(self, queue: str, today: date, days: int
                              ) -> list[IntervalCount]:
        """Every archived interval of the queue in the `days` whole days before `today`."""
        return self.archive.queue_interval_counts(queue, today, days)

    def agent_days(self, agent_id: str, today: date, days: int) -> list[AgentDay]:
        """The agent's daily KPIs for the `days` whole local days before `today`."""
        return self.archive.agent_days(agent_id, today, days)
