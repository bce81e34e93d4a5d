"""Text from events is shown as typed, never as markup or a link: hostile agent ids, queue
names, contact ids and reasons rendered by the real dashboard in headless Chromium."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
import redis

from dashboard import ids
from pipeline.redis_keys import RedisKeys
from schemas.snapshot import Alert
from schemas.timefmt import format_ts
from tests.dashboard.browser_helpers import HeartbeatWriter, text_of, wait_until
from tests.dashboard.conftest import browser, serve_dashboard
from tests.dashboard.fixtures import Floor, write_floor, write_snapshot

pytestmark = pytest.mark.browser
__all__ = ["browser"]  # the headless Chromium fixture of the dashboard tests

PAYLOADS = (
    "<!channel>",
    "<@all>",
    "[点我登录](https://evil.example/x)",
    "<script>alert(1)</script>",
    '<a href="https://evil.example">x</a>',
    "javascript:alert(1)",
    '<img src=x onerror="window.__xss=1">',
    "**bold** _em_ `code`",
)
# Agents of team bj_claims_a (a001-a008) renamed to the payloads (a001 stays for its page).
AGENT_PAYLOADS = PAYLOADS[:7]
RENAMED = {f"a{n:03d}": payload for n, payload in enumerate(AGENT_PAYLOADS, start=2)}


@pytest.fixture(scope="module")
def hostile(redis_url: str) -> Iterator[tuple[str, Floor]]:
    prefix = f"wbinj-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    keys = RedisKeys(prefix)
    now = datetime.now(tz=UTC).replace(microsecond=0)
    floor = write_floor(client, keys, now, history_minutes=5)
    zone = floor.settings.zone
    agents = {RENAMED.get(a, a): entry for a, entry in floor.snapshot.agents.items()}
    alerts = list(floor.snapshot.alerts) + [
        Alert(id=f"long_away:{p}:1", kind="long_away", severity="warning", subject=f"agent:{p}",
              raised_at=format_ts(now - timedelta(seconds=60), zone), cleared_at=None,
              evidence={"reason": p, "limit_s": 900.0})
        for p in PAYLOADS
    ] + [
        Alert(id=f"wait_breach:{p}:1", kind="wait_breach", severity="warning",
              subject=f"queue:{p}", raised_at=format_ts(now - timedelta(seconds=90), zone),
              cleared_at=None, evidence={"threshold_s": 120.0, "contact_id": p})
        for p in PAYLOADS
    ]
    write_snapshot(client, keys, floor.snapshot.model_copy(
        update={"agents": agents, "alerts": alerts}))
    pipe = client.pipeline(transaction=False)
    for n, payload in enumerate(PAYLOADS):
        moment = format_ts(now - timedelta(minutes=50 - n), zone)
        pipe.xadd(keys.agent_timeline("a001"), {"ts": moment, "kind": "contact", "data":
                  orjson.dumps({"contact_id": payload, "queue": payload, "handle_s": 60.0})})
        pipe.xadd(keys.agent_timeline("a001"), {"ts": moment, "kind": "state", "data":
                  orjson.dumps({"state": "not_ready", "reason": payload})})
    pipe.execute()
    writer = HeartbeatWriter(client, keys, floor.settings)
    writer.start()
    try:
        with serve_dashboard(redis_url, prefix) as url:
            yield url, floor
    finally:
        writer.stop()
        leftovers = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if leftovers:
            client.delete(*leftovers)
        client.close()


# Every link and every element a payload could have created, as the browser sees them.
INSPECT = """
const origin = location.origin;
const links = [...document.querySelectorAll('a')].map(a => ({
  href: a.getAttribute('href') || a.getAttribute('xlink:href') || '',
  resolved: a.href && a.href.baseVal !== undefined ? a.href.baseVal : String(a.href || ''),
  text: a.textContent}));
const content = document.getElementById('_pages_content');
const markup = content ? [...content.querySelectorAll('script,img,iframe,b,strong,em,code')]
  .filter(e => !e.closest('.tip,.anomaly-head,.evidence,.js-plotly-plot'))
  .map(e => e.outerHTML.slice(0, 120)) : [];
return {origin, links, markup, xss: window.__xss || null, text: document.body.innerText};
"""


def inspect(browser: Any) -> dict[str, Any]:
    found: dict[str, Any] = browser.execute_script(INSPECT)
    return found


def assert_plain(found: dict[str, Any], page: str) -> None:
    assert found["xss"] is None, page
    for link in found["links"]:
        href = link["href"]
        # Only our own relative paths (or none, for Plotly's modebar anchors).
        assert href == "" or (href.startswith("/") and not href.startswith("//")), (page, link)
        assert "evil.example" not in link["text"] or link["text"] in PAYLOADS, (page, link)
    assert found["markup"] == [], page


@pytest.mark.parametrize(("path", "ready"), [
    ("/team/bj_claims_a?lang=en", ids.T_TABLE),
    ("/queue/claims_report?lang=en", ids.Q_AGENTS),
    ("/alerts?lang=en", ids.AL_ACTIVE),
    ("/wallboard?lang=en", ids.WB_GRID),
    ("/agent/a001?lang=en", ids.A_TIMELINE),
])
def test_no_payload_renders_as_a_link_or_markup(
    browser: Any, hostile: tuple[str, Floor], path: str, ready: str
) -> None:
    url, _ = hostile
    browser.get(url + path)
    wait_until(lambda: text_of(browser, ready).strip() != "", 20)
    if path.startswith("/agent/"):
        wait_until(lambda: browser.execute_script(
            "return document.querySelectorAll('#a-timeline .scatterlayer .trace').length") > 3,
            20)
    found = inspect(browser)
    assert_plain(found, path)
    if path.startswith(("/team/", "/queue/")):
        # The agent ids show exactly as typed.
        for payload in AGENT_PAYLOADS:
            assert payload in found["text"], (path, payload)
    if path.startswith("/team/"):
        links = {link["text"]: link["href"] for link in found["links"]}
        assert links["[点我登录](https://evil.example/x)"] == (
            "/agent/%5B%E7%82%B9%E6%88%91%E7%99%BB%E5%BD%95%5D%28https%3A%2F%2Fevil.example"
            "%2Fx%29")
        assert links["javascript:alert(1)"] == "/agent/javascript%3Aalert%281%29"
        assert links["a001"] == "/agent/a001"


def test_plotly_hover_texts_show_tags_as_text(
    browser: Any, hostile: tuple[str, Floor]
) -> None:
    url, _ = hostile
    browser.get(url + "/agent/a001?lang=en")
    wait_until(lambda: browser.execute_script(
        "return document.querySelectorAll('#a-timeline .scatterlayer .trace').length") > 3, 20)
    figure = browser.execute_script(
        "const g = document.querySelector('#a-timeline .js-plotly-plot');"
        "return g.data.map(t => [t.hovertext || null, t.text || null]);")
    texts = [str(x) for pair in figure for x in pair if x]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in x for x in texts)
    assert not any("<script>" in x or "<a href" in x for x in texts)
    svg_links = browser.execute_script(
        "return document.querySelectorAll('#a-timeline svg a').length")
    assert svg_links == 0
