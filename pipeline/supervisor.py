"""Keep a few processes running (what `wallboard demo` runs): report and restart the dead.

Each component runs in its own process group (its own session), so a terminal's Ctrl-C
reaches only the supervisor, which then stops every group: its stop signal (SIGTERM by
default), a grace period, SIGKILL to whatever of the group is left, and a wait for the
group to be empty.
Each child also gets SIGTERM from the kernel if the supervisor itself dies
(`PR_SET_PDEATHSIG`), so nothing outlives it. A component that dies is reported with its
name, exit code or signal, how long it ran and the last lines of its stderr, and started
again after a backoff (1, 2, 4, 8, 16 s) — at most `max_restarts` times within
`window_s` seconds, then it is given up on and the others keep running. A component
marked `done_on_success` (the replay) that exits with code 0 has finished and is not
restarted.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Protocol

from pipeline.process_death import die_with_parent

BACKOFF_S: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
TAIL_LINES = 8
GRACE_S = 4.0


class Component(Protocol):
    """Something the supervisor starts, watches and stops."""

    name: str
    done_on_success: bool
    stop_signal: int

    def start(self) -> subprocess.Popen[bytes]: ...

    def last_lines(self) -> list[str]: ...


@dataclass
class Command:
    """A child process running `argv`; its stderr goes on to ours and its last lines are
    kept for the report when it dies."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    done_on_success: bool = False
    stop_signal: int = signal.SIGTERM
    tail: deque[str] = field(default_factory=lambda: deque(maxlen=TAIL_LINES))
    _reader: threading.Thread | None = None

    def start(self) -> subprocess.Popen[bytes]:
        self.tail.clear()
        process = subprocess.Popen(  # noqa: S603 - our own commands
            list(self.argv),
            env=self.env,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=die_with_parent,  # noqa: PLW1509 - only a prctl call
        )
        assert process.stderr is not None
        self._reader = threading.Thread(
            target=_forward, args=(process.stderr, self.tail, sys.stderr.buffer),
            name=f"stderr-{self.name}", daemon=True,
        )
        self._reader.start()
        return process

    def last_lines(self) -> list[str]:
        """The last lines of stderr (after the dead process's last ones were read)."""
        if self._reader is not None:
            self._reader.join(timeout=1.0)  # ends at EOF; a grandchild may hold the pipe
        return list(self.tail)


def _forward(source: IO[bytes], tail: deque[str], sink: IO[bytes]) -> None:
    """Copy a child's stderr to ours line by line, keeping the last lines in `tail`."""
    for line in iter(source.readline, b""):
        tail.append(line.decode(errors="replace").rstrip())
        with contextlib.suppress(OSError, ValueError):
            sink.write(line)
            sink.flush()
    source.close()


