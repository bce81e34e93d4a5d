"""Every role × every page × every callback, honest and forged, against the real server:
honest requests get exactly the README's access matrix; forged ones (reordered entries,
decoy ids, extra or missing state, made-up outputs, overriding query strings, decoy
pathnames) get 401/403 and leave an audit record."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from dashboard import ids
from pipeline.access.audit import AuditLog
from pipeline.access.screens import ScreenRegistry
from tests.access.conftest import (
    Served,
    callback_body,
    find_store_data,
    sign_in,
    wallboard_body,
)

CALLBACK = "/_dash-update-component"
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
    "screen": {"/wallboard"},
}
# A subject each principal may see, for decoy entries (the attacker's own page).
OWN = {"vera": ("queue", "claims_report"), "lee": ("team", "bj_claims_a"),
       "mona": ("team", "cd_chat"), "adam": ("team", "cd_chat"), "ann": ("me", "a001"),
       "screen": ("wallboard", "")}
# page kind → [(output component, params store, params key, extra input values)]
CALLBACKS: dict[str, list[tuple[str, str, str, dict[str, Any]]]] = {
    "wallboard": [(ids.WB_CLOCK, ids.WB_PARAMS, "", {}),
                  (ids.WB_STAFF_GAP_VALUE, ids.WB_PARAMS, "",
                   {f"{ids.WB_STAFF_INTERVAL}.n_intervals": 1})],
    "queue": [(ids.Q_KPIS, ids.Q_PARAMS, "queue", {f"{ids.Q_INTERVAL}.n_intervals": 1}),
              (ids.Q_DAYS_CHART, ids.Q_PARAMS, "queue", {f"{ids.Q_DAYS_CHOICE}.value": 7}),
              (ids.Q_STAFF_BODY, ids.Q_PARAMS, "queue",
               {f"{ids.Q_STAFF_INTERVAL}.n_intervals": 1})],
    "team": [(ids.T_TABLE, ids.T_PARAMS, "team", {f"{ids.T_INTERVAL}.n_intervals": 1}),
             (ids.T_ADH_TABLE, ids.T_PARAMS, "team",
              {f"{ids.T_ADH_INTERVAL}.n_intervals": 1})],
    "agent": [(ids.A_STATE, ids.A_PARAMS, "agent", {f"{ids.A_INTERVAL}.n_intervals": 1})],
    "alerts": [(ids.AL_ACTIVE, ids.AL_PARAMS, "", {f"{ids.AL_INTERVAL}.n_intervals": 1}),
               (ids.AL_ACK_RESULT, ids.AL_PARAMS, "", {f"{ids.AL_ACK_BUTTON}.n_clicks": 1})],
    "me": [(ids.ME_STATE, ids.ME_PARAMS, "agent", {f"{ids.ME_INTERVAL}.n_intervals": 1})],
}


def params_of(served: Served, kind: str, key: str, subject: str) -> dict[str, Any]:
    if kind == "wallboard":
        return find_store_data(served.layouts["/wallboard"], ids.WB_PARAMS)  # type: ignore[no-any-return]
    return {"lang": "en", **({key: subject} if key else {})}


def honest_bodies(served: Served, path: str) -> list[tuple[str, dict[str, Any]]]:
    """(name, body) of every callback the page at `path` makes, as the browser sends it."""
    kind, _, subject = path.strip("/").partition("/")
    bodies = [("layout", callback_body(served.app, "_pages_content", {
        "_pages_location.pathname": path, "_pages_location.search": ""}))]
    for component, store, key, extra in CALLBACKS[kind]:
        params = params_of(served, kind, key, subject)
        if component == ids.WB_CLOCK:
            body = wallboard_body(served.app, served.layouts["/wallboard"], params)
        else:
            body = callback_body(served.app, component, {f"{store}.data": params, **extra})
        bodies.append((component, body))
    return bodies


def _store_item(body: dict[str, Any]) -> tuple[str, int] | None:
    """Where the params store sits in a body: ("state", index)."""
    for group in ("inputs", "state"):
        for index, item in enumerate(body.get(group) or []):
            if isinstance(item, dict) and str(item.get("id", "")).endswith("params"):
                return group, index
    return None


def forgeries(body: dict[str, Any], user: str) -> dict[str, dict[str, Any]]:
    """Forged variants of an honest callback body, each one Dash would run differently
    from what the guard would see if it read the first matching entry."""
    found: dict[str, dict[str, Any]] = {}
    kind, subject = OWN[user]
    place = _store_item(body)
    if place is not None:
        group, index = place
        store = body[group][index]
        key = {"queue": "queue", "team": "team", "me": "agent"}.get(kind, "agent")
        decoy = {**store, "value": {"lang": "en", key: subject}}
        first = copy.deepcopy(body)
        first["inputs"].insert(0, decoy)  # the attacker's own params first, victim later
        found["decoy_first_in_inputs"] = first
        before = copy.deepcopy(body)
        before[group].insert(index, decoy)
        found["decoy_before_store"] = before
        after = copy.deepcopy(body)
        after[group].insert(index + 1, decoy)
        found["decoy_after_store"] = after
        prop = copy.deepcopy(body)
        prop[group][index] = {**store, "property": "value"}
        found["store_property_changed"] = prop
    extra = copy.deepcopy(body)
    extra.setdefault("state", []).append({"id": "al-ack-note", "property": "value",
                                          "value": "x"})
    found["extra_state"] = extra
    if body.get("state"):
        missing = copy.deepcopy(body)
        missing["state"] = missing["state"][:-1]
        found["missing_state"] = missing
        swapped = copy.deepcopy(body)
        swapped["inputs"], swapped["state"] = swapped["state"], swapped["inputs"]
        found["inputs_and_state_swapped"] = swapped
    if len(body["inputs"]) > 1:
        reordered = copy.deepcopy(body)
        reordered["inputs"].reverse()
        found["inputs_reordered"] = reordered
    outputs = copy.deepcopy(body)
    first_output = outputs["outputs"][-1] if isinstance(outputs["outputs"], list) \
        else outputs["outputs"]
    first_output["id"] = "made-up"
    found["output_id_changed"] = outputs
    unknown = copy.deepcopy(body)
    unknown["output"] = "made-up.children"
    found["unknown_output"] = unknown
    client_side = copy.deepcopy(body)
    client_side["output"] = f"{ids.WB_SOUND_DUMMY}.data"
    found["clientside_output"] = client_side
    return found


@pytest.fixture(scope="module")
def sessions(served: Served) -> dict[str, requests.Session]:
    found = {user: sign_in(served, user) for user in ("vera", "lee", "mona", "adam", "ann")}
    token = ScreenRegistry(served.client, served.access_keys).add(
        "matrix-tv", "cli:test", datetime.now(tz=UTC))
    tv = requests.Session()
    assert tv.get(f"{served.url}/wallboard?screen={token}", timeout=10).status_code == 200
    found["screen"] = tv
    return found


def newest(served: Served, refused: bool = False) -> tuple[str, str, str, str]:
    """The newest audit entry: (id, who, action, detail); empty strings if none."""
    entries = AuditLog(served.client, served.access_keys, refused=refused).entries(1)
    if not entries:
        return "", "", "", ""
    entry = entries[0]
    return entry.entry_id, entry.who, entry.action, entry.detail


@pytest.mark.parametrize("user", sorted(ALLOWED))
def test_honest_callbacks_follow_the_access_matrix(
    served: Served, sessions: dict[str, requests.Session], user: str
) -> None:
    session = sessions[user]
    reached: dict[str, set[str]] = {}
    for path in PAGES:
        for name, body in honest_bodies(served, path):
            response = session.post(served.url + CALLBACK, json=body, timeout=10)
            assert response.status_code in (200, 204, 403), (path, name, response.text)
            if response.status_code != 403:
                reached.setdefault(name, set()).add(path)
    kinds = {path: path.strip("/").partition("/")[0] for path in PAGES}
    expected: dict[str, set[str]] = {}
    for path in ALLOWED[user]:
        expected.setdefault("layout", set()).add(path)
        for component, *_ in CALLBACKS[kinds[path]]:
            expected.setdefault(component, set()).add(path)
    assert reached == expected


# Every role gets these on every callback of every page; the whole catalogue of forgeries
# is tried on every callback with one role (the check is the same for all roles).
EVERY_ROLE = ("decoy_first_in_inputs", "extra_state", "inputs_and_state_swapped",
              "inputs_reordered")


def post_forgeries(
    served: Served, session: requests.Session, who: str, kinds: tuple[str, ...] | None,
    user: str,
) -> int:
    """Post the forgeries (of `kinds`, or all) of every callback of every page; each must
    get 403 and add one `access_denied` entry by `who`. Returns how many were tried."""
    before = served.client.xlen(served.access_keys.audit())
    tried: list[tuple[str, str, str]] = []
    for path in PAGES:
        for name, body in honest_bodies(served, path):
            for forgery, forged in forgeries(body, user).items():
                if kinds is not None and forgery not in kinds:
                    continue
                response = session.post(served.url + CALLBACK, json=forged, timeout=10)
                assert response.status_code == 403, (path, name, forgery, response.text)
                tried.append((path, name, forgery))
    entries = AuditLog(served.client, served.access_keys).entries(len(tried))
    assert served.client.xlen(served.access_keys.audit()) - before == len(tried)
    assert {(e.who, e.action) for e in entries} == {(who, "access_denied")}
    return len(tried)


@pytest.mark.parametrize("user", sorted(ALLOWED))
def test_forged_callbacks_are_refused_and_audited_for_every_role(
    served: Served, sessions: dict[str, requests.Session], user: str
) -> None:
    who = "screen:matrix-tv" if user == "screen" else user
    assert post_forgeries(served, sessions[user], who, EVERY_ROLE, user) == 64


def test_every_kind_of_forgery_is_refused_and_audited_on_every_callback(
    served: Served, sessions: dict[str, requests.Session]
) -> None:
    assert post_forgeries(served, sessions["lee"], "lee", None, "lee") == 196


def test_the_reported_attack_own_params_first_victim_in_state_is_refused(
    served: Served, sessions: dict[str, requests.Session]
) -> None:
    """The issue's case: an agent sends its own me-params first in `inputs` and another
    agent's in `state`, where Dash reads it."""
    body = callback_body(served.app, ids.ME_STATE, {
        f"{ids.ME_INTERVAL}.n_intervals": 1, f"{ids.ME_PARAMS}.data": {"agent": "a020"}})
    body["inputs"].insert(0, {"id": ids.ME_PARAMS, "property": "data",
                              "value": {"agent": "a001"}})
    response = sessions["ann"].post(served.url + CALLBACK, json=body, timeout=10)
    assert response.status_code == 403
    assert "a020" not in response.text
    _, who, action, detail = newest(served)
    assert (who, action, detail) == ("ann", "access_denied", "inputs: count differs from "
                                     "the callback")
    # A team lead, the same way, for another team's agent board.
    body = callback_body(served.app, ids.T_TABLE, {
        f"{ids.T_INTERVAL}.n_intervals": 1, f"{ids.T_PARAMS}.data": {"team": "cd_chat"}})
    body["inputs"].insert(0, {"id": ids.T_PARAMS, "property": "data",
                              "value": {"team": "bj_claims_a"}})
    assert sessions["lee"].post(served.url + CALLBACK, json=body,
                                timeout=10).status_code == 403


