"""`wallboard users`, `wallboard screens` and `wallboard audit` against a real Redis."""

from __future__ import annotations

import io
import shutil
import tomllib
from pathlib import Path

import pytest
import redis

from pipeline.access.keys import AccessKeys
from pipeline.access.passwords import verify_password
from pipeline.access.screens import ScreenRegistry
from pipeline.cli import main
from pipeline.redis_keys import RedisKeys
from tests.conftest import SAMPLE_CONFIG


@pytest.fixture
def config(tmp_path: Path, redis_keys: RedisKeys) -> Path:
    path = tmp_path / "wallboard.toml"
    shutil.copy(SAMPLE_CONFIG, path)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "",
        monkeypatch: pytest.MonkeyPatch | None = None) -> tuple[int, str, str]:
    if monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.usefixtures("redis_client")  # cleans the prefix afterwards
def test_users_add_writes_an_argon2_hash_and_audits_the_change(
    config: Path, redis_url: str, redis_keys: RedisKeys,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    common = ("--config", str(config), "--redis-url", redis_url, "--prefix", redis_keys.prefix)
    code, out, _ = run(capsys, "users", "add", "lee", "--role", "team_lead",
                       "--team", "bj_claims_a", "--password-stdin", *common,
                       stdin="a long enough secret\n", monkeypatch=monkeypatch)
    assert (code, out) == (0, f"added lee (team_lead) to {config}; restart the dashboard "
                              "to apply\n")
    user = tomllib.loads(config.read_text())["access"]["users"]["lee"]
    assert user["role"] == "team_lead" and user["teams"] == ["bj_claims_a"]
    assert user["password_hash"].startswith("$argon2id$")
    assert verify_password(user["password_hash"], "a long enough secret")
    assert "a long enough secret" not in config.read_text()

    code, _, err = run(capsys, "users", "add", "lee", "--role", "viewer", "--password-stdin",
                       *common, stdin="another long secret\n", monkeypatch=monkeypatch)
    assert (code, err) == (2, f"error: user 'lee' already exists in {config}\n")
    code, _, err = run(capsys, "users", "add", "bob", "--role", "viewer", "--password-stdin",
                       *common, stdin="short\n", monkeypatch=monkeypatch)
    assert (code, err) == (2, "error: password too short: at least 10 characters\n")
    code, _, err = run(capsys, "users", "add", "ann", "--role", "agent", "--proxy-only",
                       *common)
    assert code == 2 and "role 'agent' needs agent_id" in err

    code, out, _ = run(capsys, "users", "list", "--config", str(config))
    assert (code, out) == (0, "lee\tteam_lead\tpassword teams=bj_claims_a\n")
    code, out, _ = run(capsys, "audit", "--redis-url", redis_url, "--prefix",
                       redis_keys.prefix)
    fields = [line.split("\t")[1:5] for line in out.splitlines()]
    assert fields[0][1:] == ["config_change", "user:lee",
                             "added role=team_lead teams=bj_claims_a agent="]
    assert fields[0][0].startswith("cli:")


def test_screens_add_revoke_and_list(
    redis_url: str, redis_keys: RedisKeys, redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    common = ("--redis-url", redis_url, "--prefix", redis_keys.prefix)
    code, out, _ = run(capsys, "screens", "add", "bj-floor-2", "--base-url",
                       "https://wb.example", *common)
    assert code == 0
    assert out.startswith("https://wb.example/wallboard?screen=")
    token = out.strip().split("screen=", 1)[1]
    registry = ScreenRegistry(redis_client, AccessKeys(redis_keys.prefix))
    assert registry.screen_of(token) == "bj-floor-2"
    # Only the token's digest is stored.
    assert token.encode() not in str(redis_client.hgetall(f"{redis_keys.prefix}:access:screens")
                                     ).encode()
    code, out, _ = run(capsys, "screens", "list", *common)
    assert code == 0 and out.startswith("bj-floor-2\t")
    assert run(capsys, "screens", "add", "bj-floor-2", *common)[2] == (
        "error: screen 'bj-floor-2' already exists: revoke it first\n")
    assert run(capsys, "screens", "revoke", "bj-floor-2", *common)[:2] == (
        0, "revoked bj-floor-2\n")
    assert registry.screen_of(token) is None
    assert run(capsys, "screens", "revoke", "bj-floor-2", *common)[2] == (
        "error: no screen named 'bj-floor-2'\n")
    code, out, _ = run(capsys, "audit", "--action", "config_change", *common)
    assert [line.split("\t")[3:5] for line in out.splitlines()] == [
        ["screen:bj-floor-2", "screen token revoked"],
        ["screen:bj-floor-2", "screen token added"],
    ]


@pytest.mark.usefixtures("redis_client")
def test_users_remove_ends_the_users_sessions_and_refuses_them_at_once(
    config: Path, redis_url: str, redis_keys: RedisKeys,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    from datetime import UTC, datetime

    from pipeline.access.sessions import SessionStore

    common = ("--config", str(config), "--redis-url", redis_url, "--prefix", redis_keys.prefix)
    for name in ("lee", "vera"):
        assert run(capsys, "users", "add", name, "--role", "viewer", "--password-stdin",
                   *common, stdin="a long enough secret\n", monkeypatch=monkeypatch)[0] == 0
    client = redis.Redis.from_url(redis_url)
    store = SessionStore(client, AccessKeys(redis_keys.prefix), 3600)
    tokens = [store.issue("lee", datetime.now(tz=UTC)) for _ in range(2)]
    other = store.issue("vera", datetime.now(tz=UTC))

    code, out, _ = run(capsys, "users", "remove", "lee", *common)
    assert (code, out) == (0, f"removed lee from {config}; 2 session(s) ended\n")
    assert "lee" not in tomllib.loads(config.read_text())["access"]["users"]
    assert [store.user_of(t) for t in tokens] == [None, None]
    assert store.user_of(other) == "vera"
    assert store.is_removed("lee") and not store.is_removed("vera")
    # Again (a retry): nothing in the file, still ends whatever sessions there are.
    assert run(capsys, "users", "remove", "lee", *common)[:2] == (
        0, f"lee is not in {config}; 0 session(s) ended\n")
    code, out, _ = run(capsys, "audit", "--action", "config_change", "--redis-url", redis_url,
                       "--prefix", redis_keys.prefix)
    assert [line.split("\t")[3:5] for line in out.splitlines()][:2] == [
        ["user:lee", "removed; 0 session(s) ended"], ["user:lee", "removed; 2 session(s) ended"]]
    # Added again: signs in again.
    assert run(capsys, "users", "add", "lee", "--role", "viewer", "--password-stdin", *common,
               stdin="a long enough secret\n", monkeypatch=monkeypatch)[0] == 0
    assert not store.is_removed("lee")
    client.close()


def test_audit_refused_lists_the_stream_of_refused_sign_ins(
    redis_url: str, redis_keys: RedisKeys, redis_client: redis.Redis,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from datetime import UTC, datetime

    from pipeline.access.audit import AuditLog

    keys = AccessKeys(redis_keys.prefix)
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    AuditLog(redis_client, keys, refused=True).record(
        "sign_in_failed", who="mona", at=at, address="203.0.113.66")
    AuditLog(redis_client, keys).record("sign_in", who="lee", at=at, address="10.0.0.2")
    common = ("--redis-url", redis_url, "--prefix", redis_keys.prefix)
    assert run(capsys, "audit", "--refused", *common)[:2] == (
        0, "2026-03-02T09:00:00+00:00\tmona\tsign_in_failed\t\t\t203.0.113.66\n")
    assert run(capsys, "audit", *common)[:2] == (
        0, "2026-03-02T09:00:00+00:00\tlee\tsign_in\t\t\t10.0.0.2\n")
