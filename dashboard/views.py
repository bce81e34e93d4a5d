"""Pure view models: turn snapshot models and settings into what a page shows.

No Redis, no Dash, no wall clock: `now` (aware datetime) is passed in. Texts come from
`dashboard.i18n`, numbers from `dashboard.format`.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from dashboard import format as fmt
from dashboard.data import HistoryPoint
from dashboard.format import Status
from dashboard.i18n import Lang, queue_name, state_label, t
from dashboard.interval_views import IntervalActuals
from schemas.config import Settings
from schemas.snapshot import (
    WINDOWS,
    AgentEntry,
    Alert,
    QueueEntry,
    QueueKpis,
    QueueWindows,
    Snapshot,
)

# The wallboard shows one row per queue (and the floor's row first); every field below is
# one text on it. `*_trend` fields hold an arrow: the rolling 15 min against the rolling
# 60 min (▲ higher, ▼ lower, ▶ within the dead band), coloured better/worse.
TILE_FIELDS: tuple[str, ...] = (
    "in_queue",
    "longest_wait",
    "sl",
    "sl_trend",
    "sl_target",
    "sl_day",
    "abandon_rate",
    "abandon_trend",
    "abandon_day",
    "asa",
    "asa_trend",
    "ready",
)
# Dead bands of the trend arrows: 1 percentage point for ratios, 5 s for ASA.
RATIO_TREND_BAND = 0.01
ASA_TREND_BAND_S = 5.0
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
# Most queue rows one wallboard shows (a TV fits far fewer; `?queues=` or `?site=` pick
# others). Bounds the page's layout and refresh payload whatever the input names.
WALLBOARD_MAX_QUEUES = 48
# Which way is better for each trend field (SL up is good, abandons and ASA up are bad).
_HIGHER_IS_BETTER = {"sl_trend": True, "abandon_trend": False, "asa_trend": False}


# ---------------------------------------------------------------- wallboard
@dataclass(frozen=True)
class TileView:
    """One wallboard row (a queue, or the whole floor): display texts per field, the
    traffic-light status of the coloured fields and the better/worse of each trend arrow."""

    key: str
    title: str
    formula: str
    values: dict[str, str]
    statuses: dict[str, Status]
    trends: dict[str, str]
    status: Status


def select_queues(
    settings: Settings, snapshot: Snapshot | None, queues: str | None, site: str | None
) -> list[str]:
    """Queues a wallboard shows: `queues=a,b` as given, else those of `site=x`, else all,
    at most `WALLBOARD_MAX_QUEUES` of them.

    Configured queues come first in configuration order, then the other queues the
    snapshot carries, busiest first (day offered, then name), so the page stays bounded
    whatever the input names.
    """
    if queues:
        return [q.strip() for q in queues.split(",") if q.strip()][:WALLBOARD_MAX_QUEUES]
    known = list(settings.queues)
    if snapshot is not None:
        others = [
            (name, entry) for name, entry in snapshot.queues.items() if name not in settings.queues
        ]
        others.sort(key=lambda item: (-_day_offered(item[1]), item[0]))
        known += [name for name, _entry in others]
    if site:
        known = [q for q in known if _queue_site(settings, snapshot, q) == site]
    return known[:WALLBOARD_MAX_QUEUES]


def _day_offered(entry: QueueEntry) -> int:
    return entry.day.offered


def _queue_site(settings: Settings, snapshot: Snapshot | None, queue: str) -> str:
    if snapshot is not None and queue in snapshot.queues:
        return snapshot.queues[queue].site
    return settings.queue_site(queue)


def _trend(field: str, recent: float | None, hour: float | None, band: float
           ) -> tuple[str, str]:
    """(arrow, "better" | "worse" | "flat" | "none") of one trend field."""
    direction = fmt.trend(recent, hour, band)
    if direction in ("none", "flat"):
        return fmt.TREND_ARROWS[direction], direction
    better = (direction == "up") == _HIGHER_IS_BETTER[field]
    return fmt.TREND_ARROWS[direction], "better" if better else "worse"


def _kpi(kpis: QueueKpis | None, name: str) -> float | None:
    value = getattr(kpis, name) if kpis is not None else None
    return float(value) if value is not None else None


def _row_values(
    windows: QueueWindows | None, ready: int | None
) -> tuple[dict[str, str], dict[str, str]]:
    """Texts of a row's numbers and arrows, and the better/worse of its arrows."""
    now = windows.w15m if windows else None
    hour = windows.w60m if windows else None
    day = windows.day if windows else None
    trends = {
        "sl_trend": _trend("sl_trend", _kpi(now, "service_level"), _kpi(hour, "service_level"),
                           RATIO_TREND_BAND),
        "abandon_trend": _trend("abandon_trend", _kpi(now, "abandon_rate"),
                                _kpi(hour, "abandon_rate"), RATIO_TREND_BAND),
        "asa_trend": _trend("asa_trend", _kpi(now, "asa_s"), _kpi(hour, "asa_s"),
                            ASA_TREND_BAND_S),
    }
    values = {
        "in_queue": fmt.fmt_count(now.in_queue) if now else fmt.MISSING,
        "longest_wait": fmt.fmt_duration_short(now.longest_wait_s) if now else fmt.MISSING,
        "sl": fmt.fmt_ratio(now.service_level) if now else fmt.MISSING,
        "sl_day": fmt.fmt_ratio(day.service_level) if day else fmt.MISSING,
        "abandon_rate": fmt.fmt_ratio(now.abandon_rate) if now else fmt.MISSING,
        "abandon_day": fmt.fmt_ratio(day.abandon_rate) if day else fmt.MISSING,
        "asa": fmt.fmt_duration_short(now.asa_s) if now else fmt.MISSING,
        "ready": fmt.fmt_count(ready),
        **{name: arrow for name, (arrow, _q) in trends.items()},
    }
    return values, {name: quality for name, (_a, quality) in trends.items()}