LAYOUT_FORGERIES: list[tuple[str, str, str, str]] = [
    # (user, pathname, search, why)
    ("ann", "/me/a001", "?agent_id=a020", "query string overrides the agent"),
    ("lee", "/agent/a001", "?agent_id=a020", "query string overrides the agent"),
    ("lee", "/team/bj_claims_a", "?team_id=cd_chat", "query string overrides the team"),
    ("vera", "/queue/claims_report", "?queue_id=complaints&x=1", "overrides the queue"),
    ("ann", "/me/a001/../../agent/a020", "", "path traversal decoy"),
    ("ann", "/me/a001%2F..%2Fa020", "", "encoded decoy"),
    ("vera", "/agent/a001", "", "viewer asks for an agent page"),
    ("ann", "/me/a020/", "", "trailing slash, another agent"),
    ("ann", "/me/a001\n/agent/a020", "", "newline in the pathname"),
    ("ann", "/me/a001\\..\\a020", "", "backslashes in the pathname"),
    ("lee", "/AGENT/a020", "", "other case"),
]


@pytest.mark.parametrize("case", LAYOUT_FORGERIES, ids=[c[3] for c in LAYOUT_FORGERIES])
def test_forged_page_paths_are_refused_and_audited(
    served: Served, sessions: dict[str, requests.Session], case: tuple[str, str, str, str]
) -> None:
    user, pathname, search, why = case
    body = callback_body(served.app, "_pages_content", {
        "_pages_location.pathname": pathname, "_pages_location.search": search})
    response = sessions[user].post(served.url + CALLBACK, json=body, timeout=10)
    if response.status_code == 200:
        # Dash laid out no page of ours (its 404): nothing of a020's may be in it.
        assert "a020" not in response.text and "cd_chat" not in response.text, why
        return
    assert response.status_code == 403, why
    assert newest(served)[1:3] == (user, "access_denied")


