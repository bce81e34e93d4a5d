"""A known floor written into Redis the way the pipeline does (docs/redis-layout.md).

Until the pipeline lands, the dashboard tests read this: the sample config's queues and
teams, 40 agents, alerts, per-minute history and agent timelines. Ratios are computed from
the counts with the formulas of kpi-spec §3, so every shown number is checkable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
import redis

from pipeline.redis_keys import RedisKeys
from schemas.config import Settings, load_settings
from schemas.snapshot import (
    AgentEntry,
    AgentKpis,
    Alert,
    Heartbeat,
    NowCounts,
    QueueEntry,
    QueueKpis,
    QueueWindows,
    SiteEntry,
    Snapshot,
    TeamEntry,
)
from schemas.timefmt import format_ts
from tests.conftest import SAMPLE_CONFIG

Counts = tuple[int, int, int, int, int, float, int, float | None]

# (offered, answered, abandoned, short_abandoned, answered_in_sl, wait_sum_s,
#  in_queue, longest_wait_s) over the rolling 15 minutes.
QUEUE_COUNTS: dict[str, Counts] = {
    "claims_report": (52, 44, 6, 2, 39, 528.0, 3, 41.0),  # SL 39/48 = 81.25 % -> amber
    "policy_service": (40, 37, 2, 1, 35, 259.0, 1, 12.0),  # SL 35/38 = 92.1 % -> green
    "complaints": (22, 15, 5, 0, 14, 450.0, 4, 150.0),  # SL 14/20 = 70 % -> red, wait red
    "new_policy_callback": (18, 17, 1, 1, 14, 340.0, 0, None),  # SL 14/17 = 82.4 % (t 0.70)
    "chat_claims": (12, 12, 0, 0, 12, 240.0, 2, 35.0),  # SL 100 %
    "chat_service": (30, 26, 3, 1, 24, 988.0, 5, 160.0),  # SL 24/28 = 85.7 %; wait amber
}
AGENT_STATES = ("ready", "busy", "busy", "acw", "not_ready", "ready", "busy", "not_ready")
AGENTS_PER_TEAM = {
    "bj_claims_a": 8,
    "bj_claims_b": 6,
    "bj_callback": 4,
    "cd_service_a": 7,
    "cd_service_b": 6,
    "cd_complaints": 4,
    "cd_chat": 5,
}


def sample_settings() -> Settings:
    return load_settings(SAMPLE_CONFIG)


def queue_kpis(counts: Counts) -> QueueKpis:
    """§3 KPIs from counts (the ones the tiles show; the rest left at their defaults)."""
    offered, answered, abandoned, short, in_sl, wait_sum, in_queue, longest = counts
    sl_den = answered + abandoned - short
    return QueueKpis(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        short_abandoned=short,
        answered_in_sl=in_sl,
        handled=answered,
        service_level=in_sl / sl_den if sl_den else None,
        answer_rate=answered / (answered + abandoned) if answered + abandoned else None,
        abandon_rate=(abandoned - short) / sl_den if sl_den else None,
        asa_s=wait_sum / answered if answered else None,
        aht_s=245.0 if answered else None,
        in_queue=in_queue,
        longest_wait_s=longest,
    )


def _windows(kpis: QueueKpis) -> dict[str, QueueKpis]:
    return {"15m": kpis, "30m": kpis, "60m": kpis, "interval": kpis, "day": kpis}


def rollup(counts: list[Counts]) -> QueueKpis:
    longest = [c[7] for c in counts if c[7] is not None]
    return queue_kpis((
        sum(c[0] for c in counts),
        sum(c[1] for c in counts),
        sum(c[2] for c in counts),
        sum(c[3] for c in counts),
        sum(c[4] for c in counts),
        sum(c[5] for c in counts),
        sum(c[6] for c in counts),
        max(longest) if longest else None,
    ))


@dataclass
class Floor:
    """What was written, for assertions."""

    snapshot: Snapshot
    settings: Settings
    now: datetime


def build_snapshot(
    now: datetime,
    settings: Settings,
    counts: dict[str, Counts] | None = None,
) -> Snapshot:
    counts = counts or QUEUE_COUNTS
    zone = settings.zone
    agents: dict[str, AgentEntry] = {}
    number = 0
    for team, size in AGENTS_PER_TEAM.items():
        site = settings.teams[team].site
        for index in range(size):
            number += 1
            state = AGENT_STATES[(number - 1) % len(AGENT_STATES)]
            day = AgentKpis(
                logged_in_s=3600.0 + 60 * number,
                busy_s=2000.0 + 10 * number,
                acw_s=400.0,
                ready_s=600.0,
                not_ready_s=600.0 + 60 * number - 10 * number,
                not_ready_by_reason_s={"break": 600.0 + 50 * number},
                utilization=(3000.0 + 10 * number) / (3600.0 + 60 * number),
                occupancy=(2400.0 + 10 * number) / (3000.0 + 10 * number),
                handled=10 + number % 7,
                aht_s=200.0 + 5 * number,
                ultra_short=1 if number == 3 else 0,
            )
            agents[f"a{number:03d}"] = AgentEntry.model_validate(
                {
                    "15m": day, "30m": day, "60m": day, "interval": day, "day": day,
                    "state": state,
                    "state_since": format_ts(now - timedelta(seconds=30 * number + index), zone),
                    "reason": ("break" if number % 2 else "lunch") if state == "not_ready"
                    else None,
                    "team": team,
                    "site": site,
                }
            )
    teams: dict[str, TeamEntry] = {}
    for team in AGENTS_PER_TEAM:
        members = [a for a in agents.values() if a.team == team]
        day = AgentKpis(handled=sum(a.day.handled for a in members))
        teams[team] = TeamEntry.model_validate(
            {
                "15m": day, "30m": day, "60m": day, "interval": day, "day": day,
                "staffed": len(members),
                "ready": sum(a.state == "ready" for a in members),
                "busy": sum(a.state == "busy" for a in members),
                "acw": sum(a.state == "acw" for a in members),
                "not_ready": sum(a.state == "not_ready" for a in members),
            }
        )
    queues: dict[str, QueueEntry] = {}
    for queue, c in counts.items():
        serving = [teams[tm] for tm in settings.teams_serving(queue)]
        queues[queue] = QueueEntry.model_validate(
            {
                **_windows(queue_kpis(c)),
                "site": settings.queue_site(queue),
                "agents_now": NowCounts(
                    staffed=sum(tm.staffed for tm in serving),
                    ready=sum(tm.ready for tm in serving),
                    busy=sum(tm.busy for tm in serving),
                    acw=sum(tm.acw for tm in serving),
                    not_ready=sum(tm.not_ready for tm in serving),
                ),
            }
        )
    channels = {
        ch: QueueWindows.model_validate(_windows(rollup(
            [c for q, c in counts.items() if settings.queue_rules(q).channel == ch])))
        for ch in ("voice", "chat")
    }
    sites = {
        site: SiteEntry.model_validate(
            {
                **_windows(rollup([c for q, c in counts.items()
                                   if settings.queue_site(q) == site])),
                "agents": TeamEntry.model_validate(
                    {**{w: AgentKpis() for w in ("15m", "30m", "60m", "interval", "day")},
                     "staffed": 0, "ready": 0, "busy": 0, "acw": 0, "not_ready": 0}),
            }
        )
        for site in ("beijing", "chengdu")
    }
    return Snapshot(
        now=format_ts(now, zone),
        queues=queues,
        channels=channels,
        sites=sites,
        all=QueueWindows.model_validate(_windows(rollup(list(counts.values())))),
        agents=agents,
        teams=teams,
        alerts=sample_alerts(now, settings),
    )


def sample_alerts(now: datetime, settings: Settings) -> list[Alert]:
    zone = settings.zone
    ts = lambda seconds_ago: format_ts(now - timedelta(seconds=seconds_ago), zone)  # noqa: E731
    return [
        Alert(id="ultra_short_contact:c0007", kind="ultra_short_contact", severity="info",
              subject="agent:a003", raised_at=ts(3000), cleared_at=ts(3000),
              evidence={"contact_id": "c0007", "queue": "claims_report",
                        "conversation_s": 6.0, "threshold_s": 10.0}),
        Alert(id="long_away:a005:1", kind="long_away", severity="warning",
              subject="agent:a005", raised_at=ts(400), cleared_at=None,
              evidence={"reason": "break", "limit_s": 900.0}),
        Alert(id="wait_breach:complaints:1", kind="wait_breach", severity="warning",
              subject="queue:complaints", raised_at=ts(30), cleared_at=None,
              evidence={"threshold_s": 120.0, "contact_id": "c0099"}),
        Alert(id="sl_breach:complaints:1", kind="sl_breach", severity="critical",
              subject="queue:complaints", raised_at=ts(120), cleared_at=None,
              evidence={"service_level": 0.7, "target": 0.85, "contacts": 20}),
    ]


def heartbeat(processed_at: datetime, settings: Settings) -> Heartbeat:
    stamp = format_ts(processed_at, settings.zone)
    return Heartbeat(
        processed_at=stamp, last_event_ts=stamp, watermark_ts=stamp, lag_s=0.4,
        events_total=18_422, events_per_s=12.5, dead_letters_total=3, duplicates_total=1,
        late_total=0,
    )


def write_heartbeat(
    client: redis.Redis, keys: RedisKeys, processed_at: datetime, settings: Settings
) -> None:
    client.set(keys.heartbeat(), heartbeat(processed_at, settings).model_dump_json())


def write_snapshot(client: redis.Redis, keys: RedisKeys, snapshot: Snapshot) -> None:
    """The whole snapshot plus the per-entity keys and the active-alert hash."""
    pipe = client.pipeline(transaction=True)
    pipe.set(keys.snapshot(), snapshot.model_dump_json(by_alias=True))
    for queue, entry in snapshot.queues.items():
        pipe.set(keys.entity("queue", queue), entry.model_dump_json(by_alias=True))
    for agent, agent_entry in snapshot.agents.items():
        pipe.set(keys.entity("agent", agent), agent_entry.model_dump_json(by_alias=True))
    for team, team_entry in snapshot.teams.items():
        pipe.set(keys.entity("team", team), team_entry.model_dump_json(by_alias=True))
    pipe.set(keys.entity("all"), snapshot.all.model_dump_json(by_alias=True))
    pipe.delete(keys.alerts_active())
    active = {a.id: a.model_dump_json() for a in snapshot.alerts if a.cleared_at is None}
    if active:
        pipe.hset(keys.alerts_active(), mapping=active)  # type: ignore[arg-type]
    pipe.execute()


def write_history(
    client: redis.Redis, keys: RedisKeys, queue: str, now: datetime, settings: Settings,
    *, minutes: int,
) -> None:
    """Per-minute entries ending at `now`'s minute; SL dips in the middle of the range."""
    pipe = client.pipeline(transaction=False)
    end = now.replace(second=0, microsecond=0)
    for back in range(minutes, -1, -1):
        minute = end - timedelta(minutes=back)
        dip = 0.15 if minutes // 3 < back < minutes // 2 else 0.0
        kpis15 = {"offered": 40 + back % 9, "service_level": round(0.86 - dip, 4),
                  "in_queue": back % 4, "abandon_rate": round(0.04 + dip / 3, 4)}
        interval = {"offered": 10 + minute.minute % 15, "answered": 9 + minute.minute % 15,
                    "abandoned": 1, "service_level": 0.875, "abandon_rate": 0.05,
                    "asa_s": 11.0, "aht_s": 250.0}
        pipe.xadd(
            keys.history("queue", queue),
            {"ts": format_ts(minute, settings.zone),
             "kpis": orjson.dumps({"15m": kpis15, "interval": interval})},
            maxlen=1500,
        )
    pipe.execute()


