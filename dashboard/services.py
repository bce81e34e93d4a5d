"""What every callback needs, created once with the app: the Redis reader and the clock.

Callbacks get them with `services()` from the Flask app serving the request, so several
apps (tests, workers) in one process never share state and callbacks open no connections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import flask

from dashboard.data import WallboardData
from pipeline.access.service import AccessService

EXTENSION = "wallboard"
ACCESS_EXTENSION = "wallboard_access"
DASH_EXTENSION = "wallboard_dash"  # the Dash app: its callback map is what the guard checks


def wall_clock() -> datetime:
    """Now, timezone-aware (UTC)."""
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class Services:
    data: WallboardData
    clock: Callable[[], datetime]


def services() -> Services:
    """The services of the app handling the current request."""
    found: Services = flask.current_app.extensions[EXTENSION]
    return found


def access() -> AccessService:
    """The access control of the app handling the current request (sign-in enabled)."""
    found: AccessService = flask.current_app.extensions[ACCESS_EXTENSION]
    return found
