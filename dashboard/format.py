"""Pure formatting and colouring of KPI values for display.

Ratios are 0..1 and shown as percentages; durations are seconds and shown as `m:ss` or
`h:mm:ss`; missing values (None, no data) are shown as "—", never as "0 %" or an error.
Times are shown in the configured zone. Nothing here reads the wall clock: the caller
passes `now` in.
"""

from __future__ import annotations

import html
import math
import re
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal
from urllib.parse import quote

from schemas.timefmt import parse_ts

MISSING = "—"
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# A traffic-light status; "none" when there is no value to judge.
Status = Literal["green", "amber", "red", "none"]
_STATUS_ORDER: dict[Status, int] = {"none": 0, "green": 1, "amber": 2, "red": 3}


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_ratio(value: float | None, digits: int = 1) -> str:
    """A ratio 0..1 as a percentage, `0.853 -> "85.3%"`; None -> "—".

    One decimal by default so a value just under a target (0.795 against 0.80) never reads
    as the target itself.
    """
    if value is None or _missing(value):
        return MISSING
    # Half-up like a spreadsheet (0.8125 -> 81.3 %), from the shortest decimal repr.
    percent = (Decimal(repr(value)) * 100).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return f"{percent}%"


def fmt_duration(seconds: float | None) -> str:
    """Seconds as `m:ss` (under an hour) or `h:mm:ss`, rounded down; None -> "—"."""
    if seconds is None or _missing(seconds):
        return MISSING
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def fmt_duration_short(seconds: float | None) -> str:
    """Seconds in at most 5 characters for the wallboard's narrow cells: `m:ss` under 100
    minutes (`99:59`), then hours and minutes (`1h45`, `12h05`); rounded down."""
    if seconds is None or _missing(seconds):
        return MISSING
    total = max(0, int(seconds))
    if total < 100 * 60:
        return f"{total // 60}:{total % 60:02d}"
    return f"{total // 3600}h{total % 3600 // 60:02d}"


def fmt_count(value: int | None) -> str:
    """An integer count; None -> "—"."""
    return MISSING if value is None else str(value)


def fmt_seconds_threshold(seconds: float) -> str:
    """A configured threshold in seconds without a needless `.0` (`20.0 -> "20"`)."""
    return f"{seconds:g}"


def fmt_clock(moment: datetime, zone: tzinfo) -> str:
    """`hh:mm:ss` of an aware datetime in `zone`."""
    return moment.astimezone(zone).strftime("%H:%M:%S")


def fmt_ts_clock(text: str | None, zone: tzinfo) -> str:
    """`hh:mm:ss` of an RFC 3339 timestamp in `zone`; None or unparsable -> "—"."""
    moment = parse_optional_ts(text)
    return MISSING if moment is None else fmt_clock(moment, zone)


def fmt_ts_datetime(text: str | None, zone: tzinfo) -> str:
    """`YYYY-MM-DD hh:mm:ss` of an RFC 3339 timestamp in `zone`; None -> "—"."""
    moment = parse_optional_ts(text)
    return MISSING if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def parse_optional_ts(text: str | None) -> datetime | None:
    """An RFC 3339 timestamp with offset, or None when absent or invalid."""
    if not text:
        return None
    try:
        return parse_ts(text)
    except ValueError:
        return None


def seconds_since(text: str | None, now: datetime) -> float | None:
    """Seconds from the timestamp `text` to `now` (never negative); None when unknown."""
    moment = parse_optional_ts(text)
    if moment is None:
        return None
    return max(0.0, (now - moment).total_seconds())


def sl_status(service_level: float | None, target: float, warn_margin: float) -> Status:
    """Red below `target`, amber while `target <= SL < target + warn_margin`, else green."""
    if service_level is None or _missing(service_level):
        return "none"
    if service_level < target:
        return "red"
    # Rounded so 0.80 + 0.05 is 0.85, not 0.8500000000000001.
    if service_level < round(target + warn_margin, 9):
        return "amber"
    return "green"


def wait_status(longest_wait_s: float | None, breach_s: float) -> Status:
    """Red at `breach_s` and above, amber from half of it; nobody waiting -> green."""
    if longest_wait_s is None or _missing(longest_wait_s):
        return "green"
    if longest_wait_s >= breach_s:
        return "red"
    if longest_wait_s >= breach_s / 2:
        return "amber"
    return "green"


def abandon_status(abandon_rate: float | None, spike_rate: float) -> Status:
    """Red above the abandon-spike rate, amber above half of it; no contacts -> "none"."""
    if abandon_rate is None or _missing(abandon_rate):
        return "none"
    if abandon_rate > spike_rate:
        return "red"
    if abandon_rate > spike_rate / 2:
        return "amber"
    return "green"


def asa_status(asa_s: float | None, sl_threshold_s: float) -> Status:
    """Green while the average answer (seconds) is within the queue's SL threshold, amber up
    to twice it, red beyond; nothing answered -> "none"."""
    if asa_s is None or _missing(asa_s):
        return "none"
    if asa_s <= sl_threshold_s:
        return "green"
    if asa_s <= 2 * sl_threshold_s:
        return "amber"
    return "red"


def ready_status(ready: int | None, in_queue: int | None) -> Status:
    """Red when no agent is ready while contacts wait; green with someone ready."""
    if ready is None:
        return "none"
    if ready == 0 and (in_queue or 0) > 0:
        return "red"
    return "green" if ready > 0 else "none"


Trend = Literal["up", "down", "flat", "none"]
TREND_ARROWS: dict[Trend, str] = {"up": "▲", "down": "▼", "flat": "▶", "none": ""}


def trend(recent: float | None, baseline: float | None, dead_band: float) -> Trend:
    """Direction of `recent` (the rolling 15 min) against `baseline` (the rolling 60 min):
    "flat" within `dead_band` (same unit as the values), "none" when either is missing."""
    if recent is None or baseline is None or _missing(recent) or _missing(baseline):
        return "none"
    if recent > baseline + dead_band:
        return "up"
    if recent < baseline - dead_band:
        return "down"
    return "flat"


def worst(*statuses: Status) -> Status:
    """The most severe of several statuses (red > amber > green > none)."""
    return max(statuses, key=_STATUS_ORDER.__getitem__, default="none")


def is_stale(processed_at: datetime | None, now: datetime, stale_after_s: float) -> bool:
    """Data is stale when the pipeline's last tick is unknown or older than `stale_after_s`."""
    if processed_at is None:
        return True
    return (now - processed_at).total_seconds() > stale_after_s


def markdown_text(text: str) -> str:
    """Text from events shown literally in a Markdown table cell: every ASCII punctuation
    character backslash-escaped (no link, emphasis or HTML can form), control
    characters as spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", text))


def agent_link(agent_id: str) -> str:
    """Markdown link to an agent's page: the id as literal text, percent-encoded in the
    path, so no id can make a link elsewhere."""
    return f"[{markdown_text(agent_id)}](/agent/{quote(agent_id, safe='@')})"


def plot_text(text: str) -> str:
    """Text for Plotly labels and hover texts, which render a subset of HTML (`<a href>`,
    `<b>`...): `<`, `>` and `&` as entities, so it shows as typed."""
    return html.escape(text, quote=False)
