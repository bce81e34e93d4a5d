"""Realistic transport dirt on a clean, canonically ordered event list, and its labels.

- duplicates: an event re-sent (same `event_id`) 0–20 s after its event time;
- out of order: an event delivered 3–25 s late (never beyond the 30 s lateness);
- malformed: extra lines that must be dead-lettered (bad JSON, a missing field, a naive
  timestamp, an unknown type). They are copies with fresh ids, so dropping them loses
  nothing.
Line order in the output is arrival order: by arrival second, then the canonical order.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import orjson

from replay_data.labels import Label
from schemas.events import Event, event_to_json
from schemas.timefmt import format_ts

MAX_DELAY_S = 25
DEFECTS = ("bad_json", "missing_field", "naive_timestamp", "unknown_type")


@dataclass(frozen=True)
class _Line:
    arrival: int
    order: int
    ts: int
    data: bytes
    event_id: str | None
    dirt: str | None  # None, "duplicate", "out_of_order", or a malformed defect


def _malformed(defect: str, event: Event, number: int) -> bytes:
    body = event.model_dump(mode="json", exclude_none=True)
    body["event_id"] = f"bad{number:06d}"
    if defect == "bad_json":
        text = orjson.dumps(body)
        return text[: len(text) // 2]
    if defect == "missing_field":
        for name in ("contact_id", "agent_id"):
            body.pop(name, None)
        return orjson.dumps(body)
    if defect == "naive_timestamp":
        body["ts"] = str(body["ts"])[:19]
        return orjson.dumps(body)
    body["type"] = "contact.transferred"
    return orjson.dumps(body)


def add_dirt(
    events: list[Event], zone: ZoneInfo, rng: random.Random
) -> tuple[list[bytes], list[Label]]:
    """The file's lines in arrival order and one label per dirty line."""
    lines: list[_Line] = []
    seconds = [int(e.ts.timestamp()) for e in events]
    for index, (event, ts) in enumerate(zip(events, seconds, strict=True)):
        lines.append(_Line(ts, 2 * index, ts, event_to_json(event), event.event_id, None))
    if not events:
        return [], []
    count = len(events)
    indices = list(range(count))
    late = set(rng.sample(indices, min(count, max(3, count // 300))))
    resent = rng.sample([i for i in indices if i not in late], min(count - len(late),
                                                                    max(3, count // 500)))
    for index in sorted(late):
        old = lines[index]
        lines[index] = _Line(
            old.ts + rng.randint(3, MAX_DELAY_S), old.order, old.ts, old.data, old.event_id,
            "out_of_order",
        )
    for index in resent:
        old = lines[index]
        lines.append(_Line(old.ts + rng.randint(0, 20), 2 * index + 1, old.ts, old.data,
                           old.event_id, "duplicate"))
    for number, defect in enumerate(DEFECTS * 2, start=1):
        index = rng.randrange(count)
        lines.append(_Line(seconds[index], 2 * index + 1, seconds[index],
                           _malformed(defect, events[index], number), None, defect))
    lines.sort(key=lambda line: (line.arrival, line.order))

    labels: list[Label] = []
    first_line: dict[str, int] = {}
    newest = None
    for position, line in enumerate(lines):
        at = format_ts(line.ts, zone)
        if line.dirt == "duplicate" and line.event_id is not None:
            labels.append({"kind": "dirt.duplicate", "at": at, "line": position,
                           "event_id": line.event_id, "first_line": first_line[line.event_id]})
        elif line.dirt == "out_of_order" and newest is not None and newest > line.ts:
            labels.append({"kind": "dirt.out_of_order", "at": at, "line": position,
                           "event_id": line.event_id, "displaced_s": newest - line.ts})
        elif line.dirt in DEFECTS:
            labels.append({"kind": "dirt.malformed", "at": at, "line": position,
                           "defect": line.dirt})
        if line.event_id is not None:
            first_line.setdefault(line.event_id, position)
        if line.dirt not in DEFECTS:
            newest = line.ts if newest is None else max(newest, line.ts)
    return [line.data for line in lines], labels
