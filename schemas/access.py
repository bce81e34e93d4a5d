"""Sign-in, roles, screen tokens, masking and audit settings (`[access]` in the config).

Durations are seconds. Passwords are never stored in clear: `users.<name>.password_hash`
is an argon2id hash written by `wallboard users add`; the pipeline never copies this
section to Redis (`wb:config`). Secrets (mask key) come from the environment, never from
this file; sessions are random tokens kept server-side (hashed) in Redis.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal["viewer", "team_lead", "manager", "admin", "agent"]
ROLES: tuple[Role, ...] = ("viewer", "team_lead", "manager", "admin", "agent")
AuthMode = Literal["auto", "on", "off"]
USER_NAME_PATTERN = r"^[A-Za-z0-9_.@-]{1,64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UserEntry(_Strict):
    """One person who may sign in.

    `teams`: the teams a `team_lead` leads. `agent_id`: the agent an `agent` user is.
    `password_hash` may be absent for users that only come through the trusted proxy.
    """

    role: Role
    password_hash: str | None = None
    teams: list[str] = Field(default_factory=list)
    agent_id: str | None = None

    @model_validator(mode="after")
    def _agent_has_id(self) -> UserEntry:
        if self.role == "agent" and not self.agent_id:
            msg = "role 'agent' needs agent_id"
            raise ValueError(msg)
        return self


class AccessSettings(_Strict):
    """`auth`: "auto" enables sign-in when any user or a proxy header is configured,
    "on" always (nobody gets in until users exist), "off" never (a trusted network only).
    """

    auth: AuthMode = "auto"
    users: dict[Annotated[str, Field(pattern=USER_NAME_PATTERN)], UserEntry] = Field(
        default_factory=dict
    )
    # A reverse proxy that has authenticated the person puts their user name in this
    # header; it is believed only from `proxy_trusted` peer addresses.
    proxy_header: str | None = None
    proxy_trusted: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    session_max_age_s: Annotated[float, Field(gt=0)] = 8 * 3600
    cookie_secure: bool = True
    signin_max_attempts: Annotated[int, Field(ge=1)] = 5
    signin_window_s: Annotated[float, Field(gt=0)] = 300
    # Origins allowed to frame the dashboard (CSP frame-ancestors); none by default.
    frame_origins: list[str] = Field(default_factory=list)
    # True: refuse to start without WALLBOARD_MASK_KEY (else customer ids are dropped).
    mask_required: bool = False
    audit_maxlen: Annotated[int, Field(ge=100)] = 100_000
    # The separate stream of refused sign-ins and unauthenticated requests.
    audit_refused_maxlen: Annotated[int, Field(ge=100)] = 10_000
    # How long a screen token's validity is trusted before Redis is asked again.
    screen_recheck_s: Annotated[float, Field(gt=0, le=10)] = 5

    @property
    def auth_enabled(self) -> bool:
        if self.auth == "auto":
            return bool(self.users) or self.proxy_header is not None
        return self.auth == "on"
