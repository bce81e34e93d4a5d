"""A customer identifier or phone number planted in the input never appears in clear in
Redis (state, alerts, dead letters), the dashboard's HTML and callback answers, the logs
or alert message bodies: the real dataflow, the real server, grep the outputs."""

from __future__ import annotations

import gzip
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import redis
import requests
from werkzeug.serving import make_server

from dashboard.app import create_app
from pipeline.access.masking import CustomerMask
from pipeline.flow import build_flow
from pipeline.notify.messages import build_message
from pipeline.redis_keys import RedisKeys
from pipeline.runner import run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource
from schemas.config import Settings
from schemas.snapshot import Alert
from tests.access.conftest import callback_body
from tests.conftest import REPO
from tests.dashboard.fixtures import sample_settings

MASK_KEY = "leak-test-mask-key-42"
PLANTED_ID = "CUST-PLANTED-4242"
PLANTED_PHONE = "13912345678"
LINES = 3000


def _dump(client: redis.Redis, prefix: str) -> str:
    """Every value under `prefix`, as text."""
    parts = []
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        raw_kind = client.type(key)
        kind = raw_kind.decode() if isinstance(raw_kind, bytes) else str(raw_kind)
        if kind == "string":
            parts.append(str(client.get(key)))
        elif kind == "hash":
            parts.append(str(client.hgetall(key)))
        elif kind == "stream":
            parts.append(str(client.xrange(key)))
    return "\n".join(parts)


@pytest.fixture
def events(tmp_path: Path) -> tuple[Path, set[str]]:
    """The sample day's first lines, one planted valid contact and one planted bad line."""
    with gzip.open(REPO / "replay_data" / "sample_day.jsonl.gz", "rt") as day:
        lines = [next(day) for _ in range(LINES)]
    customers = {m for line in lines for m in re.findall(r'"customer_id":"([^"]+)"', line)}
    ts = orjson.loads(lines[-1])["ts"]
    lines.append(orjson.dumps({
        "event_id": "planted-1", "ts": ts, "type": "contact.offered",
        "contact_id": "planted-c1", "channel": "voice", "queue": "claims_report",
        "customer_id": PLANTED_ID, "ani": PLANTED_PHONE}).decode() + "\n")
    lines.append(f'{{"event_id":"planted-2","ts":"{ts}","type":"contact.offered",'
                 f'"customer_id":"{PLANTED_ID}","note":"ring {PLANTED_PHONE}"\n')
    path = tmp_path / "events.jsonl"
    path.write_text("".join(lines), encoding="utf-8")
    return path, customers | {PLANTED_ID, PLANTED_PHONE}


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    name = f"wbleak-{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    found = list(client.scan_iter(match=f"{name}:*", count=1000))
    if found:
        client.delete(*found)
    client.close()


def _served_texts(redis_url: str, prefix: str, settings: Settings) -> list[str]:
    """HTML and callback answers of the wallboard, queue, team, agent and alerts pages."""
    app = create_app(redis_url, prefix)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    client = redis.Redis.from_url(redis_url)
    snapshot = orjson.loads(client.get(RedisKeys(prefix).snapshot()) or b"{}")
    client.close()
    agents = sorted(snapshot.get("agents", {}))[:5]
    paths = ["/wallboard", "/alerts", *(f"/queue/{q}" for q in settings.queues),
             *(f"/team/{t}" for t in settings.teams), *(f"/agent/{a}" for a in agents)]
    texts = []
    try:
        for path in paths:
            texts.append(requests.get(url + path, timeout=10).text)
            body = callback_body(app, "_pages_content", {"_pages_location.pathname": path,
                                                         "_pages_location.search": ""})
            texts.append(requests.post(f"{url}/_dash-update-component", json=body,
                                       timeout=10).text)
        alerts = callback_body(app, "al-active", {"al-params.data": {"lang": "en"}})
        texts.append(requests.post(f"{url}/_dash-update-component", json=alerts,
                                   timeout=10).text)
        for agent in agents:
            body = callback_body(app, "a-state", {"a-params.data": {"agent": agent,
                                                                    "lang": "en"}})
            texts.append(requests.post(f"{url}/_dash-update-component", json=body,
                                       timeout=10).text)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    return texts


def test_planted_customer_ids_never_leave_the_parse_step_in_clear(
    events: tuple[Path, set[str]],
    prefix: str,
    redis_url: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("WALLBOARD_MASK_KEY", MASK_KEY)
    caplog.set_level(logging.DEBUG)
    path, clear = events
    settings = Settings.model_validate({**sample_settings().model_dump(),
                                        "redis_prefix": prefix})
    run_flow(build_flow(settings, FileReplaySource(path, 0),
                        RedisStateSink(redis_url, settings)))

    client = redis.Redis.from_url(redis_url)
    stored = _dump(client, prefix)
    history: list[tuple[bytes, dict[bytes, bytes]]] = client.xrange(  # type: ignore[assignment]
        RedisKeys(prefix).alerts_history())
    client.close()
    alerts = [Alert.model_validate_json(fields[b"alert"]) for _, fields in history]
    now = datetime.now(tz=UTC)
    messages = [repr(build_message(a, "raised", lang, settings, now))
                for a in alerts for lang in ("zh-CN", "en")]
    served = _served_texts(redis_url, prefix, settings)

    outputs = {"redis": stored, "logs": caplog.text, "alert messages": "\n".join(messages),
               "dashboard": "\n".join(served)}
    leaks = {name: sorted(c for c in clear if c in text) for name, text in outputs.items()}
    assert leaks == {"redis": [], "logs": [], "alert messages": [], "dashboard": []}
    # The bad line is kept, masked: the same customer's token, the phone's token.
    mask = CustomerMask(MASK_KEY.encode())
    assert f'"customer_id":"{mask.customer(PLANTED_ID)}"' in stored
    assert f"ring {mask.customer(PLANTED_PHONE)}" in stored
    assert len(served) > 20
