"""The arrival plan: how many contacts each queue gets per 15-min slot.

Each queue's double-peaked shape (`profile.QueueModel.shape`) is scaled by one factor per
queue, the largest for which every slot is still served well by the roster: Erlang C with
the planned available agents gives a service level of at least `PLAN_SL` within the
queue's threshold and occupancy at most `MAX_OCCUPANCY`. Counts are expected contacts
per slot; durations are seconds; times are Unix epoch seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from replay_data.agents import SLOT_S, Agent
from replay_data.profile import QueueModel, queue_model
from schemas.config import Settings

PLAN_SL = 0.93
MAX_OCCUPANCY = 0.86


def erlang_c(servers: int, load: float) -> float:
    """Probability that a contact waits (Erlang C), `load` in Erlangs."""
    if servers <= 0:
        return 1.0
    if load >= servers:
        return 1.0
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return servers * blocking / (servers - load * (1 - blocking))


def service_level(servers: int, load: float, handle_s: float, threshold_s: float) -> float:
    """Share (0..1) of contacts answered within `threshold_s` under Erlang C."""
    if load >= servers:
        return 0.0
    waits = erlang_c(servers, load)
    return 1.0 - waits * math.exp(-(servers - load) * threshold_s / handle_s)


def max_load(servers: int, handle_s: float, threshold_s: float) -> float:
    """Largest load (Erlangs) that `servers` carry at `PLAN_SL` and `MAX_OCCUPANCY`."""
    if servers <= 0:
        return 0.0
    low, high = 0.0, servers * MAX_OCCUPANCY
    if service_level(servers, high, handle_s, threshold_s) >= PLAN_SL:
        return high
    for _ in range(40):
        middle = (low + high) / 2
        if service_level(servers, middle, handle_s, threshold_s) >= PLAN_SL:
            low = middle
        else:
            high = middle
    return low


def servers_needed(load: float, handle_s: float, threshold_s: float) -> int:
    """Fewest servers carrying `load` Erlangs at `PLAN_SL` and `MAX_OCCUPANCY`."""
    if load <= 0:
        return 0
    servers = max(1, math.ceil(load / MAX_OCCUPANCY))
    while service_level(servers, load, handle_s, threshold_s) < PLAN_SL:
        servers += 1
    return servers


@dataclass(frozen=True)
class ArrivalPlan:
    """Expected offered contacts per queue per 15-min slot (first-time, not transfers)."""

    slot_starts: tuple[int, ...]
    models: dict[str, QueueModel]
    expected_offered: dict[str, tuple[float, ...]]


def available_agents(
    roster: list[Agent], queue: str, slot_starts: tuple[int, ...]
) -> list[float]:
    """Planned agents serving `queue` per slot: on shift and not on a planned break.

    An agent serving k queues counts 1/k for each of them.
    """
    available = [0.0] * len(slot_starts)
    for agent in roster:
        if queue not in agent.queues:
            continue
        share = 1.0 / len(agent.queues)
        for k, slot in enumerate(slot_starts):
            slot_end = slot + SLOT_S
            on = _overlap(agent.shift_start, agent.shift_end, slot, slot_end)
            for pause in agent.breaks:
                on -= _overlap(pause.start, pause.start + pause.duration_s, slot, slot_end)
            available[k] += share * max(on, 0) / SLOT_S
    return available


def _overlap(a0: int, a1: int, b0: int, b1: int) -> int:
    return max(0, min(a1, b1) - max(a0, b0))


def plan_arrivals(settings: Settings, roster: list[Agent], start: int, end: int) -> ArrivalPlan:
    """Scale every configured queue's shape to what its planned staff can serve."""
    slot_starts = tuple(range(start, end, SLOT_S))
    models: dict[str, QueueModel] = {}
    expected: dict[str, tuple[float, ...]] = {}
    for queue in sorted(settings.queues):
        rules = settings.queue_rules(queue)
        model = queue_model(queue, rules.channel)
        models[queue] = model
        concurrency = 3 if rules.channel == "chat" else 1
        staff = available_agents(roster, queue, slot_starts)
        shape = []
        for slot in slot_starts:
            local = datetime.fromtimestamp(slot + SLOT_S // 2, tz=settings.zone)
            shape.append(model.shape(local.hour + local.minute / 60))
        scale = math.inf
        for level, agents in zip(shape, staff, strict=True):
            servers = math.floor(agents * concurrency)
            if level <= 0 or servers <= 0:
                continue
            carried = max_load(servers, model.handle_mean_s, rules.sl_threshold_s)
            scale = min(scale, carried / level)
        if math.isinf(scale):
            scale = 0.0
        expected[queue] = tuple(
            scale * level * SLOT_S / model.handle_mean_s for level in shape
        )
    return ArrivalPlan(slot_starts=slot_starts, models=models, expected_offered=expected)
