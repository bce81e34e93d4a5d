"""Renders engine state as the §7 snapshot and as per-minute history points.

All window bounds are epoch seconds; `now` is a whole second. Rolling windows cover seconds
`now - W + 1 .. now` for counters and `[now - W, now]` for agent time; the interval and the
day start at local boundaries of the configured zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.engine.agents import clip_into
from pipeline.engine.counters import QUEUE_FIELDS, Q, Row, add_rows
from pipeline.engine.kpis import AgentTotals, agent_kpis, queue_kpis
from pipeline.engine.types import HistoryPoint, IntervalRecord
from schemas.snapshot import ROLLING_WINDOWS_S
from schemas.timefmt import format_ts

if TYPE_CHECKING:
    from pipeline.engine.agents import AgentCore, AgentTimeline, Segment
    from pipeline.engine.floor import FloorEngine

NOW_STATES = ("ready", "busy", "acw", "not_ready")
_STATE_KEY = {state: state + "_s" for state in NOW_STATES}
HISTORY_WINDOWS = ("15m", "interval")


def _zero() -> Row:
    return [0] * len(QUEUE_FIELDS)


def _counter_windows(
    engine: FloorEngine, now: int, names: tuple[str, ...]
) -> dict[tuple[str | None, str], dict[str, Row]]:
    cal = engine.calendar
    interval = cal.interval_start(now)
    day = cal.day_start(now)
    day_end = cal.next_day_start(now)
    out: dict[tuple[str | None, str], dict[str, Row]] = {}
    for key, counters in engine.queue_counters.items():
        rows: dict[str, Row] = {}
        for name in names:
            if name in ROLLING_WINDOWS_S:
                rows[name] = counters.window(now - ROLLING_WINDOWS_S[name] + 1, now)
            elif name == "interval":
                rows[name] = counters.window(interval, now)
            else:
                rows[name] = counters.day_to(day, now, day_end)
        out[key] = rows
    return out


def _waiting(engine: FloorEngine, now: int) -> dict[tuple[str, str], tuple[int, float]]:
    """Per (queue, channel): contacts in queue at `now` and their earliest offered ts."""
    out: dict[tuple[str, str], tuple[int, float]] = {}
    contacts = engine.contacts
    for queue, line in engine.in_queue.items():
        for cid, offered in line.waiting_at(now):
            contact = contacts.get(cid)
            channel = contact.channel if contact and contact.channel else "voice"
            count, earliest = out.get((queue, channel), (0, float("inf")))
            out[(queue, channel)] = (count + 1, min(earliest, offered))
    return out


def queue_sections(engine: FloorEngine, now: int, names: tuple[str, ...]) -> dict[str, Any]:
    """Queue, channel, site and all windows (KPI dicts) at `now`; `summed` keeps the
    counter rows behind them by `(kind, entity)` and window (`("all", "")` for all)."""
    settings = engine.settings
    rows = _counter_windows(engine, now, names)
    waiting = _waiting(engine, now)
    listed = set(settings.queues)
    for (queue, _channel), by_window in rows.items():
        if queue is not None and any(any(r) for r in by_window.values()):
            listed.add(queue)
    listed.update(q for (q, _c), (n, _e) in waiting.items() if n > 0)

    summed: dict[tuple[str, str], dict[str, Row]] = {}

    def rollup(
        entity: tuple[str, str],
        keys: list[tuple[str | None, str]],
        wait_keys: list[tuple[str, str]],
    ) -> dict:
        in_queue = sum(waiting[k][0] for k in wait_keys)
        earliest = min((waiting[k][1] for k in wait_keys), default=None)
        longest = None if earliest is None or not in_queue else now - earliest
        windows = {}
        totals = summed[entity] = {}
        for name in names:
            total = totals[name] = _zero()
            for key in keys:
                if key in rows:
                    add_rows(total, rows[key][name])
            windows[name] = queue_kpis(total, in_queue, longest)
        return windows

    all_keys = list(rows)
    all_wait = list(waiting)
    queues = {
        q: rollup(
            ("queue", q), [k for k in all_keys if k[0] == q], [k for k in all_wait if k[0] == q]
        )
        for q in sorted(listed)
    }
    channels = {
        ch: rollup(
            ("channel", ch),
            [k for k in all_keys if k[1] == ch],
            [k for k in all_wait if k[1] == ch],
        )
        for ch in ("voice", "chat")
    }
    site_of = {q: settings.queue_site(q) for q in listed}
    sites = {
        site: rollup(
            ("site", site),
            [k for k in all_keys if k[0] in site_of and site_of[k[0]] == site],
            [k for k in all_wait if site_of.get(k[0]) == site],
        )
        for site in sorted(set(site_of.values()))
    }
    return {
        "queues": queues,
        "channels": channels,
        "sites": sites,
        "all": rollup(("all", ""), all_keys, all_wait),
        "site_of": site_of,
        "summed": summed,
    }


def window_bounds(engine: FloorEngine, now: int, names: tuple[str, ...]) -> dict[str, int]:
    """Start of each window at `now` (epoch s): `now - W` for rolling windows (agent time
    is clipped to `[start, now]`, counters cover seconds `start + 1 .. now`), the local
    interval start, the local midnight."""
    cal = engine.calendar
    bounds: dict[str, int] = {}
    for name in names:
        if name in ROLLING_WINDOWS_S:
            bounds[name] = now - ROLLING_WINDOWS_S[name]
        elif name == "interval":
            bounds[name] = cal.interval_start(now)
        else:
            bounds[name] = cal.day_start(now)
    return bounds


def _agent_windows(  # noqa: PLR0917
    engine: FloorEngine,
    agent: AgentTimeline,
    core: AgentCore,
    extra: list[Segment],
    now: int,
    bounds: dict[str, int],
) -> dict[str, AgentTotals]:
    clipped = [(name, lo) for name, lo in bounds.items() if _clipped_window(name)]
    times = _times_in_windows(agent, core, extra, now, clipped)
    counts = agent.counters.windows([(_first_second(name, lo), now) for name, lo in clipped])
    for (name, _lo), row in zip(clipped, counts, strict=True):
        times[name].counters = row
    out: dict[str, AgentTotals] = {}
    for name, lo in bounds.items():
        if _clipped_window(name):
            totals = times[name]
        else:
            totals = agent.totals(core, extra, lo, now, day=lo)
            totals.counters = agent.counters.day_to(lo, now, engine.calendar.next_day_start(now))
        out[name] = totals
    return out


def _clipped_window(name: str) -> bool:
    """Rolling windows and the interval clip segments; the day reads its day totals."""
    return name in ROLLING_WINDOWS_S or name == "interval"


def _times_in_windows(
    agent: AgentTimeline,
    core: AgentCore,
    extra: list[Segment],
    now: int,
    windows: list[tuple[str, int]],
) -> dict[str, AgentTotals]:
    """`agent.totals(core, extra, lo, now)` for every `(name, lo)` window, in one pass over
    the agent's segments instead of one per window (a pure speed-up of the once-a-second
    agent side). Each window adds the same overlaps in the same order as `totals` does
    (newest segment first, stopping at the first that ends by `lo`; then `extra`; then the
    open segment), so the float sums are identical; `clip_into`/`add_time` are inlined."""
    out = {name: AgentTotals() for name, _lo in windows}
    all_windows = [(out[name], lo) for name, lo in windows]
    open_windows = all_windows
    segments = agent.segments
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        end = segment[1]
        if any(end <= lo for _t, lo in open_windows):
            open_windows = [(t, lo) for t, lo in open_windows if end > lo]
            if not open_windows:
                break
        _clip_into_each(open_windows, segment, now)
    for segment in extra:
        _clip_into_each(all_windows, segment, now)
    if core.state != "logged_out" and core.since is not None:
        _clip_into_each(all_windows, (core.since, now, core.state, core.reason), now)
    return out


def _clip_into_each(windows: list[tuple[AgentTotals, int]], segment: Segment, hi: int) -> None:
    """`agents.clip_into(totals, segment, lo, hi)` into each `(totals, lo)`, with
    `AgentTotals.add_time` inlined (this runs for every segment of every agent)."""
    start, end, state, reason = segment
    upto = end if end < hi else hi  # min(end, hi); equal values sum alike into floats
    for totals, lo in windows:
        overlap = upto - (start if start > lo else lo)
        if overlap > 0:
            states = totals.states
            states["logged_in_s"] += overlap
            states[_STATE_KEY[state]] += overlap
            if state == "not_ready" and reason is not None:
                by_reason = totals.by_reason
                by_reason[reason] = by_reason.get(reason, 0.0) + overlap


def _first_second(name: str, lo: int) -> int:
    """First counter second of a window starting at `lo`: rolling windows exclude `lo`."""
    return lo + 1 if name in ROLLING_WINDOWS_S else lo


def _idle_since(agent: AgentTimeline, core: AgentCore, extra: list[Segment], lo: int) -> bool:
    """Nothing of this agent can fall in a window starting at `lo` (a cheap pre-check)."""
    if core.logged_in or extra:
        return False
    if agent.segments and agent.segments[-1][1] > lo:
        return False
    if core.since is not None and core.since > lo:
        return False
    last = agent.counters.max_second
    return last is None or last < lo


def _add_decided(
    agent: AgentTimeline,
    core: AgentCore,
    into: dict[str, AgentTotals],
    bounds: dict[str, int],
    now: int,
) -> None:
    """Add an agent's decided time and counters at `now` into per-window totals.

    Used for interval records (every active agent at each interval boundary), so it is
    written flat: `AgentTotals.add_time` is inlined and the agent's counter seconds (a few
    an hour) are scanned once for all windows. Per-minute team history uses the team
    ledger instead (`pipeline.engine.team_history`).
    """
    windows = [(into[name], lo, _first_second(name, lo)) for name, lo in bounds.items()]
    segments = agent.segments
    for totals, lo, _first in windows:
        states, by_reason = totals.states, totals.by_reason
        for index in range(len(segments) - 1, -1, -1):
            start, end, state, reason = segments[index]
            if end <= lo:
                break
            overlap = (end if end < now else now) - (start if start > lo else lo)
            if overlap > 0:
                states["logged_in_s"] += overlap
                states[_STATE_KEY[state]] += overlap
                if reason is not None and state == "not_ready":
                    by_reason[reason] = by_reason.get(reason, 0.0) + overlap
        if core.state != "logged_out" and core.since is not None:
            clip_into(totals, (core.since, float(now), core.state, core.reason), lo, now)
    counters = agent.counters
    earliest = min(first for _t, _lo, first in windows)
    if counters.max_second is None or counters.max_second < earliest:
        return
    for second, row in counters.seconds.items():
        if earliest <= second <= now:
            for totals, _lo, first in windows:
                if second >= first:
                    add_rows(totals.counters, row)


def _rollup_entry(members: list[dict[str, AgentTotals]], names: tuple[str, ...]) -> dict:
    entry: dict[str, Any] = {}
    for name in names:
        total = AgentTotals()
        for windows in members:
            total.merge(windows[name])
        entry[name] = agent_kpis(total)
    return entry


def _now_counts(cores: list[AgentCore]) -> dict[str, int]:
    counts = {"staffed": 0, **dict.fromkeys(NOW_STATES, 0)}
    for core in cores:
        if core.logged_in:
            counts["staffed"] += 1
            counts[core.state] += 1
    return counts


@dataclass
class People:
    """The agent side of a snapshot at `now` (the expensive part): agent and team entries,
    each site's agent rollup, and `(team, state)` of every logged-in agent."""

    now: int
    agents: dict[str, Any]
    teams: dict[str, Any]
    site_agents: dict[str, dict[str, Any]]
    logged_in: list[tuple[str | None, str]]


