"""Configuration: one TOML file with defaults and per-queue / per-team overrides.

All durations are seconds, all ratios 0..1. Timestamps and intervals are interpreted in
`timezone` (IANA name, default Asia/Shanghai). `load_settings` validates the file and
raises `ConfigError` naming the offending key.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from schemas.access import AccessSettings
from schemas.alert_kinds import AlertKind, Severity
from schemas.events import Channel, ConfigPlaceName, NotReadyReason, check_text
from schemas.importers import ImporterSettings
from schemas.notify import NotifySettings
from schemas.reports import ReportSettings
from schemas.staffing import StaffingSettings

Seconds = Annotated[float, Field(ge=0)]
Ratio = Annotated[float, Field(ge=0, le=1)]
# A display name (`name_zh`, `name_en`): shown on screens and in chat messages, so no
# control or bidi characters. Queue, team and site keys follow the event rule (`ConfigPlaceName`).
DisplayName = Annotated[
    str, StringConstraints(min_length=1, max_length=64), AfterValidator(check_text)
]


class ConfigError(ValueError):
    """The configuration file is invalid; the message names the key and the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelDefaults(_Strict):
    """Thresholds that differ by channel; a queue may override each of them."""

    sl_threshold_s: Seconds
    wait_breach_s: Seconds
    ultra_long_s: Seconds
    ultra_short_s: Seconds | None = None


class QueueOverrides(_Strict):
    """Per-queue settings; `None` means "inherit the default"."""

    name_zh: DisplayName | None = None
    name_en: DisplayName | None = None
    channel: Channel | None = None
    site: ConfigPlaceName | None = None
    sl_threshold_s: Seconds | None = None
    wait_breach_s: Seconds | None = None
    ultra_long_s: Seconds | None = None
    ultra_short_s: Seconds | None = None
    short_abandon_s: Seconds | None = None
    sl_target: Ratio | None = None
    sl_min_contacts: Annotated[int, Field(ge=1)] | None = None
    sl_hold_s: Seconds | None = None
    sl_clear_margin: Ratio | None = None
    sl_warn_margin: Ratio | None = None
    abandon_spike_rate: Ratio | None = None
    abandon_min_contacts: Annotated[int, Field(ge=1)] | None = None
    abandon_hold_s: Seconds | None = None
    wait_clear_hold_s: Seconds | None = None
    volume_spike_factor: Annotated[float, Field(gt=0)] | None = None
    volume_spike_min_contacts: Annotated[int, Field(ge=1)] | None = None
    volume_spike_min_elapsed_s: Annotated[float, Field(gt=0)] | None = None


class QueueDefaults(_Strict):
    short_abandon_s: Seconds = 5
    sl_target: Ratio = 0.80
    sl_min_contacts: Annotated[int, Field(ge=1)] = 10
    sl_hold_s: Seconds = 60
    sl_clear_margin: Ratio = 0.02
    # Wallboard colour: amber while target <= SL < target + sl_warn_margin, red below target.
    sl_warn_margin: Ratio = 0.05
    abandon_spike_rate: Ratio = 0.10
    abandon_min_contacts: Annotated[int, Field(ge=1)] = 10
    abandon_hold_s: Seconds = 60
    # wait_breach clears only after longest_wait_s has stayed <= the threshold this long
    # (the contract's `clear_hold_s`).
    wait_clear_hold_s: Seconds = 60
    # volume_spike: offered in the interval projected to its end (elapsed seconds floored
    # at `volume_spike_min_elapsed_s`) above `volume_spike_factor` × the forecast.
    volume_spike_factor: Annotated[float, Field(gt=0)] = 1.5
    volume_spike_min_contacts: Annotated[int, Field(ge=1)] = 10
    volume_spike_min_elapsed_s: Annotated[float, Field(gt=0)] = 300


