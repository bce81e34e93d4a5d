"""Redis going away: the pipeline keeps its state, retries with backoff, says so in its log
and heartbeat, and catches up when Redis returns — also when it is killed meanwhile."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import EmbeddedRedis
from tests.recovery.harness import (
    finish,
    redis_state,
    sample_lines,
    start_pipeline,
    write_config,
    write_events,
)

LINES = 12_000
PACING = ("--fast-until", "2026-03-02T08:00:00+08:00", "--speed", "1500", "--epoch-s", "0.5")


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A redis-server process of this test's own, persisting (AOF) across restarts."""
    server = EmbeddedRedis(data_dir=tmp_path / "redis", persist=True).start()
    try:
        yield server
    finally:
        server.stop()


def _baseline(tmp_path: Path, events: Path, server: EmbeddedRedis) -> dict[str, object]:
    config = write_config(tmp_path / "baseline.toml", "base")
    finish(start_pipeline(config, server.url, "--events", str(events), *PACING))
    return redis_state(redis.Redis.from_url(server.url), "base")


def test_redis_restart_mid_replay_is_caught_up_with_nothing_lost(
    tmp_path: Path, own_redis: EmbeddedRedis
) -> None:
    events = write_events(tmp_path / "events.jsonl", sample_lines(LINES))
    config = write_config(tmp_path / "outage.toml", "outage")
    client: Any = redis.Redis.from_url(own_redis.url)
    process = start_pipeline(config, own_redis.url, "--events", str(events), *PACING)
    deadline = time.monotonic() + 30
    while client.get(RedisKeys("outage").heartbeat()) is None:
        assert time.monotonic() < deadline, "the pipeline never wrote a heartbeat"
        time.sleep(0.1)
    own_redis.stop()  # graceful: the AOF keeps what was written
    time.sleep(2.0)
    assert process.poll() is None, "the pipeline must survive the outage"
    own_redis.start()
    log = finish(process)
    assert "redis unreachable, keeping state in memory" in log
    assert "redis reachable again after" in log
    got = redis_state(client, "outage")
    assert orjson.loads(client.get(RedisKeys("outage").heartbeat()))["redis_ok"] is True
    assert got == _baseline(tmp_path, events, own_redis)


def test_kill_9_during_an_outage_loses_nothing_written_after_resume(
    tmp_path: Path, own_redis: EmbeddedRedis
) -> None:
    events = write_events(tmp_path / "events.jsonl", sample_lines(LINES))
    config = write_config(tmp_path / "outage.toml", "outage")
    args = ("--events", str(events), *PACING, "--recovery-dir", str(tmp_path / "recovery"))
    client: Any = redis.Redis.from_url(own_redis.url)
    process = start_pipeline(config, own_redis.url, *args)
    deadline = time.monotonic() + 30
    while client.get(RedisKeys("outage").heartbeat()) is None:
        assert time.monotonic() < deadline, "the pipeline never wrote a heartbeat"
        time.sleep(0.1)
    own_redis.stop()
    time.sleep(1.5)  # several epochs commit while the sink holds unwritten appends
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    own_redis.start()
    finish(start_pipeline(config, own_redis.url, *args))
    assert redis_state(client, "outage") == _baseline(tmp_path, events, own_redis)