def write_timeline(
    client: redis.Redis, keys: RedisKeys, agent: str, now: datetime, settings: Settings
) -> None:
    zone = settings.zone
    start = now - timedelta(hours=2)
    entries = [
        (start, "state", {"state": "ready", "reason": None}),
        (start + timedelta(minutes=5), "state", {"state": "busy", "reason": None}),
        (start + timedelta(minutes=5), "contact",
         {"contact_id": "c0101", "queue": "claims_report", "handle_s": 300.0}),
        (start + timedelta(minutes=10), "state", {"state": "acw", "reason": None}),
        (start + timedelta(minutes=11), "state", {"state": "not_ready", "reason": "break"}),
        (start + timedelta(minutes=40), "state", {"state": "ready", "reason": None}),
    ]
    pipe = client.pipeline(transaction=False)
    for moment, kind, data in entries:
        pipe.xadd(keys.agent_timeline(agent),
                  {"ts": format_ts(moment, zone), "kind": kind, "data": orjson.dumps(data)})
    pipe.execute()


def write_alert_history(client: redis.Redis, keys: RedisKeys, alerts: list[Alert]) -> None:
    pipe = client.pipeline(transaction=False)
    for alert in alerts:
        pipe.xadd(keys.alerts_history(),
                  {"transition": "raised", "alert": alert.model_dump_json()})
    pipe.execute()