class QueueRules(BaseModel):
    """Resolved settings of one queue for contacts of one channel."""

    model_config = ConfigDict(frozen=True)

    queue: str
    channel: Channel
    name_zh: str
    name_en: str
    site: str
    sl_threshold_s: float
    wait_breach_s: float
    ultra_long_s: float
    ultra_short_s: float | None
    short_abandon_s: float
    sl_target: float
    sl_min_contacts: int
    sl_hold_s: float
    sl_clear_margin: float
    sl_warn_margin: float
    abandon_spike_rate: float
    abandon_min_contacts: int
    abandon_hold_s: float
    wait_clear_hold_s: float
    volume_spike_factor: float
    volume_spike_min_contacts: int
    volume_spike_min_elapsed_s: float


def _default_long_away() -> dict[NotReadyReason, float]:
    return {
        "break": 900,
        "lunch": 3600,
        "training": 7200,
        "meeting": 3600,
        "coaching": 3600,
        "system": 300,
        "other": 300,
    }


class TeamDefaults(_Strict):
    long_away_s: dict[NotReadyReason, Seconds] = Field(default_factory=_default_long_away)
    late_login_grace_s: Seconds = 300
    early_logout_grace_s: Seconds = 300
    relogin_count: Annotated[int, Field(ge=2)] = 3
    relogin_window_s: Seconds = 1800
    # A roster shift applies to a login (without shift fields) from this long before its start.
    early_login_window_s: Seconds = 7200


class TeamOverrides(_Strict):
    name_zh: DisplayName | None = None
    name_en: DisplayName | None = None
    site: ConfigPlaceName | None = None
    queues: list[ConfigPlaceName] = Field(default_factory=list)
    long_away_s: dict[NotReadyReason, Seconds] = Field(default_factory=dict)
    late_login_grace_s: Seconds | None = None
    early_logout_grace_s: Seconds | None = None
    relogin_count: Annotated[int, Field(ge=2)] | None = None
    relogin_window_s: Seconds | None = None
    early_login_window_s: Seconds | None = None


class TeamRules(BaseModel):
    model_config = ConfigDict(frozen=True)

    team: str
    queues: tuple[str, ...]
    long_away_s: dict[NotReadyReason, float]
    late_login_grace_s: float
    early_logout_grace_s: float
    relogin_count: int
    relogin_window_s: float
    early_login_window_s: float


EntityKindCapped = Literal["queue", "agent", "team", "site"]
CAPPED_KINDS: tuple[EntityKindCapped, ...] = ("queue", "agent", "team", "site")


class EntityLimits(_Strict):
    """`[limits]`: how many distinct queues, agents, teams and sites the floor holds.

    Sized for a national hotline. Configured names (see `Settings.configured_names`) always
    count and are always accepted; a new name is accepted, in arrival order, while fewer
    than the cap are held; an event naming one beyond the cap is a dead letter
    (docs/kpi-semantics-addenda.md 27). Memory: about 15 MiB per 1,000 agents, see
    docs/operations.md ("Bounds").
    """

    max_queues: Annotated[int, Field(ge=1)] = 500
    max_agents: Annotated[int, Field(ge=1)] = 20_000
    max_teams: Annotated[int, Field(ge=1)] = 2_000
    max_sites: Annotated[int, Field(ge=1)] = 100
    # false: only queues of the configuration are accepted (the others are dead letters).
    accept_unconfigured_queues: bool = True

    def cap(self, kind: EntityKindCapped) -> int:
        caps = {
            "queue": self.max_queues,
            "agent": self.max_agents,
            "team": self.max_teams,
            "site": self.max_sites,
        }
        return caps[kind]


def _default_severities() -> dict[AlertKind, Severity]:
    return {
        "ultra_short_contact": "info",
        "late_login": "info",
        "ultra_long_contact": "warning",
        "abnormal_logout": "warning",
        "long_away": "warning",
        "wait_breach": "warning",
        "sl_breach": "critical",
        "abandon_spike": "critical",
        "volume_spike": "warning",
    }


