"""KPI formulas from counters (queues, spec §3) and durations (agents, spec §4).

Rollups add counters or durations first and call the same function: ratios are never
averaged. Ratios are 0..1 or None on an empty denominator; durations are seconds.
"""

from __future__ import annotations

from typing import Any

from pipeline.engine.counters import AGENT_FIELDS, QUEUE_FIELDS, A, Q, Row
from pipeline.kpi_math import ratio, service_level

STATE_KEYS: tuple[str, ...] = ("logged_in_s", "busy_s", "acw_s", "ready_s", "not_ready_s")


def queue_kpis(row: Row, in_queue: int, longest_wait_s: float | None) -> dict[str, Any]:
    """§3 KPIs of one queue or rollup from its counter row (`QUEUE_FIELDS` layout)."""
    answered = row[Q["answered"]]
    abandoned = row[Q["abandoned"]]
    short = row[Q["short_abandoned"]]
    in_sl = row[Q["answered_in_sl"]]
    ab_in_sl = row[Q["abandoned_in_sl"]]
    sl_denominator = answered + abandoned - short
    out: dict[str, Any] = {
        name: int(row[Q[name]])
        for name in QUEUE_FIELDS
        if name not in {"wait_answered_sum", "wait_abandoned_sum", "handle_sum"}
    }
    out["service_level"] = service_level(in_sl, answered, abandoned, short)
    out["sl_abandons_ignored"] = ratio(in_sl, answered)
    out["sl_abandons_positive"] = ratio(in_sl + ab_in_sl, answered + abandoned)
    out["answer_rate"] = ratio(answered, answered + abandoned)
    out["abandon_rate"] = ratio(abandoned - short, sl_denominator)
    out["asa_s"] = ratio(row[Q["wait_answered_sum"]], answered)
    out["aht_s"] = ratio(row[Q["handle_sum"]], row[Q["handled"]])
    out["transfer_rate"] = ratio(row[Q["transferred"]], row[Q["ended"]])
    out["csat"] = ratio(row[Q["satisfied"]], row[Q["surveys"]])
    out["self_service_rate"] = ratio(row[Q["self_served"]], row[Q["self_served"]] + answered)
    out["in_queue"] = in_queue
    out["longest_wait_s"] = longest_wait_s
    return out


class AgentTotals:
    """Durations (seconds) and counters of one agent or rollup over one window."""

    __slots__ = ("by_reason", "counters", "states")

    def __init__(self) -> None:
        self.states: dict[str, float] = dict.fromkeys(STATE_KEYS, 0.0)
        self.by_reason: dict[str, float] = {}
        self.counters: Row = [0] * len(AGENT_FIELDS)

    def add_time(self, state: str, reason: str | None, seconds: float) -> None:
        """Accrue `seconds` of a logged-in effective state."""
        if seconds <= 0:
            return
        states = self.states
        states["logged_in_s"] += seconds
        states[state + "_s"] += seconds
        if state == "not_ready" and reason is not None:
            self.by_reason[reason] = self.by_reason.get(reason, 0.0) + seconds

    def add_time_signed(self, state: str, reason: str | None, seconds: float) -> None:
        """Accrue (or with negative `seconds`, take back) time of a logged-in state."""
        states = self.states
        states["logged_in_s"] += seconds
        states[state + "_s"] += seconds
        if state == "not_ready" and reason is not None:
            self.by_reason[reason] = self.by_reason.get(reason, 0.0) + seconds

    def merge(self, other: AgentTotals) -> None:
        for key, value in other.states.items():
            self.states[key] += value
        for reason, value in other.by_reason.items():
            self.by_reason[reason] = self.by_reason.get(reason, 0.0) + value
        for i, value in enumerate(other.counters):
            self.counters[i] += value

    def is_active(self) -> bool:
        return self.states["logged_in_s"] > 0 or self.counters[A["handled"]] > 0


def agent_kpis(totals: AgentTotals) -> dict[str, Any]:
    """§4 KPIs of one agent or rollup over one window."""
    s = totals.states
    busy, acw, ready = s["busy_s"], s["acw_s"], s["ready_s"]
    handled = totals.counters[A["handled"]]
    return {
        "logged_in_s": s["logged_in_s"],
        "busy_s": busy,
        "acw_s": acw,
        "ready_s": ready,
        "not_ready_s": s["not_ready_s"],
        "not_ready_by_reason_s": {
            reason: totals.by_reason[reason]
            for reason in sorted(totals.by_reason)
            if totals.by_reason[reason] > 0
        },
        "utilization": ratio(busy + acw + ready, s["logged_in_s"]),
        "occupancy": ratio(busy + acw, busy + acw + ready),
        "handled": int(handled),
        "aht_s": ratio(totals.counters[A["handle_sum"]], handled),
        "ultra_short": int(totals.counters[A["ultra_short"]]),
        "ultra_long": int(totals.counters[A["ultra_long"]]),
    }
