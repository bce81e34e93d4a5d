"""Pure view logic of the team page's schedule adherence: absenteeism and utilization
against scheduled (paid) time, per agent on today's roster and for the team, so far today.

Times are seconds (shown `hh:mm:ss`), ratios 0..1 (shown as percentages). "Today" is the
local day of `now` in the configured zone (default Asia/Shanghai); scheduled time is cut
to `[local midnight, now)` (`pipeline.staffing.roster.clip_roster`) and compared with the
agents' `day` KPIs of the snapshot (logged-in, busy, after-call and ready time since local
midnight). See `pipeline.staffing.roster` for the definitions (T/IAC 40-2021 Appendix A).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from dashboard import format as fmt
from dashboard.i18n import Lang, t
from dashboard.views import padded_duration
from pipeline.staffing.roster import (
    Roster,
    absenteeism,
    clip_roster,
    utilization_against_schedule,
)
from schemas.snapshot import AgentKpis, Snapshot


@dataclass(frozen=True)
class Adherence:
    """One agent's (or the team's) day so far: seconds and ratios 0..1 (None: nothing
    scheduled yet)."""

    agent_id: str | None  # None: the team total
    scheduled_s: float
    logged_in_s: float
    lost_s: float
    absenteeism: float | None
    utilization: float | None


def team_adherence(
    roster: Roster, team: str, snapshot: Snapshot | None, now: datetime, zone: tzinfo
) -> list[Adherence]:
    """One row per agent of `team` with a shift on the local day of `now` (sorted by id),
    then the team total; empty when nobody of the team is on today's roster.

    An agent whose shift starts later today is listed with zero scheduled so far. Logged-in
    time outside the shift still offsets that agent's own lost time (Appendix A's "hours
    lost" per agent), never another agent's.
    """
    local = now.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    team_roster = Roster(shifts=tuple(s for s in roster.shifts if s.team == team))
    today = clip_roster(team_roster, midnight, midnight + timedelta(days=1))
    agent_ids = sorted({s.agent_id for s in today.shifts})
    if not agent_ids:
        return []
    so_far = clip_roster(today, midnight, local)
    day = {
        agent_id: snapshot.agents[agent_id].day
        if snapshot is not None and agent_id in snapshot.agents
        else AgentKpis()
        for agent_id in agent_ids
    }
    logged_in = {agent_id: kpis.logged_in_s for agent_id, kpis in day.items()}
    lost = absenteeism(so_far, logged_in)
    used = utilization_against_schedule(so_far, day)
    paid = so_far.paid_s_by_agent()
    rows = []
    for agent_id in agent_ids:
        scheduled = paid.get(agent_id, 0.0)
        lost_s = lost.lost_s_by_agent.get(agent_id, 0.0)
        rows.append(
            Adherence(
                agent_id=agent_id,
                scheduled_s=scheduled,
                logged_in_s=logged_in[agent_id],
                lost_s=lost_s,
                absenteeism=lost_s / scheduled if scheduled > 0 else None,
                utilization=used.by_agent.get(agent_id),
            )
        )
    rows.append(
        Adherence(
            agent_id=None,
            scheduled_s=lost.scheduled_s,
            logged_in_s=sum(logged_in.values()),
            lost_s=lost.lost_s,
            absenteeism=lost.absenteeism,
            utilization=used.utilization,
        )
    )
    return rows


ADHERENCE_FIELDS: tuple[str, ...] = (
    "agent",
    "scheduled_so_far",
    "logged_in_so_far",
    "lost_time",
    "absenteeism",
    "utilization_vs_schedule",
)


def adherence_rows(rows: list[Adherence], lang: Lang) -> list[dict[str, str]]:
    """Display rows (texts) of `team_adherence`; the total row's agent is "Total"."""
    return [
        {
            "agent": t("total", lang)
            if row.agent_id is None
            else fmt.agent_link(row.agent_id),
            "scheduled_so_far": padded_duration(row.scheduled_s),
            "logged_in_so_far": padded_duration(row.logged_in_s),
            "lost_time": padded_duration(row.lost_s),
            "absenteeism": fmt.fmt_ratio(row.absenteeism),
            "utilization_vs_schedule": fmt.fmt_ratio(row.utilization),
        }
        for row in rows
    ]