class Settings(_Strict):
    """The whole configuration. Field docs state units."""

    timezone: str = "Asia/Shanghai"
    lateness_s: Seconds = 30
    interval_min: Literal[15, 30] = 15
    tick_s: Annotated[float, Field(gt=0)] = 1.0
    default_site: ConfigPlaceName = "main"
    survey_window_s: Seconds = 7200
    # An event whose event_id arrived before with an event time at most this far from its
    # own is a duplicate (docs/kpi-semantics.md "Duplicates"); events older than this
    # before the newest accepted event time are refused (too old to check).
    dedupe_window_s: Seconds = 7200
    # Live (`--clock wall`) only: events more than this after the wall clock are refused.
    max_future_s: Seconds = 86400
    # Event-time gate (kpi-spec §2 "Gaps are normal"): an event more than `time_jump_s`
    # after the newest accepted event time (live: after the wall clock) is held until the
    # next `time_jump_confirm` events follow it (none more than `time_jump_s` before it);
    # an event that does come earlier than that refuses it as a lone wrong timestamp.
    # A replay's first event is held until a following event is not more than
    # `time_jump_s` before it, and refused when the next `time_jump_confirm` events all are.
    time_jump_s: Annotated[float, Field(gt=0)] = 3600
    time_jump_confirm: Annotated[int, Field(ge=1, le=100)] = 3
    # An input partition whose read position has not advanced for this many seconds of
    # wall clock no longer holds back the merge of partitions (pipeline/partition_merge.py).
    partition_idle_s: Seconds = 5
    redis_prefix: Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")] = "wb"
    heartbeat_stale_s: Seconds = 10
    voice: ChannelDefaults = ChannelDefaults(
        sl_threshold_s=20, wait_breach_s=120, ultra_long_s=1200, ultra_short_s=10
    )
    chat: ChannelDefaults = ChannelDefaults(
        sl_threshold_s=60, wait_breach_s=300, ultra_long_s=1800, ultra_short_s=None
    )
    queue_defaults: QueueDefaults = QueueDefaults()
    queues: dict[ConfigPlaceName, QueueOverrides] = Field(default_factory=dict)
    team_defaults: TeamDefaults = TeamDefaults()
    teams: dict[ConfigPlaceName, TeamOverrides] = Field(default_factory=dict)
    severities: dict[AlertKind, Severity] = Field(default_factory=_default_severities)
    notify: NotifySettings = NotifySettings()
    staffing: StaffingSettings = StaffingSettings()
    importers: ImporterSettings = ImporterSettings()
    access: AccessSettings = AccessSettings()
    limits: EntityLimits = EntityLimits()
    reports: ReportSettings = ReportSettings()

    @model_validator(mode="after")
    def _caps_hold_the_configuration(self) -> Settings:
        for kind in CAPPED_KINDS:
            configured = len(self.configured_names(kind))
            cap = self.limits.cap(kind)
            if configured > cap:
                msg = f"limits.max_{kind}s: {cap} is below the {configured} configured {kind}s"
                raise ValueError(msg)
        return self

    def configured_names(self, kind: EntityKindCapped) -> frozenset[str]:
        """Names of `kind` the configuration itself declares: queues of `[queues.*]` and of
        the teams' `queues` lists; teams of `[teams.*]`; `default_site` and the sites named
        by queues and teams; no agents."""
        if kind == "queue":
            return frozenset(self.queues).union(*(t.queues for t in self.teams.values()))
        if kind == "team":
            return frozenset(self.teams)
        if kind == "site":
            named = [q.site for q in self.queues.values()]
            named += [t.site for t in self.teams.values()]
            return frozenset({self.default_site, *(s for s in named if s is not None)})
        return frozenset()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r}"
            raise ValueError(msg) from None
        return value

    @field_validator("severities")
    @classmethod
    def _all_kinds(cls, value: dict[AlertKind, Severity]) -> dict[AlertKind, Severity]:
        return {**_default_severities(), **value}

    @model_validator(mode="after")
    def _report_channels_exist(self) -> Settings:
        for name in self.reports.channels:
            if name not in self.notify.channels:
                msg = f"reports.channels: unknown channel {name!r} (see [notify.channels])"
                raise ValueError(msg)
        return self

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def channel_defaults(self, channel: Channel) -> ChannelDefaults:
        return self.voice if channel == "voice" else self.chat

    def queue_rules(self, queue: str, channel: Channel | None = None) -> QueueRules:
        """Resolve a queue's settings for contacts of `channel` (the queue's own if None)."""
        override = self.queues.get(queue, QueueOverrides())
        resolved_channel: Channel = channel or override.channel or "voice"
        by_channel = self.channel_defaults(resolved_channel)
        d = self.queue_defaults

        def pick(name: str, default: Any) -> Any:
            value = getattr(override, name)
            return default if value is None else value

        return QueueRules(
            queue=queue,
            channel=resolved_channel,
            name_zh=override.name_zh or queue,
            name_en=override.name_en or queue,
            site=override.site or self.default_site,
            sl_threshold_s=pick("sl_threshold_s", by_channel.sl_threshold_s),
            wait_breach_s=pick("wait_breach_s", by_channel.wait_breach_s),
            ultra_long_s=pick("ultra_long_s", by_channel.ultra_long_s),
            ultra_short_s=pick("ultra_short_s", by_channel.ultra_short_s),
            short_abandon_s=pick("short_abandon_s", d.short_abandon_s),
            sl_target=pick("sl_target", d.sl_target),
            sl_min_contacts=pick("sl_min_contacts", d.sl_min_contacts),
            sl_hold_s=pick("sl_hold_s", d.sl_hold_s),
            sl_clear_margin=pick("sl_clear_margin", d.sl_clear_margin),
            sl_warn_margin=pick("sl_warn_margin", d.sl_warn_margin),
            abandon_spike_rate=pick("abandon_spike_rate", d.abandon_spike_rate),
            abandon_min_contacts=pick("abandon_min_contacts", d.abandon_min_contacts),
            abandon_hold_s=pick("abandon_hold_s", d.abandon_hold_s),
            wait_clear_hold_s=pick("wait_clear_hold_s", d.wait_clear_hold_s),
            volume_spike_factor=pick("volume_spike_factor", d.volume_spike_factor),
            volume_spike_min_contacts=pick(
                "volume_spike_min_contacts", d.volume_spike_min_contacts
            ),
            volume_spike_min_elapsed_s=pick(
                "volume_spike_min_elapsed_s", d.volume_spike_min_elapsed_s
            ),
        )

    def queue_site(self, queue: str) -> str:
        override = self.queues.get(queue)
        return (override.site if override else None) or self.default_site

    def team_rules(self, team: str) -> TeamRules:
        override = self.teams.get(team, TeamOverrides())
        d = self.team_defaults
        return TeamRules(
            team=team,
            queues=tuple(override.queues),
            long_away_s={**d.long_away_s, **override.long_away_s},
            late_login_grace_s=(
                d.late_login_grace_s
                if override.late_login_grace_s is None
                else override.late_login_grace_s
            ),
            early_logout_grace_s=(
                d.early_logout_grace_s
                if override.early_logout_grace_s is None
                else override.early_logout_grace_s
            ),
            relogin_count=(
                d.relogin_count if override.relogin_count is None else override.relogin_count
            ),
            relogin_window_s=(
                d.relogin_window_s
                if override.relogin_window_s is None
                else override.relogin_window_s
            ),
            early_login_window_s=(
                d.early_login_window_s
                if override.early_login_window_s is None
                else override.early_login_window_s
            ),
        )

    def teams_serving(self, queue: str) -> tuple[str, ...]:
        return tuple(sorted(t for t, o in self.teams.items() if queue in o.queues))


def _format_errors(error: ValidationError, source: str) -> str:
    lines = []
    for item in error.errors(include_url=False, include_input=False):
        key = ".".join(str(p) for p in item["loc"]) or "(root)"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        lines.append(f"{source}: {key}: {message}")
    return "\n".join(lines)


def parse_settings(data: dict[str, Any], source: str = "config") -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, source)) from None


def load_settings(path: str | Path | None) -> Settings:
    """Load and validate a TOML file; `None` gives the built-in defaults."""
    if path is None:
        return Settings()
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{path}: file not found"
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{path}: not valid TOML: {exc}"
        raise ConfigError(msg) from None
    return parse_settings(data, str(path))
