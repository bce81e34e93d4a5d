"""`convert --follow`: a real process tails a real queue_log file while it grows."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.adapters.lines import follow_lines
from tests.adapters.helpers import REPO, read_jsonl

T = 1772416800  # 2026-03-02T10:00:00+08:00


def wait_for(condition: Callable[[], bool], timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def event_ids(path: Path) -> list[object]:
    return [event["event_id"] for event in read_jsonl(path)] if path.exists() else []


def test_follow_mode_picks_up_lines_appended_to_the_growing_file(
    tmp_path: Path, config_file: Path
) -> None:
    source = tmp_path / "queue_log"
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"
    source.write_text(f"{T}|1.1|claims_report|NONE|ENTERQUEUE||138|1\n", encoding="utf-8")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "pipeline.cli", "convert", "--from", "asterisk-queue-log",
            str(source), "--follow", "--poll-s", "0.05", "--idle-exit-s", "3",
            "--config", str(config_file), "--out", str(out), "--dead-letter", str(dead),
        ],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert wait_for(lambda: event_ids(out) == [f"1.1:ENTERQUEUE:{T}"])

        with source.open("a", encoding="utf-8") as log:
            log.write(f"{T + 5}|1.1|claims_report|Agent/1001|CONNECT|5|1.2|1\n")
            # Half a line: held back until its newline arrives.
            log.write(f"{T + 9}|2.1|complaints|NONE|ENTER")
            log.flush()
            assert wait_for(lambda: event_ids(out)[-1:] == [f"1.1:CONNECT:{T + 5}"])
            time.sleep(0.3)
            assert event_ids(out)[-1] == f"1.1:CONNECT:{T + 5}"
            log.write("QUEUE||139|1\nnot a queue_log line\n")
            log.flush()

        assert wait_for(lambda: event_ids(out)[-1:] == [f"2.1:ENTERQUEUE:{T + 9}"])
        _, stderr = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0
    assert event_ids(out) == [
        f"1.1:ENTERQUEUE:{T}",
        f"1.1:CONNECT:{T + 5}:login",
        f"1.1:CONNECT:{T + 5}",
        f"2.1:ENTERQUEUE:{T + 9}",
    ]
    assert read_jsonl(out)[3]["queue"] == "complaints"
    assert read_jsonl(dead) == [
        {
            "reason": "fields: expected epoch|callid|queue|agent|event[|data...], got 1",
            "raw": "not a queue_log line",
            "line": 4,
        }
    ]
    assert stderr == "convert: 4 events, 1 dead letters, skipped: none\n"


def test_follow_restarts_at_the_beginning_when_the_file_is_truncated(tmp_path: Path) -> None:
    source = tmp_path / "queue_log"
    source.write_text("first\nsecond\n", encoding="utf-8")
    now = [0.0]

    def append(text: str) -> None:
        with source.open("a", encoding="utf-8") as log:
            log.write(text)

    # What happens in the world during each poll pause: log rotated in place, then a
    # line arrives in two writes, then silence.
    script = [
        lambda: source.write_text("new 1\n", encoding="utf-8"),
        lambda: append("new 2 par"),
        lambda: append("t\n"),
    ]

    def sleep(seconds: float) -> None:
        now[0] += seconds
        if script:
            script.pop(0)()

    lines = list(
        follow_lines(source, poll_s=0.25, idle_exit_s=1.0, sleep=sleep, clock=lambda: now[0])
    )

    assert lines == [(1, "first"), (2, "second"), (3, "new 1"), (4, "new 2 part")]
