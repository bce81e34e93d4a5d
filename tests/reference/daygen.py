"""A synthetic contact-center day for the reference scale test (deterministic).

300 agents on 7 teams log in for 8-hour shifts; voice and chat contacts arrive all day
into the sample configuration's queues, are answered or abandoned, ended, wrapped up and
sometimes surveyed; agents take breaks. With `mean_talk_s=60` about 200,000 events, in
arrival order with a little disorder (within the 30 s lateness).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import orjson

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEAMS = {
    "bj_claims_a": ("beijing", ["claims_report"]),
    "bj_claims_b": ("beijing", ["claims_report"]),
    "bj_callback": ("beijing", ["new_policy_callback"]),
    "cd_service_a": ("chengdu", ["policy_service"]),
    "cd_service_b": ("chengdu", ["policy_service", "complaints"]),
    "cd_complaints": ("chengdu", ["complaints"]),
    "cd_chat": ("chengdu", ["chat_claims", "chat_service"]),
}


def synthetic_day(
    day: datetime, agents: int = 300, seed: int = 7, mean_talk_s: float = 240
) -> list[bytes]:
    """Event lines of one local day starting at `day` (local midnight)."""
    rng = random.Random(seed)
    events: list[tuple[float, dict[str, Any]]] = []
    n = 0

    def emit(moment: datetime, body: dict[str, Any]) -> None:
        nonlocal n
        n += 1
        body = {"event_id": f"e{n}", "ts": moment.isoformat(), **body}
        events.append((moment.timestamp() + rng.uniform(0, 20), body))

    team_names = list(TEAMS)
    for i in range(agents):
        agent = f"a{i:03d}"
        team = team_names[i % len(team_names)]
        site, queues = TEAMS[team]
        start = day + timedelta(hours=rng.choice([0, 8, 8, 9, 16]))
        shift_end = start + timedelta(hours=8)
        login = start + timedelta(seconds=rng.uniform(-300, 600))
        emit(login, {"type": "agent.login", "agent_id": agent, "team": team, "site": site,
                     "shift_start": start.isoformat(), "shift_end": shift_end.isoformat()})
        t = login + timedelta(seconds=30)
        end = shift_end - timedelta(seconds=rng.uniform(-200, 600))
        c = 0
        while t < end:
            if rng.random() < 0.05:
                emit(t, {"type": "agent.state", "agent_id": agent, "state": "not_ready",
                         "reason": rng.choice(["break", "lunch", "other", "meeting"])})
                t += timedelta(seconds=rng.uniform(60, 1200))
                emit(t, {"type": "agent.state", "agent_id": agent, "state": "ready"})
            c += 1
            cid = f"{agent}-{c}"
            queue = rng.choice(queues)
            channel = "chat" if queue.startswith("chat") else "voice"
            offered = t + timedelta(seconds=rng.uniform(0, 60))
            emit(offered, {"type": "contact.offered", "contact_id": cid, "channel": channel,
                           "queue": queue})
            wait = rng.expovariate(1 / 25)
            if rng.random() < 0.08:
                emit(offered + timedelta(seconds=wait),
                     {"type": "contact.abandoned", "contact_id": cid})
                t = offered + timedelta(seconds=wait)
                continue
            answered = offered + timedelta(seconds=wait)
            emit(answered, {"type": "contact.answered", "contact_id": cid, "agent_id": agent})
            ended = answered + timedelta(seconds=rng.expovariate(1 / mean_talk_s))
            emit(ended, {"type": "contact.ended", "contact_id": cid, "agent_id": agent,
                         "disposition": rng.choice(["completed"] * 8 + ["transferred"])})
            wrap = ended + timedelta(seconds=rng.uniform(0, 60))
            emit(wrap, {"type": "contact.wrapup_ended", "contact_id": cid, "agent_id": agent})
            if rng.random() < 0.3:
                emit(wrap + timedelta(seconds=30),
                     {"type": "survey.response", "contact_id": cid,
                      "score": rng.randint(1, 4)})
            t = wrap + timedelta(seconds=rng.uniform(0, 30))
        emit(end, {"type": "agent.logout", "agent_id": agent})
    events.sort(key=lambda item: item[0])
    return [orjson.dumps(body) for _, body in events]
