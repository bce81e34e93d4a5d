"""Helpers for the browser tests: find Dash components, wait, keep a heartbeat going."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.redis_keys import RedisKeys
from schemas.config import Settings
from tests.dashboard.fixtures import write_heartbeat


class HeartbeatWriter:
    """Writes the pipeline's heartbeat every 0.5 s of wall clock until stopped."""

    def __init__(self, client: redis.Redis, keys: RedisKeys, settings: Settings) -> None:
        self._client = client
        self._keys = keys
        self._settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                write_heartbeat(self._client, self._keys, datetime.now(tz=UTC),
                                self._settings)
            except redis.RedisError:
                pass  # a test may stop Redis under us

            self._stop.wait(0.5)


def dom_id(component_id: dict[str, str]) -> str:
    """The DOM id Dash gives a pattern-matching component (keys sorted, compact JSON)."""
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))


def wait_until(check: Callable[[], Any], timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as exc:  # the DOM may be mid-render
            last_error = exc
        time.sleep(0.2)
    msg = f"condition not met within {timeout_s} s (last error: {last_error})"
    raise AssertionError(msg)


def element(driver: Any, component_id: dict[str, str] | str) -> Any:
    """The element by its Dash id (JSON ids are not valid CSS selectors, so via the DOM)."""
    key = component_id if isinstance(component_id, str) else dom_id(component_id)
    found = driver.execute_script("return document.getElementById(arguments[0]);", key)
    if found is None:
        msg = f"no element with id {key}"
        raise LookupError(msg)
    return found


def text_of(driver: Any, component_id: dict[str, str] | str) -> str:
    return str(element(driver, component_id).text)


def class_of(driver: Any, component_id: dict[str, str] | str) -> str:
    return str(element(driver, component_id).get_attribute("class"))


def is_stale(driver: Any) -> bool:
    """The watchdog's verdict: `wb-stale` on <body> (banner shown, values greyed)."""
    return bool(driver.execute_script(
        "return document.body.classList.contains('wb-stale');"))


def banner_text(driver: Any) -> str:
    """The stale banner's text ("" when it is hidden): the shell's overlay, or the page's
    own place for it (the wallboard's title slot, `.wd-banner-inline`); never both."""
    shown = driver.execute_script(
        "const all = [document.getElementById('wd-banner'),"
        " ...document.getElementsByClassName('wd-banner-inline')];"
        "return all.filter(b => b && getComputedStyle(b).display !== 'none')"
        ".map(b => b.textContent);")
    assert len(shown) <= 1, f"more than one stale banner shown: {shown}"
    return str(shown[0]) if shown else ""


def wait_resized(driver: Any, width: int, height: int) -> None:
    """Wait until the page has the emulated viewport (the next layout uses it)."""
    wait_until(lambda: driver.execute_script(
        "return [window.innerWidth, window.innerHeight];") == [width, height], 5)


def wait_next_beat(driver: Any) -> None:
    """Wait until the page's next tick has reached the browser (the watchdog's beat)."""
    last = driver.execute_script("return window.__wbWatchdog.lastBeatMs;")
    wait_until(lambda: driver.execute_script("return window.__wbWatchdog.lastBeatMs;") != last,
               5)
