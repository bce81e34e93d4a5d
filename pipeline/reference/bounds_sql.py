"""SQL: entity caps (`[limits]`, docs/kpi-semantics-addenda.md "Entity caps").

Runs right after `ev` (events past the time check and the duplicate rule) is built and
removes from it the events that name a queue, agent, team or site beyond its cap, so every
later table sees only accepted events. Per kind, independently: configured names are held;
the other names, ranked by the arrival (`seq`) of the first event in `ev` naming them, are
held while the rank is within the room the configuration leaves (`slots` = cap minus the
configured names; none for queues with `accept_unconfigured_queues = false`).

Lookup tables built in Python from the configuration: `bconf (kind, name)` the configured
names, `bcaps (kind, slots)`.
"""

from __future__ import annotations

import pyarrow as pa

from schemas.config import Settings

# The capped kinds, in the order the caps are reported.
_KINDS = ("queue", "agent", "team", "site")

STATEMENTS: tuple[str, ...] = (
    """
    CREATE OR REPLACE TEMP TABLE ev_names AS
    SELECT seq, 'queue' AS kind, queue AS name FROM ev
    WHERE type IN ('contact.offered', 'contact.self_served') AND queue IS NOT NULL
    UNION ALL
    SELECT seq, 'agent', agent_id FROM ev
    WHERE agent_id IS NOT NULL AND type IN ('agent.login', 'agent.logout', 'agent.state',
          'contact.answered', 'contact.ended', 'contact.wrapup_ended')
    UNION ALL
    SELECT seq, 'team', team FROM ev WHERE type = 'agent.login'
    UNION ALL
    SELECT seq, 'site', site FROM ev WHERE type = 'agent.login'
    """,
    """
    CREATE OR REPLACE TEMP TABLE held AS
    WITH newcomers AS (
        SELECT kind, name, min(seq) AS first_seq FROM ev_names n
        WHERE NOT EXISTS (SELECT 1 FROM bconf c WHERE c.kind = n.kind AND c.name = n.name)
        GROUP BY kind, name
    ), ranked AS (
        SELECT kind, name, row_number() OVER (PARTITION BY kind ORDER BY first_seq) AS arrival
        FROM newcomers
    )
    SELECT r.kind, r.name FROM ranked r JOIN bcaps c ON c.kind = r.kind
    WHERE r.arrival <= c.slots
    UNION ALL
    SELECT kind, name FROM bconf
    """,
    """
    DELETE FROM ev WHERE seq IN (
        SELECT n.seq FROM ev_names n
        WHERE NOT EXISTS (SELECT 1 FROM held h WHERE h.kind = n.kind AND h.name = n.name)
    )
    """,
)


def _configured(settings: Settings) -> dict[str, set[str]]:
    """Names the configuration declares, read here from its values: queues of
    `[queues.*]` and of the teams' `queues` lists, teams of `[teams.*]`, the default site
    and every site a queue or team names; no agents."""
    sites = {settings.default_site}
    sites |= {q.site for q in settings.queues.values() if q.site is not None}
    sites |= {t.site for t in settings.teams.values() if t.site is not None}
    queues = set(settings.queues)
    for team in settings.teams.values():
        queues |= set(team.queues)
    return {"queue": queues, "agent": set(), "team": set(settings.teams), "site": sites}


def bounds_tables(settings: Settings) -> dict[str, pa.Table]:
    """`bconf` and `bcaps` for `settings`."""
    limits = settings.limits
    caps = {
        "queue": limits.max_queues,
        "agent": limits.max_agents,
        "team": limits.max_teams,
        "site": limits.max_sites,
    }
    declared = _configured(settings)
    kinds: list[str] = []
    names: list[str] = []
    slots: list[int] = []
    for kind in _KINDS:
        configured = sorted(declared[kind])
        kinds += [kind] * len(configured)
        names += configured
        room = caps[kind] - len(configured)
        if kind == "queue" and not limits.accept_unconfigured_queues:
            room = 0
        slots.append(room)
    return {
        "bconf": pa.table(
            {"kind": pa.array(kinds, pa.string()), "name": pa.array(names, pa.string())}
        ),
        "bcaps": pa.table(
            {
                "kind": pa.array(list(_KINDS), pa.string()),
                "slots": pa.array(slots, pa.int64()),
            }
        ),
    }
