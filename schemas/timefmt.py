"""Timestamp formatting shared by every writer of the snapshot JSON."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def from_epoch(seconds: float, zone: tzinfo) -> datetime:
    """A Unix time (seconds) as an aware datetime in `zone`."""
    return datetime.fromtimestamp(seconds, tz=UTC).astimezone(zone)


def format_ts(value: datetime | float, zone: tzinfo) -> str:
    """RFC 3339 in `zone`; microseconds only when non-zero (`2026-03-02T09:15:00+08:00`)."""
    moment = from_epoch(value, zone) if isinstance(value, int | float) else value.astimezone(zone)
    return moment.isoformat()


def parse_ts(text: str) -> datetime:
    """Parse an RFC 3339 timestamp that carries an offset; raise ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        msg = f"timestamp {text!r} has no UTC offset"
        raise ValueError(msg)
    return moment
