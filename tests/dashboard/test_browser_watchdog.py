"""The browser's own watchdog: the dashboard server itself hangs (SIGSTOP) or dies, with the
pipeline's heartbeat still fresh in Redis; the open page goes stale by itself and recovers
by itself, without a reload."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis

from dashboard import ids
from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import free_port
from tests.conftest import REPO
from tests.dashboard.browser_helpers import (
    HeartbeatWriter,
    banner_text,
    is_stale,
    text_of,
    wait_until,
)
from tests.dashboard.fixtures import write_floor

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STALE_S = 3


@contextmanager
def dashboard_process(redis_url: str, prefix: str, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """`wallboard dashboard` (gunicorn, 1 worker) in its own process group, serving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "dashboard", "--port", str(port),
         "--redis-url", redis_url, "--prefix", prefix, "--workers", "1"],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), start_new_session=True,
    )
    try:
        wait_until(lambda: _answers(port), 30)
        yield process
    finally:
        for sig in (signal.SIGCONT, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_dash-layout", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


def _tile_box(driver: Any) -> list[float]:
    return list(driver.execute_script(
        "const r = document.getElementById('wb-tiles').getBoundingClientRect();"
        "return [r.top, r.left, r.width, r.height];"))


def test_banner_when_the_dashboard_server_hangs_or_dies_and_gone_when_it_is_back(  # noqa: PLR0915
    browser: Any, redis_url: str, artifacts: Path
) -> None:
    prefix = f"wbwd-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(redis_url)
    keys = RedisKeys(prefix)
    floor = write_floor(client, keys, datetime.now(tz=UTC).replace(microsecond=0),
                        history_minutes=5)
    settings = floor.settings.model_copy(update={"heartbeat_stale_s": STALE_S})
    client.set(keys.config(), settings.model_dump_json())
    pulse = HeartbeatWriter(client, keys, settings)
    pulse.start()
    port = free_port()
    sl = ids.tile_value("claims_report", "sl")
    try:
        with dashboard_process(redis_url, prefix, port) as server:
            browser.get(f"http://127.0.0.1:{port}/wallboard?lang=en")
            wait_until(lambda: text_of(browser, sl) == "81.3%", 20)
            wait_until(lambda: not is_stale(browser), 5)
            fresh_box = _tile_box(browser)

            # Hung: the whole server (master and worker) stopped.
            os.killpg(server.pid, signal.SIGSTOP)
            stopped = time.monotonic()
            wait_until(lambda: is_stale(browser), STALE_S + 5)
            hung_after = time.monotonic() - stopped
            assert banner_text(browser).startswith("no update from the dashboard server since ")
            assert text_of(browser, sl) == "81.3%"  # last value kept, greyed
            assert _tile_box(browser) == fresh_box  # the banner is an overlay
            assert "alerts unknown" in browser.execute_script(
                "return getComputedStyle(document.getElementById('wb-ticker'), '::before')"
                ".content;")
            os.killpg(server.pid, signal.SIGCONT)
            continued = time.monotonic()
            # The resumed server first works off the ticks queued while it was stopped
            # (seconds on a busy 2-core machine); from its first answer the page has 5 s.
            wait_until(lambda: _answers(port), 15)
            resumed = time.monotonic()
            wait_until(lambda: not is_stale(browser), 5)
            assert time.monotonic() - resumed <= 5
            assert banner_text(browser) == ""
            print(f"SIGSTOP → stale {hung_after:.1f} s; SIGCONT → live "
                  f"{time.monotonic() - continued:.1f} s")

            # Gone: killed, then started again on the same port.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            killed = time.monotonic()
            wait_until(lambda: is_stale(browser), STALE_S + 5)
            dead_after = time.monotonic() - killed
            # The clock is the browser's: it keeps running while no server answers.
            clock = text_of(browser, ids.WB_CLOCK)
            assert re.fullmatch(r"\d\d:\d\d:\d\d", clock)
            wait_until(lambda: text_of(browser, ids.WB_CLOCK) != clock, 3)
            browser.save_screenshot(str(artifacts / "wallboard-stale-server-gone.png"))
        with dashboard_process(redis_url, prefix, port) as server:
            restarted = time.monotonic()
            wait_until(lambda: not is_stale(browser), 5)
            assert time.monotonic() - restarted <= 5
            print(f"kill → stale {dead_after:.1f} s; restart (answering) → live "
                  f"{time.monotonic() - restarted:.1f} s")
            assert text_of(browser, sl) == "81.3%"

            # A drill-down page has the same watchdog.
            browser.get(f"http://127.0.0.1:{port}/team/cd_chat?lang=en")
            wait_until(lambda: "a036" in text_of(browser, ids.T_TABLE), 20)
            assert not is_stale(browser)
            os.killpg(server.pid, signal.SIGSTOP)
            wait_until(lambda: is_stale(browser), STALE_S + 5)
            assert banner_text(browser).startswith("no update from the dashboard server since ")
            os.killpg(server.pid, signal.SIGCONT)
            wait_until(lambda: not is_stale(browser), 5)
        assert hung_after <= STALE_S + 5
        assert dead_after <= STALE_S + 5
    finally:
        pulse.stop()
        keys_left = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys_left:
            client.delete(*keys_left)
        client.close()

