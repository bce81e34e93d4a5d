"""Report options: --queue and --team filters, a configured forecast file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.reports.build import ReportRequest, build_report
from pipeline.reports.tables import Report
from schemas.config import parse_settings
from tests.reports import sim


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("archive")
    sim.write(base, sim.entries(date(2026, 3, 4), 2))
    sim.write_alerts(base, date(2026, 3, 4), 2)
    return base


def _report(archive: Path, **kwargs: object) -> Report:
    request = ReportRequest("day", date(2026, 3, 5), **kwargs)  # type: ignore[arg-type]
    return build_report(archive, sim.settings(), request)


def test_a_queue_filter_reports_that_queue_and_its_alerts_only(archive: Path) -> None:
    report = _report(archive, queues=("policy",))

    assert report.queues == ["policy"]
    assert {r[0] for r in report.table("summary").rows} == {"policy", "*"}
    assert {r[0] for r in report.table("intervals").rows} == {"policy"}
    subjects = {r[1] for r in report.table("alerts").rows}
    assert "claims" not in subjects and subjects


def test_a_team_filter_lists_the_team_and_no_agents(archive: Path) -> None:
    report = _report(archive, teams=("t_policy",))

    assert [r[0] for r in report.table("teams").rows] == ["t_policy"]
    assert report.table("agents").rows == []
    reasons = dict(report.table("not_available").rows)
    assert reasons["agents"].startswith("the archive does not hold which team an agent is in")


def test_a_configured_forecast_file_replaces_the_models_volume(
    archive: Path, tmp_path: Path
) -> None:
    path = tmp_path / "forecast.csv"
    path.write_text("queue,interval_start,offered\n"
                    "claims,2026-03-05T09:15:00+08:00,123.5\n"
                    "claims,2026-03-05T12:00:00+08:00,7.0\n", encoding="utf-8")
    settings = parse_settings({**sim.settings().model_dump(exclude_defaults=True),
                               "staffing": {"forecast": str(path)}})
    report = build_report(archive, settings, ReportRequest("day", date(2026, 3, 5)))

    rows = {(r["queue"], r["start"]): r for r in report.table("intervals").records()}
    assert rows[("claims", "2026-03-05 09:15")]["forecast"] == 123.5
    assert rows[("claims", "2026-03-05 12:00")]["forecast"] == 7.0
    assert rows[("claims", "2026-03-05 12:00")]["offered"] == 0
    assert report.table("intervals").note_en.startswith(f"Forecast source: {path};")


def test_without_history_there_is_no_forecast_and_only_staffing_is_judged(
    archive: Path,
) -> None:
    report = build_report(archive, sim.settings(), ReportRequest("day", date(2026, 3, 4)))

    assert {r["forecast"] for r in report.table("intervals").records()} == {None}
    assert {r["required_plan"] for r in report.table("intervals").records()} == {None}
    assert report.table("forecast_accuracy").rows == []
    reasons = dict(report.table("not_available").rows)
    assert reasons["forecast: claims"].startswith("no archived interval of the queue")
    causes = report.table("causes").records()
    assert causes
    for cause in causes:
        assert (cause["volume_agents"], cause["handling_agents"]) == (0.0, 0.0)
        assert "volume" not in cause["sentence"] and "handle time" not in cause["sentence"]
        if cause["staffing_agents"] > 0:
            assert cause["sentence"].endswith("required; no forecast) 100.0%.")