def _formula(settings: Settings, queue: str, lang: Lang) -> str:
    rules = settings.queue_rules(queue)
    return t(
        f"formula_sl_{rules.channel}",
        lang,
        threshold=fmt.fmt_seconds_threshold(rules.sl_threshold_s),
        short=fmt.fmt_seconds_threshold(rules.short_abandon_s),
        target=fmt.fmt_ratio(rules.sl_target, 0),
    )


def queue_tile(
    settings: Settings, queue: str, snapshot: Snapshot | None, lang: Lang
) -> TileView:
    """A queue's row from its rolling-15-min, 60-min and today's KPIs, coloured by the
    queue's own thresholds."""
    rules = settings.queue_rules(queue)
    entry = snapshot.queues.get(queue) if snapshot is not None else None
    kpis = entry.w15m if entry is not None else None
    day = entry.day if entry is not None else None
    ready = entry.agents_now.ready if entry is not None else None
    statuses: dict[str, Status] = {
        "sl": fmt.sl_status(kpis.service_level if kpis else None, rules.sl_target,
                            rules.sl_warn_margin),
        "sl_day": fmt.sl_status(day.service_level if day else None, rules.sl_target,
                                rules.sl_warn_margin),
        "longest_wait": fmt.wait_status(kpis.longest_wait_s if kpis else None,
                                        rules.wait_breach_s),
        "abandon_rate": fmt.abandon_status(kpis.abandon_rate if kpis else None,
                                           rules.abandon_spike_rate),
        "abandon_day": fmt.abandon_status(day.abandon_rate if day else None,
                                          rules.abandon_spike_rate),
        "asa": fmt.asa_status(kpis.asa_s if kpis else None, rules.sl_threshold_s),
        "ready": fmt.ready_status(ready, kpis.in_queue if kpis else None),
    }
    values, trends = _row_values(entry, ready)
    values["sl_target"] = f"/{fmt.fmt_ratio(rules.sl_target, 0)}"
    return TileView(
        key=queue,
        title=queue_name(settings, queue, lang),
        formula=_formula(settings, queue, lang),
        values=values,
        statuses=statuses,
        trends=trends,
        status=_row_status(statuses),
    )


