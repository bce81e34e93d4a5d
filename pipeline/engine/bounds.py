"""Entity caps (`[limits]`): the floor holds at most `max_queues` queues, `max_agents`
agents, `max_teams` teams and `max_sites` sites, whatever the input names.

Per kind, independently: the configured names are held from the start; a new name is
taken, in arrival order of the events that passed the time check and the duplicate rule,
while fewer than the cap are held (queues only with `accept_unconfigured_queues`). An
event naming any name that is not held is refused; the event still takes the names of the
other kinds it carries while they have room (docs/kpi-semantics-addenda.md, "Entity
caps"). The DuckDB reference decides the same in SQL (`pipeline/reference/bounds_sql.py`).
"""

from __future__ import annotations

from schemas.config import CAPPED_KINDS, EntityKindCapped, Settings
from schemas.events import (
    AgentLogin,
    ContactOffered,
    ContactSelfServed,
    Event,
)


def named_entities(event: Event) -> list[tuple[EntityKindCapped, str]]:
    """The (kind, name) pairs an event names: the queue of an offer or self-service, the
    agent of agent events and of answers, ends and wrap-ups, the team and site of a login."""
    if isinstance(event, ContactOffered):
        return [("queue", event.queue)]
    if isinstance(event, ContactSelfServed):
        return [] if event.queue is None else [("queue", event.queue)]
    if isinstance(event, AgentLogin):
        return [("agent", event.agent_id), ("team", event.team), ("site", event.site)]
    agent_id = getattr(event, "agent_id", None)
    return [] if agent_id is None else [("agent", agent_id)]


class EntityBounds:
    """The names held per kind and how many events were refused (by the first kind that
    refused them, in the order queue, agent, team, site). Picklable."""

    def __init__(self, settings: Settings) -> None:
        limits = settings.limits
        self.caps = {kind: limits.cap(kind) for kind in CAPPED_KINDS}
        self.held: dict[str, set[str]] = {
            kind: set(settings.configured_names(kind)) for kind in CAPPED_KINDS
        }
        self.open_queues = limits.accept_unconfigured_queues
        self.refused: dict[str, int] = dict.fromkeys(CAPPED_KINDS, 0)

    def refuse(self, event: Event) -> str | None:
        """Take the event's new names that have room; the dead-letter reason when one of its
        names is not held (the first such, by the kind order above), else None."""
        reason: str | None = None
        first_kind = ""
        for kind, name in named_entities(event):
            held = self.held[kind]
            if name in held:
                continue
            if kind == "queue" and not self.open_queues:
                why = (
                    f"queue: {name!r} is not configured (limits.accept_unconfigured_queues = false)"
                )
            elif len(held) >= self.caps[kind]:
                why = (
                    f"{kind}: {name!r} refused: the cap of {self.caps[kind]} distinct "
                    f"{kind}s is reached (limits.max_{kind}s)"
                )
            else:
                held.add(name)
                continue
            if reason is None:
                reason, first_kind = why, kind
        if reason is not None:
            self.refused[first_kind] += 1
        return reason
