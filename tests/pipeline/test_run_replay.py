"""`wallboard run` over the sample day keeps Redis current while it replays."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import redis

from pipeline.redis_keys import RedisKeys
from tests.conftest import REPO, SAMPLE_CONFIG

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"


@pytest.mark.slow
def test_replay_at_speed_zero_shows_the_kpis_moving_in_redis(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, redis_prefix: str
) -> None:
    config = tmp_path / "wallboard.toml"
    config.write_text(
        f'redis_prefix = "{redis_prefix}"\n' + SAMPLE_CONFIG.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    keys = RedisKeys(redis_prefix)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "run",
            "--events",
            str(SAMPLE_DAY),
            "--speed",
            "0",
            "--config",
            str(config),
            "--redis-url",
            redis_url,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    seen: list[tuple[str, int]] = []
    while process.poll() is None:
        body = redis_client.get(keys.snapshot())
        if body is not None:
            snapshot = orjson.loads(body)
            point = (snapshot["now"], snapshot["all"]["day"]["offered"])
            if not seen or seen[-1] != point:
                seen.append(point)
        time.sleep(0.2)
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""
    final = orjson.loads(redis_client.get(keys.snapshot()))
    seen.append((final["now"], final["all"]["day"]["offered"]))
    # Several distinct snapshots while replaying, each later and, within the day (the
    # sample's last few events fall after midnight), with more contacts.
    assert len({now for now, _ in seen}) >= 3
    assert [now for now, _ in seen] == sorted(now for now, _ in seen)
    today = [offered for now, offered in seen if now < "2026-03-03"]
    assert today == sorted(today)
    assert today[-1] > today[0]
    heartbeat = orjson.loads(redis_client.get(keys.heartbeat()))
    assert heartbeat["events_total"] > 50_000
    assert heartbeat["dead_letters_total"] > 0
    assert redis_client.xlen(keys.dead_letter()) == heartbeat["dead_letters_total"]
    # No stale agent state: every agent key equals the final snapshot's agent entry (agents
    # with nothing in any window after midnight left the snapshot and lost their keys).
    agent_keys = sorted(k.decode() for k in redis_client.scan_iter(match=keys.entity("agent", "*")))
    assert agent_keys == sorted(keys.entity("agent", a) for a in final["agents"])
    for agent_id, entry in final["agents"].items():
        assert orjson.loads(redis_client.get(keys.entity("agent", agent_id))) == entry
