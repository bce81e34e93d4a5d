"""Team history from the per-team ledger equals walking every agent's segments and counters.

The reference below is the former computation (each active agent's decided time and
counters added into its current team at every history minute). The scenario moves agents
between teams, uses fractional timestamps and runs past the eviction horizon.
"""

from __future__ import annotations

import random
from typing import Any

from pipeline.engine import FloorEngine
from pipeline.engine.kpis import AgentTotals, agent_kpis
from pipeline.engine.report import (
    HISTORY_WINDOWS,
    _add_decided,
    _idle_since,
    window_bounds,
)
from pipeline.engine.types import HistoryPoint
from schemas.events import Event
from tests.engine.helpers import (
    T0,
    answered,
    ended,
    login,
    logout,
    offered,
    sample_settings,
    state,
    wrapup,
)

TEAMS = ("bj_claims_a", "bj_claims_b", "cd_service_a")


def _walked_team_points(engine: FloorEngine, minute: int) -> dict[str, dict[str, Any]]:
    bounds = window_bounds(engine, minute, HISTORY_WINDOWS)
    earliest = min(bounds.values())
    teams: dict[str, dict[str, AgentTotals]] = {}
    staffed: set[str] = set()
    for agent_id in sorted(engine.agents):
        agent = engine.agents[agent_id]
        core = agent.core
        if core.team is None or _idle_since(agent, core, [], earliest):
            continue
        totals = teams.setdefault(core.team, {n: AgentTotals() for n in HISTORY_WINDOWS})
        if core.logged_in:
            staffed.add(core.team)
        _add_decided(agent, core, totals, bounds, minute)
    return {
        team: {name: agent_kpis(t) for name, t in teams[team].items()}
        for team in sorted(teams)
        if team in staffed or any(t.is_active() for t in teams[team].values())
    }


def _day_of_switching_agents(seed: int) -> list[Event]:
    rng = random.Random(seed)
    events: list[Event] = []
    contact = 0
    for a in range(6):
        agent = f"s{a}"
        t = rng.uniform(0, 300)
        while t < 3 * 3600:
            events.append(login(agent, t, team=rng.choice(TEAMS)))
            session_end = t + rng.uniform(200, 2400)
            t += rng.uniform(5, 60)
            while t < session_end:
                roll = rng.random()
                if roll < 0.5:
                    cid = f"k{contact}"
                    contact += 1
                    events.append(offered(cid, t - rng.uniform(1, 30)))
                    events.append(answered(cid, t, agent))
                    t += rng.uniform(10, 400)
                    events.append(ended(cid, t, agent))
                    t += rng.uniform(1, 60)
                    events.append(wrapup(cid, t, agent))
                elif roll < 0.8:
                    events.append(state(agent, t, "not_ready", rng.choice(["break", "lunch"])))
                    t += rng.uniform(30, 900)
                    events.append(state(agent, t, "ready"))
                t += rng.uniform(1, 120)
            events.append(logout(agent, t))
            t += rng.uniform(1, 900)
    events.sort(key=lambda e: e.ts)
    return events


def test_team_history_from_the_ledger_equals_walking_every_agent() -> None:
    for seed in range(3):
        engine = FloorEngine(sample_settings())
        checked = 0
        seen_minute = None
        for seq, event in enumerate(_day_of_switching_agents(seed)):
            engine.ingest(event, seq)
            if engine.history_minute != seen_minute and engine.history_minute is not None:
                seen_minute = engine.history_minute
                history: list[HistoryPoint] = engine.drain().history
                if not any(p.minute == seen_minute for p in history):
                    # The start value (the minute before the first whole one): no point is
                    # written for it. Once the gate releases the first two events together
                    # the walk below would see the second one, which no point describes.
                    continue
                emitted = {
                    p.entity_id: p.kpis
                    for p in history
                    if p.kind == "team" and p.minute == seen_minute
                }
                assert emitted == _walked_team_points(engine, seen_minute)
                checked += 1
        assert checked > 100
        assert engine.latest is not None and engine.latest > T0 + 3 * 3600
