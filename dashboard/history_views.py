"""Pure view models of past days (the Parquet archive): query results in, rows and series
out. Days are local dates of the configured zone; ratios 0..1 (shown as percentages),
durations seconds (shown as `m:ss`). Totals over several days are recomputed from summed
counts, ASA weighted by answered and AHT by handled contacts — never averaged ratios.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from dashboard import format as fmt
from dashboard.components import column
from dashboard.i18n import Lang, t
from pipeline.archive.query import AgentDay, ProfileSlot, QueueDay, past_days
from pipeline.kpi_math import ratio, service_level
from schemas.snapshot import AgentKpis

HISTORY_DAYS: tuple[int, ...] = (7, 30)
MY_HISTORY_DAYS = 7
# (i18n key, attribute of AgentDay / AgentKpis, kind) of the "my last 7 days" table.
MY_WEEK_ROWS: tuple[tuple[str, str, str], ...] = (
    ("aht", "aht_s", "duration"),
    ("handled", "handled", "count"),
    ("utilization", "utilization", "ratio"),
    ("occupancy", "occupancy", "ratio"),
)


def range_days(today: date, days: int) -> list[date]:
    """Every local day of the `days` whole days before `today`, oldest first."""
    first, _last = past_days(today, days)
    return [first + timedelta(days=n) for n in range(days)]


@dataclass
class DailySeries:
    """One point per day of the range; None where the archive has no interval that day."""

    days: list[str] = field(default_factory=list)  # YYYY-MM-DD
    offered: list[int | None] = field(default_factory=list)
    service_level: list[float | None] = field(default_factory=list)


def daily_series(rows: Iterable[QueueDay], today: date, days: int) -> DailySeries:
    by_day = {row.day: row for row in rows}
    series = DailySeries()
    for day in range_days(today, days):
        row = by_day.get(day)
        series.days.append(day.isoformat())
        series.offered.append(row.offered if row else None)
        series.service_level.append(row.service_level if row else None)
    return series


@dataclass
class ProfileSeries:
    """The typical day: per interval start (`HH:MM` local), contacts offered per day that
    had the interval, and the service level over all those days (0..1)."""

    slots: list[str] = field(default_factory=list)
    offered_per_day: list[float] = field(default_factory=list)
    service_level: list[float | None] = field(default_factory=list)


def profile_series(slots: Iterable[ProfileSlot]) -> ProfileSeries:
    series = ProfileSeries()
    for slot in slots:
        series.slots.append(slot.slot)
        series.offered_per_day.append(slot.offered_per_day)
        series.service_level.append(slot.service_level)
    return series


def period_total(rows: Sequence[QueueDay]) -> QueueDay | None:
    """The days summed into one (its `day` is the last day); None when there are none."""
    if not rows:
        return None
    offered = sum(r.offered for r in rows)
    answered = sum(r.answered for r in rows)
    abandoned = sum(r.abandoned for r in rows)
    short = sum(r.short_abandoned for r in rows)
    in_sl = sum(r.answered_in_sl for r in rows)
    handled = sum(r.handled for r in rows)
    wait = sum((r.asa_s or 0.0) * r.answered for r in rows)
    handle = sum((r.aht_s or 0.0) * r.handled for r in rows)
    return QueueDay(
        day=max(r.day for r in rows), offered=offered, answered=answered, abandoned=abandoned,
        short_abandoned=short, answered_in_sl=in_sl, handled=handled,
        service_level=service_level(in_sl, answered, abandoned, short),
        abandon_rate=ratio(abandoned - short, answered + abandoned - short),
        asa_s=ratio(wait, answered), aht_s=ratio(handle, handled),
    )


def queue_day_columns(lang: Lang) -> list[dict[str, Any]]:
    return [
        column(t("date", lang), "day"),
        column(t("offered", lang), "offered"),
        column(t("answered", lang), "answered"),
        column(t("abandoned", lang), "abandoned"),
        column(t("service_level", lang), "service_level"),
        column(t("abandon_rate", lang), "abandon_rate"),
        column(t("asa", lang), "asa"),
        column(t("aht", lang), "aht"),
    ]


def _queue_day_row(label: str, row: QueueDay) -> dict[str, str]:
    return {
        "day": label,
        "offered": fmt.fmt_count(row.offered),
        "answered": fmt.fmt_count(row.answered),
        "abandoned": fmt.fmt_count(row.abandoned),
        "service_level": fmt.fmt_ratio(row.service_level),
        "abandon_rate": fmt.fmt_ratio(row.abandon_rate),
        "asa": fmt.fmt_duration(row.asa_s),
        "aht": fmt.fmt_duration(row.aht_s),
    }


def queue_day_rows(rows: Sequence[QueueDay], lang: Lang) -> list[dict[str, str]]:
    """The period's total first, then one row per archived day, newest first."""
    total = period_total(rows)
    if total is None:
        return []
    days = [_queue_day_row(r.day.isoformat(), r) for r in sorted(rows, key=lambda r: r.day,
                                                                   reverse=True)]
    return [_queue_day_row(t("total", lang), total), *days]


def history_note(has_rows: bool, lang: Lang) -> str:
    """Shown instead of the charts when the archive has nothing for the range."""
    return "" if has_rows else t("no_history", lang)


def my_week_columns(today: date, lang: Lang) -> list[dict[str, Any]]:
    """KPI, one column per past day (`MM-DD`), then today and the team median today."""
    days = [column(f"{d:%m-%d}", d.isoformat()) for d in range_days(today, MY_HISTORY_DAYS)]
    return [
        column(t("kpi", lang), "kpi"),
        *days,
        column(t("today", lang), "today"),
        column(t("team_median", lang), "median"),
    ]


def _fmt(value: Any, kind: str) -> str:
    if kind == "ratio":
        return fmt.fmt_ratio(value)
    if kind == "duration":
        return fmt.fmt_duration(value)
    return fmt.fmt_count(value)


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def my_week_rows(
    history: Sequence[AgentDay],
    today: date,
    mine_today: AgentKpis | None,
    team_today: Sequence[AgentKpis],
    lang: Lang,
) -> list[dict[str, str]]:
    """Rows KPI (AHT, handled, utilization, occupancy) × the past 7 days, today (the
    snapshot's `day` window) and the median of the team's agents today."""
    by_day = {row.day: row for row in history}
    rows = []
    for key, attr, kind in MY_WEEK_ROWS:
        row = {"kpi": t(key, lang)}
        for day in range_days(today, MY_HISTORY_DAYS):
            archived = by_day.get(day)
            row[day.isoformat()] = _fmt(getattr(archived, attr) if archived else None, kind)
        row["today"] = _fmt(getattr(mine_today, attr) if mine_today else None, kind)
        median = _median(getattr(k, attr) for k in team_today)
        row["median"] = (f"{median:g}" if kind == "count" and median is not None
                         else _fmt(median, kind))
        rows.append(row)
    return rows
