"""Redis itself goes away under the wallboard, then comes back."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from dashboard import ids
from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import EmbeddedRedis
from tests.dashboard.browser_helpers import (
    HeartbeatWriter,
    banner_text,
    is_stale,
    text_of,
    wait_until,
)
from tests.dashboard.conftest import serve_dashboard
from tests.dashboard.fixtures import write_floor

pytestmark = pytest.mark.browser


def test_redis_down_greys_the_wallboard_and_it_recovers_by_itself(
    browser: Any, tmp_path: Path
) -> None:
    server = EmbeddedRedis(data_dir=tmp_path / "redis").start()
    client = redis.Redis.from_url(server.url)
    keys = RedisKeys("wb")
    floor = write_floor(client, keys, datetime.now(tz=UTC).replace(microsecond=0),
                        history_minutes=5)
    pulse = HeartbeatWriter(client, keys, floor.settings)
    pulse.start()
    try:
        with serve_dashboard(server.url, "wb") as url:
            browser.get(f"{url}/wallboard?lang=en")
            sl = ids.tile_value("claims_report", "sl")
            wait_until(lambda: text_of(browser, sl) == "81.3%", 20)
            server.stop()
            stopped = time.monotonic()
            wait_until(lambda: is_stale(browser), 15)
            assert time.monotonic() - stopped <= 15
            assert banner_text(browser).startswith("data stale since ")
            assert text_of(browser, sl) == "81.3%"  # last value kept, greyed by CSS
            server.start()  # same port and password, empty data set
            write_floor(client, keys, datetime.now(tz=UTC).replace(microsecond=0),
                        history_minutes=5)
            wait_until(lambda: not is_stale(browser), 10)
            assert banner_text(browser) == ""
    finally:
        pulse.stop()
        client.close()
        server.stop()