def _row_status(statuses: dict[str, Status]) -> Status:
    """A row is as bad as its 15-min SL, wait, abandon rate or "nobody ready"."""
    return fmt.worst(*(statuses[f] for f in ("sl", "longest_wait", "abandon_rate", "ready")))


def floor_tile(
    settings: Settings, snapshot: Snapshot | None, queue_tiles: Sequence[TileView], lang: Lang,
    key: str, *, site: str | None = None,
) -> TileView:
    """The whole center (`all`), or with `site` that site's queues and agents: SL against
    the default target; longest wait and ASA coloured as the worst queue's (each queue has
    its own thresholds); agents ready summed over teams (or the site's agents)."""
    windows: QueueWindows | None
    ready: int | None
    if site is not None:
        entry = snapshot.sites.get(site) if snapshot is not None else None
        windows, ready = entry, entry.agents.ready if entry is not None else None
        title, formula = t("site_floor", lang, site=site), t("formula_site", lang, site=site)
    else:
        windows = snapshot.all if snapshot is not None else None
        ready = sum(team.ready for team in snapshot.teams.values()) if snapshot else None
        title, formula = t("floor", lang), t("formula_floor", lang)
    kpis = windows.w15m if windows else None
    day = windows.day if windows else None
    d = settings.queue_defaults
    statuses: dict[str, Status] = {
        "sl": fmt.sl_status(kpis.service_level if kpis else None, d.sl_target, d.sl_warn_margin),
        "sl_day": fmt.sl_status(day.service_level if day else None, d.sl_target,
                                d.sl_warn_margin),
        "longest_wait": fmt.worst(*(tile.statuses["longest_wait"] for tile in queue_tiles)),
        "abandon_rate": fmt.abandon_status(kpis.abandon_rate if kpis else None,
                                           d.abandon_spike_rate),
        "abandon_day": fmt.abandon_status(day.abandon_rate if day else None,
                                          d.abandon_spike_rate),
        "asa": fmt.worst(*(tile.statuses["asa"] for tile in queue_tiles)),
        "ready": fmt.ready_status(ready, kpis.in_queue if kpis else None),
    }
    values, trends = _row_values(windows, ready)
    values["sl_target"] = f"/{fmt.fmt_ratio(d.sl_target, 0)}"
    return TileView(
        key=key,
        title=title,
        formula=formula,
        values=values,
        statuses=statuses,
        trends=trends,
        status=_row_status(statuses),
    )


@dataclass(frozen=True)
class Waiting:
    """Contacts waiting now in the shown queues, the oldest wait (seconds, None when nobody
    waits) and the worst wait colour of those queues."""

    count: int
    longest_s: float | None
    status: Status


def waiting_now(settings: Settings, snapshot: Snapshot | None, queues: Iterable[str]
                ) -> Waiting | None:
    """The wallboard's headline: in queue summed, longest wait the oldest, over `queues`."""
    if snapshot is None:
        return None
    count = 0
    longest: float | None = None
    statuses: list[Status] = []
    for queue in queues:
        entry = snapshot.queues.get(queue)
        if entry is None:
            continue
        kpis = entry.w15m
        count += kpis.in_queue
        if kpis.longest_wait_s is not None:
            longest = max(longest or 0.0, kpis.longest_wait_s)
        statuses.append(fmt.wait_status(kpis.longest_wait_s,
                                        settings.queue_rules(queue).wait_breach_s))
    return Waiting(count, longest, fmt.worst(*statuses))


def as_of(snapshot: Snapshot | None, settings: Settings) -> str:
    """`hh:mm:ss` of the snapshot's `now` in the configured zone ("—" without one)."""
    return fmt.fmt_ts_clock(snapshot.now if snapshot else None, settings.zone)


@dataclass(frozen=True)
class AgentSummary:
    """Logged-in agents now by state; `staffed` = ready + on contact + ACW + not ready.
    `reasons` are the not-ready agents by reason (label, count), most first."""

    staffed: int
    ready: int
    busy: int
    acw: int
    not_ready: int
    reasons: list[tuple[str, int]]


