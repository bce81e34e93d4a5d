"""Event builders for engine tests. Times are given as seconds after T0 (09:00:00 local,
2026-03-02, Asia/Shanghai, +08:00)."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from pipeline.engine import FloorEngine
from schemas.config import Settings, load_settings
from schemas.events import Event, parse_event
from tests.conftest import SAMPLE_CONFIG

ZONE = ZoneInfo("Asia/Shanghai")
T0_LOCAL = datetime(2026, 3, 2, 9, 0, 0, tzinfo=ZONE)
T0 = int(T0_LOCAL.timestamp())
_ids = count()


def at(offset_s: float) -> str:
    """RFC 3339 local timestamp `offset_s` seconds after T0."""
    return (T0_LOCAL + timedelta(seconds=offset_s)).isoformat()


def ev(kind: str, offset_s: float, **fields: Any) -> Event:
    """A parsed event of type `kind` at T0 + offset_s with a fresh event_id."""
    body = {"event_id": fields.pop("event_id", f"e{next(_ids)}"), "ts": at(offset_s)}
    body["type"] = kind
    for key, value in fields.items():
        body[key] = at(value) if key in {"shift_start", "shift_end"} else value
    return parse_event(orjson.dumps(body))


def sample_settings(**overrides: Any) -> Settings:
    base = load_settings(SAMPLE_CONFIG)
    return base.model_copy(update=overrides) if overrides else base


def run(events: list[Event], now_offset: int, settings: Settings | None = None,
        finish: bool = True, at_s: float | None = None) -> tuple[FloorEngine, dict[str, Any]]:
    """Like `kpis --at T0+now_offset`: feed events in list order (seq = index), dropping
    those after `now`, finish, and snapshot at T0 + now_offset."""
    engine = FloorEngine(settings or sample_settings())
    for seq, event in enumerate(events):
        if event.ts.timestamp() <= T0 + (now_offset if at_s is None else at_s):
            engine.ingest(event, seq)
    if finish:
        engine.finish()
    return engine, engine.snapshot(T0 + now_offset)


def offered(cid: str, t: float, queue: str = "claims_report", channel: str = "voice") -> Event:
    return ev("contact.offered", t, contact_id=cid, queue=queue, channel=channel)


def answered(cid: str, t: float, agent: str) -> Event:
    return ev("contact.answered", t, contact_id=cid, agent_id=agent)


def abandoned(cid: str, t: float) -> Event:
    return ev("contact.abandoned", t, contact_id=cid)


def ended(cid: str, t: float, agent: str, disposition: str = "completed") -> Event:
    return ev("contact.ended", t, contact_id=cid, agent_id=agent, disposition=disposition)


def wrapup(cid: str, t: float, agent: str) -> Event:
    return ev("contact.wrapup_ended", t, contact_id=cid, agent_id=agent)


def login(agent: str, t: float, team: str = "bj_claims_a", site: str = "beijing",
          **shift: float) -> Event:
    return ev("agent.login", t, agent_id=agent, team=team, site=site, **shift)


def logout(agent: str, t: float) -> Event:
    return ev("agent.logout", t, agent_id=agent)


def state(agent: str, t: float, name: str, reason: str | None = None) -> Event:
    if reason is None:
        return ev("agent.state", t, agent_id=agent, state=name)
    return ev("agent.state", t, agent_id=agent, state=name, reason=reason)
