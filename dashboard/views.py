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
    NowCounts,
    QueueEntry,
    QueueKpis,
    QueueWindows,
    Snapshot,
)

TILE_FIELDS: tuple[str, ...] = (
    "sl",
    "in_queue",
    "longest_wait",
    "abandon_rate",
    "asa",
    "ready",
    "busy",
    "away",
)
SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}
# Most queue tiles one wallboard shows (a TV fits far fewer; `?queues=` or `?site=` pick
# others). Bounds the page's layout and refresh payload whatever the input names.
WALLBOARD_MAX_QUEUES = 48


# ---------------------------------------------------------------- wallboard
@dataclass(frozen=True)
class TileView:
    """One wallboard tile: display texts and traffic-light status per field."""

    key: str
    title: str
    formula: str
    values: dict[str, str]
    statuses: dict[str, Status]
    status: Status
    as_of: str


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


def _agent_values(now_counts: NowCounts | None) -> dict[str, str]:
    if now_counts is None:
        return {"ready": fmt.MISSING, "busy": fmt.MISSING, "away": fmt.MISSING}
    return {
        "ready": fmt.fmt_count(now_counts.ready),
        # Busy on the wallboard means "working a contact", so it includes after-call work.
        "busy": fmt.fmt_count(now_counts.busy + now_counts.acw),
        "away": fmt.fmt_count(now_counts.not_ready),
    }


def _kpi_values(kpis: QueueKpis | None) -> dict[str, str]:
    if kpis is None:
        return {f: fmt.MISSING for f in ("sl", "in_queue", "longest_wait", "abandon_rate", "asa")}
    return {
        "sl": fmt.fmt_ratio(kpis.service_level),
        "in_queue": fmt.fmt_count(kpis.in_queue),
        "longest_wait": fmt.fmt_duration(kpis.longest_wait_s),
        "abandon_rate": fmt.fmt_ratio(kpis.abandon_rate),
        "asa": fmt.fmt_duration(kpis.asa_s),
    }


def queue_tile(
    settings: Settings, queue: str, snapshot: Snapshot | None, lang: Lang
) -> TileView:
    """A queue's tile from its rolling-15-min KPIs, coloured by the queue's own thresholds."""
    rules = settings.queue_rules(queue)
    entry = snapshot.queues.get(queue) if snapshot is not None else None
    kpis = entry.w15m if entry is not None else None
    statuses: dict[str, Status] = {
        "sl": fmt.sl_status(kpis.service_level if kpis else None, rules.sl_target,
                            rules.sl_warn_margin),
        "longest_wait": fmt.wait_status(kpis.longest_wait_s if kpis else None,
                                        rules.wait_breach_s),
        "abandon_rate": fmt.abandon_status(kpis.abandon_rate if kpis else None,
                                           rules.abandon_spike_rate),
    }
    formula = t(
        "formula_sl",
        lang,
        threshold=fmt.fmt_seconds_threshold(rules.sl_threshold_s),
        short=fmt.fmt_seconds_threshold(rules.short_abandon_s),
        target=fmt.fmt_ratio(rules.sl_target, 0),
    )
    return TileView(
        key=queue,
        title=queue_name(settings, queue, lang),
        formula=formula,
        values={**_kpi_values(kpis), **_agent_values(entry.agents_now if entry else None)},
        statuses=statuses,
        status=fmt.worst(*statuses.values()),
        as_of=_as_of(snapshot, settings, lang),
    )


def floor_tile(
    settings: Settings, snapshot: Snapshot | None, queue_tiles: Sequence[TileView], lang: Lang,
    key: str, *, site: str | None = None,
) -> TileView:
    """The whole center (`all`), or with `site` that site's queues and agents: SL against
    the default target; longest wait coloured as the worst queue's (each queue has its own
    wait threshold); agents summed over teams."""
    if site is not None:
        entry = snapshot.sites.get(site) if snapshot is not None else None
        site_counts = entry.agents if entry is not None else None
        return _floor_view(
            settings, snapshot, queue_tiles, lang, key, kpis=entry.w15m if entry else None,
            agents=None if site_counts is None else NowCounts(
                staffed=site_counts.staffed, ready=site_counts.ready, busy=site_counts.busy,
                acw=site_counts.acw, not_ready=site_counts.not_ready),
            texts=(t("site_floor", lang, site=site), t("formula_site", lang, site=site)),
        )
    kpis = snapshot.all.w15m if snapshot is not None else None
    agents: NowCounts | None = None
    if snapshot is not None:
        agents = NowCounts(
            staffed=sum(team.staffed for team in snapshot.teams.values()),
            ready=sum(team.ready for team in snapshot.teams.values()),
            busy=sum(team.busy for team in snapshot.teams.values()),
            acw=sum(team.acw for team in snapshot.teams.values()),
            not_ready=sum(team.not_ready for team in snapshot.teams.values()),
        )
    return _floor_view(settings, snapshot, queue_tiles, lang, key, kpis=kpis, agents=agents,
                       texts=(t("floor", lang), t("formula_floor", lang)))