def test_a_decoy_pathname_entry_is_refused(
    served: Served, sessions: dict[str, requests.Session]
) -> None:
    body = callback_body(served.app, "_pages_content", {
        "_pages_location.pathname": "/agent/a020", "_pages_location.search": ""})
    body["inputs"].insert(0, {"id": "_pages_location", "property": "pathname",
                              "value": "/wallboard"})
    response = sessions["vera"].post(served.url + CALLBACK, json=body, timeout=10)
    assert response.status_code == 403
    assert newest(served)[1:3] == ("vera", "access_denied")


def test_a_page_load_overriding_its_path_with_the_query_string_is_refused(
    served: Served, sessions: dict[str, requests.Session]
) -> None:
    response = sessions["ann"].get(f"{served.url}/me/a001?agent_id=a020",
                                   allow_redirects=False, timeout=10)
    assert response.status_code == 403
    _, who, action, detail = newest(served)
    assert (who, action, detail) == ("ann", "access_denied",
                                     "query string overrides the path: agent_id")


def test_unauthenticated_callbacks_get_401_and_a_record_in_the_refused_stream(
    served: Served
) -> None:
    for path in ("/agent/a001", "/me/a001", "/team/bj_claims_a"):
        for name, body in honest_bodies(served, path):
            response = requests.post(served.url + CALLBACK, json=body, timeout=10)
            assert response.status_code == 401, (path, name)
            _, who, action, _ = newest(served, refused=True)
            assert (who, action) == ("-", "unauthenticated")


