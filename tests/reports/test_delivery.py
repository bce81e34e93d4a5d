"""The scheduled daily report reaches a real local HTTP receiver, once a day."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.notify.credentials import resolve_channels
from pipeline.reports.deliver import run_once
from schemas.config import ConfigError, Settings, parse_settings
from tests.notify.conftest import Reply, WebhookServer
from tests.reports import sim


@pytest.fixture
def receiver() -> Iterator[WebhookServer]:
    server = WebhookServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("archive")
    sim.write(base, sim.entries(date(2026, 3, 4), 2))
    return base


def _config(archive: Path, out: Path) -> dict[str, Any]:
    return {
        **sim.settings().model_dump(exclude_defaults=True, mode="json"),
        "notify": {"channels": {"ops": {"vendor": "webhook", "url_env": "REPORT_HOOK"}}},
        "reports": {"daily_at": "08:00", "channels": ["ops"], "lang": "en",
                    "link_base": "http://reports.example/r/", "archive_dir": str(archive),
                    "out_dir": str(out), "formats": ["html"]},
    }


def _at(hour: int, minute: int) -> datetime:
    return datetime(2026, 3, 6, hour, minute, tzinfo=sim.ZONE)


def test_the_daily_report_is_posted_once_after_daily_at(
    archive: Path, tmp_path: Path, receiver: WebhookServer
) -> None:
    settings = parse_settings(_config(archive, tmp_path / "out"))
    channels = resolve_channels(settings.notify, {"REPORT_HOOK": receiver.url()})

    assert run_once(settings, channels, _at(7, 59)) == []
    (attempt,) = run_once(settings, channels, _at(8, 0))
    assert attempt[0] == "ops" and attempt[1].delivered
    assert run_once(settings, channels, _at(9, 30)) == []

    (received,) = receiver.wait_for(1)
    body = json.loads(received.body)
    assert body["type"] == "wallboard.report"
    assert body["title"] == "Contact center daily report 2026-03-05"
    assert body["link"] == "http://reports.example/r/report-day-2026-03-05-en.html"
    assert (tmp_path / "out" / "report-day-2026-03-05-en.html").is_file()
    labels = [f["label"] for f in body["facts"]]
    assert labels == ["claims", "policy", "all", "missed intervals"]
    assert body["facts"][0]["value"].startswith("service level ")
    assert "X-Wallboard-Timestamp" in received.headers


def test_a_failed_post_is_retried_on_the_next_tick_and_then_never_again(
    archive: Path, tmp_path: Path, receiver: WebhookServer
) -> None:
    settings = parse_settings(_config(archive, tmp_path / "out"))
    channels = resolve_channels(settings.notify, {"REPORT_HOOK": receiver.url()})
    receiver.replies.append(Reply(status=500, body=b"down"))

    (first,) = run_once(settings, channels, _at(8, 1))
    (second,) = run_once(settings, channels, _at(8, 2))

    assert (first[1].delivered, first[1].reason) == (False, "HTTP 500")
    assert second[1].delivered
    assert run_once(settings, channels, _at(8, 3)) == []
    first_body, second_body = (r.body for r in receiver.wait_for(2))
    assert first_body == second_body


def test_the_schedule_command_posts_with_the_configured_channel(
    archive: Path, tmp_path: Path, receiver: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "wallboard.toml"
    path.write_text(f"""
[notify.channels.ops]
vendor = "webhook"
url_env = "REPORT_HOOK"
[reports]
daily_at = "00:00"
channels = ["ops"]
archive_dir = "{archive}"
out_dir = "{tmp_path / 'out'}"
""", encoding="utf-8")
    monkeypatch.setenv("REPORT_HOOK", receiver.url())

    assert main(["report-schedule", "--config", str(path), "--once"]) == 0

    (received,) = receiver.wait_for(1)
    assert json.loads(received.body)["title"].startswith("联络中心日报告 ")


def test_a_report_channel_must_be_a_notify_channel() -> None:
    with pytest.raises(ConfigError, match="reports.channels: unknown channel 'nope'"):
        parse_settings({"reports": {"channels": ["nope"]}})
    assert Settings().reports.daily_at is None