def build_people(engine: FloorEngine, now: int) -> People:
    """Agents, teams and site agent rollups at `now` (provisional state included)."""
    from schemas.snapshot import WINDOWS

    zone = engine.calendar.zone
    agents: dict[str, Any] = {}
    team_members: dict[str, list[tuple[AgentCore, dict[str, AgentTotals]]]] = {}
    site_members: dict[str, list[tuple[AgentCore, dict[str, AgentTotals]]]] = {}
    logged_in: list[tuple[str | None, str]] = []
    bounds = window_bounds(engine, now, WINDOWS)
    earliest = min(bounds.values())
    for agent_id in sorted(engine.agents):
        agent = engine.agents[agent_id]
        core, extra = agent.provisional(now)
        if _idle_since(agent, core, extra, earliest):
            continue
        windows = _agent_windows(engine, agent, core, extra, now, bounds)
        if not core.logged_in and not any(t.is_active() for t in windows.values()):
            continue
        if core.logged_in:
            logged_in.append((core.team, core.state))
        entry: dict[str, Any] = {name: agent_kpis(t) for name, t in windows.items()}
        entry.update(
            state=core.state,
            state_since=None if core.since is None else format_ts(core.since, zone),
            reason=core.reason,
            team=core.team,
            site=core.site,
        )
        agents[agent_id] = entry
        if core.team is not None:
            team_members.setdefault(core.team, []).append((core, windows))
        if core.site is not None:
            site_members.setdefault(core.site, []).append((core, windows))
    teams = {}
    for team in sorted(team_members):
        members = team_members[team]
        entry = _rollup_entry([w for _c, w in members], WINDOWS)
        entry.update(_now_counts([c for c, _w in members]))
        teams[team] = entry
    site_agents = {}
    for site, members in site_members.items():
        agent_entry = _rollup_entry([w for _c, w in members], WINDOWS)
        agent_entry.update(_now_counts([c for c, _w in members]))
        site_agents[site] = agent_entry
    return People(now, agents, teams, site_agents, logged_in)


