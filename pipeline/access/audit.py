"""The audit trail: who did what, when, in two streams.

`<prefix>:audit` (MAXLEN ~ `access.audit_maxlen`) holds what signed-in people, screens
and operators did: `sign_in`, `sign_out`, `access_denied` (a refused page or callback,
with the reason), `view_agent` (a drill-down to one agent's numbers), `view_report` (a
report file opened from `/reports`), `alert_ack`, `config_change`. Nobody can write to
it without signing in first.
`<prefix>:audit:refused` (MAXLEN ~ `access.audit_refused_maxlen`) holds what anonymous
traffic caused: `sign_in_failed`, `sign_in_limited` (the first refusal of a pair or
address in a window), `session_refused` (a cookie matching no session),
`unauthenticated` (a callback without sign-in). A flood of refused attempts turns over
that stream only. `wallboard audit [--refused]` lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import redis

from pipeline.access.keys import AccessKeys

AuditAction = Literal[
    "sign_in",
    "session_refused",
    "unauthenticated",
    "sign_in_failed",
    "sign_in_limited",
    "sign_out",
    "access_denied",
    "view_agent",
    "view_report",
    "alert_ack",
    "config_change",
]
FIELD_LIMIT = 512  # characters per field: a hostile user name cannot bloat the stream


@dataclass(frozen=True)
class AuditEntry:
    """`at` is RFC 3339 with offset; `who` a user name, `screen:<name>` or `cli:<user>`."""

    entry_id: str
    at: str
    who: str
    action: str
    target: str
    detail: str
    address: str


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class AuditLog:
    def __init__(
        self,
        client: redis.Redis,
        keys: AccessKeys,
        maxlen: int = 100_000,
        *,
        refused: bool = False,
    ) -> None:
        """The authenticated trail, or with `refused` the stream of refused traffic."""
        self._client = client
        self._key = keys.audit_refused() if refused else keys.audit()
        self._maxlen = maxlen

    def record(
        self,
        action: AuditAction,
        *,
        who: str,
        at: datetime,
        target: str = "",
        detail: str = "",
        address: str = "",
    ) -> str:
        """Append one entry (`at` aware); returns its stream id."""
        fields = {
            "at": at.isoformat(timespec="seconds"),
            "who": who[:FIELD_LIMIT],
            "action": action,
            "target": target[:FIELD_LIMIT],
            "detail": detail[:FIELD_LIMIT],
            "address": address[:FIELD_LIMIT],
        }
        entry_id = self._client.xadd(
            self._key, fields,  # type: ignore[arg-type]
            maxlen=self._maxlen, approximate=True,
        )
        return _text(entry_id)

    def entries(self, count: int = 100, action: str | None = None) -> list[AuditEntry]:
        """The newest `count` entries (optionally of one action), newest first."""
        rows = self._client.xrevrange(self._key, count=count if not action else None)
        out = []
        for entry_id, raw in rows or []:
            f = {_text(k): _text(v) for k, v in (raw or {}).items()}
            if action and f.get("action") != action:
                continue
            out.append(AuditEntry(
                entry_id=_text(entry_id), at=f.get("at", ""), who=f.get("who", ""),
                action=f.get("action", ""), target=f.get("target", ""),
                detail=f.get("detail", ""), address=f.get("address", ""),
            ))
            if len(out) >= count:
                break
        return out