AGENT_STATES_SHOWN = ("ready", "busy", "acw", "not_ready")


def agent_summary(snapshot: Snapshot | None, teams: set[str] | None, lang: Lang
                  ) -> AgentSummary | None:
    """Counts of the logged-in agents of `teams` (all when None), from the same agent
    entries as the grid, so the parts always add up to staffed."""
    if snapshot is None:
        return None
    states: dict[str, int] = dict.fromkeys(AGENT_STATES_SHOWN, 0)
    reasons: dict[str, int] = {}
    for entry in snapshot.agents.values():
        if entry.state == "logged_out" or (teams is not None and entry.team not in teams):
            continue
        states[entry.state] += 1
        if entry.state == "not_ready":
            reason = entry.reason or "other"
            reasons[reason] = reasons.get(reason, 0) + 1
    by_reason = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    return AgentSummary(
        staffed=sum(states.values()),
        ready=states["ready"],
        busy=states["busy"],
        acw=states["acw"],
        not_ready=states["not_ready"],
        reasons=[(t(f"reason_{reason}", lang), n) for reason, n in by_reason],
    )


def data_now(snapshot: Snapshot | None, fallback: datetime) -> datetime:
    """The time the data is "as of": the snapshot's `now` (event time in replay mode, wall
    clock in live mode). Times in state are measured against it, not against the wall clock,
    so a replay shows real durations and stale data does not keep counting."""
    moment = fmt.parse_optional_ts(snapshot.now) if snapshot is not None else None
    return moment or fallback


@dataclass(frozen=True)
class Freshness:
    """Whether the data is stale, the banner text (empty when fresh) and a status line."""

    stale: bool
    banner: str
    status: str


def freshness(
    processed_at: str | None,
    last_ok_at: str | None,
    *,
    reachable: bool,
    now: datetime,
    stale_after_s: float,
    zone: tzinfo,
    lang: Lang,
    refused_time: int = 0,
) -> Freshness:
    """Decide staleness from the heartbeat's `processed_at` (RFC 3339) at `now`.

    When Redis is unreachable, the data is stale since the last heartbeat this browser
    saw (`last_ok_at`), if any. `refused_time` (the heartbeat's `events_refused_time`):
    when events were refused for their timestamps, the status line says how many.
    """
    beat = fmt.parse_optional_ts(processed_at if reachable else last_ok_at)
    stale = (not reachable) or fmt.is_stale(beat, now, stale_after_s)
    if not stale and beat is not None:
        age = max(0, int((now - beat).total_seconds()))
        status = t("fresh", lang, age=age)
        if refused_time:
            status += " · " + t("refused_time", lang, count=refused_time)
        return Freshness(False, "", status)
    if beat is None:
        return Freshness(True, t("no_data", lang), t("no_data", lang))
    since = t("stale_since", lang, time=fmt.fmt_clock(beat, zone))
    return Freshness(True, since, since)


@dataclass(frozen=True)
class AgentCell:
    agent_id: str
    state: str
    label: str
    in_state: str
    flagged: bool
    seconds: float | None = None


# Exceptions first: agents with an active anomaly alert, then everyone not ready, in
# after-call work or on a contact (longest in state first), then the ready ones.
_CELL_STATE_RANK = {"not_ready": 0, "acw": 0, "busy": 0, "ready": 1}


def agent_cells(
    snapshot: Snapshot | None,
    teams: set[str] | None,
    flagged_agents: set[str],
    now: datetime,
    lang: Lang,
) -> list[AgentCell]:
    """Logged-in agents (of `teams`, or all when None), exceptions first: flagged agents,
    then the others not ready, in ACW or on a contact, then ready agents; longest in state
    first within each group, then by id."""
    if snapshot is None:
        return []
    cells = [
        AgentCell(
            agent_id=agent_id,
            state=entry.state,
            label=state_label(entry.state, entry.reason, lang),
            in_state=fmt.fmt_duration_short(seconds),
            flagged=agent_id in flagged_agents,
            seconds=seconds,
        )
        for agent_id, entry in snapshot.agents.items()
        if entry.state != "logged_out" and (teams is None or entry.team in teams)
        for seconds in (fmt.seconds_since(entry.state_since, now),)
    ]
    cells.sort(key=lambda c: (not c.flagged, _CELL_STATE_RANK.get(c.state, 0),
                              -(c.seconds or 0.0), c.agent_id))
    return cells


