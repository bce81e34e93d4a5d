"""Which pages a principal may open: one decision per path, used for page loads and,
after mapping a Dash callback to the page it serves, for callbacks too.

Pages: `/` and `/wallboard` (floor), `/queue/<q>`, `/team/<t>`, `/agent/<a>`, `/alerts`,
`/me/<a>`. Roles: viewer → floor and queue aggregates; team_lead → also their teams and
their agents, alerts; manager/admin → everything; agent → only `/me/<own id>`;
a TV screen token → the wallboard only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pipeline.access.principal import Principal

PageKind = Literal["wallboard", "queue", "team", "agent", "alerts", "me", "reports"]
Verdict = Literal["allow", "deny", "not_found"]
AgentTeam = Callable[[str], str | None]  # agent id → their team now (None if unknown)

_AGGREGATE_ROLES = frozenset({"viewer", "team_lead", "manager", "admin"})
_ALERT_ROLES = frozenset({"team_lead", "manager", "admin"})
# Reports hold every queue, team and agent of the center.
_REPORT_ROLES = frozenset({"manager", "admin"})


@dataclass(frozen=True)
class Page:
    kind: PageKind
    subject: str = ""  # the queue, team or agent id in the path


def page_of(path: str) -> Page | None:
    """The page a URL path shows, or None if it is no page of ours."""
    path = path.rstrip("/") or "/"
    if path in ("/", "/wallboard"):
        return Page("wallboard")
    if path == "/alerts":
        return Page("alerts")
    parts = path.strip("/").split("/")
    if parts[0] == "reports":
        return Page("reports", "/".join(parts[1:]))
    if len(parts) == 2 and parts[1] and parts[0] in ("queue", "team", "agent", "me"):
        kind: PageKind = parts[0]  # type: ignore[assignment]
        return Page(kind, parts[1])
    return None


def decide(principal: Principal, page: Page, agent_team: AgentTeam) -> Verdict:
    """May `principal` see `page`? `agent_team` is asked only for agent pages."""
    if principal.via == "open":
        return "allow"
    if principal.is_screen:
        return "allow" if page.kind == "wallboard" else "deny"
    role = principal.role
    if role == "agent":
        return "allow" if page.kind == "me" and page.subject == principal.agent_id else "deny"
    if page.kind in ("wallboard", "queue"):
        return "allow" if role in _AGGREGATE_ROLES else "deny"
    if page.kind == "alerts":
        return "allow" if role in _ALERT_ROLES else "deny"
    if page.kind == "reports":
        return "allow" if role in _REPORT_ROLES else "deny"
    if page.kind == "team":
        return "allow" if principal.sees_team(page.subject) else "deny"
    # agent or me: a person's numbers
    if principal.sees_everyone:
        return "allow"
    return "allow" if principal.sees_team(agent_team(page.subject)) else "deny"


def landing_path(principal: Principal) -> str:
    """Where a principal goes after signing in."""
    if principal.role == "agent" and principal.agent_id:
        return f"/me/{principal.agent_id}"
    return "/wallboard"
