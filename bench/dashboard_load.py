"""6. Dashboard under load: 50 clients polling the wallboard's update callback once a second.

`wallboard dashboard` (gunicorn) serves a Redis filled by a replay. The callback's POST
body is captured from a real headless Chromium (the page's own `_dash-update-component`
request), then replayed by 50 client threads, each on its own keep-alive connection.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import WALLBOARD, Figure, percentile
from pipeline.redis_server import free_port

CLIENTS = 50
TARGET_P95_MS = 150.0
UPDATE_PATH = "/_dash-update-component"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# Record the body of every callback request the page makes.
_RECORD_FETCH = """
window.__wbBodies = [];
const original = window.fetch;
window.fetch = function(url, options) {
  if (String(url).includes('_dash-update-component') && options && options.body) {
    window.__wbBodies.push(options.body);
  }
  return original.apply(this, arguments);
};
"""


def capture_update_body(base: str, profile_dir: Path) -> bytes:
    """The wallboard interval callback's request body, as the browser sends it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile_dir}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        driver.get(base + "/")
        deadline = time.monotonic() + 30
        driver.execute_script(_RECORD_FETCH)
        while time.monotonic() < deadline:
            bodies: list[str] = driver.execute_script("return window.__wbBodies;") or []
            for body in bodies:
                if '"wb-interval.n_intervals"' in body:
                    return body.encode()
            time.sleep(0.2)
    finally:
        driver.quit()
    msg = "no wallboard interval callback seen within 30 s"
    raise RuntimeError(msg)


def _wait_http(port: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/_dash-layout")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.2)
    msg = f"dashboard did not answer on port {port}"
    raise RuntimeError(msg)


class PollingClient(threading.Thread):
    """One wallboard: POSTs the update callback once a second until `stop_at`."""

    def __init__(self, port: int, body: bytes, start_at: float, stop_at: float) -> None:
        super().__init__(daemon=True)
        self.port, self.body = port, body
        self.start_at, self.stop_at = start_at, stop_at
        self.times: list[float] = []
        self.errors: list[str] = []
        self.response_bytes = 0

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Content-Type": "application/json"}
        due = self.start_at
        while due < self.stop_at:
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            started = time.perf_counter()
            try:
                conn.request("POST", UPDATE_PATH, body=self.body, headers=headers)
                response = conn.getresponse()
                self.response_bytes = len(response.read())
                if response.status != 200:
                    self.errors.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as error:
                self.errors.append(type(error).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            self.times.append(time.perf_counter() - started)
            due += 1.0
        conn.close()


def measure(workdir: Path, redis_url: str, prefix: str, seconds: float = 60.0) -> list[Figure]:
    port = free_port()
    env: dict[str, Any] = {k: v for k, v in os.environ.items() if k != "WALLBOARD_CONFIG"}
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [
            str(WALLBOARD),
            "dashboard",
            "--port",
            str(port),
            "--redis-url",
            redis_url,
            "--prefix",
            prefix,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        _wait_http(port)
        body = capture_update_body(f"http://127.0.0.1:{port}", workdir / "chromium")
        begin = time.perf_counter() + 0.5
        # Spread the clients over the second, as independent wallboards would be.
        clients = [
            PollingClient(port, body, begin + i / CLIENTS, begin + seconds) for i in range(CLIENTS)
        ]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
    times = [t for c in clients for t in c.times]
    errors = [e for c in clients for e in c.errors]
    p50, p95 = percentile(times, 0.5) * 1000, percentile(times, 0.95) * 1000
    note = (
        f"{len(times)} requests, {len(errors)} errors, p50 {p50:.0f} ms, "
        f"request {len(body):,} B, response {clients[0].response_bytes:,} B"
    )
    return [
        Figure(
            f"6. dashboard update callback p95 ({CLIENTS} clients × 1/s, {seconds:.0f} s)",
            p95,
            "ms",
            p50,
            "p50",
            f"p95 ≤ {TARGET_P95_MS:.0f} ms, no errors",
            p95 <= TARGET_P95_MS and not errors,
            note,
        ),
    ]