def _floor_view(
    settings: Settings, snapshot: Snapshot | None, queue_tiles: Sequence[TileView], lang: Lang,
    key: str, *, kpis: QueueKpis | None, agents: NowCounts | None, texts: tuple[str, str],
) -> TileView:
    d = settings.queue_defaults
    statuses: dict[str, Status] = {
        "sl": fmt.sl_status(kpis.service_level if kpis else None, d.sl_target, d.sl_warn_margin),
        "longest_wait": fmt.worst(*(tile.statuses["longest_wait"] for tile in queue_tiles)),
        "abandon_rate": fmt.abandon_status(kpis.abandon_rate if kpis else None,
                                           d.abandon_spike_rate),
    }
    return TileView(
        key=key,
        title=texts[0],
        formula=texts[1],
        values={**_kpi_values(kpis), **_agent_values(agents)},
        statuses=statuses,
        status=fmt.worst(*statuses.values()),
        as_of=_as_of(snapshot, settings, lang),
    )


def _as_of(snapshot: Snapshot | None, settings: Settings, lang: Lang) -> str:
    time = fmt.fmt_ts_clock(snapshot.now if snapshot else None, settings.zone)
    return t("as_of", lang, time=time)


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
) -> Freshness:
    """Decide staleness from the heartbeat's `processed_at` (RFC 3339) at `now`.

    When Redis is unreachable, the data is stale since the last heartbeat this browser
    saw (`last_ok_at`), if any.
    """
    beat = fmt.parse_optional_ts(processed_at if reachable else last_ok_at)
    stale = (not reachable) or fmt.is_stale(beat, now, stale_after_s)
    if not stale and beat is not None:
        age = max(0, int((now - beat).total_seconds()))
        return Freshness(False, "", t("fresh", lang, age=age))
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


def agent_cells(
    snapshot: Snapshot | None,
    teams: set[str] | None,
    flagged_agents: set[str],
    now: datetime,
    lang: Lang,
) -> list[AgentCell]:
    """Logged-in agents (of `teams`, or all when None), by team then id."""
    if snapshot is None:
        return []
    chosen = [
        (agent_id, entry)
        for agent_id, entry in snapshot.agents.items()
        if entry.state != "logged_out" and (teams is None or entry.team in teams)
    ]
    chosen.sort(key=lambda item: (item[1].team or "", item[0]))
    return [
        AgentCell(
            agent_id=agent_id,
            state=entry.state,
            label=state_label(entry.state, entry.reason, lang),
            in_state=fmt.fmt_duration(fmt.seconds_since(entry.state_since, now)),
            flagged=agent_id in flagged_agents,
        )
        for agent_id, entry in chosen
    ]


def grid_page(
    cells: Sequence[AgentCell], page_size: int, elapsed_s: float, rotate_s: float
) -> tuple[list[AgentCell], int, int]:
    """The cells on screen after `elapsed_s` seconds, turning the page every `rotate_s`.

    Returns (cells, page number from 1, page count).
    """
    pages = max(1, -(-len(cells) // page_size))
    index = int(elapsed_s // max(rotate_s, 1)) % pages
    return list(cells[index * page_size:(index + 1) * page_size]), index + 1, pages


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
    evidence = ", ".join(f"{k}={v}" for k, v in sorted(ev.items()))
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
        "evidence": ", ".join(f"{k}={v}" for k, v in sorted(alert.evidence.items())),
        "ack": f"{ack.by} {fmt.fmt_ts_datetime(ack.at, settings.zone)} {ack.note}".strip()
        if ack
        else "",
    }
