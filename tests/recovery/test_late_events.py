"""Events later than the lateness still count (day-to-date and every window still kept),
are flagged in the heartbeat's `late_total`, and late agent events are dead letters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import redis

from pipeline.compare import snapshot_differences
from pipeline.flow import FlowOptions, build_flow
from pipeline.redis_keys import RedisKeys
from pipeline.reference import reference_snapshot
from pipeline.runner import run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource, event_epoch
from schemas.config import Settings
from tests.pipeline.eventlogs import generate
from tests.recovery.harness import untyped


def _late_lines(latest: float) -> list[bytes]:
    """A whole contact and an agent state change, 20 minutes behind the newest event."""
    late = datetime.fromtimestamp(latest - 1200, tz=UTC).isoformat()
    later = datetime.fromtimestamp(latest - 1190, tz=UTC).isoformat()
    return [
        orjson.dumps(
            {
                "event_id": "late-offered",
                "ts": late,
                "type": "contact.offered",
                "contact_id": "late-1",
                "channel": "voice",
                "queue": "q_voice",
            }
        ),
        orjson.dumps(
            {
                "event_id": "late-abandoned",
                "ts": later,
                "type": "contact.abandoned",
                "contact_id": "late-1",
            }
        ),
        orjson.dumps(
            {
                "event_id": "late-state",
                "ts": late,
                "type": "agent.state",
                "agent_id": "a0",
                "state": "ready",
            }
        ),
    ]


def test_late_contacts_count_in_the_day_and_the_heartbeat_flags_them(
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    redis_prefix: str,
    redis_keys: RedisKeys,
) -> None:
    settings = Settings(redis_prefix=redis_prefix, lateness_s=30)
    log = generate(seed=11, agents=3, contacts=40, minutes=60, noise=0)
    latest = max(t for t in map(event_epoch, log.lines) if t is not None)
    lines = log.lines + _late_lines(latest)
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(lines) + b"\n")
    at = datetime.fromtimestamp(latest, tz=UTC)
    flow = build_flow(
        settings,
        FileReplaySource(events),
        RedisStateSink(redis_url, settings),
        FlowOptions(clock="event", at_epoch=latest),
    )
    run_flow(flow)

    snapshot = orjson.loads(untyped(redis_client).get(redis_keys.snapshot()))
    assert snapshot_differences(snapshot, reference_snapshot(lines, at, settings)) == []
    on_time = reference_snapshot(log.lines, at, settings)
    day, clean_day = snapshot["all"]["day"], on_time["all"]["day"]
    assert (day["offered"], day["abandoned"]) == (
        clean_day["offered"] + 1,
        clean_day["abandoned"] + 1,
    )
    heartbeat = orjson.loads(untyped(redis_client).get(redis_keys.heartbeat()))
    assert heartbeat["late_total"] == 3
    letters = [f for _, f in untyped(redis_client).xrange(redis_keys.dead_letter())]
    [late] = [f for f in letters if f[b"reason"] == b"late"]
    assert orjson.loads(late[b"raw"])["event_id"] == "late-state"
