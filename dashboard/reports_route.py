"""`/reports`: the written reports (`wallboard report`, `wallboard report-schedule`) listed
and served from the reports folder (`WALLBOARD_REPORTS_DIR`, default var/reports).

Plain Flask routes beside the Dash pages: the role check of `dashboard.guard.enforce`
applies (page kind "reports": managers and admins), and every file served is audited
(`view_report`) when sign-in is on. Files are served only from inside the folder.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import flask
from werkzeug.wrappers import Response

from dashboard.guard import client_address, principal
from dashboard.services import ACCESS_EXTENSION, services

SERVED_SUFFIXES = (".html", ".xlsx", ".csv")
STATE_PREFIX = "."  # `.daily-delivery.json` and temp files are not reports


def report_files(folder: Path) -> list[str]:
    """Report files under `folder` as relative POSIX paths, newest report name first."""
    if not folder.is_dir():
        return []
    found = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix in SERVED_SUFFIXES
        and not any(part.startswith(STATE_PREFIX) for part in p.relative_to(folder).parts)
    ]
    return sorted(found, reverse=True)


def register_reports(server: flask.Flask, folder: Path) -> None:
    """Add `/reports` (the list) and `/reports/<file>` (one file) to the Flask server."""

    def listing() -> Response:
        items = "".join(
            f'<li><a href="/reports/{escape(name)}">{escape(name)}</a></li>'
            for name in report_files(folder)
        ) or "<li>—</li>"
        body = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>reports</title>'
                f"</head><body><h1>Reports / 报告</h1><ul>{items}</ul></body></html>")
        return flask.Response(body, mimetype="text/html")

    def one_file(name: str) -> Response:
        if not name.endswith(SERVED_SUFFIXES) or any(
            part.startswith(STATE_PREFIX) for part in name.split("/")
        ):
            flask.abort(404)
        response: Response = flask.send_from_directory(folder.resolve(), name)
        svc = server.extensions.get(ACCESS_EXTENSION)
        if svc is not None and svc.enabled:
            svc.audit.record("view_report", who=principal().name, at=services().clock(),
                             target=name, address=client_address())
        return response

    server.add_url_rule("/reports", "wallboard_reports", listing, methods=["GET"])
    server.add_url_rule("/reports/<path:name>", "wallboard_report_file", one_file,
                        methods=["GET"])
