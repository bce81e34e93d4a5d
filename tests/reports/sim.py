"""A simulated Parquet archive for the report tests: two weeks (the report's week and the
one before), two queues each served by its own team, three agents; 09:00–11:45 local
(Asia/Shanghai), 15-minute intervals. Values are random but consistent (seeded)."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipeline.archive.alerts import merge_alerts
from pipeline.archive.records import IntervalRecord, parse_entry
from pipeline.archive.store import merge_day
from schemas.config import Settings, parse_settings
from tests.archive.helpers import agent_kpis, interval_fields, queue_kpis

ZONE = ZoneInfo("Asia/Shanghai")
QUEUES = ("claims", "policy")
TEAMS = {"t_claims": "claims", "t_policy": "policy"}
AGENTS = {"a1": "t_claims", "a2": "t_claims", "a3": "t_policy"}
SLOTS = [(9 + m // 60, m % 60) for m in range(0, 180, 15)]


def settings() -> Settings:
    return parse_settings({
        "queues": {"claims": {"sl_target": 0.8}, "policy": {"sl_target": 0.9,
                                                            "sl_threshold_s": 30}},
        "teams": {team: {"queues": [queue]} for team, queue in TEAMS.items()},
    })


def _queue_values(rng: random.Random) -> dict[str, Any]:
    offered = rng.randint(5, 40)
    abandoned = rng.randint(0, offered // 4)
    answered = offered - abandoned
    short = rng.randint(0, abandoned)
    in_sl = rng.randint(0, answered)
    handled = rng.randint(max(answered - 3, 0), answered)
    surveys = rng.randint(0, handled)
    ended = handled
    denominator = answered + abandoned - short
    return {
        "offered": offered, "answered": answered, "abandoned": abandoned,
        "short_abandoned": short, "answered_in_sl": in_sl,
        "abandoned_in_sl": rng.randint(0, abandoned), "ended": ended,
        "transferred": rng.randint(0, ended // 5), "handled": handled, "surveys": surveys,
        "satisfied": rng.randint(0, surveys), "self_served": rng.randint(0, 10),
        "service_level": in_sl / denominator if denominator else None,
        "asa_s": round(rng.uniform(2, 60), 3) if answered else None,
        "aht_s": round(rng.uniform(120, 420), 3) if handled else None,
    }


def _agent_values(rng: random.Random, scale: int) -> dict[str, Any]:
    busy = rng.uniform(200, 500) * scale
    acw = rng.uniform(20, 100) * scale
    ready = rng.uniform(0, 150) * scale
    not_ready = 900.0 * scale - busy - acw - ready
    handled = rng.randint(1, 4) * scale
    return agent_kpis(
        logged_in_s=900.0 * scale, busy_s=busy, acw_s=acw, ready_s=ready, not_ready_s=not_ready,
        handled=handled, aht_s=round(rng.uniform(150, 400), 3),
        ultra_short=rng.randint(0, 1), ultra_long=rng.randint(0, 1))


def entries(first: date, days: int, seed: int = 19) -> list[tuple[str, str, str, dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        for hour, minute in SLOTS:
            start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).isoformat()
            for queue in QUEUES:
                out.append(("queue", queue, start, queue_kpis(**_queue_values(rng))))
            for agent in AGENTS:
                out.append(("agent", agent, start, _agent_values(rng, 1)))
            for team in TEAMS:
                size = sum(1 for t in AGENTS.values() if t == team)
                out.append(("team", team, start, _agent_values(rng, size)))
    return out


def write(base: Path, rows: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Merge the entries into `<base>/day=…/<kind>.parquet`, one write per day file."""
    groups: dict[tuple[date, str], list[IntervalRecord]] = defaultdict(list)
    for kind, entity_id, start, kpis in rows:
        record = parse_entry(interval_fields(kind, entity_id, start, kpis), ZONE)
        groups[(record.local_day(), kind)].append(record)
    for (day, kind), records in groups.items():
        merge_day(base, day, kind, records, "Asia/Shanghai")


ALERT_KINDS = (("sl_breach", QUEUES), ("abandon_spike", QUEUES), ("long_away", tuple(AGENTS)),
               ("ultra_long_contact", tuple(AGENTS)), ("late_login", tuple(AGENTS)))


def write_alerts(base: Path, first: date, days: int, seed: int = 7) -> None:
    """A few alerts a day (`alerts.parquet`), some still open, raised 09:00–11:59 local."""
    rng = random.Random(seed)
    for offset in range(days):
        day = first + timedelta(days=offset)
        rows = []
        for n in range(rng.randint(3, 8)):
            kind, subjects = rng.choice(ALERT_KINDS)
            subject = rng.choice(subjects)
            raised = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZONE) + timedelta(
                seconds=rng.randint(0, 3 * 3600 - 1))
            cleared = None if rng.random() < 0.2 else raised + timedelta(
                seconds=rng.randint(30, 1800))
            rows.append({"id": f"{kind}:{subject}:{day}:{n}", "kind": kind,
                         "severity": "warning", "subject": subject, "raised_at": raised,
                         "cleared_at": cleared, "evidence": "{}"})
        merge_alerts(base, day, rows, "Asia/Shanghai")
