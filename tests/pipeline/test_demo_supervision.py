"""`wallboard demo` under supervision: Ctrl-C leaves nothing behind (the orphaned gunicorn
worker came from a race, so three times), and a killed pipeline is reported with its
reason and restarted while the dashboard keeps serving the open TV."""

from __future__ import annotations

import gzip
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dashboard import ids
from pipeline.redis_server import free_port
from tests.conftest import REPO
from tests.dashboard.browser_helpers import banner_text, is_stale, text_of, wait_until
from tests.dashboard.conftest import browser  # noqa: F401 - the fixture

# Every demo runs in the repository's var/: one xdist worker runs them all, one at a time.
pytestmark = pytest.mark.xdist_group("demo")

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
SAMPLE_CONFIG = REPO / "replay_data" / "sample_config.toml"
EVENTS = 1000  # 00:00-07:46 of the sample day
PACED_FROM = "2026-03-02T07:40:00+08:00"  # flat out before, real time after: ~6 min
STALE_S = 3  # below the pipeline's restart (1 s backoff + its start), above a tick's round trip


@pytest.fixture(scope="module")
def short_day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The first hours of the sample day and the sample config with a 3-s stale limit."""
    base = tmp_path_factory.mktemp("short-day")
    events = base / "morning.jsonl"
    with gzip.open(SAMPLE_DAY, "rt", encoding="utf-8") as day, events.open("w") as out:
        for _, line in zip(range(EVENTS), day, strict=False):
            out.write(line)
    config = base / "config.toml"
    config.write_text(f"heartbeat_stale_s = {STALE_S}\n" + SAMPLE_CONFIG.read_text())
    return events, config


@dataclass
class Demo:
    process: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    def output(self) -> str:
        return "".join(self.lines)


def _collect(demo: Demo) -> None:
    assert demo.process.stdout is not None
    for line in demo.process.stdout:
        demo.lines.append(line)


def _answers(port: int, path: str = "/_dash-layout") -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as reply:
            return bool(reply.status == 200)
    except OSError:
        return False


def _port_free(port: int) -> bool:
    """Whether the next demo could listen on `port`: like any server (gunicorn too), with
    SO_REUSEADDR, so connections left in TIME_WAIT do not count, a listener still does."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _children() -> dict[int, list[int]]:
    """Parent pid → child pids, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree = _children()
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture
def demo(short_day: tuple[Path, Path], tmp_path: Path) -> Iterator[Demo]:
    """`wallboard demo` in its own process group (as a terminal runs it), serving."""
    events, config = short_day
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "demo", "--events", str(events),
         "--config", str(config), "--fast-until", PACED_FROM, "--speed", "1",
         "--port", str(port)],
        cwd=tmp_path, env=dict(env, PYTHONPATH=str(REPO)), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    running = Demo(process, port)
    threading.Thread(target=_collect, args=(running,), daemon=True).start()
    everything: set[int] = set()
    try:
        wait_until(lambda: _answers(port, "/wallboard"), 60)
        everything = _descendants(process.pid)
        yield running
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in _alive(everything | _descendants(process.pid)):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.parametrize("attempt", [1, 2, 3])
def test_ctrl_c_stops_every_process_of_the_demo_and_frees_the_port(
    demo: Demo, attempt: int
) -> None:
    everything = _descendants(demo.process.pid) | {demo.process.pid}
    names = " ".join(_cmdline(pid) for pid in everything)
    assert "redis-server" in names
    assert all(part in names for part in (" run ", " dashboard ", " archive run "))
    os.killpg(demo.process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    interrupted = time.monotonic()
    wait_until(lambda: not _alive(everything) and _port_free(demo.port), 10)
    assert time.monotonic() - interrupted <= 10
    assert demo.process.wait(timeout=1) == 0
    wait_until(lambda: "stopping…" in demo.output(), 2)


@pytest.mark.slow
@pytest.mark.browser
def test_a_killed_pipeline_is_reported_and_restarted_and_the_tv_recovers(
    demo: Demo, browser: Any  # noqa: F811 - the fixture
) -> None:
    browser.get(f"http://127.0.0.1:{demo.port}/wallboard?lang=en")
    # A replay: the clock shows the data's time and says so (07:4x of the sample day).
    wait_until(lambda: text_of(browser, ids.WB_CLOCK).startswith("replay time 07:4"), 60)
    wait_until(lambda: not is_stale(browser) and banner_text(browser) == "", 30)
    pipeline = next(pid for pid in _descendants(demo.process.pid)
                    if " pipeline.cli run " in _cmdline(pid))
    os.kill(pipeline, signal.SIGKILL)
    killed = time.monotonic()
    wait_until(lambda: banner_text(browser).startswith("data stale since "), STALE_S + 5)
    assert is_stale(browser)
    assert _answers(demo.port)  # the dashboard kept serving
    wait_until(lambda: "pipeline died: signal SIGKILL after " in demo.output(), 5)
    assert "restarting pipeline in 1 s" in demo.output()
    wait_until(lambda: not is_stale(browser), 60)
    restarted = [pid for pid in _descendants(demo.process.pid)
                 if " pipeline.cli run " in _cmdline(pid)]
    assert restarted and pipeline not in restarted
    assert demo.process.poll() is None  # the demo itself never stopped
    print(f"pipeline killed → TV live again after {time.monotonic() - killed:.1f} s")
