"""Pure view logic of the staffing strip (queue page) and the staffing gap tile (wallboard).

Counts are contacts or agents; `aht_s` seconds; intervals are local `HH:MM` of the
configured zone (default Asia/Shanghai). A gap is agents, negative = short (red),
zero or more = covered (green); see `pipeline.staffing.strip` for how it is computed
(re-forecast volume, Erlang C and, with a patience, Erlang A).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from pathlib import Path

import polars as pl

from dashboard import format as fmt
from dashboard.format import Status
from dashboard.i18n import Lang, t
from pipeline.staffing.patience import MIN_ABANDONS
from pipeline.staffing.strip import StaffingStrip, StripInterval
from schemas.config import Settings
from schemas.snapshot import Snapshot
from schemas.timefmt import parse_ts


def with_snapshot_interval(
    actuals: pl.DataFrame,
    queue: str,
    snapshot: Snapshot | None,
    zone: tzinfo,
    interval_min: int,
) -> pl.DataFrame:
    """`actuals` with the current interval's `offered` and `aht_s` from the snapshot's
    `interval` window, which is up to a minute fresher than the last history point.

    Unchanged without a snapshot or without the queue in it.
    """
    entry = snapshot.queues.get(queue) if snapshot is not None else None
    if snapshot is None or entry is None:
        return actuals
    local = parse_ts(snapshot.now).astimezone(zone)
    start = local.replace(
        minute=local.minute - local.minute % interval_min, second=0, microsecond=0
    )
    current = pl.DataFrame(
        {
            "queue": [queue],
            "interval_start": [start],
            "offered": [entry.interval.offered],
            "aht_s": [entry.interval.aht_s],
        },
        schema=actuals.schema,
    )
    same = pl.col("interval_start") == pl.lit(start).dt.convert_time_zone(str(zone))
    kept = actuals.filter(~((pl.col("queue") == queue) & same))
    return pl.concat([kept, current]).sort("interval_start")


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
    "reforecast",
    "actual",
    "aht",
    "required_erlang_c",
    "required_erlang_a",
    "required_with_shrinkage",
    "scheduled",
    "staffed",
    "available",
    "gap",
)


def strip_fields(strip: StaffingStrip) -> tuple[str, ...]:
    """The strip's columns: the Erlang A column only when a patience is known."""
    if strip.patience is None:
        return tuple(f for f in STRIP_FIELDS if f != "required_erlang_a")
    return STRIP_FIELDS


def fmt_volume(contacts: float | None) -> str:
    """Forecast contacts with one decimal (`12.3`); None -> "—"."""
    return fmt.MISSING if contacts is None else f"{contacts:.1f}"


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
                "forecast": fmt_volume(item.forecast),
                "reforecast": fmt_volume(item.reforecast),
                "actual": fmt.fmt_count(item.actual),
                "aht": fmt.fmt_duration(item.aht_s),
                "required_erlang_c": fmt_agents(item.required_erlang_c),
                "required_erlang_a": fmt_agents(item.required_erlang_a),
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


def strip_caption(strip: StaffingStrip, min_forecast: float, lang: Lang) -> list[str]:
    """Two lines under the strip's title: how the rest of today was re-forecast, and which
    model (and patience) gives "required" and the gap.

    `min_forecast` is `[staffing] intraday_min_forecast` (contacts).
    """
    actual, forecast = fmt_volume(strip.actual_so_far), fmt_volume(strip.forecast_so_far)
    if strip.intraday_factor is None:
        reforecast = t("strip_day_closed", lang, actual=actual, forecast=forecast)
    elif strip.forecast_so_far < max(min_forecast, 1e-9):
        reforecast = t(
            "strip_not_rescaled",
            lang,
            actual=actual,
            forecast=forecast,
            min=fmt.fmt_seconds_threshold(min_forecast),
        )
    else:
        reforecast = t(
            "strip_rescaled",
            lang,
            actual=actual,
            forecast=forecast,
            factor=f"{strip.intraday_factor:.2f}",
        )
    patience = strip.patience
    if patience is None:
        model = t("strip_erlang_c_only", lang, min=MIN_ABANDONS)
    else:
        model = t(
            f"strip_patience_{patience.source}",
            lang,
            patience=_seconds(patience.seconds),
            min=MIN_ABANDONS,
        )
    return [reforecast, model]


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value < 60 else f"{fmt.fmt_duration(value)} ({value:.0f} s)"


@dataclass(frozen=True)
class GapTile:
    """The wallboard's staffing gap tile: hidden when no shown queue has a forecast."""

    hidden: bool
    text: str
    status: Status


def forecast_source_line(source: str, settings: Settings, lang: Lang) -> str:
    """Which forecast the strip uses: the archive's history or the configured file."""
    if source == "archive":
        return t("forecast_source_archive", lang, weeks=settings.staffing.profile_weeks)
    return t("forecast_source_configured", lang,
             file=Path(settings.staffing.forecast or "").name)


def no_forecast_text(settings: Settings, file_error: str | None, lang: Lang) -> str:
    """Why there is no strip: no history and no (readable, covering) forecast file."""
    if not settings.staffing.forecast:
        return t("no_forecast", lang)
    if file_error:
        return t("forecast_file_unreadable", lang, error=file_error)
    return t("no_forecast_in_file", lang, file=Path(settings.staffing.forecast).name)


def gap_source_text(sources: Sequence[str], lang: Lang) -> str:
    """The gap tile's note on its forecast ("" without one; archive when mixed)."""
    if not sources:
        return ""
    return t("gap_source_configured" if set(sources) == {"configured"} else
             "gap_source_archive", lang)


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
