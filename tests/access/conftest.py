"""The dashboard served with sign-in on (werkzeug in a thread, real Redis), its users, and
helpers to sign in and to call Dash callbacks directly."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dash
import pytest
import redis
import requests
from argon2 import PasswordHasher
from werkzeug.serving import make_server

from dashboard.app import create_app
from pipeline.access.keys import AccessKeys
from pipeline.redis_keys import RedisKeys
from schemas.access import AccessSettings, UserEntry
from tests.dashboard.fixtures import Floor, write_floor

PASSWORD = "correct horse battery"
USERS = {
    "vera": UserEntry(role="viewer"),
    "lee": UserEntry(role="team_lead", teams=["bj_claims_a"]),
    "mona": UserEntry(role="manager"),
    "adam": UserEntry(role="admin"),
    "ann": UserEntry(role="agent", agent_id="a001"),
}


@dataclass
class Served:
    url: str
    app: dash.Dash
    keys: RedisKeys
    access_keys: AccessKeys
    client: redis.Redis
    floor: Floor
    layouts: dict[str, Any]  # path → the page layout as served to a manager


# Verification follows the parameters stored in the hash: cheap ones keep the many
# sign-ins of the adversarial tests fast (production hashes use argon2-cffi's defaults).
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1)


def access_settings(**changes: Any) -> AccessSettings:
    hashed = CHEAP_HASHER.hash(PASSWORD)
    users = {name: u.model_copy(update={"password_hash": hashed}) for name, u in USERS.items()}
    base: dict[str, Any] = {
        "users": users,
        "cookie_secure": False,  # plain http on 127.0.0.1 in tests
        "signin_max_attempts": 3,
        "signin_window_s": 60,
        "screen_recheck_s": 1,
        "proxy_header": "X-Remote-User",
    }
    return AccessSettings.model_validate({**base, **changes})


@pytest.fixture(scope="module")
def served(redis_url: str) -> Iterator[Served]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    prefix = f"wbacc-{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    keys = RedisKeys(prefix)
    floor = write_floor(client, keys, datetime.now(tz=UTC), history_minutes=5)
    app = create_app(redis_url, prefix, access=access_settings())
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        found = Served(f"http://127.0.0.1:{server.server_port}", app, keys,
                       AccessKeys(prefix), client, floor, {})
        manager = sign_in(found, "mona")
        body = callback_body(app, "_pages_content", {"_pages_location.pathname": "/wallboard",
                                                     "_pages_location.search": ""})
        response = manager.post(f"{found.url}/_dash-update-component", json=body, timeout=10)
        found.layouts["/wallboard"] = response.json()["response"]["_pages_content"]["children"]
        client.delete(found.access_keys.audit())
        yield found
    finally:
        server.shutdown()
        thread.join(timeout=5)
        leftovers = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if leftovers:
            client.delete(*leftovers)
        client.close()


def sign_in(served: Served, user: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    response = session.post(f"{served.url}/login",
                            data={"username": user, "password": password, "next": ""},
                            allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return session


def callback_body(app: dash.Dash, output_component: str, values: dict[str, Any]) -> \
        dict[str, Any]:
    """The JSON Dash's renderer would POST for the callback writing `output_component`.

    `values` maps "component.property" to the input/state value sent.
    """
    for output in app.callback_map:
        parts = output[2:-2].split("...") if output.startswith("..") else [output]
        if any(p.rsplit(".", 1)[0] == output_component for p in parts):
            break
    else:  # pragma: no cover - a wrong id in a test
        raise AssertionError(output_component)
    spec = app.callback_map[output]

    def item(dep: dict[str, Any]) -> dict[str, Any]:
        name = f"{dep['id']}.{dep['property']}"
        return {"id": dep["id"], "property": dep["property"], "value": values.get(name)}

    outputs: list[Any] = []
    for part in parts:
        component, prop = part.rsplit(".", 1)
        outputs.append([] if component.startswith("{") else
                       {"id": component, "property": prop})
    return {
        "output": output,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [item(d) for d in spec["inputs"]],
        "state": [item(d) for d in spec["state"]],
        "changedPropIds": [f"{d['id']}.{d['property']}" for d in spec["inputs"][:1]],
    }


def _ids_in(tree: Any, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every pattern-matching (dict) component id in a layout, in document order."""
    if isinstance(tree, dict):
        props = tree.get("props")
        if isinstance(props, dict) and isinstance(props.get("id"), dict):
            found.append(props["id"])
        for value in tree.values():
            _ids_in(value, found)
    elif isinstance(tree, list):
        for value in tree:
            _ids_in(value, found)
    return found


def wallboard_body(app: dash.Dash, layout: Any, params: Any) -> dict[str, Any]:
    """The wallboard's refresh callback body for a layout as the browser got it."""
    import json

    body = callback_body(app, "wb-clock", {"wb-interval.n_intervals": 1,
                                           "wb-params.data": params})
    pattern_ids = _ids_in(layout, [])
    outputs: list[Any] = []
    for part in body["output"][2:-2].split("..."):
        component, prop = part.rsplit(".", 1)
        if component.startswith("{"):
            kind = json.loads(component)["type"]
            outputs.append([{"id": i, "property": prop} for i in pattern_ids
                            if i.get("type") == kind])
        else:
            outputs.append({"id": component, "property": prop})
    body["outputs"] = outputs
    return body


def find_store_data(layout: Any, store: str) -> Any:
    """The `data` of the dcc.Store `store` in a layout."""
    if isinstance(layout, dict):
        props = layout.get("props")
        if isinstance(props, dict) and props.get("id") == store:
            return props.get("data")
        for value in layout.values():
            found = find_store_data(value, store)
            if found is not None:
                return found
    elif isinstance(layout, list):
        for value in layout:
            found = find_store_data(value, store)
            if found is not None:
                return found
    return None
