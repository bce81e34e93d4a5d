"""`pipeline.supervisor` with real short-lived processes: reasons, backoff, giving up,
finished replays and a stop that leaves no grandchild behind."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipeline.supervisor import Command, Supervisor, describe_exit


def _run_until(supervisor: Supervisor, done: object, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        supervisor.poll()
        if callable(done) and done():
            return
        time.sleep(0.02)
    msg = "supervisor did not get there in time"
    raise AssertionError(msg)


def test_exit_codes_and_signals_are_described() -> None:
    assert describe_exit(1) == "exit code 1"
    assert describe_exit(-9) == "signal SIGKILL"
    assert describe_exit(-15) == "signal SIGTERM"


def test_a_dying_component_is_reported_with_its_stderr_restarted_then_given_up(
    tmp_path: Path,
) -> None:
    reports: list[str] = []
    crash = Command("crasher", ["sh", "-c", "echo 'config broken: line 3' >&2; exit 3"])
    steady = Command("steady", ["sleep", "30"])
    supervisor = Supervisor([steady, crash], max_restarts=2, backoff_s=(0.05, 0.1),
                            report=reports.append)
    supervisor.start()
    try:
        _run_until(supervisor, lambda: any(r.startswith("giving up") for r in reports))
        steady_process = supervisor.processes()["steady"]
        assert steady_process is not None and steady_process.poll() is None
    finally:
        supervisor.stop(grace_s=2)
    died = [r for r in reports if r.startswith("crasher died")]
    assert len(died) == 3
    assert died[0].startswith("crasher died: exit code 3 after ")
    assert died[0].endswith("last lines of its log:\n    | config broken: line 3")
    assert [r for r in reports if r.startswith("restarting crasher in")] == [
        "restarting crasher in 0.05 s", "restarting crasher in 0.1 s"]
    assert [r for r in reports if r.startswith("restarting crasher (")] == [
        "restarting crasher (restart 1 of at most 2)",
        "restarting crasher (restart 2 of at most 2)"]
    assert reports[-1] == ("giving up on crasher: 2 restarts within 600 s; "
                           "the other components keep running")


def test_a_finished_replay_is_not_restarted() -> None:
    reports: list[str] = []
    replay = Command("pipeline", ["true"], done_on_success=True)
    supervisor = Supervisor([replay], report=reports.append)
    supervisor.start()
    _run_until(supervisor, lambda: not supervisor.running())
    assert len(reports) == 1
    assert reports[0].startswith("pipeline finished (exit code 0 after ")


def test_stop_kills_grandchildren_that_ignore_sigterm(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    # The child starts a grandchild that ignores SIGTERM, then waits.
    script = f"sh -c 'trap \"\" TERM; echo $$ > {pid_file}; sleep 30' & wait"
    supervisor = Supervisor([Command("parent", ["sh", "-c", script])], report=lambda _: None)
    supervisor.start()
    deadline = time.monotonic() + 5
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.02)
    grandchild = int(pid_file.read_text())
    started = time.monotonic()
    supervisor.stop(grace_s=0.5)
    assert time.monotonic() - started < 3
    try:
        os.kill(grandchild, 0)
        state = Path(f"/proc/{grandchild}/stat").read_text().rsplit(")", 1)[1].split()[0]
        assert state == "Z"  # killed, waiting for init to reap it
    except ProcessLookupError:
        pass