def teams_for_queues(settings: Settings, queues: Iterable[str]) -> set[str]:
    return {team for q in queues for team in settings.teams_serving(q)}


def subject_parts(subject: str) -> tuple[str, str]:
    """`"queue:claims_report"` -> ("queue", "claims_report")."""
    kind, _, name = subject.partition(":")
    return kind, name


def alert_title(alert: Alert, settings: Settings, lang: Lang) -> str:
    """`SL breach · Claims reporting` style one-liner."""
    kind, name = subject_parts(alert.subject)
    who = queue_name(settings, name, lang) if kind == "queue" else name
    return f"{t('kind_' + alert.kind, lang)} · {who}"


@dataclass(frozen=True)
class TickerItem:
    severity: str
    text: str


def ticker_items(alerts: Iterable[Alert], settings: Settings, lang: Lang) -> list[TickerItem]:
    """Active alerts, critical first, newest first within a severity."""
    active = [a for a in alerts if a.cleared_at is None]
    active.sort(key=lambda a: a.raised_at, reverse=True)
    active.sort(key=lambda a: SEVERITY_RANK.get(a.severity, 9))
    return [
        TickerItem(
            severity=a.severity,
            text=f"{alert_title(a, settings, lang)} · "
            f"{t('since', lang, time=fmt.fmt_ts_clock(a.raised_at, settings.zone))}",
        )
        for a in active
    ]


# ---------------------------------------------------------------- queue page
QUEUE_KPI_ROWS: tuple[tuple[str, str, str], ...] = (
    # (i18n key, KpiField, kind)
    ("service_level", "service_level", "ratio"),
    ("offered", "offered", "count"),
    ("answered", "answered", "count"),
    ("abandoned", "abandoned", "count"),
    ("abandon_rate", "abandon_rate", "ratio"),
    ("asa", "asa_s", "duration"),
    ("aht", "aht_s", "duration"),
    ("in_queue", "in_queue", "count"),
    ("longest_wait", "longest_wait_s", "duration"),
)
WINDOW_KEYS = WINDOWS  # the snapshot's window keys, in display order


def _fmt_value(value: Any, kind: str) -> str:
    if kind == "ratio":
        return fmt.fmt_ratio(value)
    if kind == "duration":
        return fmt.fmt_duration(value)
    return fmt.fmt_count(value)


def queue_kpi_table(entry: QueueWindows | None, lang: Lang) -> list[dict[str, str]]:
    """Rows KPI × columns window (15m, 30m, 60m, interval, day) of display texts."""
    rows = []
    for key, attr, kind in QUEUE_KPI_ROWS:
        row = {"kpi": t(key, lang)}
        for window in WINDOW_KEYS:
            kpis = _window(entry, window)
            row[window] = _fmt_value(getattr(kpis, attr) if kpis else None, kind)
        rows.append(row)
    return rows


def _window(entry: Any, window: str) -> Any:
    if entry is None:
        return None
    return getattr(entry, "w" + window) if window[0].isdigit() else getattr(entry, window)


@dataclass
class HistorySeries:
    """Per-minute series (rolling 15 min) for the queue charts; ratios 0..1, None as gaps."""

    ts: list[str] = field(default_factory=list)
    service_level: list[float | None] = field(default_factory=list)
    offered: list[int | None] = field(default_factory=list)
    in_queue: list[int | None] = field(default_factory=list)
    abandon_rate: list[float | None] = field(default_factory=list)


