"""Unknown paths, queues, teams, agents and sites: HTTP 404 and a clear "not found" page,
never a made-up tile; `?site=` narrows the all-center tile to that site."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import redis

from dashboard import views
from dashboard.app import create_app
from dashboard.pages import agent, queue, team, wallboard
from pipeline.redis_keys import RedisKeys
from pipeline.redis_server import free_port
from tests.dashboard.fixtures import build_snapshot, sample_settings, write_floor

NOW = datetime(2026, 3, 2, 2, 30, 0, tzinfo=UTC)  # 10:30 in Shanghai


@pytest.fixture
def client(redis_url: str, redis_prefix: str, redis_client: redis.Redis,
           redis_keys: RedisKeys) -> Any:
    write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    return create_app(redis_url, redis_prefix, clock=lambda: NOW).server.test_client()


@pytest.mark.parametrize(("path", "text"), [
    ("/nosuch?lang=en", "No such page: /nosuch"),
    ("/wallboard/extra?lang=en", "No such page: /wallboard/extra"),
    ("/queue/nosuch?lang=en", "Queue not found: nosuch"),
    ("/team/xyz?lang=en", "Team not found: xyz"),
    ("/agent/nobody?lang=en", "Agent not found: nobody"),
    ("/me/nobody?lang=en", "Agent not found: nobody"),
    ("/wallboard?queues=nosuch&lang=en", "Queue not found: nosuch"),
    ("/wallboard?queues=complaints,nosuch&lang=en", "Queue not found: nosuch"),
    ("/wallboard?site=nosuch&lang=en", "Site not found: nosuch"),
    ("/queue/nosuch", "未找到队列：nosuch"),
])
def test_unknown_paths_and_entities_answer_404_with_what_was_not_found(
    client: Any, path: str, text: str
) -> None:
    reply = client.get(path)
    assert reply.status_code == 404
    body = reply.get_data(as_text=True)
    assert f"<p>{text}</p>" in body
    assert 'href="/wallboard' in body


@pytest.mark.parametrize("path", [
    "/", "/wallboard", "/wallboard?site=chengdu", "/wallboard?queues=complaints,chat_claims",
    "/queue/complaints", "/team/cd_chat", "/agent/a032", "/me/a032", "/alerts",
    "/assets/watchdog.js", "/_dash-layout",
])
def test_known_pages_are_served(client: Any, path: str) -> None:
    assert client.get(path).status_code == 200


def test_with_redis_down_a_page_is_served_rather_than_called_unknown() -> None:
    app = create_app(f"redis://127.0.0.1:{free_port()}/0", "wb", clock=lambda: NOW)
    assert app.server.test_client().get("/queue/anything").status_code == 200


def _texts(tree: Any) -> list[str]:
    """Every string in a Dash component tree, in order."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, list | tuple):
        return [s for item in tree for s in _texts(item)]
    children = getattr(tree, "children", None)
    return _texts(children) if children is not None else []


def test_in_app_pages_of_unknown_things_say_not_found_and_nothing_else(
    redis_url: str, redis_prefix: str, redis_client: redis.Redis, redis_keys: RedisKeys
) -> None:
    write_floor(redis_client, redis_keys, NOW, history_minutes=1)
    app = create_app(redis_url, redis_prefix, clock=lambda: NOW)
    with app.server.test_request_context("/"):
        pages = {
            "queue": queue.layout("nosuch", "en"),
            "team": team.layout("xyz", "en"),
            "agent": agent.layout("nobody", "en"),
            "wallboard": wallboard.layout(queues="nosuch", lang="en"),
            "site": wallboard.layout(site="nosuch", lang="zh"),
        }
    assert {name: _texts(page) for name, page in pages.items()} == {
        "queue": ["Not found", "Queue not found: nosuch", "Back to the wallboard"],
        "team": ["Not found", "Team not found: xyz", "Back to the wallboard"],
        "agent": ["Not found", "Agent not found: nobody", "Back to the wallboard"],
        "wallboard": ["Not found", "Queue not found: nosuch", "Back to the wallboard"],
        "site": ["未找到", "未找到站点：nosuch", "返回实时监控大屏"],
    }
    assert all(page.className == "page not-found" for page in pages.values())


def test_site_wallboard_all_tile_shows_that_site_not_the_whole_center() -> None:
    settings = sample_settings()
    snapshot = build_snapshot(NOW, settings)
    tile = views.floor_tile(settings, snapshot, [], "en", "@all", site="chengdu")
    # chengdu: policy_service, complaints, chat_claims, chat_service.
    # SL (35 + 14 + 12 + 24) / (38 + 20 + 12 + 28) = 85 / 98; abandons (10 - 2 short) / 98.
    assert (tile.title, tile.values["sl"], tile.values["abandon_rate"]) == (
        "chengdu: all queues", "86.7%", "8.2%")
    # The fixture's site entries count no agents (the whole center has 10 ready).
    assert tile.values["ready"] == "0"
    assert tile.formula == "All queues of site chengdu, each at its own SL threshold"