def log_tail(path: Path, lines: int = TAIL_LINES) -> list[str]:
    """The last `lines` lines of a log file (empty when unreadable)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            text = handle.read().decode(errors="replace")
    except OSError:
        return []
    return [line.rstrip() for line in text.splitlines()[-lines:]]


def describe_exit(returncode: int) -> str:
    """`exit code 1` or `signal SIGKILL` (a negative Popen return code)."""
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


@dataclass
class _Watched:
    component: Component
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    restarts: list[float] = field(default_factory=list)
    state: str = "running"  # running | waiting | finished | given up | stopped


class Supervisor:
    """Start components, restart the dead ones with backoff, stop them all."""

    def __init__(
        self,
        components: Sequence[Component],
        *,
        max_restarts: int = 5,
        window_s: float = 600.0,
        backoff_s: Sequence[float] = BACKOFF_S,
        report: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._watched = [_Watched(c) for c in components]
        self.max_restarts = max_restarts
        self.window_s = window_s
        self.backoff_s = tuple(backoff_s)
        self._report = report or _to_stderr
        self._clock = clock

    def start(self, adopted: dict[str, subprocess.Popen[bytes]] | None = None) -> None:
        """Start every component, except those already running in `adopted` (by name)."""
        for watched in self._watched:
            running = (adopted or {}).get(watched.component.name)
            if running is not None:
                watched.process = running
                watched.started_at = self._clock()
            else:
                self._start(watched)

    def processes(self) -> dict[str, subprocess.Popen[bytes] | None]:
        """Each component's current process (None while waiting to restart)."""
        return {w.component.name: w.process for w in self._watched}

    def _start(self, watched: _Watched) -> None:
        watched.started_at = self._clock()
        watched.restart_at = None
        try:
            watched.process = watched.component.start()
        except (OSError, RuntimeError) as exc:
            watched.process = None
            self._report(f"{watched.component.name} did not start: {exc}")
            self._schedule_restart(watched, self._clock())
            return
        watched.state = "running"

    def poll(self) -> None:
        """Notice deaths, report them, and restart whatever is due."""
        now = self._clock()
        for watched in self._watched:
            process = watched.process
            if watched.state == "running" and process is not None:
                code = process.poll()
                if code is not None:
                    self._died(watched, code, now)
            elif watched.state == "waiting" and watched.restart_at is not None:
                if now >= watched.restart_at:
                    restart = len(watched.restarts)
                    self._report(f"restarting {watched.component.name} "
                                 f"(restart {restart} of at most {self.max_restarts})")
                    self._start(watched)

    def _died(self, watched: _Watched, code: int, now: float) -> None:
        name = watched.component.name
        ran = now - watched.started_at
        watched.process = None
        if code == 0 and watched.component.done_on_success:
            watched.state = "finished"
            self._report(f"{name} finished (exit code 0 after {ran:.1f} s)")
            return
        lines = watched.component.last_lines()
        reason = "\n".join(f"    | {line}" for line in lines) or "    | (no output)"
        self._report(f"{name} died: {describe_exit(code)} after {ran:.1f} s; "
                     f"last lines of its log:\n{reason}")
        self._schedule_restart(watched, now)

    def _schedule_restart(self, watched: _Watched, now: float) -> None:
        name = watched.component.name
        watched.restarts = [t for t in watched.restarts if now - t < self.window_s]
        if len(watched.restarts) >= self.max_restarts:
            watched.state = "given up"
            self._report(f"giving up on {name}: {len(watched.restarts)} restarts within "
                         f"{self.window_s:.0f} s; the other components keep running")
            return
        delay = self.backoff_s[min(len(watched.restarts), len(self.backoff_s) - 1)]
        watched.restarts.append(now)
        watched.restart_at = now + delay
        watched.state = "waiting"
        self._report(f"restarting {name} in {delay:g} s")

    def running(self) -> bool:
        """Whether any component runs or waits for its restart."""
        return any(w.state in ("running", "waiting") for w in self._watched)

    def stop(self, grace_s: float = GRACE_S) -> None:
        """Stop every component: the first one (the store the others write to) last."""
        self._stop(self._watched[1:], grace_s)
        self._stop(self._watched[:1], grace_s)

    def _stop(self, watched_list: Sequence[_Watched], grace_s: float) -> None:
        """SIGTERM the components' process groups, SIGKILL what is left after `grace_s`,
        and wait until every group is gone."""
        for watched in watched_list:
            watched.state = "stopped"
        # Each component leads its own group (start_new_session): group id = its pid.
        groups = [w.process.pid for w in watched_list if w.process is not None]
        for watched in watched_list:
            if watched.process is not None:
                _signal_group(watched.process.pid, signal.Signals(watched.component.stop_signal))
        deadline = time.monotonic() + grace_s
        for watched in watched_list:
            process = watched.process
            if process is None:
                continue
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._report(f"{watched.component.name} did not stop within "
                             f"{grace_s:.0f} s: killed")
        for group in groups:
            # Whatever of the group outlived its leader (a worker, a grandchild).
            _signal_group(group, signal.SIGKILL)
        for watched in watched_list:
            if watched.process is not None:
                watched.process.wait()
                watched.process = None
        _wait_groups_gone(groups, timeout_s=5.0)


def _signal_group(group: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, sig)


def _wait_groups_gone(groups: Sequence[int], timeout_s: float) -> None:
    """Wait until no process is left in any of `groups` (signal 0 finds none)."""
    deadline = time.monotonic() + timeout_s
    pending = list(groups)
    while pending and time.monotonic() < deadline:
        alive = []
        for group in pending:
            try:
                os.killpg(group, 0)
                alive.append(group)
            except (ProcessLookupError, PermissionError):
                pass
        pending = alive
        if pending:
            time.sleep(0.05)


def _to_stderr(message: str) -> None:
    print(f"wallboard demo: {message}", file=sys.stderr, flush=True)
