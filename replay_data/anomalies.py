"""The plan of injected anomalies: which agents misbehave, which contacts run wild, and the
queue overload burst. Times are Unix epoch seconds.

Agents get at most one injection each. Long-away injections change the agent's planned
breaks in place; everything else is read by the simulator. The labels are not written
here: the simulator applies the alert rules to what really happened (see `simulator.py`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from replay_data.agents import SLOT_S, Agent, PlannedBreak
from replay_data.profile import QueueModel
from schemas.config import Settings

# How many of each injection a full-size day gets (fewer when too few agents qualify).
COUNTS = {
    "ultra_short": 5,
    "ultra_long_voice": 3,
    "ultra_long_chat": 2,
    "late_login": 4,
    "long_break": 3,
    "long_other": 3,
    "early_logout": 3,
    "logout_mid_call": 2,
    "frequent_relogin": 2,
}
BURST_MULTIPLIER = 3.0
BURST_LENGTH_S = 1800
BURST_LOCAL_HOUR = 15  # a hailstorm in the afternoon: claims reporting floods


@dataclass(frozen=True)
class Burst:
    """An arrival surge: `multiplier` × the planned rate on `queue` over [start, end)."""

    queue: str
    start: int
    end: int
    multiplier: float


@dataclass
class InjectionPlan:
    contact_triggers: list[tuple[int, str, str]] = field(default_factory=list)  # when, kind, ch
    login_at: dict[str, int] = field(default_factory=dict)
    logout_at: dict[str, int] = field(default_factory=dict)
    relogin_at: dict[str, int] = field(default_factory=dict)
    logout_mid_call: set[str] = field(default_factory=set)
    burst: Burst | None = None
    # (alert kind, subject, what was injected): every entry must show up in the labels.
    planned: list[tuple[str, str, str]] = field(default_factory=list)


def _local_hour(when: int, settings: Settings) -> float:
    local = datetime.fromtimestamp(when, tz=settings.zone)
    return local.hour + local.minute / 60


def _busy_enough(
    agent: Agent, when: int, settings: Settings, models: dict[str, QueueModel]
) -> bool:
    hour = _local_hour(when, settings)
    return any(q in models and models[q].shape(hour) >= 0.3 for q in agent.queues)


def _pick_burst(
    settings: Settings, models: dict[str, QueueModel], start: int, end: int
) -> Burst | None:
    voice = [q for q in sorted(models) if models[q].channel == "voice"]
    if not voice:
        return None

    def dedicated(queue: str) -> bool:
        return all(
            settings.teams[t].queues == [queue] for t in settings.teams_serving(queue)
        )

    preferred = [q for q in voice if q == "claims_report"] + [q for q in voice if dedicated(q)]
    queue = (preferred or voice)[0]
    day = datetime.fromtimestamp(start, tz=settings.zone).replace(
        hour=BURST_LOCAL_HOUR, minute=0, second=0, microsecond=0
    )
    begin = int(day.timestamp())
    if not (start <= begin and begin + BURST_LENGTH_S + 2 * SLOT_S <= end):
        begin = start + ((end - start) // 2) // SLOT_S * SLOT_S
    if begin + BURST_LENGTH_S > end or end - start < 2 * 3600:
        return None
    return Burst(queue, begin, begin + BURST_LENGTH_S, BURST_MULTIPLIER)


def _trigger_time(
    *,
    channel: str, settings: Settings, models: dict[str, QueueModel], start: int, end: int,
    rng: random.Random,
) -> int | None:
    low, high = start + 1800, end - 5400
    if high <= low:
        return None
    for _ in range(200):
        when = rng.randint(low, high)
        hour = _local_hour(when, settings)
        if any(m.channel == channel and m.shape(hour) >= 0.3 for m in models.values()):
            return when
    return None


def _drop_overlaps(agent: Agent, begin: int, finish: int) -> None:
    agent.breaks = [
        b for b in agent.breaks if b.start + b.duration_s + 900 <= begin or b.start >= finish
    ]


def plan_injections(
    *,
    settings: Settings,
    roster: list[Agent],
    models: dict[str, QueueModel],
    start: int,
    end: int,
    rng: random.Random,
) -> InjectionPlan:
    """Choose the anomalies to inject; edits the breaks of long-away agents in place."""
    plan = InjectionPlan()
    plan.burst = _pick_burst(settings, models, start, end)
    if plan.burst is not None:
        for kind in ("sl_breach", "wait_breach", "abandon_spike"):
            plan.planned.append((kind, f"queue:{plan.burst.queue}", "overload_burst"))

    for kind, channel, count in (
        ("ultra_short", "voice", COUNTS["ultra_short"]),
        ("ultra_long", "voice", COUNTS["ultra_long_voice"]),
        ("ultra_long", "chat", COUNTS["ultra_long_chat"]),
    ):
        for _ in range(count):
            when = _trigger_time(
                channel=channel, settings=settings, models=models, start=start, end=end, rng=rng
            )
            if when is not None:
                plan.contact_triggers.append((when, kind, channel))
    plan.contact_triggers.sort()

    pool = sorted(roster, key=lambda a: a.agent_id)
    rng.shuffle(pool)
    taken: set[str] = set()

    def choose(count: int, fits: Callable[[Agent], bool]) -> list[Agent]:
        chosen: list[Agent] = []
        for agent in pool:
            if len(chosen) == count:
                break
            if agent.agent_id not in taken and fits(agent):
                taken.add(agent.agent_id)
                chosen.append(agent)
        return chosen

    def length(agent: Agent) -> int:
        return agent.shift_end - agent.shift_start

    for agent in choose(
        COUNTS["late_login"],
        lambda a: a.shift_start > start + 600 and length(a) >= 4 * 3600,
    ):
        plan.login_at[agent.agent_id] = agent.shift_start + rng.randint(420, 1500)
        plan.planned.append(("late_login", f"agent:{agent.agent_id}", "late_login"))

    def has_break(agent: Agent) -> bool:
        return any(b.reason == "break" for b in agent.breaks) and length(agent) >= 5 * 3600

    for agent in choose(COUNTS["long_break"], has_break):
        first = next(b for b in agent.breaks if b.reason == "break")
        longer = PlannedBreak(first.start, rng.randint(1000, 1500), "break")
        _drop_overlaps(agent, longer.start, longer.start + longer.duration_s)
        agent.breaks = sorted([*agent.breaks, longer], key=lambda b: b.start)
        plan.planned.append(("long_away", f"agent:{agent.agent_id}", "long_break"))

    for agent in choose(COUNTS["long_other"], lambda a: length(a) >= 5 * 3600):
        at = agent.shift_start + rng.randint(7200, length(agent) - 7200)
        other = PlannedBreak(at, rng.randint(420, 900), "other")
        _drop_overlaps(agent, other.start, other.start + other.duration_s)
        agent.breaks = sorted([*agent.breaks, other], key=lambda b: b.start)
        plan.planned.append(("long_away", f"agent:{agent.agent_id}", "long_other"))

    for agent in choose(COUNTS["early_logout"], lambda a: length(a) >= 5 * 3600):
        plan.logout_at[agent.agent_id] = agent.shift_end - rng.randint(2400, 5400)
        plan.planned.append(("abnormal_logout", f"agent:{agent.agent_id}", "early_logout"))

    for agent in choose(
        COUNTS["logout_mid_call"],
        lambda a: a.channel == "voice"
        and length(a) >= 4 * 3600
        and a.shift_end <= end - 1800
        and _busy_enough(a, a.shift_end - 600, settings, models),
    ):
        plan.logout_mid_call.add(agent.agent_id)
        plan.planned.append(("abnormal_logout", f"agent:{agent.agent_id}", "active_contact"))

    for agent in choose(
        COUNTS["frequent_relogin"],
        lambda a: a.channel == "voice" and length(a) >= 6 * 3600,
    ):
        when = agent.shift_start + rng.randint(9000, length(agent) - 9000)
        _drop_overlaps(agent, when - 1800, when + 3600)
        plan.relogin_at[agent.agent_id] = when
        plan.planned.append(("abnormal_logout", f"agent:{agent.agent_id}", "frequent_relogin"))
    return plan
