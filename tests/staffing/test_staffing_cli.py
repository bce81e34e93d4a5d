"""`wallboard staffing` prints the staffing of one interval."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.staffing.erlang import erlang_a

EXAMPLE = [
    "staffing",
    "--contacts", "100",
    "--interval-min", "30",
    "--aht", "180",
    "--target", "0.8",
    "--answer-within", "20",
]  # fmt: skip


def test_staffing_json_for_100_contacts_in_30_min_is_14_agents_20_with_shrinkage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*EXAMPLE, "--shrinkage", "0.3", "--max-occupancy", "0.85", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert sorted(data) == [
        "agents",
        "agents_with_shrinkage",
        "asa_s",
        "model",
        "occupancy",
        "p_wait",
        "service_level",
        "traffic_erlangs",
    ]
    assert data["model"] == "erlang_c"
    assert data["agents"] == 14
    assert data["agents_with_shrinkage"] == 20
    assert data["traffic_erlangs"] == 10.0
    assert data["service_level"] == pytest.approx(0.8883500191794669, rel=1e-12)
    assert data["occupancy"] == pytest.approx(10 / 14, rel=1e-12)
    assert data["p_wait"] == pytest.approx(0.1741319335950498, rel=1e-12)
    assert data["asa_s"] == pytest.approx(0.1741319335950498 * 180 / 4, rel=1e-12)


def test_staffing_with_patience_uses_erlang_a_and_reports_abandon_rate(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*EXAMPLE, "--shrinkage", "0.3", "--patience", "300", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "erlang_a"
    assert (data["agents"], data["agents_with_shrinkage"]) == (13, 19)
    expected = erlang_a(13, 100 / 1800, 180, 300, 20)
    assert data["abandon_rate"] == expected.p_abandon
    assert data["service_level"] == expected.service_level
    assert data["asa_s"] == expected.asa_s
    assert round(data["abandon_rate"], 4) == 0.0250
    assert round(data["service_level"], 4) == 0.8582


def test_staffing_chat_divides_handle_time_by_concurrency(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([*EXAMPLE, "--aht", "360", "--concurrency", "2", "--json"]) == 0
    chat = json.loads(capsys.readouterr().out)
    assert chat["traffic_erlangs"] == 10.0
    assert chat["agents"] == 14


def test_staffing_rejects_impossible_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*EXAMPLE[:-4], "--target", "1.0", "--answer-within", "20"]) == 2
    assert "service-level target must be in [0, 1), got 1.0" in capsys.readouterr().err


def test_staffing_console_script_prints_a_table() -> None:
    script = Path(sys.executable).with_name("wallboard")
    done = subprocess.run(
        [str(script), *EXAMPLE, "--shrinkage", "0.3"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    lines = done.stdout.splitlines()
    assert lines[2] == "agents                 14"
    assert lines[3] == "agents with shrinkage  20"
    assert lines[4] == "service level          88.8% in 20 s"
