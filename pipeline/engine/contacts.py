"""Contact lifecycle records, filled order-insensitively (kpi-semantics §1).

A candidate event for a slot (outcome, ended, wrap-up, survey) is judged once the slot's
prerequisite is known; until then it waits. "First valid by arrival wins": waiting
candidates are judged in `seq` order as soon as their prerequisite is decided. A candidate
still waiting when the watermark passes its ts can never become valid (its prerequisite
would be late) and is rejected. Times are epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["accept", "reject", "wait"]


@dataclass(slots=True)
class Candidate:
    """An event waiting for its prerequisite; `event` is the parsed pydantic event."""

    seq: int
    ts: float
    type: str
    agent_id: str | None
    event: Any


@dataclass(slots=True)
class Contact:
    contact_id: str
    queue: str | None = None
    channel: str | None = None
    offered_ts: float | None = None
    outcome: str | None = None  # "answered" | "abandoned"
    outcome_ts: float | None = None
    agent_id: str | None = None
    ended_ts: float | None = None
    wrapup_ts: float | None = None
    surveyed: bool = False
    last_ts: float = 0.0
    # Agent timeline could not take this contact's work (the answer was late).
    work_untracked: bool = False
    ultra_long_raised: bool = False
    waiting: list[Candidate] = field(default_factory=list)


def judge(contact: Contact, cand: Candidate, survey_window_s: float) -> tuple[Verdict, str]:
    """Decide a candidate against the contact's accepted slots; the reason when rejected."""
    cid = contact.contact_id
    kind = cand.type
    if kind in ("contact.answered", "contact.abandoned"):
        if contact.offered_ts is None:
            return "wait", f"{kind}: contact {cid} was never offered"
        if contact.outcome is not None:
            return "reject", f"{kind}: contact {cid} already has an outcome ({contact.outcome})"
        if cand.ts < contact.offered_ts:
            return "reject", f"{kind}: contact {cid} outcome before its offer"
        return "accept", ""
    if contact.offered_ts is None:
        return "wait", f"{kind}: contact {cid} was never offered"
    if contact.outcome is None:
        return "wait", f"{kind}: contact {cid} was never answered"
    if contact.outcome == "abandoned":
        return "reject", f"{kind}: contact {cid} was abandoned, not answered"
    assert contact.outcome_ts is not None
    if kind == "contact.ended":
        if contact.ended_ts is not None:
            return "reject", f"{kind}: contact {cid} already ended"
        if cand.agent_id != contact.agent_id:
            return "reject", (
                f"{kind}: contact {cid} was answered by {contact.agent_id}, not {cand.agent_id}"
            )
        if cand.ts < contact.outcome_ts:
            return "reject", f"{kind}: contact {cid} ended before it was answered"
        return "accept", ""
    if kind == "contact.wrapup_ended":
        if contact.ended_ts is None:
            return "wait", f"{kind}: contact {cid} never ended"
        if contact.wrapup_ts is not None:
            return "reject", f"{kind}: contact {cid} already wrapped up"
        if cand.agent_id != contact.agent_id:
            return "reject", (
                f"{kind}: contact {cid} was answered by {contact.agent_id}, not {cand.agent_id}"
            )
        if cand.ts < contact.ended_ts:
            return "reject", f"{kind}: contact {cid} wrap-up ended before the contact ended"
        return "accept", ""
    # survey.response
    if contact.surveyed:
        return "reject", f"{kind}: contact {cid} already has a survey response"
    if cand.ts < contact.outcome_ts:
        return "reject", f"{kind}: contact {cid} survey before the answer"
    if cand.ts > contact.outcome_ts + survey_window_s:
        return "reject", f"{kind}: contact {cid} survey after the {survey_window_s:g} s window"
    return "accept", ""


def apply_accepted(contact: Contact, cand: Candidate) -> None:
    """Record an accepted candidate in its slot."""
    kind = cand.type
    if kind == "contact.answered":
        contact.outcome, contact.outcome_ts, contact.agent_id = "answered", cand.ts, cand.agent_id
    elif kind == "contact.abandoned":
        contact.outcome, contact.outcome_ts = "abandoned", cand.ts
    elif kind == "contact.ended":
        contact.ended_ts = cand.ts
    elif kind == "contact.wrapup_ended":
        contact.wrapup_ts = cand.ts
    else:
        contact.surveyed = True
    contact.last_ts = max(contact.last_ts, cand.ts)


def is_settled(contact: Contact) -> bool:
    """No slot of this contact can still change (apart from a survey window)."""
    if contact.waiting or contact.offered_ts is None:
        return not contact.waiting
    if contact.outcome == "abandoned":
        return True
    return contact.wrapup_ts is not None
