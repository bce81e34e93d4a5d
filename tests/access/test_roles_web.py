"""Each role reaches exactly its pages and callbacks on the real server, and is refused
elsewhere — also when calling `/_dash-update-component` directly."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from dashboard import ids
from tests.access.conftest import (
    Served,
    callback_body,
    find_store_data,
    sign_in,
    wallboard_body,
)

PAGES = ("/wallboard", "/queue/claims_report", "/team/bj_claims_a", "/team/cd_chat",
         "/agent/a001", "/agent/a020", "/alerts", "/me/a001", "/me/a020")
EVERYTHING = set(PAGES)
ALLOWED = {
    "vera": {"/wallboard", "/queue/claims_report"},
    "lee": {"/wallboard", "/queue/claims_report", "/team/bj_claims_a", "/agent/a001",
            "/alerts", "/me/a001"},
    "mona": EVERYTHING,
    "adam": EVERYTHING,
    "ann": {"/me/a001"},
}


def page_callback(served: Served, path: str) -> dict[str, Any]:
    """The body of the 1-s refresh callback of the page at `path`."""
    kind, _, subject = path.strip("/").partition("/")
    if kind == "wallboard":
        layout = served.layouts["/wallboard"]
        return wallboard_body(served.app, layout, find_store_data(layout, ids.WB_PARAMS))
    component, store, key = {
        "queue": (ids.Q_KPIS, ids.Q_PARAMS, "queue"),
        "team": (ids.T_TABLE, ids.T_PARAMS, "team"),
        "agent": (ids.A_STATE, ids.A_PARAMS, "agent"),
        "alerts": (ids.AL_ACTIVE, ids.AL_PARAMS, ""),
        "me": (ids.ME_STATE, ids.ME_PARAMS, "agent"),
    }[kind]
    params: dict[str, Any] = {"lang": "en", **({key: subject} if key else {})}
    return callback_body(served.app, component, {f"{store}.data": params,
                                                 f"{component}.n_intervals": 1})


def content_callback(served: Served, path: str) -> dict[str, Any]:
    """The body Dash pages sends to get a page's layout for `path`."""
    return callback_body(served.app, "_pages_content",
                         {"_pages_location.pathname": path, "_pages_location.search": ""})


def reachable(served: Served, session: requests.Session) -> dict[str, set[str]]:
    """Which pages answer 200 to a page load, a refresh callback and a layout callback."""
    found: dict[str, set[str]] = {"page": set(), "refresh": set(), "layout": set()}
    refused: set[int] = set()
    for path in PAGES:
        checks = {
            "page": session.get(served.url + path, allow_redirects=False, timeout=10),
            "refresh": session.post(f"{served.url}/_dash-update-component",
                                    json=page_callback(served, path), timeout=10),
            "layout": session.post(f"{served.url}/_dash-update-component",
                                   json=content_callback(served, path), timeout=10),
        }
        for name, response in checks.items():
            if response.status_code == 200:
                found[name].add(path)
            else:
                refused.add(response.status_code)
    assert refused <= {403}
    return found


@pytest.mark.parametrize("user", sorted(ALLOWED))
def test_each_role_reaches_exactly_its_pages_and_callbacks(served: Served, user: str) -> None:
    found = reachable(served, sign_in(served, user))
    assert found == {"page": ALLOWED[user], "refresh": ALLOWED[user], "layout": ALLOWED[user]}


def test_nobody_signed_in_is_sent_to_sign_in_and_callbacks_get_401(served: Served) -> None:
    anonymous = requests.Session()
    page = anonymous.get(served.url + "/team/bj_claims_a", allow_redirects=False, timeout=10)
    assert (page.status_code, page.headers["Location"]) == (
        302, "/login?next=/team/bj_claims_a")
    for path in PAGES:
        response = anonymous.post(f"{served.url}/_dash-update-component",
                                  json=page_callback(served, path), timeout=10)
        assert response.status_code == 401


def test_a_callback_naming_another_team_is_refused_to_a_team_lead(served: Served) -> None:
    lead = sign_in(served, "lee")
    body = page_callback(served, "/team/cd_chat")
    assert lead.post(f"{served.url}/_dash-update-component", json=body,
                     timeout=10).status_code == 403
    # An unknown callback output is refused too.
    body["output"] = "made-up.children"
    assert lead.post(f"{served.url}/_dash-update-component", json=body,
                     timeout=10).status_code == 403


def test_queue_page_shows_a_team_lead_only_their_own_agents(served: Served) -> None:
    lead = sign_in(served, "lee")
    response = lead.post(f"{served.url}/_dash-update-component",
                         json=page_callback(served, "/queue/claims_report"), timeout=10)
    agents = response.json()["response"][ids.Q_AGENTS]["data"]
    assert sorted(row["agent_id"] for row in agents) == [f"a{n:03d}" for n in range(1, 9)]
    viewer = sign_in(served, "vera")
    response = viewer.post(f"{served.url}/_dash-update-component",
                           json=page_callback(served, "/queue/claims_report"), timeout=10)
    assert response.json()["response"][ids.Q_AGENTS]["data"] == []


def test_an_agent_opening_the_root_lands_on_their_own_page(served: Served) -> None:
    agent = sign_in(served, "ann")
    response = agent.get(served.url + "/", allow_redirects=False, timeout=10)
    assert (response.status_code, response.headers["Location"]) == (302, "/me/a001")


def test_trusted_proxy_header_signs_in_a_configured_user(served: Served) -> None:
    headers = {"X-Remote-User": "ann"}
    assert requests.get(served.url + "/me/a001", headers=headers, allow_redirects=False,
                        timeout=10).status_code == 200
    assert requests.get(served.url + "/me/a020", headers=headers, allow_redirects=False,
                        timeout=10).status_code == 403
    unknown = requests.get(served.url + "/me/a001", headers={"X-Remote-User": "mallory"},
                           allow_redirects=False, timeout=10)
    assert unknown.status_code == 302
