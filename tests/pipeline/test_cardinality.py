"""Cardinality: 100,000 distinct queue names and 200,000 agent ids.

The queue cap is the default (500); the agent cap is 2,000 (teams 200) so the test stays
quick: the default 20,000-agent floor is measured by `python -m bench.cardinality flood
100000 200000` in `make bench` (peak RSS 633 MiB, first wallboard response 285 KB).

The engine runs in a child process (`bench.cardinality flood`, its RSS its own) and writes
its final state to Redis through the real writer; the wallboard is then asked for its
first response (the page, its layout and the first refresh) from that state.
"""

from __future__ import annotations

from typing import Any

import pytest
import redis

from bench.cardinality import run_child
from dashboard import ids
from dashboard.app import create_app
from tests.access.conftest import callback_body, find_store_data, wallboard_body

QUEUES = 100_000
AGENTS = 200_000
AGENT_CAP = 2_000
PEAK_RSS_BOUND_MB = 400  # the engine, one snapshot of 2,000 agents and its JSON
FIRST_RESPONSE_BOUND = 1_000_000  # bytes


@pytest.mark.slow
def test_many_distinct_names_keep_memory_the_snapshot_and_the_wallboard_bounded(
    redis_url: str, redis_client: redis.Redis, redis_prefix: str
) -> None:
    got = run_child(
        "flood", str(QUEUES), str(AGENTS), redis_url, redis_prefix, "--max-agents", str(AGENT_CAP)
    )
    # The caps hold exactly: 500 queues, 2,000 agents (10 per team: 200 teams, the cap;
    # one site per 1,000 agents: 2 sites, and the queues' default site "main"); everything
    # else is refused and counted (a login of a refused agent counts as an agent refusal).
    assert (got["queues"], got["agents"], got["teams"], got["sites"]) == (500, 2_000, 200, 3)
    assert got["entities_refused"] == {
        "queue": QUEUES - 500,
        "agent": AGENTS - AGENT_CAP,
        "team": 0,
        "site": 0,
    }
    assert got["dead_letters"] == QUEUES - 500 + AGENTS - AGENT_CAP
    assert got["peak_rss_mb"] < PEAK_RSS_BOUND_MB, got

    app = create_app(redis_url, redis_prefix)
    client = app.server.test_client()
    page = client.get("/wallboard")
    layout_shell = client.get("/_dash-layout")
    body = callback_body(
        app,
        "_pages_content",
        {"_pages_location.pathname": "/wallboard", "_pages_location.search": ""},
    )
    content = client.post("/_dash-update-component", json=body)
    layout: Any = content.get_json()["response"]["_pages_content"]["children"]
    params = find_store_data(layout, ids.WB_PARAMS)
    assert len(params["queues"]) == 48
    refresh = client.post("/_dash-update-component", json=wallboard_body(app, layout, params))
    assert refresh.status_code == 200
    sizes = [len(r.data) for r in (page, layout_shell, content, refresh)]
    assert sum(sizes) < FIRST_RESPONSE_BOUND, sizes