def history_series(points: Iterable[HistoryPoint]) -> HistorySeries:
    series = HistorySeries()
    for point in points:
        kpis = point.kpis.get("15m", {})
        series.ts.append(point.ts)
        series.service_level.append(kpis.get("service_level"))
        series.offered.append(kpis.get("offered"))
        series.in_queue.append(kpis.get("in_queue"))
        series.abandon_rate.append(kpis.get("abandon_rate"))
    return series


def interval_rows(intervals: Sequence[IntervalActuals]) -> list[dict[str, str]]:
    """Display rows of today's intervals (`dashboard.interval_views.today_intervals`),
    newest first: `HH:MM–HH:MM` in the intervals' zone, counts, ratios and durations."""
    rows = []
    for item in sorted(intervals, key=lambda i: i.start, reverse=True):
        kpis = item.kpis
        rows.append(
            {
                "interval": f"{item.start:%H:%M}–{item.end:%H:%M}",
                "offered": fmt.fmt_count(kpis.get("offered")),
                "answered": fmt.fmt_count(kpis.get("answered")),
                "abandoned": fmt.fmt_count(kpis.get("abandoned")),
                "service_level": fmt.fmt_ratio(kpis.get("service_level")),
                "abandon_rate": fmt.fmt_ratio(kpis.get("abandon_rate")),
                "asa": fmt.fmt_duration(kpis.get("asa_s")),
                "aht": fmt.fmt_duration(kpis.get("aht_s")),
            }
        )
    return rows


# ---------------------------------------------------------------- agents
def agent_alerts(alerts: Iterable[Alert], agent_id: str) -> list[Alert]:
    subject = f"agent:{agent_id}"
    return [a for a in alerts if a.subject == subject]


def padded_duration(seconds: float | None) -> str:
    """`hh:mm:ss` (zero-padded so text sorting is time sorting); None -> "—"."""
    if seconds is None:
        return fmt.MISSING
    total = max(0, int(seconds))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def team_rows(
    snapshot: Snapshot | None, team: str, alerts: Sequence[Alert], now: datetime, lang: Lang
) -> list[dict[str, Any]]:
    """One row per agent of `team` (logged in now or seen today), for a sortable table.

    Ratios stay numbers 0..1 (the table formats them), durations are `hh:mm:ss` texts.
    """
    if snapshot is None:
        return []
    rows = []
    for agent_id, entry in sorted(snapshot.agents.items()):
        if entry.team != team:
            continue
        day = entry.day
        kinds = sorted({t("kind_" + a.kind, lang) for a in agent_alerts(alerts, agent_id)})
        rows.append(
            {
                "agent": fmt.agent_link(agent_id),
                "agent_id": agent_id,
                "state": state_label(entry.state, entry.reason, lang),
                "state_key": entry.state,
                "in_state": padded_duration(fmt.seconds_since(entry.state_since, now))
                if entry.state != "logged_out"
                else fmt.MISSING,
                "handled": day.handled,
                "aht": padded_duration(day.aht_s),
                "utilization": day.utilization,
                "occupancy": day.occupancy,
                "not_ready": padded_duration(day.not_ready_s),
                "ultra_short": day.ultra_short,
                "ultra_long": day.ultra_long,
                "anomalies": "、".join(kinds) if lang == "zh" else ", ".join(kinds),
            }
        )
    return rows


AGENT_KPI_ROWS: tuple[tuple[str, str, str], ...] = (
    ("handled", "handled", "count"),
    ("aht", "aht_s", "duration"),
    ("utilization", "utilization", "ratio"),
    ("occupancy", "occupancy", "ratio"),
    ("logged_in_time", "logged_in_s", "duration"),
    ("not_ready_time", "not_ready_s", "duration"),
    ("ultra_short", "ultra_short", "count"),
    ("ultra_long", "ultra_long", "count"),
)


