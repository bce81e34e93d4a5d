"""`wallboard demo`: Redis (embedded unless REDIS_URL is set), the sample day, the dashboard.

With the shipped sample day the demo writes the day's arrival plan as a forecast
(`var/sample_day.forecast.csv`), the day's roster (`var/sample_day.roster.csv`) and a copy
of the configuration that points `[staffing] forecast` and `roster` at them
(`var/demo_config.toml`), so the 15:00 overload burst also raises `volume_spike` and the
team pages show schedule adherence.

The components (embedded Redis, pipeline, dashboard, archiver) run under
`pipeline.supervisor`: one that dies is reported with its exit code or signal and the last
lines of its log, and restarted with backoff while the others keep serving; the pipeline
resumes from its recovery directory (`var/recovery`, emptied when the demo starts). Ctrl-C
(or SIGTERM) stops them all, the embedded Redis last; nothing is left running.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipeline.redis_server import EmbeddedRedis, configured_redis_url
from pipeline.supervisor import Command, Component, Supervisor, log_tail
from schemas.config import load_settings

REPLAY_DATA = Path(__file__).resolve().parent.parent.parent / "replay_data"
SAMPLE_DAY = REPLAY_DATA / "sample_day.jsonl.gz"
SAMPLE_CONFIG = REPLAY_DATA / "sample_config.toml"


POLL_S = 0.25
RECOVERY_DIR = Path("var/recovery")


@dataclass
class _RedisComponent:
    """The embedded Redis as a supervised component (its reason: the end of redis.log)."""

    server: EmbeddedRedis
    name: str = "redis"
    done_on_success: bool = False
    stop_signal: int = signal.SIGTERM

    def start(self) -> subprocess.Popen[bytes]:
        self.server.start()  # same port and password on a restart
        assert self.server.process is not None
        return self.server.process

    def last_lines(self) -> list[str]:
        return log_tail(self.server.data_dir / "redis.log")


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def demo_config(events: Path, config: Path, var_dir: Path) -> Path:
    """The configuration the demo runs with: for the shipped sample day and a config
    without a `[staffing]` table, a copy of `config` in `var_dir` whose `[staffing]
    forecast` and `roster` are the sample day's arrival plan and roster (written next to
    it); otherwise `config`."""
    text = config.read_text(encoding="utf-8")
    if events.resolve() != SAMPLE_DAY.resolve() or "staffing" in tomllib.loads(text):
        return config
    # Imported here: the simulator's planning code is only needed for the sample day.
    from replay_data.day import plan_day  # noqa: PLC0415
    from replay_data.forecast import SAMPLE_DAY as DAY  # noqa: PLC0415
    from replay_data.forecast import plan_forecast, write_forecast  # noqa: PLC0415
    from replay_data.roster_file import write_roster  # noqa: PLC0415

    settings = load_settings(config)
    agents, plan = plan_day(settings, DAY.agents, DAY.hours, DAY.seed, DAY.start)
    forecast = (var_dir / "sample_day.forecast.csv").resolve()
    write_forecast(plan_forecast(plan, settings), forecast)
    roster = (var_dir / "sample_day.roster.csv").resolve()
    write_roster(agents, roster, settings.zone)
    copy = var_dir / "demo_config.toml"
    # A JSON string is a valid TOML basic string (same escapes).
    copy.write_text(
        f"{text.rstrip()}\n\n[staffing]\nforecast = {json.dumps(str(forecast))}\n"
        f"roster = {json.dumps(str(roster))}\n",
        encoding="utf-8",
    )
    return copy


def _demo(args: argparse.Namespace) -> int:
    # Started in the background by a non-interactive shell, SIGINT arrives ignored; Ctrl-C
    # and SIGTERM must both stop everything.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    embedded: EmbeddedRedis | None = None
    url = configured_redis_url()
    if url is None:
        embedded = EmbeddedRedis(data_dir=Path("var/redis")).start()
        url = embedded.url
        print(f"Redis: {embedded.display_url} (embedded, started by the demo; data in var/redis)")
    else:
        print("Redis: $REDIS_URL")
    try:
        return _supervise(args, url, embedded)
    finally:
        if embedded is not None:
            embedded.stop()  # a no-op when the supervisor stopped it


def _supervise(args: argparse.Namespace, url: str, embedded: EmbeddedRedis | None) -> int:
    """Run the components under a supervisor until Ctrl-C / SIGTERM."""
    try:
        config = demo_config(args.events, args.config, Path("var"))
    except KeyboardInterrupt:
        return 0
    env = dict(os.environ, REDIS_URL=url)
    if config != args.config:
        print(f"Config: {config} (the sample day's forecast and roster)")
    cli = [sys.executable, "-m", "pipeline.cli"]
    shutil.rmtree(RECOVERY_DIR, ignore_errors=True)  # a new demo replays from the start
    components: list[Component] = []
    if embedded is not None:
        components.append(_RedisComponent(embedded))
    components += [
        Command(
            "pipeline",
            [*cli, "run", "--events", str(args.events), "--config", str(config),
             "--speed", str(args.speed), "--fast-until", args.fast_until,
             "--recovery-dir", str(RECOVERY_DIR)],
            env,
            done_on_success=True,  # the day's replay has ended
        ),
        Command(
            "dashboard",
            [*cli, "dashboard", "--host", args.host, "--port", str(args.port),
             "--config", str(config), "--archive-dir", "var/archive"],
            env,
            stop_signal=signal.SIGINT,  # gunicorn's quick shutdown: reads only, no waiting
        ),
        Command(
            "archiver",
            [*cli, "archive", "run", "--config", str(config), "--archive-dir", "var/archive"],
            env,
        ),
    ]
    supervisor = Supervisor(components, max_restarts=args.max_restarts)
    try:
        # Redis was started first (its URL goes to the others): the supervisor adopts it.
        supervisor.start({"redis": embedded.process} if embedded and embedded.process else None)
        print(f"Open http://{args.host}:{args.port}/wallboard  (Ctrl-C stops everything)")
        sys.stdout.flush()
        while supervisor.running():
            supervisor.poll()
            time.sleep(POLL_S)
        return 1
    except KeyboardInterrupt:
        print("\nstopping…")
        sys.stdout.flush()
        return 0
    finally:
        # Ctrl-C again while stopping must not leave anything behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stopping = time.monotonic()
        supervisor.stop(args.grace_s)
        print(f"stopped everything in {time.monotonic() - stopping:.1f} s")
        sys.stdout.flush()
        if embedded is not None:
            embedded.process = None  # stopped (and waited for) by the supervisor


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "demo", help="embedded Redis + sample day replay + dashboard (what `make demo` runs)"
    )
    parser.add_argument("--events", default=SAMPLE_DAY, type=Path)
    parser.add_argument("--config", default=SAMPLE_CONFIG, type=Path)
    parser.add_argument(
        "--fast-until",
        default="2026-03-02T14:50:00+08:00",
        help="replay flat out up to this time, then at --speed",
    )
    parser.add_argument("--speed", type=float, default=10.0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.add_argument(
        "--max-restarts", type=int, default=5,
        help="restarts of a component within 10 minutes before giving up on it",
    )
    parser.add_argument(
        "--grace-s", type=float, default=5.0,
        help="seconds a component gets to stop before it is killed",
    )
    parser.set_defaults(func=_demo)
