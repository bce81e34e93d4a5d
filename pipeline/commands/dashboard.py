"""`wallboard dashboard`: serve the Dash dashboard with gunicorn (production WSGI)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from pipeline.process_death import die_with_parent
from pipeline.redis_keys import DEFAULT_REDIS_URL

GRACEFUL_TIMEOUT_S = 3  # dashboard requests are short; a stop must not wait 30 s


def _worker_dies_with_master(server: Any, worker: Any) -> None:
    """gunicorn `post_fork` hook, in the new worker: SIGKILL it when the master dies.

    Without it a worker forked while the master was shutting down (Ctrl-C reaches the
    workers and the master at once; the master replaces a worker that exited before it
    handles its own SIGINT) outlived the master, still holding the port.
    """
    die_with_parent(signal.SIGKILL, parent=server.pid)


class _DashboardServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn running `dashboard.app.create_server` in each worker (one pool per worker)."""

    def __init__(self, redis_url: str, prefix: str, options: dict[str, Any]) -> None:
        self._redis_url = redis_url
        self._prefix = prefix
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from dashboard.app import create_server

        return create_server(self._redis_url, self._prefix)


def _serve(args: argparse.Namespace) -> int:
    prefix = args.prefix
    if args.config:
        from schemas.config import ConfigError, load_settings

        try:
            settings = load_settings(args.config)
        except ConfigError as error:
            print(f"wallboard dashboard: {error}", file=sys.stderr)
            return 2
        # The app reads [access] from this file in every worker.
        os.environ["WALLBOARD_CONFIG"] = str(args.config)
        if prefix == "wb":
            prefix = settings.redis_prefix
    if args.archive_dir:
        os.environ["WALLBOARD_ARCHIVE_DIR"] = str(args.archive_dir)
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "worker_class": "gthread",
        "threads": args.threads,
        "timeout": 30,
        "graceful_timeout": GRACEFUL_TIMEOUT_S,
        "post_fork": _worker_dies_with_master,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }
    _DashboardServer(args.redis_url, prefix, options).run()
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "dashboard", help="serve the wallboard, drill-down, alerts and agent pages"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8050, help="port (8050)")
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("REDIS_URL", DEFAULT_REDIS_URL),
        help="Redis holding the pipeline's state (env REDIS_URL)",
    )
    parser.add_argument(
        "--prefix", default="wb", help="Redis key prefix (wb, or the --config's redis_prefix)"
    )
    parser.add_argument("--config", help="TOML configuration ([access], redis_prefix)")
    parser.add_argument(
        "--archive-dir", help="Parquet archive for the 7/30-day views (env WALLBOARD_ARCHIVE_DIR)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.set_defaults(func=_serve)
