"""Every Redis key the project uses is built here (`<prefix>:<kind>[:<id>]`), and the
default Redis URL.

See docs/redis-layout.md for what each key holds, its type and how it is bounded.
"""

from __future__ import annotations

from typing import Literal

# The Redis every command talks to unless `--redis-url` or `$REDIS_URL` says otherwise.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

EntityKind = Literal["queue", "channel", "site", "all", "agent", "team"]

HISTORY_MAXLEN = 1500  # per-minute points: 24 h is 1,440
TIMELINE_MAXLEN = 2000  # state changes and contacts of one agent in a day
ALERT_HISTORY_MAXLEN = 100_000
DEAD_LETTER_MAXLEN = 100_000
DAY_TTL_S = 26 * 3600
INTERVALS_MAXLEN = 200_000  # closed-interval records: days of headroom for the archiver


class RedisKeys:
    """Key builder for one prefix (config `redis_prefix`, default "wb")."""

    def __init__(self, prefix: str = "wb") -> None:
        self.prefix = prefix

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    # Current state
    def snapshot(self) -> str:
        return self._k("snapshot")

    def entity(self, kind: EntityKind, entity_id: str = "") -> str:
        return self._k(kind) if kind == "all" else self._k(kind, entity_id)

    def config(self) -> str:
        return self._k("config")

    def heartbeat(self) -> str:
        return self._k("heartbeat")

    # History
    def history(self, kind: EntityKind, entity_id: str = "") -> str:
        return self._k("history", kind) if kind == "all" else self._k("history", kind, entity_id)

    def agent_timeline(self, agent_id: str) -> str:
        return self._k("timeline", "agent", agent_id)

    def intervals(self) -> str:
        """Closed-interval KPI records, read by the Parquet archiver."""
        return self._k("intervals")

    # Alerts
    def alerts_active(self) -> str:
        return self._k("alerts", "active")

    def alerts_history(self) -> str:
        return self._k("alerts", "history")

    def alert_acks(self) -> str:
        return self._k("alerts", "acks")

    # Input problems
    def dead_letter(self) -> str:
        return self._k("deadletter")

    # Pub/sub channel announcing each tick's changes
    def updates_channel(self) -> str:
        return self._k("updates")
