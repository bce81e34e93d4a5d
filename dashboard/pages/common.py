"""What the drill-down pages share on every tick: the floor read and the stale decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard import views, watchdog
from dashboard.data import DataUnavailable, FloorState
from dashboard.i18n import Lang
from dashboard.services import services
from schemas.config import Settings


@dataclass(frozen=True)
class Tick:
    """One tick's data: `floor` is None when Redis could not be read."""

    floor: FloorState | None
    settings: Settings
    now: datetime  # wall clock (aware)
    data_now: datetime  # the snapshot's `now`, see views.data_now
    freshness: views.Freshness


def read_tick(lang: Lang) -> Tick:
    svc = services()
    now = svc.clock()
    try:
        floor: FloorState | None = svc.data.floor()
    except DataUnavailable:
        floor = None
    settings = floor.settings if floor else Settings()
    beat = floor.heartbeat.processed_at if floor and floor.heartbeat else None
    fresh = views.freshness(
        beat,
        None,
        reachable=floor is not None,
        now=now,
        stale_after_s=settings.heartbeat_stale_s,
        zone=settings.zone,
        lang=lang,
        refused_time=floor.heartbeat.events_refused_time if floor and floor.heartbeat else 0,
    )
    data_now = views.data_now(floor.snapshot if floor else None, now)
    return Tick(floor, settings, now, data_now, fresh)


def tick_beat(tick: Tick) -> dict[str, Any]:
    """The watchdog beat of a tick (see `dashboard.watchdog.beat`)."""
    floor = tick.floor
    return watchdog.beat(tick.freshness, tick.settings, tick.now,
                         floor.snapshot if floor else None, floor.heartbeat if floor else None)


def layout_settings() -> tuple[Settings, FloorState | None]:
    """Settings and floor for building a page layout; defaults when Redis is down."""
    try:
        floor = services().data.floor()
    except DataUnavailable:
        return Settings(), None
    return floor.settings, floor
