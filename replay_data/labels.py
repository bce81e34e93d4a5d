"""Ground-truth labels: one JSON object per line for every injected anomaly and dirt.

Anomaly labels use the alert kinds of `docs/kpi-semantics.md` §5 and the subject format
of the alerts (`agent:<id>`, `queue:<q>`); `at` is when the alert is expected to be
raised (RFC 3339 in the configured zone). Dirt labels use `dirt.duplicate`,
`dirt.out_of_order` and `dirt.malformed` and name the 0-based line of the events file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from schemas.timefmt import format_ts

Label = dict[str, Any]


def anomaly_label(
    kind: str, subject: str, at: int, zone: ZoneInfo, **details: Any
) -> Label:
    """A label for an alert of `kind` expected at epoch second `at`."""
    return {"kind": kind, "subject": subject, "at": format_ts(at, zone), **details}


def label_sort_key(label: Label) -> tuple[str, str, str, int]:
    return (label.get("at", ""), label["kind"], label.get("subject", ""), label.get("line", -1))


def labels_to_bytes(labels: list[Label]) -> bytes:
    """JSON Lines, keys sorted, one label per line, ordered by (at, kind, subject, line)."""
    ordered = sorted(labels, key=label_sort_key)
    return b"".join(orjson.dumps(x, option=orjson.OPT_SORT_KEYS) + b"\n" for x in ordered)


def read_labels(path: str | Path) -> list[Label]:
    """Read a labels file back (one JSON object per line)."""
    text = Path(path).read_bytes()
    return [orjson.loads(line) for line in text.splitlines() if line.strip()]
