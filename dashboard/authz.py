"""What a Dash callback request really asks for, decided the way Dash will run it.

Dash looks a callback up by the request's `output` string and passes the `inputs` and
`state` values to the function *by position*. So a request is only believed when every
output, input and state entry is, in order and in number, exactly the registered
callback's; then the page params store (or, for the page-content callback, the pathname
and query string) is read at the position Dash reads it. The page of `_pages_content` is
resolved with Dash's own path matching, so the guard and the renderer cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import dash
from dash import _pages  # Dash's own path matching: the guard must agree with it

from dashboard import ids, views
from pipeline.access.policy import Page, PageKind
from pipeline.access.principal import Principal
from schemas.config import Settings
from schemas.snapshot import Alert, Snapshot

PAGES_CONTENT = "_pages_content"
PAGES_LOCATION = "_pages_location"
Route = Literal["layout", "refresh", "write"]
ITEM_KEYS = frozenset({"id", "property", "value"})
Rule = tuple[PageKind, str, str, Route]
# Output component id → (page kind, params store id, params key of the subject, route).
# A callback is judged by those of its outputs listed here, which must all name the same
# rule: each page's tick lists its watchdog beat and the wallboard's tick its own texts
# too, so renaming one output does not leave the callback without a rule.
_WALLBOARD_TICK: Rule = ("wallboard", "", "", "refresh")
_QUEUE_TICK: Rule = ("queue", ids.Q_PARAMS, "queue", "refresh")
_TEAM_TICK: Rule = ("team", ids.T_PARAMS, "team", "refresh")
_AGENT_TICK: Rule = ("agent", ids.A_PARAMS, "agent", "refresh")
_ALERTS_TICK: Rule = ("alerts", "", "", "refresh")
_ME_TICK: Rule = ("me", ids.ME_PARAMS, "agent", "refresh")
CALLBACK_RULES: dict[str, Rule] = {
    ids.WB_CLOCK: _WALLBOARD_TICK,
    ids.WB_HEADLINE: _WALLBOARD_TICK,
    ids.WB_WAITING: _WALLBOARD_TICK,
    ids.WB_OLDEST: _WALLBOARD_TICK,
    ids.WB_AGENT_SUMMARY: _WALLBOARD_TICK,
    ids.WB_AS_OF: _WALLBOARD_TICK,
    ids.watch(ids.WD_BEAT, "wallboard"): _WALLBOARD_TICK,
    ids.WB_STAFF_GAP_VALUE: _WALLBOARD_TICK,
    ids.WB_STAFF_GAP_SOURCE: _WALLBOARD_TICK,
    ids.Q_KPIS: _QUEUE_TICK,
    ids.watch(ids.WD_BEAT, "queue"): _QUEUE_TICK,
    ids.Q_DAYS_CHART: _QUEUE_TICK,
    ids.Q_STAFF_BODY: _QUEUE_TICK,
    ids.T_TABLE: _TEAM_TICK,
    ids.watch(ids.WD_BEAT, "team"): _TEAM_TICK,
    ids.T_ADH_TABLE: _TEAM_TICK,
    ids.A_STATE: _AGENT_TICK,
    ids.watch(ids.WD_BEAT, "agent"): _AGENT_TICK,
    ids.AL_ACTIVE: _ALERTS_TICK,
    ids.watch(ids.WD_BEAT, "alerts"): _ALERTS_TICK,
    ids.AL_ACK_RESULT: ("alerts", "", "", "write"),
    ids.ME_STATE: _ME_TICK,
    ids.watch(ids.WD_BEAT, "me"): _ME_TICK,
}
# Dash page module → page kind (the wallboard is registered at "/" and "/wallboard").
PAGE_MODULES: dict[str, PageKind] = {
    "dashboard.pages.wallboard": "wallboard",
    "dashboard.pages.wallboard.home": "wallboard",
    "dashboard.pages.queue": "queue",
    "dashboard.pages.team": "team",
    "dashboard.pages.agent": "agent",
    "dashboard.pages.alerts": "alerts",
    "dashboard.pages.me": "me",
}
# Query parameters that would replace a path variable in the layout call.
PATH_VARIABLES = frozenset({"queue_id", "team_id", "agent_id"})


class Refused(ValueError):
    """The request does not match what the layout registered; the message says how."""


@dataclass(frozen=True)
class CallbackRequest:
    """A verified callback request: the page it serves (None: a page with no data, such
    as Dash's 404 layout), how it reaches it, and its input and state values in Dash's
    order, keyed by `component.property`."""

    page: Page | None
    route: Route
    output: str
    values: dict[str, Any]


def _parts(output: str) -> list[tuple[str, str]]:
    """(component, property) of each part of a callback's `output` string."""
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    return [tuple(p.rsplit(".", 1)) for p in parts]  # type: ignore[misc]


def _component(raw: str) -> str | dict[str, Any]:
    return json.loads(raw) if raw.startswith("{") else raw


def _matches_pattern(found: Any, pattern: dict[str, Any]) -> bool:
    """A concrete pattern-matching id against a registered one (ALL/MATCH/... wildcards)."""
    if not isinstance(found, dict) or set(found) != set(pattern):
        return False
    return all(isinstance(want, list) or found[key] == want for key, want in pattern.items())


def _check_item(item: Any, component: Any, prop: str, where: str) -> None:
    if isinstance(component, dict):
        items = item if isinstance(item, list) else [item]
        for one in items:
            if not isinstance(one, dict) or one.get("property") != prop or \
                    not _matches_pattern(one.get("id"), component) or set(one) - ITEM_KEYS:
                msg = f"{where}: not {component}.{prop}"
                raise Refused(msg)
        return
    if not isinstance(item, dict) or item.get("id") != component or \
            item.get("property") != prop or set(item) - ITEM_KEYS:
        msg = f"{where}: not {component}.{prop}"
        raise Refused(msg)


def _check_outputs(body: dict[str, Any], parts: list[tuple[str, str]]) -> None:
    outputs = body.get("outputs")
    if len(parts) == 1 and isinstance(outputs, dict):
        outputs = [outputs]
    if not isinstance(outputs, list) or len(outputs) != len(parts):
        msg = "outputs: count differs from the callback"
        raise Refused(msg)
    for index, (item, (component, prop)) in enumerate(zip(outputs, parts, strict=True)):
        target = _component(component)
        if isinstance(target, dict) and not isinstance(item, list):
            msg = f"outputs[{index}]: expected a list for {component}"
            raise Refused(msg)
        _check_item(item, target, prop, f"outputs[{index}]")


def _check_dependencies(body: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """Every input and state entry, by position; returns the values Dash will pass."""
    values: dict[str, Any] = {}
    for group, key in (("inputs", "inputs"), ("state", "state")):
        sent = body.get(group, [] if group == "state" else None)
        registered = spec.get(key) or []
        if not isinstance(sent, list) or len(sent) != len(registered):
            msg = f"{group}: count differs from the callback"
            raise Refused(msg)
        for index, (item, dep) in enumerate(zip(sent, registered, strict=True)):
            _check_item(item, dep["id"], dep["property"], f"{group}[{index}]")
            if isinstance(dep["id"], str):
                values[f"{dep['id']}.{dep['property']}"] = item.get("value")
    return values


def _content_page(app: dash.Dash, values: dict[str, Any]) -> Page | None:
    """The page Dash's router will lay out for this pathname and query string."""
    pathname = values.get(f"{PAGES_LOCATION}.pathname")
    search = values.get(f"{PAGES_LOCATION}.search")
    if not isinstance(pathname, str) or not isinstance(search, str | None):
        msg = "pathname/search: not text"
        raise Refused(msg)
    if any(ord(c) < 32 or c == "\\" for c in pathname):
        msg = "pathname: control characters or backslash"
        raise Refused(msg)
    query = _pages._parse_query_string(search)
    overrides = PATH_VARIABLES & set(query)
    if overrides:
        msg = f"query string overrides the path: {', '.join(sorted(overrides))}"
        raise Refused(msg)
    page, variables = _pages._path_to_page(app.strip_relative_path(pathname))
    if not page:
        return None  # Dash shows its 404 layout: no data
    kind = PAGE_MODULES.get(str(page.get("module", "")))
    if kind is None:
        msg = f"pathname: page {page.get('module')!r} has no access rule"
        raise Refused(msg)
    subject = next(iter((variables or {}).values()), "")
    if kind in ("queue", "team", "agent", "me") and not subject:
        msg = "pathname: no subject"
        raise Refused(msg)
    return Page(kind, str(subject))


def query_overrides(args: Any) -> list[str]:
    """Query parameters of a page load that would replace a path variable."""
    return sorted(PATH_VARIABLES & set(args))


def verify(app: dash.Dash, body: Any) -> CallbackRequest:
    """The verified request, or `Refused` saying what does not match."""
    if not isinstance(body, dict):
        msg = "body: not a JSON object"
        raise Refused(msg)
    output = body.get("output")
    spec = app.callback_map.get(output) if isinstance(output, str) else None
    if spec is None or "callback" not in spec:
        msg = f"output: no such server callback {str(output)[:80]!r}"
        raise Refused(msg)
    parts = _parts(output)  # type: ignore[arg-type]
    _check_outputs(body, parts)
    values = _check_dependencies(body, spec)
    components = {c for c, _ in parts if not c.startswith("{")}
    if PAGES_CONTENT in components:
        return CallbackRequest(_content_page(app, values), "layout", output, values)  # type: ignore[arg-type]
    rules = {CALLBACK_RULES[c] for c in components if c in CALLBACK_RULES}
    if len(rules) != 1:
        msg = f"output: callback {output[:80]!r} has no access rule"  # type: ignore[index]
        raise Refused(msg)
    kind, store, key, route = rules.pop()
    if not store:
        return CallbackRequest(Page(kind), route, output, values)  # type: ignore[arg-type]
    params = values.get(f"{store}.data")
    subject = params.get(key) if isinstance(params, dict) else None
    if not isinstance(subject, str) or not subject:
        msg = f"state {store}.data: no {key}"
        raise Refused(msg)
    return CallbackRequest(Page(kind, subject), route, output, values)  # type: ignore[arg-type]


# Acknowledgements: the browser's maxLength is a hint; these are the limits.
ACK_NOTE_MAX = 500
ACK_BY_MAX = 64


def ack_target(rows: Any, selected: Any) -> str | None:
    """The alert id an acknowledgement names (the selected row of the active table), None
    when no row is selected; `Refused` when the rows are not what the table sends."""
    if not rows or not selected:
        return None
    if not isinstance(rows, list) or not isinstance(selected, list) or \
            not isinstance(selected[0], int) or not 0 <= selected[0] < len(rows):
        msg = "ack: selection does not name a row"
        raise Refused(msg)
    row = rows[selected[0]]
    alert_id = row.get("id") if isinstance(row, dict) else None
    if not isinstance(alert_id, str) or not alert_id:
        msg = "ack: the selected row has no alert id"
        raise Refused(msg)
    return alert_id


def ack_text_refusal(by: Any, note: Any) -> str | None:
    """Why the typed name or note cannot be stored, or None."""
    for name, value, limit in (("note", note, ACK_NOTE_MAX), ("name", by, ACK_BY_MAX)):
        if value is not None and not isinstance(value, str):
            return f"ack: {name} is not text"
        if value is not None and len(value.strip()) > limit:
            return f"ack: {name} longer than {limit} characters"
    return None


def may_see_alert(who: Principal, alert: Alert, snapshot: Snapshot | None,
                  settings: Settings) -> bool:
    """A team lead sees (and acknowledges) the alerts touching their teams only."""
    if who.via == "open" or who.sees_everyone:
        return True
    if who.role != "team_lead":
        return False
    return any(who.sees_team(team) for team in views.alert_teams(alert, snapshot, settings))
