"""The past-days sections served for real: Dash callbacks over HTTP on 127.0.0.1 and the
queue page in headless Chromium, against a hand-made archive and an empty Redis prefix."""

from __future__ import annotations

import json
import logging
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from dashboard import ids
from dashboard.app import create_app
from tests.archive.helpers import agent_kpis, queue_kpis, write_archive
from tests.dashboard.browser_helpers import class_of, element, text_of, wait_until
from tests.dashboard.conftest import browser

__all__ = ["browser"]  # the headless Chromium fixture of the dashboard tests

NOW = datetime(2026, 3, 8, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai: today is 2026-03-08


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("archive")
    write_archive(base, [
        ("queue", "claims_report", "2026-03-02T09:00:00+08:00", queue_kpis(
            offered=10, answered=8, abandoned=2, short_abandoned=1, answered_in_sl=6,
            asa_s=12.5, handled=7, aht_s=200.0)),
        ("queue", "claims_report", "2026-03-02T09:15:00+08:00", queue_kpis(
            offered=20, answered=18, abandoned=1, answered_in_sl=17, asa_s=10.0, handled=16,
            aht_s=250.0)),
        ("queue", "claims_report", "2026-02-10T09:00:00+08:00", queue_kpis(
            offered=4, answered=4, answered_in_sl=4, asa_s=3.0, handled=4, aht_s=90.0)),
        ("agent", "a001", "2026-03-07T09:00:00+08:00", agent_kpis(
            logged_in_s=900.0, busy_s=450.0, acw_s=90.0, ready_s=180.0, handled=3,
            aht_s=180.0, utilization=0.8, occupancy=0.75)),
    ])
    return base


@pytest.fixture(scope="module")
def base_url(redis_url: str, archive_dir: Path) -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(redis_url, f"wbarch-{uuid.uuid4().hex[:10]}", clock=lambda: NOW,
                     archive_dir=archive_dir)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _callback(base_url: str, outputs: list[tuple[str, str]], inputs: list[dict[str, Any]],
              state: list[dict[str, Any]]) -> dict[str, Any]:
    body = {
        "output": ".." + "...".join(f"{c}.{p}" for c, p in outputs) + "..",
        "outputs": [{"id": c, "property": p} for c, p in outputs],
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }
    request = urllib.request.Request(
        f"{base_url}/_dash-update-component", data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"}, method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        answer: dict[str, Any] = json.loads(reply.read())["response"]
    return answer


DAYS_OUTPUTS = [(ids.Q_DAYS_CHART, "figure"), (ids.Q_PROFILE_CHART, "figure"),
                (ids.Q_DAYS_TABLE, "data"),
                (ids.Q_DAYS_NOTE, "children"), (ids.Q_DAYS_BODY, "className")]


def _queue_days(base_url: str, queue: str, days: int) -> dict[str, Any]:
    return _callback(
        base_url, DAYS_OUTPUTS,
        [{"id": ids.Q_DAYS_CHOICE, "property": "value", "value": days}],
        [{"id": ids.Q_PARAMS, "property": "data", "value": {"queue": queue, "lang": "en"}}],
    )


def test_queue_page_last_7_days_are_the_archived_days_before_today(base_url: str) -> None:
    reply = _queue_days(base_url, "claims_report", 7)

    figure = reply[ids.Q_DAYS_CHART]["figure"]
    assert figure["data"][0]["x"] == ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04",
                                      "2026-03-05", "2026-03-06", "2026-03-07"]
    assert figure["data"][0]["y"] == [None, 30.0, None, None, None, None, None]
    assert figure["data"][1]["y"][1] == pytest.approx(23 / 28 * 100)
    assert reply[ids.Q_DAYS_TABLE]["data"][0] == {
        "day": "Total", "offered": "30", "answered": "26", "abandoned": "3",
        "service_level": "82.1%", "abandon_rate": "7.1%", "asa": "0:10", "aht": "3:54",
    }
    profile = reply[ids.Q_PROFILE_CHART]["figure"]
    assert (profile["data"][0]["x"], profile["data"][0]["y"]) == (["09:00", "09:15"],
                                                                  [10.0, 20.0])
    assert reply[ids.Q_DAYS_NOTE]["children"] == ""
    assert reply[ids.Q_DAYS_BODY]["className"] == "history-body"


def test_queue_page_last_30_days_reach_back_a_month(base_url: str) -> None:
    reply = _queue_days(base_url, "claims_report", 30)

    figure = reply[ids.Q_DAYS_CHART]["figure"]
    assert (figure["data"][0]["x"][0], len(figure["data"][0]["x"])) == ("2026-02-06", 30)
    assert [row["day"] for row in reply[ids.Q_DAYS_TABLE]["data"]] == [
        "Total", "2026-03-02", "2026-02-10"
    ]
    assert reply[ids.Q_DAYS_TABLE]["data"][0]["offered"] == "34"
    # 09:00 happened on two of the days: 10 + 4 contacts, 7 per day.
    assert reply[ids.Q_PROFILE_CHART]["figure"]["data"][0]["y"] == [7.0, 20.0]


def test_a_queue_without_history_says_no_history_yet(base_url: str) -> None:
    reply = _queue_days(base_url, "complaints", 7)

    assert reply[ids.Q_DAYS_NOTE]["children"] == "no history yet"
    assert reply[ids.Q_DAYS_BODY]["className"] == "hidden"
    assert reply[ids.Q_DAYS_TABLE]["data"] == []


def test_me_page_shows_my_last_7_days(base_url: str) -> None:
    reply = _callback(
        base_url,
        [(ids.ME_STATE, "children"), (ids.ME_TABLE, "data"), (ids.ME_ANOMALIES, "children"),
         (ids.ME_WEEK, "columns"), (ids.ME_WEEK, "data"), (ids.ME_WEEK_NOTE, "children"),
         (ids.watch(ids.WD_BEAT, "me"), "data")],
        [{"id": ids.ME_INTERVAL, "property": "n_intervals", "value": 1}],
        [{"id": ids.ME_PARAMS, "property": "data", "value": {"agent": "a001", "lang": "en"}}],
    )

    columns = reply[ids.ME_WEEK]["columns"]
    assert [c["id"] for c in columns][-3:] == ["2026-03-07", "today", "median"]
    rows = {row["kpi"]: row for row in reply[ids.ME_WEEK]["data"]}
    assert [(k, rows[k]["2026-03-07"], rows[k]["2026-03-06"]) for k in rows] == [
        ("AHT", "3:00", "—"), ("Handled", "3", "—"), ("Utilization", "80.0%", "—"),
        ("Occupancy", "75.0%", "—"),
    ]
    assert reply[ids.ME_WEEK_NOTE]["children"] == ""


@pytest.mark.browser
def test_the_7_day_section_renders_on_the_queue_page(browser: Any, base_url: str) -> None:
    browser.get(f"{base_url}/queue/claims_report?lang=en")

    wait_until(lambda: "history-body" in class_of(browser, ids.Q_DAYS_BODY), 20)
    table = element(browser, ids.Q_DAYS_TABLE)
    wait_until(lambda: "Total" in table.text, 10)
    assert "2026-03-02" in table.text
    assert text_of(browser, ids.Q_DAYS_NOTE) == ""
    bars = browser.execute_script(
        "return document.getElementById(arguments[0]).querySelectorAll('.bars path').length;",
        ids.Q_DAYS_CHART,
    )
    assert bars >= 1