def build_snapshot(engine: FloorEngine, now: int, people: People | None = None) -> dict[str, Any]:
    """The §7 snapshot at `now` as `Snapshot(...).model_dump(by_alias=True)`.

    With `people` (built at an earlier `now`), the agent side is taken from it as is."""
    from schemas.snapshot import WINDOWS

    settings = engine.settings
    zone = engine.calendar.zone
    sections = queue_sections(engine, now, WINDOWS)
    if people is None:
        people = build_people(engine, now)
    queues = {}
    for queue, windows in sections["queues"].items():
        serving = set(settings.teams_serving(queue))
        counts = dict.fromkeys(NOW_STATES, 0)
        for team, state in people.logged_in:
            if team in serving:
                counts[state] += 1
        agents_now = {"staffed": sum(counts.values()), **counts}
        queues[queue] = {**windows, "site": sections["site_of"][queue], "agents_now": agents_now}
    sites = {}
    for site in sorted(set(sections["sites"]) | set(people.site_agents)):
        windows = sections["sites"].get(site) or {
            name: queue_kpis(_zero(), 0, None) for name in WINDOWS
        }
        agent_entry = people.site_agents.get(site)
        if agent_entry is None:
            agent_entry = _rollup_entry([], WINDOWS)
            agent_entry.update(_now_counts([]))
        sites[site] = {**windows, "agents": agent_entry}
    agents, teams = people.agents, people.teams
    day = engine.calendar.day_start(now)
    alerts = engine.alerts.visible_exported(now, day)
    snapshot = {
        "now": format_ts(now, zone),
        "queues": queues,
        "channels": sections["channels"],
        "sites": sites,
        "all": sections["all"],
        "agents": agents,
        "teams": teams,
        "alerts": alerts,
    }
    # Built directly in the shape of `Snapshot.model_dump(by_alias=True)` (a pydantic round
    # trip per tick costs more than the KPIs); tests pin the two equal.
    return snapshot


