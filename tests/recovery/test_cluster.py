"""Scale-out on Bytewax's own cluster: two processes x one worker reading two partitioned
Redis input streams write exactly what one worker writes.

A whole file published at once is read by each process at its own pace, hours of event
time apart; the floor step merges the partitions back into arrival order
(`pipeline/partition_merge.py`), so the default lateness and dedupe window suffice. See
docs/operations.md ("Several processes").
"""

from __future__ import annotations

from pathlib import Path

import redis

from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import free_port
from pipeline.redis_source import publish_lines
from tests.recovery.harness import (
    finish,
    redis_state,
    sample_lines,
    start_pipeline,
    write_config,
)

LINES = 12_000
PARTITIONS = "2"


def _config(tmp_path: Path, prefix: str) -> Path:
    config = write_config(tmp_path / f"{prefix}.toml", prefix)
    text = config.read_text(encoding="utf-8")
    assert "lateness_s = 30" in text
    assert "dedupe_window_s" not in text  # the defaults
    return config


def test_two_processes_write_what_one_worker_writes(
    tmp_path: Path, redis_url: str, redis_client: redis.Redis, redis_prefix: str
) -> None:
    lines = sample_lines(LINES)
    single, cluster = f"{redis_prefix}-one", f"{redis_prefix}-two"
    for prefix in (single, cluster):
        publish_lines(redis_client, RedisKeys(prefix), lines, partitions=int(PARTITIONS))
    common: tuple[str, ...] = ("--source", "redis", "--partitions", PARTITIONS)
    common += ("--stop-when-idle", "1.5", "--clock", "event")
    try:
        finish(start_pipeline(_config(tmp_path, single), redis_url, *common))
        addresses = f"127.0.0.1:{free_port()};127.0.0.1:{free_port()}"
        config = _config(tmp_path, cluster)
        processes = [
            start_pipeline(
                config, redis_url, *common, "--process-id", str(n), "--addresses", addresses
            )
            for n in range(2)
        ]
        for process in processes:
            finish(process)
        # Dead letters' `seq` comes from the stream ids, which differ between the publishes.
        drop = (b"received_at", b"seq")
        one, two = redis_state(redis_client, single, drop), redis_state(redis_client, cluster, drop)
        assert two["snapshot"] == one["snapshot"]
        assert two["alerts:history"] == one["alerts:history"]
        assert two == one
    finally:
        for prefix in (single, cluster):
            keys = list(redis_client.scan_iter(match=f"{prefix}:*", count=1000))
            if keys:
                redis_client.delete(*keys)