def agent_kpi_table(entry: AgentEntry | None, lang: Lang) -> list[dict[str, str]]:
    """Rows KPI × columns window of one agent's display texts."""
    rows = []
    for key, attr, kind in AGENT_KPI_ROWS:
        row = {"kpi": t(key, lang)}
        for window in WINDOW_KEYS:
            kpis = _window(entry, window)
            row[window] = _fmt_value(getattr(kpis, attr) if kpis else None, kind)
        rows.append(row)
    return rows


def _median(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


def me_rows(snapshot: Snapshot | None, agent_id: str, lang: Lang) -> list[dict[str, str]]:
    """The agent's day against the median of its team's agents in the snapshot."""
    entry = snapshot.agents.get(agent_id) if snapshot else None
    team_days = []
    if snapshot is not None and entry is not None and entry.team is not None:
        team_days = [a.day for a in snapshot.agents.values() if a.team == entry.team]
    rows = []
    for key, attr, kind in AGENT_KPI_ROWS:
        mine = getattr(entry.day, attr) if entry else None
        median = _median(getattr(day, attr) for day in team_days)
        if kind == "count" and median is not None:
            shown_median = f"{median:g}"
        else:
            shown_median = _fmt_value(median, kind)
        rows.append(
            {"kpi": t(key, lang), "mine": _fmt_value(mine, kind), "median": shown_median}
        )
    return rows


@dataclass(frozen=True)
class Explanation:
    title: str
    when: str
    text: str
    tip: str
    evidence: str


def explain_alert(alert: Alert, settings: Settings, lang: Lang) -> Explanation:
    """An agent anomaly in plain words, with a tip and the raw evidence."""
    ev = alert.evidence
    values: dict[str, str] = {"kind": t("kind_" + alert.kind, lang)}
    if alert.kind == "ultra_short_contact":
        values |= {
            "conversation": _words_duration(ev.get("conversation_s"), lang),
            "threshold": _words_duration(ev.get("threshold_s"), lang),
        }
    elif alert.kind == "ultra_long_contact":
        values["threshold"] = _words_duration(ev.get("threshold_s"), lang)
    elif alert.kind == "abnormal_logout":
        sep = "、" if lang == "zh" else ", "
        values["reasons"] = sep.join(t("reason_" + r, lang) for r in ev.get("reasons", []))
    elif alert.kind == "late_login":
        values["late_by"] = _words_duration(ev.get("late_by_s"), lang)
        values["shift_start"] = fmt.fmt_ts_datetime(ev.get("shift_start"), settings.zone)
    elif alert.kind == "long_away":
        values |= {
            "reason": t("reason_" + str(ev.get("reason", "other")), lang),
            "limit": _words_duration(ev.get("limit_s"), lang),
        }
    known = alert.kind in {
        "ultra_short_contact", "ultra_long_contact", "abnormal_logout", "late_login", "long_away"
    }
    evidence = evidence_text(ev, settings, lang)
    return Explanation(
        title=t("kind_" + alert.kind, lang),
        when=fmt.fmt_ts_datetime(alert.raised_at, settings.zone),
        text=t(_explain_key(alert) if known else "explain_generic", lang, **values),
        tip=t("tip_" + alert.kind if known else "tip_generic", lang),
        evidence=evidence,
    )


def _explain_key(alert: Alert) -> str:
    """The explanation text of a known agent anomaly; a roster `late_login` (addendum 21)
    reads differently while the agent has not come yet and when the agent never came."""
    ev = alert.evidence
    if alert.kind == "late_login" and ev.get("late_by_s") is None:
        return "explain_late_login_absent" if ev.get("absent") else "explain_late_login_missing"
    return "explain_" + alert.kind


def _words_duration(seconds: Any, lang: Lang) -> str:
    """A human duration: `45 秒`, `20 分钟`, `1 小时 5 分钟` / `45 s`, `20 min`, `1 h 5 min`."""
    if not isinstance(seconds, int | float):
        return fmt.MISSING
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    units = ("小时", "分钟", "秒") if lang == "zh" else ("h", "min", "s")
    parts = [f"{n} {u}" for n, u in zip((hours, minutes, secs), units, strict=True) if n]
    return " ".join(parts) or f"0 {units[2]}"


# ---------------------------------------------------------------- alerts page
def alert_queue(alert: Alert) -> str | None:
    kind, name = subject_parts(alert.subject)
    if kind == "queue":
        return name
    queue = alert.evidence.get("queue")
    return str(queue) if queue else None


def alert_teams(alert: Alert, snapshot: Snapshot | None, settings: Settings) -> set[str]:
    """The agent's team for agent alerts; the teams serving the queue for queue alerts."""
    kind, name = subject_parts(alert.subject)
    if kind == "agent":
        entry = snapshot.agents.get(name) if snapshot else None
        return {entry.team} if entry and entry.team else set()
    if kind == "queue":
        return set(settings.teams_serving(name))
    if kind == "team":
        return {name}
    return set()


def alert_matches(
    alert: Alert,
    snapshot: Snapshot | None,
    settings: Settings,
    *,
    kind: str | None,
    queue: str | None,
    team: str | None,
) -> bool:
    if kind and alert.kind != kind:
        return False
    if queue and alert_queue(alert) != queue:
        return False
    return not (team and team not in alert_teams(alert, snapshot, settings))


# Evidence keys by how people read them: ratios as percentages, seconds as m:ss,
# timestamps as local times, volumes rounded to whole contacts.
_EV_RATIOS = frozenset({"service_level", "target", "abandon_rate", "threshold"})
_EV_ROUNDED = frozenset({"forecast", "projected", "offered", "expected"})
_EV_TIMES = frozenset({"shift_start", "shift_end", "interval_start"})


def evidence_value(key: str, value: Any, settings: Settings, lang: Lang) -> str:
    """One evidence value as people read it (`0.139 -> 13.9%`, `150.0 s -> 2:30`,
    `90.03 -> 90`), reasons and queues in words; anything unknown as it is."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(value, bool):
        return t("yes" if value else "no", lang)
    if number and key in _EV_RATIOS:
        return fmt.fmt_ratio(float(value))
    if number and key.endswith("_s"):
        return fmt.fmt_duration(float(value))
    if number and key in _EV_ROUNDED:
        return str(round(value))
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if key in _EV_TIMES and isinstance(value, str):
        return fmt.fmt_ts_datetime(value, settings.zone)
    if key == "queue" and isinstance(value, str):
        return queue_name(settings, value, lang)
    if key == "reason" and isinstance(value, str):
        return t(f"reason_{value}", lang)
    if isinstance(value, list):
        words = [t(f"reason_{v}", lang) if key == "reasons" else str(v) for v in value]
        return ("、" if lang == "zh" else ", ").join(words)
    return str(value)


def evidence_text(evidence: dict[str, Any], settings: Settings, lang: Lang) -> str:
    """`服务水平 70.0%，目标 85%，联络数 20` / `service level 70.0%, target 85%, contacts 20`:
    the evidence's keys in words (unknown keys as they are), in the alert's order."""
    parts = []
    for key, value in evidence.items():
        if value is None:
            continue
        label = t(f"ev_{key}", lang)
        shown = evidence_value(key, value, settings, lang)
        parts.append(f"{label} {shown}")
    return ("，" if lang == "zh" else ", ").join(parts)


def alert_row(alert: Alert, settings: Settings, lang: Lang, ack: Any | None) -> dict[str, str]:
    """One alert as table texts; `ack` is a `data.Ack` or None."""
    return {
        "id": alert.id,
        "kind": t("kind_" + alert.kind, lang),
        "severity": t("sev_" + alert.severity, lang),
        "severity_key": alert.severity,
        "subject": alert_title(alert, settings, lang).split(" · ", 1)[1],
        "raised_at": fmt.fmt_ts_datetime(alert.raised_at, settings.zone),
        "cleared_at": fmt.fmt_ts_datetime(alert.cleared_at, settings.zone),
        "evidence": evidence_text(alert.evidence, settings, lang),
        "ack": f"{ack.by} {fmt.fmt_ts_datetime(ack.at, settings.zone)} {ack.note}".strip()
        if ack
        else "",
    }
