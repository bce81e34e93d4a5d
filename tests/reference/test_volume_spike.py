"""volume_spike in the SQL reference (addendum 22): the hand-computed cases of
`tests/engine/volume_cases.py`, and the stream engine equals the reference on them and on
a slice of the sample day with its plan forecast."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshot, reference_snapshots
from pipeline.runner import engine_snapshot
from replay_data.forecast import SAMPLE_DAY, day_forecast, write_forecast
from schemas.config import QueueDefaults
from schemas.staffing import StaffingSettings
from tests.conftest import REPO
from tests.engine import volume_cases as cases
from tests.engine.helpers import T0_LOCAL, at, sample_settings
from tests.engine.volume_cases import Case, spike

SAMPLE_DAY_FILE = REPO / "replay_data" / "sample_day.jsonl.gz"


def moment(offset_s: float) -> datetime:
    return T0_LOCAL + timedelta(seconds=offset_s)


def spikes(case: Case, tmp_path: Path, now_offset: int) -> list[dict[str, Any]]:
    snapshot = reference_snapshot(case.lines(), moment(now_offset), case.settings(tmp_path))
    return [a for a in snapshot["alerts"] if a["kind"] == "volume_spike"]


def test_raised_at_the_first_offer_projecting_strictly_above_the_threshold(
    tmp_path: Path,
) -> None:
    case = cases.boundary()
    assert spikes(case, tmp_path, 358) == []
    raised = spike(359, None, 12, 20.0, 10800 / 359)
    assert spikes(case, tmp_path, 899) == [raised]
    assert spikes(case, tmp_path, 900) == [{**raised, "cleared_at": at(900)}]


def test_min_contacts_and_min_elapsed(tmp_path: Path) -> None:
    assert spikes(cases.below_min_contacts(), tmp_path, 399) == []
    assert spikes(cases.below_min_contacts(), tmp_path, 2000) == [
        spike(400, 1800, 10, 4.0, 22.5)
    ]
    assert spikes(cases.min_elapsed(), tmp_path, 300) == []
    assert spikes(cases.min_elapsed(), tmp_path, 1000) == [spike(301, 900, 11, 20.0, 9900 / 301)]


def test_continues_across_spiking_intervals_and_clears_on_a_missing_forecast(
    tmp_path: Path,
) -> None:
    assert spikes(cases.spiking_intervals(), tmp_path, 2699) == [spike(55, None, 11, 20.0, 33.0)]
    assert spikes(cases.spiking_intervals(), tmp_path, 2700) == [spike(55, 2700, 11, 20.0, 33.0)]
    assert spikes(cases.missing_forecast_clears(), tmp_path, 3000) == [
        spike(55, 1800, 11, 20.0, 33.0)
    ]
    assert spikes(cases.without_forecast(), tmp_path, 3000) == []


ALL_CASES = {
    "boundary": cases.boundary,
    "below_min_contacts": cases.below_min_contacts,
    "min_elapsed": cases.min_elapsed,
    "spiking_intervals": cases.spiking_intervals,
    "missing_forecast_clears": cases.missing_forecast_clears,
    "without_forecast": cases.without_forecast,
    "raised_again": cases.raised_again,
    "shuffled_spiking": lambda: cases.shuffled_within_lateness(cases.spiking_intervals()),
    "shuffled_boundary": lambda: cases.shuffled_within_lateness(cases.boundary()),
}


@pytest.mark.parametrize("name", sorted(ALL_CASES))
def test_stream_engine_equals_the_reference_on_the_hand_computed_logs(
    name: str, tmp_path: Path
) -> None:
    case = ALL_CASES[name]()
    settings = case.settings(tmp_path)
    lines = case.lines()
    instants = [moment(s) for s in (358.5, 900, 1150, 1799.25, 2700, 3600)]
    for instant, reference in zip(
        instants, reference_snapshots(lines, instants, settings), strict=True
    ):
        stream = engine_snapshot(lines, instant, settings)
        assert snapshot_differences(reference, stream) == [], instant


def _epoch(clock: str) -> int:
    return int(datetime.fromisoformat(f"2026-03-02T{clock}+08:00").timestamp())


def _slice(start: str, end: str) -> list[bytes]:
    """Sample-day lines (arrival order) whose `ts` lies in [start, end), local clock."""
    low = datetime.fromisoformat(f"2026-03-02T{start}+08:00")
    high = datetime.fromisoformat(f"2026-03-02T{end}+08:00")
    kept = []
    for line in gzip.decompress(SAMPLE_DAY_FILE.read_bytes()).splitlines():
        try:
            ts = datetime.fromisoformat(orjson.loads(line)["ts"])
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            continue
        if ts.tzinfo is not None and low <= ts < high:
            kept.append(line)
    return kept


@pytest.mark.skipif(not SAMPLE_DAY_FILE.exists(), reason="no sample day")
def test_sample_day_slice_with_its_plan_forecast_agrees(tmp_path: Path) -> None:
    path = tmp_path / "sample_day.forecast.csv"
    base = sample_settings()
    write_forecast(day_forecast(base, SAMPLE_DAY), path)
    # The rule defaults (1.5, 10 contacts) rather than the sample's stricter ones: more raises.
    settings = base.model_copy(
        update={
            "queue_defaults": QueueDefaults(),
            "staffing": StaffingSettings(forecast=str(path)),
        }
    )
    lines = _slice("14:20:00", "15:40:00")
    instants = [
        datetime.fromisoformat(f"2026-03-02T{clock}+08:00")
        for clock in ("14:59:59", "15:02:26.5", "15:31:07.25", "15:45:00")
    ]
    references = reference_snapshots(lines, instants, settings)
    last = [a["id"] for a in references[-1]["alerts"] if a["kind"] == "volume_spike"]
    # The 15:00 burst (claims_report × 3) plus two chance spikes at 14:30.
    assert last == [
        f"volume_spike:chat_claims:{_epoch('14:35:41')}",
        f"volume_spike:chat_service:{_epoch('14:35:55')}",
        f"volume_spike:claims_report:{_epoch('15:02:26')}",
    ]
    for instant, reference in zip(instants, references, strict=True):
        stream = engine_snapshot(lines, instant, settings)
        assert snapshot_differences(reference, stream) == [], instant