def history_points(engine: FloorEngine, minute: int) -> list[HistoryPoint]:
    """KPIs (15m and interval) of every queue, channel, site, all and team at `minute`,
    from decided state."""
    sections = queue_sections(engine, minute, HISTORY_WINDOWS)
    points = [HistoryPoint("all", "", minute, sections["all"])]
    for kind, key in (("queue", "queues"), ("channel", "channels"), ("site", "sites")):
        points.extend(
            HistoryPoint(kind, entity, minute, windows) for entity, windows in sections[key].items()
        )
    points.extend(team_history_points(engine, minute))
    return points


def team_history_points(engine: FloorEngine, minute: int) -> list[HistoryPoint]:
    """Team points at `minute`: closed time and counters from the team ledger, plus the
    open segment of each logged-in member (its decided state since `core.since`)."""
    bounds = window_bounds(engine, minute, HISTORY_WINDOWS)
    windows = list(bounds.items())
    ledger = engine.team_ledger
    teams: dict[str, dict[str, AgentTotals]] = {}
    for team in ledger.teams():
        by_window = ledger.decided_times(team, bounds, minute)
        for name, lo in windows:
            by_window[name].counters = ledger.counts(team, _first_second(name, lo), minute)
        teams[team] = by_window
    staffed: set[str] = set()
    for agent in engine.agents.values():
        core = agent.core
        member_of = core.team
        if member_of is None or not core.logged_in:
            continue
        staffed.add(member_of)
        totals = teams.get(member_of)
        if totals is None:
            totals = teams[member_of] = {name: AgentTotals() for name in HISTORY_WINDOWS}
        since = core.since
        if since is None:
            continue
        state, reason = core.state, core.reason
        for name, lo in windows:
            # The open segment `[since, minute]` clipped to `[lo, minute]` (add_time inlined).
            overlap = minute - (since if since > lo else lo)
            if overlap > 0:
                window = totals[name]
                states = window.states
                states["logged_in_s"] += overlap
                states[_STATE_KEY[state]] += overlap
                if reason is not None and state == "not_ready":
                    window.by_reason[reason] = window.by_reason.get(reason, 0.0) + overlap
    return [
        HistoryPoint("team", team, minute, {name: agent_kpis(t) for name, t in teams[team].items()})
        for team in sorted(teams)
        if team in staffed or any(t.is_active() for t in teams[team].values())
    ]