def test_every_route_to_one_agents_numbers_is_audited_once_per_viewer_and_agent(
    served: Served, sessions: dict[str, requests.Session]
) -> None:
    """The refresh callback alone (no page open) is a view too; a page refreshing every
    second writes one entry, not one per tick."""
    audit = AuditLog(served.client, served.access_keys)
    refresh = dict(honest_bodies(served, "/me/a006"))[ids.ME_STATE]
    served.client.delete(served.access_keys.audit())
    for _ in range(3):
        assert sessions["mona"].post(served.url + CALLBACK, json=refresh,
                                     timeout=10).status_code == 200
    opened = dict(honest_bodies(served, "/agent/a003"))
    assert sessions["mona"].post(served.url + CALLBACK, json=opened["layout"],
                                 timeout=10).status_code == 200
    assert sessions["mona"].post(served.url + CALLBACK, json=opened[ids.A_STATE],
                                 timeout=10).status_code == 200
    # The agent's own page is not a drill-down.
    own = dict(honest_bodies(served, "/me/a001"))[ids.ME_STATE]
    assert sessions["ann"].post(served.url + CALLBACK, json=own,
                                timeout=10).status_code == 200
    assert [(e.who, e.action, e.target, e.detail) for e in reversed(audit.entries(10))] == [
        ("mona", "view_agent", "a006", "me"),
        ("mona", "view_agent", "a003", "agent"),
    ]

