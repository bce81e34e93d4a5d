"""Building hand-written event files for the reference tests.

Times are local Asia/Shanghai wall-clock strings on 2026-03-02 (`"09:00:10"`), turned into
RFC 3339 with the +08:00 offset; `epoch("09:00:10")` gives the Unix second.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from pipeline.reference import reference_snapshot
from schemas.config import Settings, load_settings
from tests.conftest import SAMPLE_CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = "2026-03-02"


def ts(clock: str) -> str:
    """RFC 3339 of a local time of the test day ("09:00:10" or "09:00:10.5")."""
    return f"{DAY}T{clock}+08:00"


def at(clock: str) -> datetime:
    return datetime.fromisoformat(ts(clock))


def epoch(clock: str) -> int:
    return int(at(clock).timestamp())


def sample_settings() -> Settings:
    return load_settings(SAMPLE_CONFIG)


class Events:
    """An event file under construction; each call appends one line with a fresh id."""

    def __init__(self) -> None:
        self.lines: list[bytes] = []

    def add(self, kind: str, clock: str, event_id: str | None = None, **fields: Any) -> str:
        event_id = event_id or f"e{len(self.lines)}"
        body = {"event_id": event_id, "ts": ts(clock), "type": kind, **fields}
        self.lines.append(orjson.dumps(body))
        return event_id

    def raw(self, line: str | bytes) -> None:
        self.lines.append(line.encode() if isinstance(line, str) else line)

    # Contact lifecycle shortcuts
    def offered(self, clock: str, contact: str, queue: str, channel: str = "voice") -> None:
        self.add("contact.offered", clock, contact_id=contact, queue=queue, channel=channel)

    def answered(self, clock: str, contact: str, agent: str) -> None:
        self.add("contact.answered", clock, contact_id=contact, agent_id=agent)

    def abandoned(self, clock: str, contact: str) -> None:
        self.add("contact.abandoned", clock, contact_id=contact)

    def ended(self, clock: str, contact: str, agent: str, disposition: str = "completed") -> None:
        self.add(
            "contact.ended", clock, contact_id=contact, agent_id=agent, disposition=disposition
        )

    def wrapped(self, clock: str, contact: str, agent: str) -> None:
        self.add("contact.wrapup_ended", clock, contact_id=contact, agent_id=agent)

    def survey(self, clock: str, contact: str, score: int) -> None:
        self.add("survey.response", clock, contact_id=contact, score=score)

    def login(self, clock: str, agent: str, team: str, site: str, **shift: str) -> None:
        extra = {name: ts(value) for name, value in shift.items()}
        self.add("agent.login", clock, agent_id=agent, team=team, site=site, **extra)

    def logout(self, clock: str, agent: str) -> None:
        self.add("agent.logout", clock, agent_id=agent)

    def state(self, clock: str, agent: str, state: str, reason: str | None = None) -> None:
        extra = {} if reason is None else {"reason": reason}
        self.add("agent.state", clock, agent_id=agent, state=state, **extra)

    def snapshot(self, clock: str, settings: Settings | None = None) -> dict[str, Any]:
        return reference_snapshot(self.lines, at(clock), settings or sample_settings())


def alerts_of(snapshot: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for a in snapshot["alerts"] if a["kind"] == kind]
