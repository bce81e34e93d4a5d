"""`[notify]` validation, secrets from environment or file, and `wallboard alerts test`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from pipeline.cli import main
from pipeline.notify.credentials import CredentialError, resolve_channels
from pipeline.redis_keys import RedisKeys
from schemas.config import ConfigError, parse_settings
from tests.conftest import REPO, SAMPLE_CONFIG
from tests.notify.conftest import (
    SIGNING_SECRET,
    TOKEN,
    Reply,
    WebhookServer,
    sample_settings,
    sl_breach,
)


def test_literal_url_in_main_file_is_rejected() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(
            {"notify": {"channels": {"x": {"vendor": "slack", "url": "https://hooks/T/B/X"}}}}
        )
    assert str(info.value) == "config: notify.channels.x.url: unknown key"


def test_route_to_unknown_channel_is_rejected() -> None:
    with pytest.raises(ConfigError) as info:
        parse_settings(
            {
                "notify": {
                    "channels": {"a": {"vendor": "wecom", "url_env": "A"}},
                    "routes": [{"name": "r", "channels": ["b"]}],
                }
            }
        )
    assert "routes[0] (r): unknown channel 'b'" in str(info.value)


def test_channel_defaults_by_vendor() -> None:
    notify = sample_settings(
        {
            "channels": {
                "w": {"vendor": "wecom", "url_env": "W"},
                "s": {"vendor": "slack", "url_env": "S", "language": "zh-CN"},
            }
        }
    ).notify
    w, s = notify.channels["w"], notify.channels["s"]
    assert (w.effective_language, w.effective_rate_per_min) == ("zh-CN", 20)
    assert (s.effective_language, s.effective_rate_per_min) == ("zh-CN", 60)


def test_secrets_from_environment_then_secrets_file(tmp_path: Path) -> None:
    (tmp_path / "secrets.toml").write_text(
        f'[a]\nurl = "https://example.test/a?key={TOKEN}"\nsecret = "{SIGNING_SECRET}"\n'
        '[b]\nurl = "https://example.test/b"\n',
        encoding="utf-8",
    )
    notify = sample_settings(
        {
            "secrets_file": "secrets.toml",
            "channels": {
                "a": {"vendor": "dingtalk"},
                "b": {"vendor": "feishu", "url_env": "B_URL"},
            },
        }
    ).notify
    channels = resolve_channels(notify, {"B_URL": "https://example.test/from-env"}, tmp_path)
    a, b = channels["a"], channels["b"]
    assert a.url.get_secret_value() == f"https://example.test/a?key={TOKEN}"
    assert a.secret is not None and a.secret.get_secret_value() == SIGNING_SECRET
    assert b.url.get_secret_value() == "https://example.test/from-env"
    assert b.secret is None
    shown = repr(channels) + str(channels)
    assert TOKEN not in shown and SIGNING_SECRET not in shown and "example.test" not in shown


def test_missing_url_error_names_variable_not_value() -> None:
    notify = sample_settings(
        {"channels": {"a": {"vendor": "wecom", "url_env": "A_URL", "secret_env": "A_SEC"}}}
    ).notify
    with pytest.raises(CredentialError) as info:
        resolve_channels(notify, {"A_SEC": SIGNING_SECRET})
    assert str(info.value) == "channel a: no webhook URL (looked in environment variable A_URL)"
    with pytest.raises(CredentialError) as info:
        resolve_channels(notify, {"A_URL": f"ftp://x/{TOKEN}"})
    assert TOKEN not in str(info.value)


def _config(tmp_path: Path, vendor: str) -> Path:
    config = tmp_path / "wallboard.toml"
    config.write_text(
        SAMPLE_CONFIG.read_text(encoding="utf-8")
        + f'\n[notify]\ndashboard_url = "http://wb.test"\nretry = {{ max_attempts = 2, '
        f"base_delay_s = 0.05, timeout_s = 1 }}\n\n[notify.channels.team_chat]\n"
        f'vendor = "{vendor}"\nurl_env = "WB_TEST_HOOK"\nsecret_env = "WB_TEST_SECRET"\n',
        encoding="utf-8",
    )
    return config


def test_alerts_test_sends_sample_and_reports_status(
    webhook: WebhookServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("WB_TEST_HOOK", webhook.url())
    monkeypatch.setenv("WB_TEST_SECRET", SIGNING_SECRET)
    code = main(["alerts", "test", "team_chat", "--config", str(_config(tmp_path, "feishu"))])
    out = capsys.readouterr()
    assert (code, out.out) == (0, "channel team_chat (feishu): HTTP 200, delivered\n")
    body = json.loads(webhook.received[0].body)
    assert body["card"]["header"]["title"]["content"] == (
        "[测试] 服务水平未达标 · 队列 理赔报案 (claims_report)"
    )
    assert TOKEN not in out.out + out.err


def test_alerts_test_reports_failure_status(
    webhook: WebhookServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    webhook.default = Reply(status=404, body=b"no such hook")
    monkeypatch.setenv("WB_TEST_HOOK", webhook.url())
    monkeypatch.setenv("WB_TEST_SECRET", SIGNING_SECRET)
    code = main(["alerts", "test", "team_chat", "--config", str(_config(tmp_path, "slack"))])
    out = capsys.readouterr()
    assert (code, out.out) == (1, "channel team_chat (slack): HTTP 404, failed: HTTP 404\n")
    assert TOKEN not in out.out + out.err


def test_alerts_test_unknown_channel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["alerts", "test", "nope", "--config", str(_config(tmp_path, "slack"))])
    assert (code, capsys.readouterr().err) == (
        2,
        "unknown channel 'nope' (configured: team_chat)\n",
    )


def test_alerts_run_delivers_and_stops_on_sigterm(
    webhook: WebhookServer,
    tmp_path: Path,
    redis_url: str,
    redis_client: redis.Redis,
    redis_prefix: str,
) -> None:
    config = tmp_path / "wallboard.toml"
    config.write_text(
        f'redis_prefix = "{redis_prefix}"\n'
        + SAMPLE_CONFIG.read_text(encoding="utf-8")
        + '\n[notify]\nstart_at = "beginning"\npoll_interval_s = 0.1\n'
        '[notify.channels.ops]\nvendor = "slack"\nurl_env = "WB_OPS_HOOK"\n'
        '[[notify.routes]]\nname = "all"\nchannels = ["ops"]\n',
        encoding="utf-8",
    )
    keys = RedisKeys(redis_prefix)
    redis_client.xadd(
        keys.alerts_history(), {"transition": "raised", "alert": sl_breach().model_dump_json()}
    )
    env = {**os.environ, "WB_OPS_HOOK": webhook.url()}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "alerts",
            "run",
            "--config",
            str(config),
            "--redis-url",
            redis_url,
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        received = webhook.wait_for(1, timeout_s=20)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=20)
    assert len(received) == 1
    assert json.loads(received[0].body)["text"].startswith("[Raised] Service level below target")
    assert process.returncode == 0
    assert "channel ops: raised sl_breach:claims_report:1772414100 delivered" in err
    assert TOKEN not in err and webhook.base not in err
