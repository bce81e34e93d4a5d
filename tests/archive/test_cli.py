"""`wallboard archive once` and `wallboard archive run` as a user runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import redis

from pipeline.archive.keys import ArchiveKeys
from pipeline.cli import main
from tests.archive.helpers import IntervalWriter, queue_kpis

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, prefix: str) -> Path:
    path = tmp_path / "wallboard.toml"
    path.write_text(f'timezone = "Asia/Shanghai"\nredis_prefix = "{prefix}"\n', encoding="utf-8")
    return path


def test_archive_once_archives_what_is_there_and_exits(
    redis_url: str, redis_client: redis.Redis, redis_prefix: str, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keys = ArchiveKeys(redis_prefix)
    IntervalWriter(redis_client, keys).add("queue", "claims_report", "2026-03-02T09:00:00+08:00",
                 queue_kpis(offered=12))
    archive_dir = tmp_path / "archive"

    code = main(["archive", "once", "--redis-url", redis_url,
                 "--config", str(_config(tmp_path, redis_prefix)),
                 "--archive-dir", str(archive_dir)])

    assert code == 0
    assert capsys.readouterr().out == f"archived 1 interval entries into {archive_dir}\n"
    frame = pl.read_parquet(archive_dir / "day=2026-03-02" / "queue.parquet")
    assert frame.select("id", "offered").rows() == [("claims_report", 12)]


def test_archive_once_names_the_bad_config_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('interval_min = 20\n', encoding="utf-8")

    code = main(["archive", "once", "--config", str(config)])

    assert code == 2
    assert capsys.readouterr().err.startswith(f"error: {config}: interval_min: ")


def test_archive_run_keeps_archiving_until_sigterm(
    redis_url: str, redis_client: redis.Redis, redis_prefix: str, tmp_path: Path
) -> None:
    keys = ArchiveKeys(redis_prefix)
    archive_dir = tmp_path / "archive"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "archive", "run", "--redis-url", redis_url,
         "--config", str(_config(tmp_path, redis_prefix)), "--archive-dir", str(archive_dir),
         "--poll-s", "0.2"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        target = archive_dir / "day=2026-03-02" / "queue.parquet"
        IntervalWriter(redis_client, keys).add("queue", "q1", "2026-03-02T09:00:00+08:00",
                     queue_kpis(offered=1))
        IntervalWriter(redis_client, keys).add("queue", "q1", "2026-03-02T09:15:00+08:00",
                     queue_kpis(offered=2))
        deadline = time.monotonic() + 20
        rows: list[tuple[object, ...]] = []
        while time.monotonic() < deadline and len(rows) < 2:
            if target.exists():
                rows = pl.read_parquet(target).select("offered").rows()
            time.sleep(0.1)
        assert rows == [(1,), (2,)]
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
