"""Agents required for one interval's workload: Erlang C, or Erlang A when patience is known.

Inputs are the interval's forecast contacts and length (seconds), the average handle time
(seconds), the service-level goal (share 0..1 answered within `answer_within_s` seconds),
shrinkage and maximum occupancy (ratios 0..1). Chat divides the handle time by the
concurrency (see `pipeline.staffing.erlang`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from pipeline.staffing.erlang import (
    agents_required_erlang_a,
    agents_required_erlang_c,
    agents_with_shrinkage,
    erlang_a,
    erlang_c_asa_s,
    erlang_c_p_wait,
    erlang_c_service_level,
    occupancy,
)


@dataclass(frozen=True)
class Workload:
    """Contacts offered in one interval and their handling; times in seconds."""

    contacts: float
    interval_s: float
    aht_s: float
    concurrency: float = 1.0

    def __post_init__(self) -> None:
        if self.contacts < 0 or self.interval_s <= 0 or self.aht_s <= 0:
            msg = (
                f"need contacts >= 0, interval_s > 0 and aht_s > 0; got {self.contacts}, "
                f"{self.interval_s}, {self.aht_s}"
            )
            raise ValueError(msg)
        if self.concurrency < 1:
            msg = f"concurrency must be >= 1, got {self.concurrency}"
            raise ValueError(msg)

    @property
    def arrival_rate_per_s(self) -> float:
        return self.contacts / self.interval_s

    @property
    def effective_aht_s(self) -> float:
        """Handle time per contact as seen by the queue: AHT / concurrency."""
        return self.aht_s / self.concurrency

    @property
    def traffic_erlangs(self) -> float:
        return self.arrival_rate_per_s * self.effective_aht_s


@dataclass(frozen=True)
class ServiceGoal:
    """`target` (0..1) of contacts answered within `answer_within_s` seconds."""

    target: float
    answer_within_s: float
    max_occupancy: float = 1.0
    shrinkage: float = 0.0


@dataclass(frozen=True)
class StaffingResult:
    """Agents on the phone (`agents`), agents to schedule, and the expected measures."""

    model: Literal["erlang_c", "erlang_a"]
    traffic_erlangs: float
    agents: int
    agents_with_shrinkage: int
    service_level: float
    occupancy: float
    asa_s: float
    p_wait: float
    abandon_rate: float | None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        if self.abandon_rate is None:
            del data["abandon_rate"]
        return data


def required_staff(
    workload: Workload, goal: ServiceGoal, patience_s: float | None = None
) -> StaffingResult:
    """Staffing for the goal: Erlang C without `patience_s`, Erlang A (M/M/N+M) with it."""
    if patience_s is None:
        return _erlang_c_staff(workload, goal)
    return _erlang_a_staff(workload, goal, patience_s)


def _erlang_c_staff(workload: Workload, goal: ServiceGoal) -> StaffingResult:
    traffic = workload.traffic_erlangs
    aht = workload.effective_aht_s
    agents = agents_required_erlang_c(
        traffic,
        aht,
        target=goal.target,
        answer_within_s=goal.answer_within_s,
        max_occupancy=goal.max_occupancy,
    )
    if agents == 0:
        return StaffingResult("erlang_c", 0.0, 0, 0, 1.0, 0.0, 0.0, 0.0, None)
    return StaffingResult(
        model="erlang_c",
        traffic_erlangs=traffic,
        agents=agents,
        agents_with_shrinkage=agents_with_shrinkage(agents, goal.shrinkage),
        service_level=erlang_c_service_level(agents, traffic, aht, goal.answer_within_s),
        occupancy=occupancy(agents, traffic),
        asa_s=erlang_c_asa_s(agents, traffic, aht),
        p_wait=erlang_c_p_wait(agents, traffic),
        abandon_rate=None,
    )


def _erlang_a_staff(workload: Workload, goal: ServiceGoal, patience_s: float) -> StaffingResult:
    rate = workload.arrival_rate_per_s
    aht = workload.effective_aht_s
    agents = agents_required_erlang_a(
        rate,
        aht,
        patience_s,
        target=goal.target,
        answer_within_s=goal.answer_within_s,
        max_occupancy=goal.max_occupancy,
    )
    if agents == 0:
        return StaffingResult("erlang_a", 0.0, 0, 0, 1.0, 0.0, 0.0, 0.0, 0.0)
    result = erlang_a(agents, rate, aht, patience_s, goal.answer_within_s)
    return StaffingResult(
        model="erlang_a",
        traffic_erlangs=workload.traffic_erlangs,
        agents=agents,
        agents_with_shrinkage=agents_with_shrinkage(agents, goal.shrinkage),
        service_level=result.service_level,
        occupancy=result.occupancy,
        asa_s=result.asa_s,
        p_wait=result.p_wait,
        abandon_rate=result.p_abandon,
    )
