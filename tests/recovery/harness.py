"""Helpers for the recovery tests: run `wallboard run` as a real process, read back Redis.

`redis_state` turns everything the pipeline wrote under a prefix into plain values that two
runs can be compared with: strings byte for byte; the alert history, dead letters and agent
timelines as sorted lists of their entries' field bytes (their order follows the engine's
decision points, which depend on wall-clock ticks); history streams with their explicit ids.
Fields that are wall-clock by design (dead letters' `received_at`, the heartbeat's
`processed_at`, `lag_s`, `events_per_s`, `redis_ok`) are left out; exactly-once markers
(`<prefix>:appended:*`) are scoped by run and left out too.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import redis

from tests.conftest import REPO, SAMPLE_CONFIG

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
WALL_CLOCK_HEARTBEAT = ("processed_at", "lag_s", "events_per_s", "redis_ok", "redis_error")


def sample_lines(count: int) -> list[bytes]:
    """The first `count` lines of the shipped sample day (dirt, duplicates and alerts)."""
    lines: list[bytes] = []
    with gzip.open(SAMPLE_DAY, "rb") as handle:
        for line in handle:
            lines.append(line.rstrip(b"\n"))
            if len(lines) == count:
                break
    return lines


def write_events(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def write_config(path: Path, prefix: str, tick_s: float = 0.5) -> Path:
    """The sample configuration under key prefix `prefix`, ticking every `tick_s` seconds."""
    path.write_text(
        f'redis_prefix = "{prefix}"\ntick_s = {tick_s}\n'
        + SAMPLE_CONFIG.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return path


def start_pipeline(config: Path, redis_url: str, *args: str) -> subprocess.Popen[bytes]:
    """`wallboard run --config CONFIG --redis-url URL ARGS...` as a child process."""
    return subprocess.Popen(  # noqa: S603 - our own CLI
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "run",
            "--config",
            str(config),
            "--redis-url",
            redis_url,
            *args,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )


def finish(process: subprocess.Popen[bytes], timeout_s: float = 120) -> str:
    """Wait for a pipeline process; returns its log, raising when it failed."""
    try:
        _, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    log = err.decode(errors="replace")
    if process.returncode != 0:
        msg = f"pipeline exited with {process.returncode}:\n{log[-3000:]}"
        raise AssertionError(msg)
    return log


def untyped(client: redis.Redis) -> Any:
    """The client with redis-py's union return types waived (tests read known types)."""
    return client


def _fields(fields: dict[bytes, bytes], drop: tuple[bytes, ...] = ()) -> list[list[bytes]]:
    return sorted([k, v] for k, v in fields.items() if k not in drop)


def redis_state(
    client: Any, prefix: str, drop: tuple[bytes, ...] = (b"received_at",)
) -> dict[str, Any]:
    """Everything the pipeline keeps under `prefix`, keyed by the name after the prefix;
    stream fields named in `drop` are left out."""
    state: dict[str, Any] = {}
    for raw_key in client.scan_iter(match=f"{prefix}:*", count=1000):
        key = raw_key.decode()
        name = key.removeprefix(prefix + ":")
        kind = client.type(key).decode()
        if name.startswith("appended:"):
            continue
        if name == "heartbeat":
            beat = orjson.loads(client.get(key))
            state[name] = {k: v for k, v in beat.items() if k not in WALL_CLOCK_HEARTBEAT}
        elif name == "config":
            config = orjson.loads(client.get(key))
            state[name] = {k: v for k, v in config.items() if k != "redis_prefix"}
        elif kind == "string":
            state[name] = client.get(key)
        elif kind == "hash":
            state[name] = dict(sorted(client.hgetall(key).items()))
        elif kind == "stream":
            entries = client.xrange(key)
            if name.startswith("history:"):
                state[name] = [(i, _fields(f)) for i, f in entries]
            else:
                state[name] = sorted(_fields(f, drop) for _, f in entries)
        else:
            state[name] = kind
    return dict(sorted(state.items()))
