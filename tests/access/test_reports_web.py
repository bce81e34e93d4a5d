"""`/reports` on the real dashboard with sign-in on: managers list and open reports, other
roles are refused, every file opened is audited, nothing outside the folder is served."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis
import requests
from werkzeug.serving import make_server

from dashboard.app import create_app
from pipeline.access.audit import AuditLog
from pipeline.access.keys import AccessKeys
from tests.access.conftest import access_settings, sign_in


@pytest.fixture(scope="module")
def site(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    folder = tmp_path_factory.mktemp("reports")
    (folder / "report-day-2026-03-05-zh.html").write_text("<h1>日报</h1>", encoding="utf-8")
    (folder / "report-day-2026-03-05-zh-csv").mkdir()
    (folder / "report-day-2026-03-05-zh-csv" / "summary.csv").write_text("queue\n")
    (folder / ".daily-delivery.json").write_text("{}")
    (folder.parent / "secret.html").write_text("no")
    prefix = f"wbrep-{uuid.uuid4().hex[:10]}"
    app = create_app(redis_url, prefix, access=access_settings(), reports_dir=folder)
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = redis.Redis.from_url(redis_url)
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", client=client,
                              keys=AccessKeys(prefix))
    finally:
        server.shutdown()
        thread.join(timeout=5)
        leftovers = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if leftovers:
            client.delete(*leftovers)
        client.close()


def test_a_manager_lists_and_opens_reports_and_each_file_is_audited(site: Any) -> None:
    manager = sign_in(site, "mona")

    listing = manager.get(f"{site.url}/reports", timeout=10)
    page = manager.get(f"{site.url}/reports/report-day-2026-03-05-zh.html", timeout=10)
    csv = manager.get(f"{site.url}/reports/report-day-2026-03-05-zh-csv/summary.csv",
                      timeout=10)

    assert listing.status_code == 200
    assert 'href="/reports/report-day-2026-03-05-zh.html"' in listing.text
    assert 'href="/reports/report-day-2026-03-05-zh-csv/summary.csv"' in listing.text
    assert ".daily-delivery" not in listing.text
    assert (page.status_code, page.text) == (200, "<h1>日报</h1>")
    assert csv.status_code == 200
    entries = AuditLog(site.client, site.keys).entries(10, action="view_report")
    assert sorted((e.who, e.target) for e in entries) == [
        ("mona", "report-day-2026-03-05-zh-csv/summary.csv"),
        ("mona", "report-day-2026-03-05-zh.html"),
    ]


@pytest.mark.parametrize("user", ["vera", "lee", "ann"])
def test_other_roles_are_refused(site: Any, user: str) -> None:
    session = sign_in(site, user)

    assert session.get(f"{site.url}/reports", timeout=10).status_code == 403
    assert session.get(f"{site.url}/reports/report-day-2026-03-05-zh.html",
                       timeout=10).status_code == 403


def test_nothing_outside_the_folder_or_unlisted_is_served(site: Any) -> None:
    manager = sign_in(site, "adam")

    for name in ("%2e%2e/secret.html", "..%2fsecret.html", ".daily-delivery.json",
                 "report-day-2026-03-05-zh-csv/../../secret.html", "missing.html"):
        response = manager.get(f"{site.url}/reports/{name}", timeout=10)
        assert response.text != "no"
        assert response.status_code == 404 or "/reports/" not in response.url, name
    anonymous = requests.get(f"{site.url}/reports", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/login")
