"""The snapshot JSON of `kpi-spec.md` §7: the one shape every consumer reads.

Ratios are floats 0..1 or null, durations seconds (float), counts integers, timestamps
RFC 3339 strings in the configured time zone. Window keys are "15m", "30m", "60m",
"interval" (current 15/30-min interval of the local day) and "day" (since local midnight).
Use `model_dump(by_alias=True)` to get the JSON keys.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

WINDOWS: tuple[str, ...] = ("15m", "30m", "60m", "interval", "day")
ROLLING_WINDOWS_S: dict[str, int] = {"15m": 900, "30m": 1800, "60m": 3600}

AgentStateNow = Literal["logged_out", "ready", "not_ready", "busy", "acw"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class QueueKpis(_Model):
    """§3 KPIs of one queue (or rollup) over one window."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    answered_in_sl: int = 0
    abandoned_in_sl: int = 0
    ended: int = 0
    transferred: int = 0
    handled: int = 0
    surveys: int = 0
    satisfied: int = 0
    self_served: int = 0
    service_level: float | None = None
    sl_abandons_ignored: float | None = None
    sl_abandons_positive: float | None = None
    answer_rate: float | None = None
    abandon_rate: float | None = None
    asa_s: float | None = None
    aht_s: float | None = None
    transfer_rate: float | None = None
    csat: float | None = None
    self_service_rate: float | None = None
    in_queue: int = 0
    longest_wait_s: float | None = None


class AgentKpis(_Model):
    """§4 KPIs of one agent (or team/site rollup) over one window."""

    logged_in_s: float = 0.0
    busy_s: float = 0.0
    acw_s: float = 0.0
    ready_s: float = 0.0
    not_ready_s: float = 0.0
    not_ready_by_reason_s: dict[str, float] = Field(default_factory=dict)
    utilization: float | None = None
    occupancy: float | None = None
    handled: int = 0
    aht_s: float | None = None
    ultra_short: int = 0
    ultra_long: int = 0


class NowCounts(_Model):
    """Agents at `now`: logged in (staffed) and by effective state."""

    staffed: int = 0
    ready: int = 0
    busy: int = 0
    acw: int = 0
    not_ready: int = 0


class QueueWindows(_Model):
    w15m: QueueKpis = Field(alias="15m")
    w30m: QueueKpis = Field(alias="30m")
    w60m: QueueKpis = Field(alias="60m")
    interval: QueueKpis
    day: QueueKpis


class QueueEntry(QueueWindows):
    site: str
    agents_now: NowCounts


class AgentWindows(_Model):
    w15m: AgentKpis = Field(alias="15m")
    w30m: AgentKpis = Field(alias="30m")
    w60m: AgentKpis = Field(alias="60m")
    interval: AgentKpis
    day: AgentKpis


class AgentEntry(AgentWindows):
    state: AgentStateNow
    state_since: str | None
    reason: str | None
    team: str | None
    site: str | None


class TeamEntry(AgentWindows):
    staffed: int
    ready: int
    busy: int
    acw: int
    not_ready: int


class SiteEntry(QueueWindows):
    agents: TeamEntry


class Alert(_Model):
    id: str
    kind: str
    severity: Literal["info", "warning", "critical"]
    subject: str
    raised_at: str
    cleared_at: str | None
    evidence: dict[str, Any]


class Snapshot(_Model):
    now: str
    queues: dict[str, QueueEntry]
    channels: dict[str, QueueWindows]
    sites: dict[str, SiteEntry]
    all: QueueWindows
    agents: dict[str, AgentEntry]
    teams: dict[str, TeamEntry]
    alerts: list[Alert]


class Heartbeat(_Model):
    """What the pipeline last did; the dashboard calls data stale when it is old."""

    processed_at: str
    last_event_ts: str | None
    watermark_ts: str | None
    lag_s: float | None
    events_total: int
    events_per_s: float
    dead_letters_total: int
    duplicates_total: int
    late_total: int
    redis_ok: bool = True
    # Why the last write failed while `redis_ok` is false (e.g. "OOM command not allowed
    # when used memory > 'maxmemory'."), else None.
    redis_error: str | None = None
    # Events dead-lettered for naming a queue, agent, team or site beyond its `[limits]`
    # cap (or an unconfigured queue with `accept_unconfigured_queues = false`), by kind.
    entities_refused: dict[str, int] = Field(default_factory=dict)
    # Events the event-time gate refused (a lone wrong timestamp, too old to dedupe, ahead
    # of the wall clock); also in dead_letters_total. The wallboard warns when it grows.
    events_refused_time: int = 0
    # Events read from input partitions that are ahead of the slowest one, held back to
    # restore arrival order; growing means a partition is stuck (see docs/operations.md).
    reorder_buffered: int = 0
