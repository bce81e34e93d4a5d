"""Redis refusing writes (`maxmemory` with `noeviction`) is a failure: the heartbeat says
`redis_ok: false` and why, nothing is lost once Redis accepts again, and starting against
a full Redis is a one-line error with a non-zero exit, not a panic."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import redis

from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import EmbeddedRedis
from tests.conftest import REPO
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


def _redis7() -> str | None:
    """A redis-server of version 7 or later (`allow-oom` scripts), if the machine has one."""
    found = shutil.which("redis-server")
    if found is None:
        return None
    out = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
    version = out.stdout.partition("v=")[2].split(".", maxsplit=1)[0]
    return found if version.isdigit() and int(version) >= 7 else None


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    binary = _redis7()
    if binary is None:
        pytest.skip("needs redis-server >= 7 on PATH")
    server = EmbeddedRedis(data_dir=tmp_path / "redis", binary=binary).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_refused_writes_set_redis_ok_false_and_nothing_is_lost_once_memory_is_raised(
    tmp_path: Path, own_redis: EmbeddedRedis
) -> None:
    events = write_events(tmp_path / "events.jsonl", sample_lines(LINES))
    config = write_config(tmp_path / "full.toml", "full")
    client: Any = redis.Redis.from_url(own_redis.url)
    heartbeat_key = RedisKeys("full").heartbeat()
    process = start_pipeline(config, own_redis.url, "--events", str(events), *PACING)
    deadline = time.monotonic() + 30
    while client.get(heartbeat_key) is None:
        assert time.monotonic() < deadline, "the pipeline never wrote a heartbeat"
        time.sleep(0.05)
    # Full from here: a little room above what is used now, and no eviction.
    client.config_set("maxmemory-policy", "noeviction")
    client.config_set("maxmemory", client.info("memory")["used_memory"] + 64 * 1024)
    refusing: dict[str, Any] = {}
    deadline = time.monotonic() + 30
    while not refusing:
        assert process.poll() is None, "the pipeline must survive refused writes"
        assert time.monotonic() < deadline, "the heartbeat never said redis_ok: false"
        beat = orjson.loads(client.get(heartbeat_key))
        if beat["redis_ok"] is False:
            refusing = beat
        time.sleep(0.05)
    assert refusing["redis_error"].startswith("OOM command not allowed")
    time.sleep(1.0)  # more ticks are refused and kept
    client.config_set("maxmemory", 0)
    log = finish(process)
    assert "redis refuses writes" in log
    assert "redis reachable again after" in log
    assert orjson.loads(client.get(heartbeat_key))["redis_ok"] is True
    got = redis_state(client, "full")
    base = write_config(tmp_path / "base.toml", "base")
    # The same events flat out: the state written does not depend on the pacing.
    finish(start_pipeline(base, own_redis.url, "--events", str(events), "--speed", "0"))
    assert got == redis_state(client, "base")


def test_starting_against_a_full_redis_is_a_one_line_error_and_exit_1(
    tmp_path: Path, redis_url: str
) -> None:
    with EmbeddedRedis(data_dir=tmp_path / "redis") as server:
        client: Any = redis.Redis.from_url(server.url)
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", 1)  # below what an empty server uses: every write refused
        events = write_events(tmp_path / "events.jsonl", sample_lines(10))
        config = write_config(tmp_path / "full.toml", "full")
        run = subprocess.run(  # noqa: S603 - our own CLI
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "run",
                "--config",
                str(config),
                "--redis-url",
                server.url,
                "--events",
                str(events),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        f"wallboard run: redis at 127.0.0.1:{server.port} refuses writes: OOM command not "
        "allowed when used memory > 'maxmemory'."
    ]
