"""The roster: agents with team, site, served queues, a shift and planned breaks.

Times are Unix epoch seconds (whole); shift templates are local hours of the configured
time zone. A shift that crosses the simulated horizon is clipped to it, and the login
carries the clipped `shift_start`/`shift_end` (the part of the shift inside this file).
Agents are spread over each team's shift templates greedily so that staffing follows the
team's demand shape.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from replay_data.profile import queue_model
from schemas.config import Settings
from schemas.events import Channel, NotReadyReason

SLOT_S = 900  # the 15-min interval of the arrival plan

# Share of the agents in each team of the sample configuration; other teams share equally.
TEAM_WEIGHTS: dict[str, float] = {
    "bj_claims_a": 0.17,
    "bj_claims_b": 0.17,
    "bj_callback": 0.10,
    "cd_service_a": 0.16,
    "cd_service_b": 0.14,
    "cd_complaints": 0.10,
    "cd_chat": 0.16,
}
SHIFT_LENGTHS = (9.0, 6.0, 4.0)  # full time with lunch, and part-timers for the peaks
CHAT_CONCURRENCY = 3
AVAILABLE_SHARE = 0.85  # of a shift not on breaks or lunch
# Shift length of each agent of a team, cycling: mostly full time, some part-timers.
LENGTH_CYCLE = (9.0, 9.0, 6.0, 9.0, 9.0, 4.0, 9.0, 9.0, 9.0, 6.0)


@dataclass(frozen=True)
class PlannedBreak:
    """A not-ready period: starts when the agent is free at or after `start`; seconds."""

    start: int
    duration_s: int
    reason: NotReadyReason


@dataclass
class Agent:
    agent_id: str
    team: str
    site: str
    channel: Channel
    queues: tuple[str, ...]
    shift_start: int
    shift_end: int
    breaks: list[PlannedBreak] = field(default_factory=list)

    @property
    def capacity(self) -> int:
        """Contacts handled at once: 3 chats, or 1 call."""
        return CHAT_CONCURRENCY if self.channel == "chat" else 1


def team_sizes(settings: Settings, n_agents: int) -> dict[str, int]:
    """Split `n_agents` over the configured teams (largest remainder, at least 1 each)."""
    teams = sorted(settings.teams)
    if not teams:
        msg = "the configuration has no teams to staff"
        raise ValueError(msg)
    weights = {t: TEAM_WEIGHTS.get(t, 1.0 / len(teams)) for t in teams}
    total = sum(weights.values())
    exact = {t: n_agents * w / total for t, w in weights.items()}
    sizes = {t: int(v) for t, v in exact.items()}
    rest = n_agents - sum(sizes.values())
    for team in sorted(teams, key=lambda t: (-(exact[t] - sizes[t]), t))[:rest]:
        sizes[team] += 1
    for team in teams:
        if sizes[team] == 0 and n_agents >= len(teams):
            donor = max(teams, key=lambda t: (sizes[t], t))
            sizes[donor] -= 1
            sizes[team] = 1
    return sizes


def _team_channel(settings: Settings, queues: tuple[str, ...]) -> Channel:
    channels = {settings.queue_rules(q).channel for q in queues}
    return "chat" if channels == {"chat"} else "voice"


def _local_days(settings: Settings, start: int, end: int) -> list[datetime]:
    first = datetime.fromtimestamp(start, tz=settings.zone).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    days = []
    day = first
    while day.timestamp() < end:
        days.append(day)
        day = (day + timedelta(days=1, hours=2)).replace(hour=0)
    return days


def shift_candidates(
    settings: Settings, queues: tuple[str, ...], start: int, end: int
) -> list[tuple[int, int]]:
    """Possible (shift_start, shift_end) pairs, clipped to the horizon `[start, end]`."""
    channel = _team_channel(settings, queues)
    models = [queue_model(q, settings.queue_rules(q).channel) for q in queues]
    if not models:
        models = [queue_model("", channel)]
    open_hour = min(m.open_hour for m in models)
    close_hour = max(m.close_hour for m in models)
    templates = []
    for hours in SHIFT_LENGTHS:
        if close_hour - open_hour >= 24:
            first, last, limit = 0.0, 24.0 - min(hours, 8.0), 24.0
        else:
            first = max(open_hour - 0.5, 0.0)
            last, limit = max(first, close_hour - hours), close_hour
        hour = first
        while hour <= last:
            templates.append((hour, min(hour + hours, limit)))
            hour += 0.5
    candidates: set[tuple[int, int]] = set()
    for day in _local_days(settings, start, end):
        for begin_h, end_h in templates:
            begin = int((day + timedelta(hours=begin_h)).timestamp())
            finish = int((day + timedelta(hours=end_h)).timestamp())
            begin, finish = max(begin, start), min(finish, end)
            if finish - begin >= 3600:
                candidates.add((begin, finish))
    return sorted(candidates)


def team_shape(settings: Settings, queues: tuple[str, ...], start: int, end: int) -> list[float]:
    """The team's relative demand per 15-min slot (mean of its queues' shapes, 0..1)."""
    models = [queue_model(q, settings.queue_rules(q).channel) for q in queues]
    shape = []
    for slot_start in range(start, end, SLOT_S):
        local = datetime.fromtimestamp(slot_start + SLOT_S // 2, tz=settings.zone)
        hour = local.hour + local.minute / 60
        shape.append(sum(m.shape(hour) for m in models) / max(len(models), 1))
    return shape


def staffing_targets(
    settings: Settings, queues: tuple[str, ...], shape: list[float], agent_slots: float
) -> list[float]:
    """Agents wanted per slot: Erlang C staffing of the largest load the team can carry.

    The load per slot is `scale × shape`; `scale` is searched so that the wanted agents
    (servers / concurrency, grossed up for breaks) use up `agent_slots`.
    """
    from replay_data.staffing import servers_needed

    models = [queue_model(q, settings.queue_rules(q).channel) for q in queues]
    if not models or not any(shape):
        return [0.0] * len(shape)
    handle = sum(m.handle_mean_s for m in models) / len(models)
    threshold = min(settings.queue_rules(q).sl_threshold_s for q in queues)
    concurrency = CHAT_CONCURRENCY if all(m.channel == "chat" for m in models) else 1

    def wanted(scale: float) -> list[float]:
        return [
            servers_needed(scale * w, handle, threshold) / concurrency / AVAILABLE_SHARE
            if w > 0 else 0.0
            for w in shape
        ]

    low, high = 0.0, agent_slots
    for _ in range(30):
        middle = (low + high) / 2
        if sum(wanted(middle)) <= agent_slots:
            low = middle
        else:
            high = middle
    return wanted(low)


def _plan_breaks(shift_start: int, shift_end: int, rng: random.Random) -> list[PlannedBreak]:
    length = shift_end - shift_start
    planned: list[PlannedBreak] = []
    if length >= 3 * 3600:
        planned.append(
            PlannedBreak(shift_start + rng.randint(5400, 9000), rng.randint(600, 840), "break")
        )
    if length >= 6 * 3600:
        lunch = shift_start + length // 2 + rng.randint(-1800, 1800)
        planned.append(PlannedBreak(lunch, rng.randint(1800, 2700), "lunch"))
    if length >= 7 * 3600:
        planned.append(
            PlannedBreak(shift_end - rng.randint(5400, 9000), rng.randint(600, 840), "break")
        )
    if length >= 4 * 3600 and rng.random() < 0.25:
        reason: NotReadyReason = rng.choice(["meeting", "coaching", "training"])
        at = shift_start + rng.randint(3600, length - 5400)
        planned.append(PlannedBreak(at, rng.randint(900, 2400), reason))
    if length >= 2 * 3600 and rng.random() < 0.35:
        short_reason: NotReadyReason = rng.choice(["system", "other"])
        at = shift_start + rng.randint(1800, length - 3600)
        planned.append(PlannedBreak(at, rng.randint(60, 240), short_reason))
    planned.sort(key=lambda b: b.start)
    kept: list[PlannedBreak] = []
    for item in planned:
        # Keep 10 minutes between breaks and the last 15 minutes of the shift free.
        if kept and item.start < kept[-1].start + kept[-1].duration_s + 600:
            continue
        if item.start + item.duration_s > shift_end - 900:
            continue
        kept.append(item)
    return kept


def build_roster(
    settings: Settings, n_agents: int, start: int, end: int, rng: random.Random
) -> list[Agent]:
    """Agents `ag0001`… with teams, sites, shifts and breaks inside the horizon."""
    sizes = team_sizes(settings, n_agents)
    roster: list[Agent] = []
    number = 0
    for team in sorted(sizes):
        rules = settings.team_rules(team)
        override = settings.teams[team]
        queues = rules.queues
        site = override.site or (
            settings.queue_site(queues[0]) if queues else settings.default_site
        )
        channel = _team_channel(settings, queues)
        candidates = shift_candidates(settings, queues, start, end)
        shape = team_shape(settings, queues, start, end)
        lengths = [LENGTH_CYCLE[i % len(LENGTH_CYCLE)] for i in range(sizes[team])]
        by_length = {h: [c for c in candidates if _matches(c, h)] for h in set(lengths)}
        agent_slots = sum(h * 4 for h in lengths)
        # Aim below the full capacity so the deficit pass can meet every slot's target.
        target = staffing_targets(settings, queues, shape, 0.9 * agent_slots)
        covered = [0] * len(shape)
        # Full-timers first (the base), then part-timers on the remaining deficits.
        for hours in sorted(lengths, reverse=True):
            number += 1
            options = by_length[hours] or candidates
            if not options:
                continue

            best = max(options, key=lambda c: _gain(c, start, target, covered))
            for k in range(*_slots(best, start, len(shape))):
                covered[k] += 1
            roster.append(
                Agent(
                    agent_id=f"ag{number:04d}",
                    team=team,
                    site=site,
                    channel=channel,
                    queues=queues,
                    shift_start=best[0],
                    shift_end=best[1],
                    breaks=_plan_breaks(best[0], best[1], rng),
                )
            )
    return roster


def _slots(shift: tuple[int, int], start: int, count: int) -> tuple[int, int]:
    first = (shift[0] - start) // SLOT_S
    last = -(-(shift[1] - start) // SLOT_S)
    return max(first, 0), min(last, count)


def _gain(
    candidate: tuple[int, int], start: int, target: list[float], covered: list[int]
) -> tuple[float, float]:
    """How much a shift helps: deficit slots it fills first, then how thin it spreads."""
    first, last = _slots(candidate, start, len(target))
    deficit = sum(min(1.0, max(0.0, target[k] - covered[k])) for k in range(first, last))
    spread = sum(target[k] / (covered[k] + 1) for k in range(first, last))
    return (deficit, spread)


def _matches(shift: tuple[int, int], hours: float) -> bool:
    """Whether a (possibly clipped) candidate came from a template of `hours` length."""
    length = (shift[1] - shift[0]) / 3600
    return abs(length - hours) < 1e-6
