"""volume_spike in the stream engine: hand-computed raises and clears (addendum 22)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.engine import FloorEngine
from pipeline.staffing.forecast_file import ForecastFileError
from schemas.events import parse_event
from schemas.staffing import StaffingSettings
from tests.engine import volume_cases as cases
from tests.engine.helpers import T0, at, offered, sample_settings
from tests.engine.volume_cases import QUEUE, Case, epoch, spike


def spikes(case: Case, tmp_path: Path, now_offset: int) -> list[dict[str, Any]]:
    """volume_spike alerts of a finished replay of `case`, snapshot at T0 + now_offset."""
    engine = FloorEngine(case.settings(tmp_path))
    for seq, line in enumerate(case.lines()):
        event = parse_event(line)
        if event.ts.timestamp() <= T0 + now_offset:
            engine.ingest(event, seq)
    engine.finish()
    return [a for a in engine.snapshot(T0 + now_offset)["alerts"] if a["kind"] == "volume_spike"]


def test_raised_at_the_first_offer_projecting_strictly_above_the_threshold(
    tmp_path: Path,
) -> None:
    case = cases.boundary()
    # 10 offers by 300 s and the 11th at 330 s both project exactly 30 = 1.5 × 20.
    assert spikes(case, tmp_path, 358) == []
    # The 12th at 359 s projects 10800 / 359; the interval's 12 offers (≤ 30) clear it at 09:15.
    raised = spike(359, None, 12, 20.0, 10800 / 359)
    assert spikes(case, tmp_path, 359) == [raised]
    assert spikes(case, tmp_path, 899) == [raised]
    assert spikes(case, tmp_path, 900) == [{**raised, "cleared_at": at(900)}]


def test_not_raised_below_min_contacts(tmp_path: Path) -> None:
    case = cases.below_min_contacts()
    # Nine offers project 9 × 900 / 300 = 27 > 6, but 9 < 10 contacts.
    assert spikes(case, tmp_path, 399) == []
    # The 10th (400 s) projects 22.5; 10 > 6 continues, 09:15 (0 offers) clears at 09:30.
    assert spikes(case, tmp_path, 2000) == [spike(400, 1800, 10, 4.0, 22.5)]


def test_min_elapsed_floors_the_projection_early_in_the_interval(tmp_path: Path) -> None:
    case = cases.min_elapsed()
    # Ten offers in 10 s: 10 × 900 / max(10, 300) = 30, not above 30.
    assert spikes(case, tmp_path, 300) == []
    assert spikes(case, tmp_path, 1000) == [spike(301, 900, 11, 20.0, 9900 / 301)]


def test_an_active_alert_continues_across_spiking_intervals(tmp_path: Path) -> None:
    case = cases.spiking_intervals()
    # 40 > 30 and 31 > 30 continue (09:15 would raise anew: no second alert); 30 ≤ 30 clears.
    assert spikes(case, tmp_path, 2699) == [spike(55, None, 11, 20.0, 33.0)]
    assert spikes(case, tmp_path, 2700) == [spike(55, 2700, 11, 20.0, 33.0)]


def test_a_missing_forecast_clears_at_the_end_of_that_interval(tmp_path: Path) -> None:
    case = cases.missing_forecast_clears()
    assert spikes(case, tmp_path, 3000) == [spike(55, 1800, 11, 20.0, 33.0)]


def test_no_forecast_or_a_zero_forecast_raises_nothing(tmp_path: Path) -> None:
    assert spikes(cases.without_forecast(), tmp_path, 3000) == []


def test_raised_again_in_a_later_interval_after_clearing(tmp_path: Path) -> None:
    assert spikes(cases.raised_again(), tmp_path, 2000) == [
        spike(359, 900, 12, 20.0, 10800 / 359),
        spike(1150, 1800, 11, 20.0, 33.0, interval_s=900),
    ]


def test_out_of_order_arrival_within_lateness_gives_the_same_alert(tmp_path: Path) -> None:
    case = cases.spiking_intervals()
    shuffled = cases.shuffled_within_lateness(case)
    assert shuffled.offers != case.offers
    assert spikes(shuffled, tmp_path, 2700) == spikes(case, tmp_path, 2700)
    boundary = cases.boundary()
    assert spikes(cases.shuffled_within_lateness(boundary), tmp_path, 900) == spikes(
        boundary, tmp_path, 900
    )


def test_live_the_raise_waits_for_the_watermark(tmp_path: Path) -> None:
    case = cases.boundary()
    engine = FloorEngine(case.settings(tmp_path))
    lines = case.lines()
    for seq, line in enumerate(lines):
        engine.ingest(parse_event(line), seq)

    def spike_ids(now_offset: int) -> list[str]:
        alerts = engine.snapshot(T0 + now_offset)["alerts"]
        return [a["id"] for a in alerts if a["kind"] == "volume_spike"]

    # Newest event 359 s: the watermark (329 s) has not reached the raising offer.
    assert spike_ids(359) == []
    engine.ingest(offered("other", 390, queue="policy_service"), len(lines))
    assert spike_ids(390) == [f"volume_spike:{QUEUE}:{epoch(359)}"]


def test_an_unusable_forecast_file_stops_the_engine_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    settings = sample_settings(staffing=StaffingSettings(forecast=str(missing)))
    with pytest.raises(ForecastFileError, match="nope.csv: forecast file not found"):
        FloorEngine(settings)
