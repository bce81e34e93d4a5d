"""What the engine hands to the dataflow: dead letters, alert transitions, history, timelines.

Times are Unix epoch seconds (UTC based); formatting into the configured zone happens where
the values become JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class DeadLetter:
    """An event refused in context (parse errors are handled upstream)."""

    reason: str
    seq: int
    raw: str


@dataclass(frozen=True)
class AlertTransition:
    """An alert raised or cleared; `alert` is a `schemas.snapshot.Alert` JSON dict."""

    transition: Literal["raised", "cleared"]
    alert: dict[str, Any]


@dataclass(frozen=True)
class HistoryPoint:
    """KPIs of one entity at one whole minute (epoch seconds) of decided event time."""

    kind: str
    entity_id: str
    minute: int
    kpis: dict[str, Any]


@dataclass(frozen=True)
class IntervalRecord:
    """Final KPIs of one entity over one closed interval of the local day (for the archive).

    `interval_start` is epoch seconds, `interval_s` its length (900 or 1800); `kpis` is the
    §3 dict for queue/channel/site/all, the §4 dict for team/agent.

    Queue/channel/site/all records also carry the waiting time behind the interval's
    answers and abandons, for the observed caller patience (`pipeline.staffing.patience`):
    `answered_wait_s` / `abandoned_wait_s` sum `wait_s` (seconds, offered → outcome) of
    the contacts answered / abandoned in the interval, attributed like `answered` and
    `abandoned` (at the outcome event). None for team/agent records. They are not §3 KPIs,
    so they stay out of `kpis` (whose keys the spec fixes).
    """

    kind: str
    entity_id: str
    interval_start: int
    interval_s: int
    kpis: dict[str, Any]
    answered_wait_s: float | None = None
    abandoned_wait_s: float | None = None


@dataclass(frozen=True)
class TimelineRecord:
    """One entry of an agent's day: a state change or a finished contact (epoch seconds)."""

    agent_id: str
    ts: float
    kind: Literal["state", "contact"]
    data: dict[str, Any]


@dataclass
class EngineOutput:
    """Everything produced since the previous `drain()`."""

    dead_letters: list[DeadLetter] = field(default_factory=list)
    alert_transitions: list[AlertTransition] = field(default_factory=list)
    history: list[HistoryPoint] = field(default_factory=list)
    timeline: list[TimelineRecord] = field(default_factory=list)
    intervals: list[IntervalRecord] = field(default_factory=list)


@dataclass(frozen=True)
class EngineStats:
    """Counters for the heartbeat; times are epoch seconds."""

    events_total: int
    duplicates_total: int
    dead_letters_total: int
    late_total: int
    # Events the time gate refused (also in dead_letters_total).
    refused_time_total: int
    last_event_ts: float | None
    watermark: float | None
    # Events refused for naming an entity beyond its `[limits]` cap, by kind.
    entities_refused: dict[str, int] = field(default_factory=dict)
