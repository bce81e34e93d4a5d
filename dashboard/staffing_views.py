"""Pure view logic of the staffing strip (queue page) and the staffing gap tile (wallboard).

Counts are contacts or agents; `aht_s` seconds; intervals are local `HH:MM` of the
configured zone (default Asia/Shanghai). A gap is agents, negative = short (red),
zero or more = covered (green); see `pipeline.staffing.strip` for how it is computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import polars as pl

from dashboard import format as fmt
from dashboard.data import HistoryPoint
from dashboard.format import Status
from dashboard.i18n import Lang, t
from pipeline.staffing.strip import StripInterval


def actuals_from_history(
    queue: str, points: Iterable[HistoryPoint], now: datetime, zone: tzinfo, interval_min: int
) -> pl.DataFrame:
    """Today's actual `offered` and `aht_s` per interval from the per-minute history.

    Each interval takes the last point inside it (its `interval` window), like the
    interval table. Columns `queue, interval_start (aware, zone), offered, aht_s`.
    """
    today = now.astimezone(zone).date()
    last: dict[datetime, tuple[int | None, float | None]] = {}
    for point in points:
        moment = fmt.parse_optional_ts(point.ts)
        if moment is None:
            continue
        local = moment.astimezone(zone)
        if local.date() != today:
            continue
        start = local.replace(
            minute=local.minute - local.minute % interval_min, second=0, microsecond=0
        )
        kpis = point.kpis.get("interval", {})
        last[start] = (kpis.get("offered"), kpis.get("aht_s"))
    zone_name = str(zone)
    return pl.DataFrame(
        {
            "queue": [queue] * len(last),
            "interval_start": sorted(last),
            "offered": [last[s][0] for s in sorted(last)],
            "aht_s": [last[s][1] for s in sorted(last)],
        },
        schema={
            "queue": pl.String,
            "interval_start": pl.Datetime("us", zone_name),
            "offered": pl.Int64,
            "aht_s": pl.Float64,
        },
    )


def gap_status(gap: float | None) -> Status:
    """Red when short of agents, green when covered, none without a gap."""
    if gap is None:
        return "none"
    return "red" if gap < 0 else "green"


def fmt_agents(value: float | None) -> str:
    """Agents as a whole number, or one decimal for roster FTE (`1.5`); None -> "—"."""
    if value is None:
        return fmt.MISSING
    rounded = round(value, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:.1f}"


def gap_text(gap: float | None, lang: Lang) -> str:
    """`3 short` / `2 over` / `even` (agents); None -> "—"."""
    if gap is None:
        return fmt.MISSING
    if gap < 0:
        return t("gap_short", lang, n=fmt_agents(-gap))
    if gap > 0:
        return t("gap_over", lang, n=fmt_agents(gap))
    return t("gap_even", lang)


STRIP_FIELDS: tuple[str, ...] = (
    "interval",
    "forecast",
    "actual",
    "aht",
    "required",
    "required_with_shrinkage",
    "scheduled",
    "staffed",
    "available",
    "gap",
)


def strip_rows(
    strip: Sequence[StripInterval], zone: tzinfo, interval_min: int, lang: Lang
) -> list[dict[str, str]]:
    """Display rows of the strip, oldest first, with `gap_status` and `current` ("1"/"")."""
    step = timedelta(minutes=interval_min)
    rows = []
    for item in strip:
        start = item.start.astimezone(zone)
        rows.append(
            {
                "interval": f"{start:%H:%M}–{start + step:%H:%M}",
                "forecast": f"{item.forecast:.1f}",
                "actual": fmt.fmt_count(item.actual),
                "aht": fmt.fmt_duration(item.aht_s),
                "required": fmt_agents(item.required),
                "required_with_shrinkage": fmt_agents(item.required_with_shrinkage),
                "scheduled": fmt_agents(item.scheduled),
                "staffed": fmt_agents(item.staffed),
                "available": fmt_agents(item.available),
                "gap": gap_text(item.gap, lang),
                "gap_status": gap_status(item.gap),
                "current": "1" if item.current else "",
            }
        )
    return rows


@dataclass(frozen=True)
class GapTile:
    """The wallboard's staffing gap tile: hidden when no shown queue has a forecast."""

    hidden: bool
    text: str
    status: Status


def gap_tile(current_gaps: Sequence[float | None], lang: Lang) -> GapTile:
    """Sum of the current interval's gaps of the shown queues that have a forecast.

    `current_gaps` has one entry per such queue (None: no gap known now, e.g. no snapshot);
    an empty sequence hides the tile.
    """
    if not current_gaps:
        return GapTile(hidden=True, text=fmt.MISSING, status="none")
    known = [gap for gap in current_gaps if gap is not None]
    if not known:
        return GapTile(hidden=False, text=fmt.MISSING, status="none")
    total = sum(known)
    return GapTile(hidden=False, text=gap_text(total, lang), status=gap_status(total))
