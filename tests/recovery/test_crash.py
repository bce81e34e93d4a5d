"""`kill -9` of a running pipeline, then a restart from its recovery directory, ends with
exactly what an uninterrupted run writes: snapshot, entities, alert history, dead letters,
history and timelines — nothing lost, nothing counted twice."""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.recovery.harness import (
    finish,
    redis_state,
    sample_lines,
    start_pipeline,
    write_config,
    write_events,
)

LINES = 12_000  # the sample day up to about 09:40
EPOCH_S = "0.5"
# Flat out to 08:00, then 100 minutes paced at 1,500x: about 4 s of work per run.
PACING = ("--fast-until", "2026-03-02T08:00:00+08:00", "--speed", "1500")


def _prefix() -> str:
    return f"wbtest-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def prefixes(redis_url: str) -> Iterator[list[str]]:
    used: list[str] = []
    yield used
    client = redis.Redis.from_url(redis_url)
    for prefix in used:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    client.close()


def _uninterrupted(tmp_path: Path, events: Path, redis_url: str, prefix: str) -> None:
    config = write_config(tmp_path / f"{prefix}.toml", prefix)
    finish(
        start_pipeline(config, redis_url, "--events", str(events), "--epoch-s", EPOCH_S, *PACING)
    )


def test_kill_9_at_random_moments_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path, redis_url: str, prefixes: list[str]
) -> None:
    events = write_events(tmp_path / "events.jsonl", sample_lines(LINES))
    baseline, crashed = _prefix(), _prefix()
    prefixes += [baseline, crashed]
    _uninterrupted(tmp_path, events, redis_url, baseline)

    config = write_config(tmp_path / "crashed.toml", crashed)
    recovery = tmp_path / "recovery"
    args = ("--events", str(events), "--epoch-s", EPOCH_S, *PACING, "--recovery-dir", str(recovery))
    rng = random.Random(int(os.environ.get("WALLBOARD_CRASH_SEED", "6")))
    kills = 0
    for _ in range(3):
        process = start_pipeline(config, redis_url, *args)
        time.sleep(rng.uniform(1.0, 2.5))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.communicate()
    finish(start_pipeline(config, redis_url, *args))
    assert kills >= 2

    client = redis.Redis.from_url(redis_url)
    expected, got = redis_state(client, baseline), redis_state(client, crashed)
    assert got.keys() == expected.keys()
    assert got["snapshot"] == expected["snapshot"]
    assert got["alerts:history"] == expected["alerts:history"]
    assert got["deadletter"] == expected["deadletter"]
    assert got["heartbeat"] == expected["heartbeat"]
    assert got == expected
