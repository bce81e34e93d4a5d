"""`wallboard kpis`: both engines print the same JSON for the same input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, SAMPLE_CONFIG
from tests.pipeline.eventlogs import generate


def _kpis(events: Path, at: str, engine: str) -> dict[str, object]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "kpis",
            "--events",
            str(events),
            "--at",
            at,
            "--engine",
            engine,
            "--config",
            str(SAMPLE_CONFIG),
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 1  # --json: one compact line
    parsed: dict[str, object] = json.loads(lines[0])
    return parsed


def test_stream_and_duckdb_engines_print_the_same_snapshot(tmp_path: Path) -> None:
    log = generate(seed=11, agents=3, contacts=25, minutes=40, noise=2)
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(log.lines) + b"\n")
    at = log.end.isoformat()
    stream = _kpis(events, at, "stream")
    duckdb = _kpis(events, at, "duckdb")
    assert stream == duckdb
    assert stream["now"] == "2026-03-02T09:30:00+08:00"


def test_invalid_at_is_refused_with_a_message(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "kpis",
            "--events",
            str(events),
            "--at",
            "2026-03-02T09:00:00",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == "wallboard kpis: timestamp '2026-03-02T09:00:00' has no UTC offset\n"


def test_refused_events_are_summarised_on_stderr_by_both_engines(tmp_path: Path) -> None:
    def offered(event_id: str, ts: str) -> str:
        return (
            f'{{"event_id": "{event_id}", "type": "contact.offered", "ts": "{ts}", '
            f'"contact_id": "{event_id}", "channel": "voice", "queue": "claims_report"}}'
        )

    events = tmp_path / "events.jsonl"
    events.write_text(
        "\n".join(
            [
                offered("c1", "2026-03-02T09:00:00+08:00"),
                offered("c2", "2026-03-03T09:00:00+08:00"),  # a lone event a day ahead
                offered("c3", "2026-03-02T09:10:00+08:00"),
                "not json",
            ]
        )
        + "\n"
    )
    for engine in ("stream", "duckdb"):
        result = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "kpis", "--events", str(events),
             "--at", "2026-03-03T10:00:00+08:00", "--engine", engine,
             "--config", str(SAMPLE_CONFIG), "--json"],
            cwd=REPO, capture_output=True, check=True, text=True,
        )  # fmt: skip

        assert result.stderr.splitlines() == [
            f"wallboard kpis ({engine}): 2 events refused (not counted), by reason:",
            "         1  json: Invalid JSON: expected ident at line 1 column 2",
            "         1  ts: a lone time jump of more than 3600 s, not confirmed by the events "
            "that follow",
        ]