def interval_records(engine: FloorEngine, boundary: int) -> list[IntervalRecord]:
    """Every entity's KPIs over the interval that closes at `boundary`, from decided state.

    Counters cover the seconds `start .. boundary - 1` (events in `[start, boundary)`);
    agent time is clipped to `[start, boundary]`. `in_queue`/`longest_wait_s` are those of
    the interval's last second. Queue-like records carry the interval's waiting-time sums
    (`answered_wait_s`, `abandoned_wait_s`, seconds) beside their §3 KPIs.
    """
    start = engine.calendar.interval_start(boundary - 1)
    length = boundary - start
    sections = queue_sections(engine, boundary - 1, ("interval",))
    summed = sections["summed"]
    answered_at, abandoned_at = Q["wait_answered_sum"], Q["wait_abandoned_sum"]

    def queue_record(kind: str, entity: str, kpis: dict[str, Any]) -> IntervalRecord:
        row = summed[(kind, entity)]["interval"]
        return IntervalRecord(
            kind, entity, start, length, kpis, float(row[answered_at]), float(row[abandoned_at])
        )

    records = [queue_record("all", "", sections["all"]["interval"])]
    for kind, key in (("queue", "queues"), ("channel", "channels"), ("site", "sites")):
        records.extend(
            queue_record(kind, entity, windows["interval"])
            for entity, windows in sections[key].items()
        )
    teams: dict[str, AgentTotals] = {}
    for agent_id in sorted(engine.agents):
        agent = engine.agents[agent_id]
        core = agent.core
        if _idle_since(agent, core, [], start):
            continue
        into = {"interval": AgentTotals()}
        _add_decided(agent, core, into, {"interval": start}, boundary)
        totals = into["interval"]
        # Second `boundary` already belongs to the next interval.
        totals.counters = agent.counters.window(start, boundary - 1)
        if not totals.is_active():
            continue
        records.append(IntervalRecord("agent", agent_id, start, length, agent_kpis(totals)))
        if core.team is not None:
            teams.setdefault(core.team, AgentTotals()).merge(totals)
    records.extend(
        IntervalRecord("team", team, start, length, agent_kpis(teams[team]))
        for team in sorted(teams)
    )
    return records
