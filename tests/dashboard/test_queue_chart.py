"""The queue page's per-minute charts stay bounded while a page stays open for days: the
refresh callback, called minute after minute over a real Redis, appends by Patch and
drops the oldest points beyond `CHART_POINTS` (24 h)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import redis
from dash import Patch, no_update

from dashboard import ids
from dashboard.app import create_app
from dashboard.figures import CHART_POINTS, CHART_TRIM_BY_PATCH_MAX
from dashboard.pages import queue
from pipeline.redis_keys import RedisKeys
from schemas.timefmt import format_ts
from tests.dashboard.fixtures import sample_settings, write_floor

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # 10:30 in Shanghai
QUEUE = "policy_service"
PARAMS = {"queue": QUEUE, "lang": "en"}
ZONE = sample_settings().zone


def _write_minutes(client: redis.Redis, keys: RedisKeys, first: datetime, count: int) -> None:
    """`count` per-minute points from `first`, with the pipeline's ids (minute epoch ms);
    the 15-minute offered is the minute's index in the day, so every point is told apart."""
    pipe = client.pipeline(transaction=False)
    for n in range(count):
        minute = first + timedelta(minutes=n)
        index = int(minute.timestamp()) // 60 % 1440
        pipe.xadd(
            keys.history("queue", QUEUE),
            {"ts": format_ts(minute, ZONE),
             "kpis": orjson.dumps({"15m": {"offered": index}, "interval": {}})},
            id=f"{int(minute.timestamp()) * 1000}-0",
        )
    pipe.execute()


def _find(component: Any, wanted: str) -> Any:
    if getattr(component, "id", None) == wanted:
        return component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = _find(child, wanted)
            if found is not None:
                return found
    return None


def _apply(figure: dict[str, Any], patch: Patch) -> None:
    """Apply a Patch the way dash-renderer does (Extend and Delete are all it sends here)."""
    for operation in patch.to_plotly_json()["operations"]:
        *path, last = operation["location"]
        target: Any = figure
        for key in path:
            target = target[key]
        if operation["operation"] == "Extend":
            target[last].extend(operation["params"]["value"])
        elif operation["operation"] == "Delete":
            del target[last]
        else:
            raise AssertionError(operation)


def _offered(figure: dict[str, Any]) -> list[int]:
    return [int(v) for v in figure["data"][1]["y"]]


def test_queue_chart_keeps_24_hours_of_points_however_long_the_page_stays_open(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys,
) -> None:
    write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    start = NOW - timedelta(minutes=CHART_POINTS + 9)  # 10 points more than the window
    _write_minutes(redis_client, redis_keys, start, CHART_POINTS + 10)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW)
    with app.server.test_request_context("/"):
        page = queue.layout(QUEUE, "en")
        figure = _find(page, ids.Q_CHART).figure.to_plotly_json()
        cursor = _find(page, ids.Q_CURSOR).data
        # The page opens on the newest 24 h.
        assert cursor["shown"] == CHART_POINTS
        assert len(figure["data"][0]["x"]) == CHART_POINTS
        assert _offered(figure)[0] == (int(start.timestamp()) // 60 + 10) % 1440
        for tick in range(1, 181):  # three hours, a point a minute
            minute = NOW + timedelta(minutes=tick)
            _write_minutes(redis_client, redis_keys, minute, 1)
            patch, cursor = queue.refresh(tick, PARAMS, cursor)[1:3]
            assert isinstance(patch, Patch)
            _apply(figure, patch)
            for trace in figure["data"]:
                assert len(trace["x"]) == len(trace["y"]) == CHART_POINTS
            assert cursor["shown"] == CHART_POINTS
            assert figure["data"][0]["x"][-1] == format_ts(minute, ZONE)
            assert figure["data"][0]["x"][0] == format_ts(
                minute - timedelta(minutes=CHART_POINTS - 1), ZONE)
        # Nothing new: nothing sent.
        assert queue.refresh(181, PARAMS, cursor)[1:3] == (no_update, no_update)
        # A page that slept through more than the trim limit gets the whole newest window.
        after_sleep = NOW + timedelta(minutes=181)
        _write_minutes(redis_client, redis_keys, after_sleep, CHART_TRIM_BY_PATCH_MAX + 1)
        whole, cursor = queue.refresh(182, PARAMS, cursor)[1:3]
        rebuilt = whole.to_plotly_json()
        newest = after_sleep + timedelta(minutes=CHART_TRIM_BY_PATCH_MAX)
        assert len(rebuilt["data"][3]["x"]) == CHART_POINTS == cursor["shown"]
        assert rebuilt["data"][3]["x"][-1] == format_ts(newest, ZONE)
        assert cursor["after"] == f"{int(newest.timestamp()) * 1000}-0"
