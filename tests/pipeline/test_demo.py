"""`wallboard demo` (what `make demo` runs): starts, says where to look, stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipeline.redis_server import free_port
from tests.conftest import REPO

# Every demo runs in the repository's var/: one xdist worker runs them all, one at a time.
pytestmark = pytest.mark.xdist_group("demo")


def _redis_servers_on(port: int) -> list[str]:
    # redis-server rewrites its process title to "redis-server 127.0.0.1:<port>".
    found = subprocess.run(
        ["pgrep", "-af", "redis-server"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    return [line for line in found if line.endswith(f"127.0.0.1:{port}")]


@pytest.mark.slow
def test_demo_reports_urls_serves_the_wallboard_and_stops_without_leftovers(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "demo", "--port", str(port), "--speed", "60"],
        cwd=tmp_path,
        env=dict(env, PYTHONPATH=str(REPO)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if line.startswith("Open "):
            break
    assert lines[0].startswith("Redis: redis://127.0.0.1:"), lines
    assert lines[0].rstrip().endswith("(embedded, started by the demo; data in var/redis)")
    assert f"Open http://127.0.0.1:{port}/wallboard" in lines[-1]
    redis_port = int(lines[0].split("127.0.0.1:")[1].split("/")[0])
    assert len(_redis_servers_on(redis_port)) == 1
    status = 0
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and status != 200:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/wallboard", timeout=5) as page:
                status = page.status
        except OSError:
            time.sleep(0.5)
    assert status == 200
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    assert _redis_servers_on(redis_port) == []
