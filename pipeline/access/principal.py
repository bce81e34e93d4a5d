"""Who is asking: a signed-in person, a TV screen, or everyone when sign-in is off."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from schemas.access import Role, UserEntry

Via = Literal["password", "proxy", "screen", "open"]
# Roles that see every team and agent.
ALL_SEEING: frozenset[Role] = frozenset({"manager", "admin"})


@dataclass(frozen=True)
class Principal:
    """`name` is the user name (or `screen:<name>`); `teams` matter for team leads only."""

    name: str
    role: Role | None  # None for a screen: it is not a person
    via: Via
    teams: frozenset[str] = field(default_factory=frozenset)
    agent_id: str | None = None

    @property
    def is_screen(self) -> bool:
        return self.via == "screen"

    @property
    def sees_everyone(self) -> bool:
        return self.role in ALL_SEEING

    def sees_team(self, team: str | None) -> bool:
        """May this principal see the agents of `team`?"""
        if self.sees_everyone:
            return True
        return self.role == "team_lead" and team is not None and team in self.teams


def open_access() -> Principal:
    """Everyone, when sign-in is disabled (`access.auth = "off"` or no users)."""
    return Principal(name="anonymous", role="admin", via="open")


def user_principal(name: str, user: UserEntry, via: Via) -> Principal:
    return Principal(
        name=name, role=user.role, via=via, teams=frozenset(user.teams), agent_id=user.agent_id
    )


def screen_principal(screen: str) -> Principal:
    return Principal(name=f"screen:{screen}", role=None, via="screen")
