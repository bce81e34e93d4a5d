"""Redis over TLS (`rediss://`) with an ACL user, end to end: the dataflow writes, the
dashboard signs a user in (audit, limiter, session key) and reads, the CLI lists the audit.
Uses Debian's redis-server (built with TLS) and a throw-away CA made with openssl."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import requests
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.data import WallboardData
from pipeline.cli import main
from pipeline.flow import build_flow
from pipeline.redis_server import free_port
from pipeline.runner import run_flow
from pipeline.sinks import RedisStateSink
from pipeline.sources import FileReplaySource
from schemas.config import Settings
from tests.access.conftest import PASSWORD, access_settings
from tests.conftest import REPO
from tests.dashboard.fixtures import sample_settings

REDIS = shutil.which("redis-server")
OPENSSL = shutil.which("openssl")
ACL_USER = "wallboard"
ACL_PASSWORD = "acl-secret-9f2"


def _make_certificates(folder: Path) -> None:
    def openssl(*args: str) -> None:
        subprocess.run([str(OPENSSL), *args], check=True, capture_output=True, cwd=folder)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=wallboard test CA", "-keyout", "ca.key", "-out", "ca.crt")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", "server.key", "-out", "server.csr")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "server.crt")


@pytest.fixture(scope="module")
def tls_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if REDIS is None or OPENSSL is None:
        pytest.skip("needs redis-server built with TLS and openssl")
    folder = tmp_path_factory.mktemp("tls-redis")
    _make_certificates(folder)
    port = free_port()
    process = subprocess.Popen(
        [REDIS, "--port", "0", "--tls-port", str(port), "--bind", "127.0.0.1",
         "--tls-cert-file", "server.crt", "--tls-key-file", "server.key",
         "--tls-ca-cert-file", "ca.crt", "--tls-auth-clients", "no", "--save", "",
         "--appendonly", "no", "--dir", str(folder),
         "--user", "default", "off",
         "--user", ACL_USER, "on", f">{ACL_PASSWORD}", "~wbtls:*", "+@all"],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    ca = quote(str(folder / "ca.crt"))
    url = (f"rediss://{ACL_USER}:{ACL_PASSWORD}@127.0.0.1:{port}/0"
           f"?ssl_cert_reqs=required&ssl_ca_certs={ca}")
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_pipeline_dashboard_and_cli_work_over_tls_with_an_acl_user(
    tls_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A plain-text connection or a wrong password is refused: TLS and ACL are real.
    port = tls_url.split("@127.0.0.1:")[1].split("/", maxsplit=1)[0]
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_timeout=1).ping()
    with pytest.raises(redis.AuthenticationError):
        redis.Redis.from_url(tls_url.replace(ACL_PASSWORD, "wrong")).ping()

    with gzip.open(REPO / "replay_data" / "sample_day.jsonl.gz", "rt") as day:
        (tmp_path / "events.jsonl").write_text("".join(next(day) for _ in range(300)))
    settings = Settings.model_validate({**sample_settings().model_dump(),
                                        "redis_prefix": "wbtls"})
    run_flow(build_flow(settings, FileReplaySource(tmp_path / "events.jsonl", 0),
                        RedisStateSink(tls_url, settings)))
    assert WallboardData(tls_url, "wbtls").floor().snapshot is not None

    app = create_app(tls_url, "wbtls", access=access_settings())
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = requests.post(f"http://127.0.0.1:{server.server_port}/login",
                                 data={"username": "mona", "password": PASSWORD},
                                 allow_redirects=False, timeout=10)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert response.status_code == 302

    assert main(["audit", "--redis-url", tls_url, "--prefix", "wbtls"]) == 0
    assert capsys.readouterr().out.split("\t")[1:3] == ["mona", "sign_in"]
