"""Settings of the log and call-detail-record importers (`wallboard convert`).

TOML under `[importers]`. Times in source files without an offset are read in
`importers.cdr.timezone` (an IANA name; when unset, the top-level `timezone`). Durations are
seconds. See `docs/adapters.md` for the full mapping of each source.

Example::

    [importers]
    max_dead_letter_ratio = 0.5     # a run dead-lettering more of its input fails (exit 1)

    [importers.asterisk]
    default_team = "bj_claims_a"
    agents = { "Agent/1001" = "bj_claims_a", "Sathish" = "cd_service_a" }
    members = { "SIP/1001" = "Sathish" }   # interface -> member name on CONNECT lines
    pause_reasons = { "Lunch" = "lunch", "Toilet" = "break" }

    [importers.master_csv]
    timezone = "Asia/Shanghai"      # Master.csv times are the PBX's local time

    [importers.cdr]
    timezone = "Asia/Shanghai"
    datetime_formats = ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]

    [importers.cdr.columns]
    contact_id = "uniqueid"
    arrival = "queue_start"
    answer = "answer_time"
    end = "end_time"
    outcome = "result"
    agent = "agent"
    queue = "queue"

    [importers.cdr.outcomes]
    ANSWERED = "answered"
    "NO ANSWER" = "abandoned"
    XFER = "transferred"
    IVR = "self_served"
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from schemas.events import Channel, NotReadyReason

# What a CDR row's outcome value means for our events.
CdrOutcome = Literal["answered", "transferred", "abandoned", "self_served", "skip"]


def _default_pause_reasons() -> dict[str, NotReadyReason]:
    return {
        "break": "break",
        "lunch": "lunch",
        "training": "training",
        "meeting": "meeting",
        "coaching": "coaching",
        "system": "system",
        "other": "other",
    }


def _check_zone(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {value!r}"
        raise ValueError(msg) from None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AsteriskSettings(_Strict):
    """How Asterisk `queue_log` members become our agents.

    `agents` maps a queue_log agent name (`Agent/1001`, `PJSIP/2001`, a member name) to a
    team; an unmapped agent joins the first configured team serving the queue it was seen
    in, else `default_team`. The site is the team's `site`, else `default_site`.
    `pause_reasons` maps a PAUSE reason (data1, compared case-insensitively) to ours;
    unknown or empty reasons become `other`. With `auto_login`, an agent seen answering
    or pausing while not logged in (a static queue member never logs in) gets an
    `agent.login` at that moment.

    Identity: membership lines (ADDMEMBER, REMOVEMEMBER) name the member's interface
    (`SIP/1001`, `Local/1127@from-queue/n`), call lines (CONNECT, COMPLETE*) its member
    name (`Sathish`, `Agent/1127`). `members` maps an interface to its member name and
    wins over what the log says; the log's own pairs (an ADDMEMBER data field carrying
    the member name, an AGENTLOGIN's channel) are learnt as they come; with
    `match_extensions`, names whose extension number is the same (`SIP/1127`,
    `Local/1127@from-queue/n`, `Agent/1127`) are one agent. With `logout_at_day_end`,
    every agent still logged in is logged out at local midnight (the top-level
    `timezone`) after its last day in the log.

    `outbound_start_events` / `outbound_end_events`: queue_log events (PBXware's) that
    start and end an agent's outbound call; in between the agent is `not_ready` with
    reason `outbound`, which both engines count as busy time, never a queue contact.
    """

    default_team: str = "default"
    agents: dict[str, str] = Field(default_factory=dict)
    members: dict[str, str] = Field(default_factory=dict)
    match_extensions: bool = True
    pause_reasons: dict[str, NotReadyReason] = Field(default_factory=_default_pause_reasons)
    auto_login: bool = True
    logout_at_day_end: bool = True
    outbound_start_events: list[str] = Field(default_factory=lambda: ["OUTDIAL", "OUTANSWER"])
    outbound_end_events: list[str] = Field(
        default_factory=lambda: ["OUTCOMPLETE", "OUTFAIL", "OUTNOANSWER", "OUTBUSY", "OUTCANCEL"]
    )

    @field_validator("outbound_start_events", "outbound_end_events")
    @classmethod
    def _upper_events(cls, value: list[str]) -> list[str]:
        return [name.strip().upper() for name in value]

    @field_validator("pause_reasons")
    @classmethod
    def _lower_keys(cls, value: dict[str, NotReadyReason]) -> dict[str, NotReadyReason]:
        return {key.strip().lower(): reason for key, reason in value.items()}


class CdrColumns(_Strict):
    """Column names of a call-detail-record CSV; optional ones may be absent."""

    contact_id: str
    arrival: str
    outcome: str
    queue: str
    answer: str | None = None
    end: str | None = None
    wrapup_end: str | None = None
    agent: str | None = None
    channel: str | None = None
    customer: str | None = None
    hold_s: str | None = None


class CdrSettings(_Strict):
    """A CSV of one row per contact. Timestamps either carry an offset (RFC 3339) or are
    local times in `timezone`, parsed with the first matching `datetime_formats` entry
    (Python `strptime` syntax). Outcome values (compared after stripping spaces) not in
    `outcomes` are dead-lettered; map a value to `skip` to drop such rows knowingly.

    `header`: true when the first row names the columns, false when the file has no
    header (then `column_order` names the cells in order). Unset: the first row must
    name every mapped column, else the run is refused; a data row is never taken as
    the header.
    """

    columns: CdrColumns
    outcomes: dict[str, CdrOutcome]
    header: bool | None = None
    column_order: list[str] | None = None
    timezone: str | None = None
    datetime_formats: list[str] = Field(
        default_factory=lambda: ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"]
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    encoding: str = "utf-8"
    default_channel: Channel = "voice"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _check_zone(value)


class MasterCsvSettings(_Strict):
    """Asterisk's `Master.csv` (cdr_csv module): times are the PBX's local time in
    `timezone` (default: the top-level `timezone`), or UTC with `usegmtime` as in
    `cdr.conf`. A call leg whose `lastapp` is one of `queue_apps` is a queue leg."""

    timezone: str | None = None
    usegmtime: bool = False
    queue_apps: list[str] = Field(default_factory=lambda: ["Queue"])

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        return _check_zone(value)


class ImporterSettings(_Strict):
    """`max_dead_letter_ratio`: a conversion whose dead letters exceed this share of its
    input records fails (exit 1) with a summary by reason."""

    max_dead_letter_ratio: float = Field(default=0.5, ge=0, le=1)
    asterisk: AsteriskSettings = AsteriskSettings()
    cdr: CdrSettings | None = None
    master_csv: MasterCsvSettings = MasterCsvSettings()
