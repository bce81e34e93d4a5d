"""`wallboard demo` configures the sample day's plan forecast (volume_spike alerts) and
roster (schedule adherence, late_login from the roster)."""

from __future__ import annotations

from pathlib import Path

from pipeline.commands.demo import SAMPLE_CONFIG, SAMPLE_DAY, demo_config
from pipeline.staffing.forecast_file import read_forecast
from pipeline.staffing.roster import load_pipeline_roster
from schemas.config import load_settings


def test_the_sample_day_runs_with_its_plan_forecast(tmp_path: Path) -> None:
    config = demo_config(SAMPLE_DAY, SAMPLE_CONFIG, tmp_path)
    assert config == tmp_path / "demo_config.toml"
    settings = load_settings(config)
    assert settings.staffing.forecast == str((tmp_path / "sample_day.forecast.csv").resolve())
    assert settings.queues == load_settings(SAMPLE_CONFIG).queues
    rows = {(r.queue, r.interval_start): r.offered for r in read_forecast(
        settings.staffing.forecast, settings
    )}
    # 6 queues × 96 intervals; claims_report's plan at 15:00 is 90.03 contacts.
    assert len(rows) == 576
    assert round(rows[("claims_report", 1772434800)], 2) == 90.03
    assert settings.staffing.roster == str((tmp_path / "sample_day.roster.csv").resolve())
    roster = load_pipeline_roster(settings.staffing.roster)
    assert len(roster.shifts) == 300


def test_other_event_files_keep_their_configuration(tmp_path: Path) -> None:
    other = tmp_path / "day.jsonl"
    other.write_text("")
    assert demo_config(other, SAMPLE_CONFIG, tmp_path) == SAMPLE_CONFIG
    assert list(tmp_path.iterdir()) == [other]