def write_floor(
    client: redis.Redis, keys: RedisKeys, now: datetime, *, history_minutes: int = 1440
) -> Floor:
    """Config, heartbeat (processed at `now`), snapshot, alerts, history and timelines."""
    settings = sample_settings()
    snapshot = build_snapshot(now, settings)
    client.set(keys.config(), settings.model_dump_json())
    write_heartbeat(client, keys, now, settings)
    write_snapshot(client, keys, snapshot)
    write_alert_history(client, keys, snapshot.alerts)
    write_history(client, keys, "claims_report", now, settings, minutes=history_minutes)
    write_history(client, keys, "complaints", now, settings, minutes=60)
    write_timeline(client, keys, "a001", now, settings)
    return Floor(snapshot=snapshot, settings=settings, now=now)


def event_line(moment: datetime, body: dict[str, object], counter: list[int]) -> bytes:
    """One event line at `moment` with the next id of `counter` (`e1`, `e2`, …)."""
    counter[0] += 1
    return orjson.dumps({"event_id": f"e{counter[0]}", "ts": moment.isoformat(), **body})


def write_engine_state(
    client: redis.Redis,
    keys: RedisKeys,
    settings: Settings,
    lines: list[bytes],
    *,
    now: datetime,
    last_event: datetime,
) -> None:
    """Feed `lines` to a real engine up to `now` and write its state as the pipeline's
    Redis writer does (snapshot, entities, history, intervals), plus config and heartbeat."""
    # Imported here: most dashboard tests only need the static fixtures above.
    from pipeline.engine import FloorEngine  # noqa: PLC0415
    from pipeline.floor_logic import Tick  # noqa: PLC0415
    from pipeline.runner import feed_engine  # noqa: PLC0415
    from pipeline.sinks import RedisStateWriter  # noqa: PLC0415

    engine = FloorEngine(settings)
    feed_engine(engine, lines, at_epoch=now.timestamp())
    now_s = int(now.timestamp())
    tick = Tick(now=now_s, snapshot=engine.snapshot(now_s), output=engine.drain(),
                heartbeat={"last_event_ts": last_event.isoformat()})
    RedisStateWriter(client, settings).write(tick)
    client.set(keys.config(), settings.model_dump_json())
    write_heartbeat(client, keys, now, settings)
