"""`wallboard dashboard`: arguments, and gunicorn really serving the app."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

import pytest
import redis

from pipeline.cli import build_parser
from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import free_port
from tests.conftest import REPO
from tests.dashboard.fixtures import write_floor


def test_defaults_come_from_redis_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://10.0.0.5:6380/2")
    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port, args.redis_url, args.prefix) == (
        "127.0.0.1", 8050, "redis://10.0.0.5:6380/2", "wb")
    args = build_parser().parse_args(
        ["dashboard", "--host", "0.0.0.0", "--port", "9000", "--redis-url", "redis://r:1/0",
         "--prefix", "floor2"])
    assert (args.host, args.port, args.redis_url, args.prefix) == (
        "0.0.0.0", 9000, "redis://r:1/0", "floor2")


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return int(response.status), response.read()


def test_gunicorn_serves_the_dashboard(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    write_floor(redis_client, redis_keys, datetime.now(tz=UTC), history_minutes=5)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "dashboard", "--port", str(port),
         "--redis-url", redis_url, "--prefix", redis_prefix, "--workers", "1",
         "--threads", "2"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _body = _get(f"{base}/wallboard")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.3)
        assert status == 200
        status, body = _get(f"{base}/_dash-layout")
        assert status == 200
        assert b"wb-root" in body or b"_pages_location" in body
        # The wallboard's 1-s tick is registered with the served app.
        status, deps = _get(f"{base}/_dash-dependencies")
        assert status == 200
        assert any("wb-clock.className" in d["output"] for d in json.loads(deps))
    finally:
        process.terminate()
        process.wait(timeout=10)
