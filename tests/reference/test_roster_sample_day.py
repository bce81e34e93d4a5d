"""The shipped sample day with its roster configured and the shift fields stripped from
every login: the stream engine equals the SQL reference, the roster's late logins are the
simulator's labelled ones, and early logouts are judged as with the login fields.

A slice of the feed (the lines before the first event at 11:00 local) keeps this at a
few seconds.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshots
from pipeline.runner import engine_snapshot
from replay_data.day import plan_day
from replay_data.roster_file import write_roster
from schemas.config import Settings
from tests.conftest import REPO
from tests.reference.scenario import SHANGHAI, at, sample_settings

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
SAMPLE_LABELS = REPO / "replay_data" / "sample_day.labels.jsonl"
# How replay_data/README.md says the sample day was generated.
SAMPLE_AGENTS, SAMPLE_HOURS, SAMPLE_SEED = 300, 24, 20260302
SLICE_END = "2026-03-02T11:00"


def _morning_lines() -> list[bytes]:
    """The feed's lines (arrival order, dirt included) before the first valid event at or
    after 11:00 local."""
    lines = []
    for line in gzip.decompress(SAMPLE_DAY.read_bytes()).splitlines():
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError:
            body = None
        stamp = body.get("ts") if isinstance(body, dict) else None
        if isinstance(stamp, str) and stamp >= SLICE_END:
            break
        lines.append(line)
    return lines


def _without_shift_fields(lines: list[bytes]) -> list[bytes]:
    out = []
    for line in lines:
        try:
            body = orjson.loads(line)
        except orjson.JSONDecodeError:
            body = None
        if isinstance(body, dict) and body.get("type") == "agent.login":
            body.pop("shift_start", None)
            body.pop("shift_end", None)
            out.append(orjson.dumps(body))
        else:
            out.append(line)
    return out


def _with_roster(tmp_path: Path) -> Settings:
    settings = sample_settings()
    roster, _plan = plan_day(
        settings, SAMPLE_AGENTS, SAMPLE_HOURS, SAMPLE_SEED, datetime(2026, 3, 2, tzinfo=SHANGHAI)
    )
    path = tmp_path / "roster.csv"
    write_roster(roster, path, settings.zone)
    staffing = settings.staffing.model_copy(update={"roster": str(path)})
    return settings.model_copy(update={"staffing": staffing})


def _of(snap: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [a for a in snap["alerts"] if a["kind"] == kind]


@pytest.mark.skipif(not SAMPLE_DAY.exists(), reason="no sample day")
def test_sample_morning_with_the_roster_agrees_and_finds_the_labelled_late_logins(
    tmp_path: Path,
) -> None:
    settings = _with_roster(tmp_path)
    original = _morning_lines()
    stripped = _without_shift_fields(original)
    instants = [at("08:10:00"), at("09:00:00.5"), at("10:59:59")]
    references = reference_snapshots(stripped, instants, settings)
    for instant, reference in zip(instants, references, strict=True):
        stream = engine_snapshot(stripped, instant, settings)
        assert snapshot_differences(reference, stream) == [], instant

    labelled = [
        label
        for label in map(orjson.loads, SAMPLE_LABELS.read_bytes().splitlines())
        if label["kind"] == "late_login" and label["at"] < SLICE_END
    ]
    late = _of(references[-1], "late_login")
    # Every roster late login is a labelled one, raised at shift_start + 300 s and
    # cleared at the late login itself.
    assert sorted((a["subject"], a["evidence"]["late_by_s"], a["cleared_at"]) for a in late) == (
        sorted((lb["subject"], float(lb["late_by_s"]), lb["at"]) for lb in labelled)
    )
    assert len(late) == 4
    assert all(a["evidence"]["not_logged_in"] is True for a in late)

    # The roster's shift_end gives the same abnormal logouts as the logins' own fields.
    with_fields = engine_snapshot(original, instants[-1], sample_settings())
    assert _of(references[-1], "abnormal_logout") == _of(with_fields, "abnormal_logout")
    assert any(
        "early_logout" in a["evidence"]["reasons"] for a in _of(references[-1], "abnormal_logout")
    )
