"""The reference's own tie-break among events with the same timestamp (kpi-semantics §1).

Events are processed in `(ts, rank, seq)` order: at one instant an agent logs in before it
changes state, a contact is offered before it is answered or abandoned, answered before it
ends, ends before its wrap-up ends, the survey comes after, and a logout comes last. Written
out here rather than imported from `schemas.events`, so a slip in either table shows up as
a disagreement between the engine and the reference. The SQL relies on `agent.logout`
having rank 7 (`alerts_sql`).
"""

from __future__ import annotations

CANONICAL_RANK: dict[str, int] = {
    "agent.login": 0,
    "agent.state": 1,
    "contact.offered": 2,
    "contact.self_served": 2,
    "contact.answered": 3,
    "contact.abandoned": 3,
    "contact.ended": 4,
    "contact.wrapup_ended": 5,
    "survey.response": 6,
    "agent.logout": 7,
}
