"""Shared fixtures: a real Redis server and an isolated key prefix per test.

`REDIS_URL` set: the tests use that server (for example the machine's 127.0.0.1:6379).
Unset: one embedded `redis-server` is started for the session and stopped at the end.
Each test gets its own key prefix and every key under it is deleted afterwards, so tests
never see each other's data and never flush a shared server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import EmbeddedRedis

REPO = Path(__file__).resolve().parent.parent
SAMPLE_CONFIG = REPO / "replay_data" / "sample_config.toml"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(data_dir=tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def redis_prefix() -> str:
    return f"wbtest-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def redis_keys(redis_prefix: str) -> RedisKeys:
    return RedisKeys(redis_prefix)


@pytest.fixture
def redis_client(redis_url: str, redis_prefix: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    try:
        yield client
    finally:
        keys = list(client.scan_iter(match=f"{redis_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
