"""Hypothesis strategies for random but plausible event logs (for stream == batch tests).

A log is drawn as a seed plus a few sizes; a small deterministic generator then plays a
tiny contact center: agents log in (sometimes late or twice), change state, answer
contacts of two queues on both channels, end and wrap them up, answer surveys; contacts
abandon; and some noise is mixed in (duplicates, events for unknown contacts, wrong
agents, naive timestamps, out-of-order delivery within 20 s).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from hypothesis import strategies as st

START = datetime(2026, 3, 2, 8, 50, tzinfo=UTC) - timedelta(hours=8)  # 08:50 Shanghai
QUEUES = (("q_voice", "voice"), ("q_chat", "chat"))
REASONS = ("break", "lunch", "other", "system")


@dataclass(frozen=True)
class EventLog:
    lines: list[bytes]
    end: datetime

    def at_points(self) -> list[datetime]:
        span = (self.end - START).total_seconds()
        return [START + timedelta(seconds=span * f) for f in (0.35, 0.7, 1.0)]


def _ts(seconds: float) -> str:
    # Quarter seconds: fractional like many ACD feeds, yet exact in binary floating point,
    # so both engines' durations agree to the last bit.
    seconds = round(seconds * 4) / 4
    return (
        (START + timedelta(seconds=seconds))
        .astimezone(datetime.fromisoformat("2026-03-02T00:00:00+08:00").tzinfo)
        .isoformat()
    )


def generate(seed: int, agents: int, contacts: int, minutes: int, noise: int) -> EventLog:
    rng = random.Random(seed)
    events: list[tuple[float, dict[str, Any]]] = []
    counter = 0

    def emit(t: float, body: dict[str, Any]) -> None:
        nonlocal counter
        counter += 1
        events.append((t, {"event_id": f"e{counter}", "ts": _ts(t), **body}))

    horizon = minutes * 60.0
    agent_ids = [f"a{i}" for i in range(agents)]
    for agent in agent_ids:
        t = rng.uniform(0, 300)
        shift_start = _ts(t - rng.choice((0, 0, 400)))
        emit(
            t,
            {
                "type": "agent.login",
                "agent_id": agent,
                "team": rng.choice(("t1", "t2")),
                "site": "s1",
                "shift_start": shift_start,
                "shift_end": _ts(horizon - 100),
            },
        )
        clock = t
        while clock < horizon:
            clock += rng.expovariate(1 / 400)
            if rng.random() < 0.5:
                reason = rng.choice(REASONS)
                emit(
                    clock,
                    {
                        "type": "agent.state",
                        "agent_id": agent,
                        "state": "not_ready",
                        "reason": reason,
                    },
                )
                clock += rng.choice((60, 200, 400, 1000))
            emit(clock, {"type": "agent.state", "agent_id": agent, "state": "ready"})
        if rng.random() < 0.3:
            emit(rng.uniform(horizon * 0.5, horizon), {"type": "agent.logout", "agent_id": agent})
    for n in range(contacts):
        queue, channel = rng.choice(QUEUES)
        contact = f"c{n}"
        offered = rng.uniform(0, horizon)
        emit(
            offered,
            {"type": "contact.offered", "contact_id": contact, "channel": channel, "queue": queue},
        )
        wait = rng.choice((0.0, 3.0, rng.expovariate(1 / 25), 150.0, 400.0))
        if rng.random() < 0.2:
            emit(offered + wait, {"type": "contact.abandoned", "contact_id": contact})
            continue
        agent = rng.choice(agent_ids)
        emit(offered + wait, {"type": "contact.answered", "contact_id": contact, "agent_id": agent})
        talk = rng.choice((5.0, rng.lognormvariate(5, 0.6), 1300.0, 1900.0))
        if offered + wait + talk > horizon and rng.random() < 0.5:
            continue
        disposition = rng.choice(("completed", "completed", "transferred"))
        emit(
            offered + wait + talk,
            {
                "type": "contact.ended",
                "contact_id": contact,
                "agent_id": agent,
                "disposition": disposition,
                "hold_s": rng.choice((0, 12.5)),
            },
        )
        acw = rng.choice((0.0, rng.uniform(5, 90)))
        emit(
            offered + wait + talk + acw,
            {"type": "contact.wrapup_ended", "contact_id": contact, "agent_id": agent},
        )
        if rng.random() < 0.3:
            emit(
                offered + wait + talk + acw + rng.uniform(10, 600),
                {"type": "survey.response", "contact_id": contact, "score": rng.randint(1, 4)},
            )
    for _ in range(contacts // 10):
        emit(
            rng.uniform(0, horizon),
            {
                "type": "contact.self_served",
                "contact_id": "bot",
                "channel": rng.choice(("voice", "chat")),
                **({"queue": "q_voice"} if rng.random() < 0.5 else {}),
            },
        )
    lines = [(t, orjson.dumps(body)) for t, body in events]
    for _ in range(noise):
        kind = rng.randrange(5)
        t = rng.uniform(0, horizon)
        if kind == 0 and lines:
            lines.append(rng.choice(lines))  # duplicate: same event_id
        elif kind == 1:
            lines.append(
                (
                    t,
                    orjson.dumps(
                        {
                            "event_id": f"x{t}",
                            "ts": _ts(t),
                            "type": "contact.answered",
                            "contact_id": "ghost",
                            "agent_id": "a0",
                        }
                    ),
                )
            )
        elif kind == 2:
            lines.append(
                (
                    t,
                    orjson.dumps(
                        {
                            "event_id": f"y{t}",
                            "ts": _ts(t),
                            "type": "contact.ended",
                            "contact_id": "c0",
                            "agent_id": "nobody",
                        }
                    ),
                )
            )
        elif kind == 3:
            lines.append((t, b'{"event_id": "z", "ts": "2026-03-02T09:00:00", "type": "x"}'))
        else:
            lines.append(
                (
                    t,
                    orjson.dumps(
                        {
                            "event_id": f"w{t}",
                            "ts": _ts(t),
                            "type": "agent.logout",
                            "agent_id": "a-unknown",
                        }
                    ),
                )
            )
    # Delivery order: event time, each displaced by up to 20 s.
    lines.sort(key=lambda pair: pair[0] + rng.uniform(0, 20))
    return EventLog([line for _, line in lines], START + timedelta(seconds=horizon))


event_logs = st.builds(
    generate,
    seed=st.integers(0, 2**32 - 1),
    agents=st.integers(1, 4),
    contacts=st.integers(0, 40),
    minutes=st.integers(5, 90),
    noise=st.integers(0, 6),
)
