"""A fresh gunicorn worker serves Dash's scripts even when its first requests are parallel.

Dash registers its script paths on the first request, after setting its "done" flag, so
parallel first requests used to fail with "dash is not a registered library" (seen in
`make demo`: the browser asks one worker for the page and another for the scripts).
"""

from __future__ import annotations

import re
import threading

from dashboard.app import create_server


def test_parallel_first_requests_for_scripts_all_succeed(redis_url: str, redis_prefix: str) -> None:
    page = create_server(redis_url, redis_prefix).test_client().get("/wallboard")
    scripts = re.findall(r'/_dash-component-suites/[^"]+', page.get_data(as_text=True))
    assert len(scripts) >= 5
    statuses: list[int] = []
    for _ in range(5):
        fresh = create_server(redis_url, redis_prefix)

        def fetch(path: str, server: object = fresh) -> None:
            statuses.append(server.test_client().get(path).status_code)  # type: ignore[attr-defined]

        threads = [threading.Thread(target=fetch, args=(path,)) for path in scripts]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * (5 * len(scripts))
