"""A real webhook receiver on 127.0.0.1 and helpers to build settings and alerts."""

from __future__ import annotations

import threading
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from schemas.config import Settings, parse_settings
from schemas.snapshot import Alert
from tests.conftest import SAMPLE_CONFIG

TOKEN = "tok-3f9a2b7c1d"  # the secret part of every test webhook URL
SIGNING_SECRET = "SEC-9c8b7a6d5e4f"


@dataclass(frozen=True)
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when the request arrived


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"errcode":0,"errmsg":"ok"}'
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class WebhookServer:
    """Records every POST; answers with the queued `Reply`s in order, then `default`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.replies: list[Reply] = []
        self.default = Reply()
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                parts = urlsplit(self.path)
                with server.lock:
                    server.received.append(
                        Received(
                            parts.path,
                            parse_qs(parts.query),
                            dict(self.headers.items()),
                            body,
                            time.monotonic(),
                        )
                    )
                    reply = server.replies.pop(0) if server.replies else server.default
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str = "/hook") -> str:
        return f"{self.base}{path}?access_token={TOKEN}"

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        with self.lock:
            return list(self.received)


@pytest.fixture
def webhook() -> Iterator[WebhookServer]:
    server = WebhookServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def sample_settings(notify: dict[str, Any], **top: Any) -> Settings:
    """The shipped sample configuration with this `[notify]` table."""
    data = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    data["notify"] = notify
    data.update(top)
    return parse_settings(data)


FAST_RETRY: dict[str, Any] = {
    "max_attempts": 3,
    "base_delay_s": 0.05,
    "max_delay_s": 0.2,
    "timeout_s": 0.5,
}


def sl_breach(
    raised_at: str = "2026-03-02T09:15:00+08:00", cleared_at: str | None = None, n: int = 0
) -> Alert:
    return Alert(
        id=f"sl_breach:claims_report:{1772414100 + n}",
        kind="sl_breach",
        severity="critical",
        subject="queue:claims_report",
        raised_at=raised_at,
        cleared_at=cleared_at,
        evidence={"service_level": 0.725, "target": 0.8, "contacts": 40},
    )


def long_away(agent: str = "a017", severity: str = "warning") -> Alert:
    return Alert(
        id=f"long_away:{agent}:1772413200",
        kind="long_away",
        severity=severity,  # type: ignore[arg-type]
        subject=f"agent:{agent}",
        raised_at="2026-03-02T09:15:00+08:00",
        cleared_at=None,
        evidence={"reason": "break", "limit_s": 900},
    )
