from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from schemas.config import ConfigError, load_settings, parse_settings
from tests.conftest import SAMPLE_CONFIG


def test_sample_config_resolves_channel_defaults_and_queue_overrides() -> None:
    settings = load_settings(SAMPLE_CONFIG)
    callback = settings.queue_rules("new_policy_callback")
    assert (callback.sl_threshold_s, callback.sl_target, callback.short_abandon_s) == (30, 0.70, 5)
    chat = settings.queue_rules("chat_claims")
    assert (chat.channel, chat.sl_threshold_s, chat.wait_breach_s, chat.ultra_short_s) == (
        "chat",
        60,
        300,
        None,
    )
    assert settings.teams_serving("complaints") == ("cd_complaints", "cd_service_b")


def test_unknown_queue_gets_defaults_and_default_site() -> None:
    rules = parse_settings({"default_site": "hq"}).queue_rules("walk_in", "voice")
    assert (rules.site, rules.sl_threshold_s, rules.ultra_long_s, rules.ultra_short_s) == (
        "hq",
        20,
        1200,
        10,
    )


def test_team_override_merges_long_away_limits() -> None:
    settings = parse_settings({"teams": {"t1": {"long_away_s": {"break": 600}}}})
    limits = settings.team_rules("t1").long_away_s
    assert (limits["break"], limits["lunch"], limits["other"]) == (600, 3600, 300)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[queues.q1]\nsl_target = 1.5\n",
            "queues.q1.sl_target: Input should be less than or equal to 1",
        ),
        ("interval_min = 20\n", "interval_min: Input should be 15 or 30"),
        ('timezone = "Mars/Base"\n', "timezone: Value error, unknown time zone 'Mars/Base'"),
        ("[queues.q1]\nsl_treshold_s = 20\n", "queues.q1.sl_treshold_s: unknown key"),
        ("lateness_s = -1\n", "lateness_s: Input should be greater than or equal to 0"),
    ],
)
def test_invalid_config_names_the_key(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value) == f"{path}: {message}"


def test_check_config_command_reports_ok_and_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(SAMPLE_CONFIG)]) == 0
    assert capsys.readouterr().out == (
        f"{SAMPLE_CONFIG}: ok (6 queues, 7 teams, time zone Asia/Shanghai)\n"
    )
    bad = tmp_path / "bad.toml"
    bad.write_text("[teams.t1]\nrelogin_count = 1\n", encoding="utf-8")
    assert main(["check-config", str(bad)]) == 2
    assert capsys.readouterr().err == (
        f"invalid configuration:\n{bad}: teams.t1.relogin_count: "
        "Input should be greater than or equal to 2\n"
    )


def test_check_config_reads_the_roster_and_forecast_files_the_pipeline_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "agent_id,team,queues,shift_start,shift_end,breaks\n"
        "a1,bj_claims_a,,2026-03-02T09:00:00+08:00,2026-03-02T18:00:00+08:00,\n",
        encoding="utf-8",
    )
    forecast = tmp_path / "forecast.csv"
    forecast.write_text("queue,interval_start,offered\n", encoding="utf-8")
    config = tmp_path / "wallboard.toml"
    config.write_text(
        SAMPLE_CONFIG.read_text(encoding="utf-8")
        + f'\n[staffing]\nroster = "{roster}"\nforecast = "{forecast}"\n',
        encoding="utf-8",
    )
    assert main(["check-config", str(config)]) == 0
    assert capsys.readouterr().out == (
        f"{config}: ok (6 queues, 7 teams, time zone Asia/Shanghai, roster 1 shifts, "
        "forecast 0 intervals)\n"
    )
    roster.write_text("agent_id,team\na1,t1\n", encoding="utf-8")
    assert main(["check-config", str(config)]) == 2
    assert capsys.readouterr().err.startswith(f"invalid configuration:\n{roster}")
