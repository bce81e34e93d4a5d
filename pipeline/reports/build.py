"""Assemble a report from the archive: the tables of `pipeline.reports.tables`, in order.

Sections: queue indicators vs the previous period and their targets; teams; agents;
the heatmap (local day × interval over the selected queues); per queue and interval the
volume vs forecast, the Erlang C requirement and the agents available; the forecast's
accuracy; the cause of each interval that missed its service-level target; what the
archive cannot show yet, and why. Times are local in the configured zone (default
Asia/Shanghai); durations seconds; ratios 0..1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from pipeline.archive.query import interval_counts
from pipeline.reports import gather
from pipeline.reports.causes import IntervalFacts, agents_required, decompose, sentence
from pipeline.reports.period import Period, PeriodKind, period_for
from pipeline.reports.tables import Column, ColumnKind, Report, Table
from pipeline.staffing.archive_history import history_from_intervals
from pipeline.staffing.backtest import score
from pipeline.staffing.forecast import forecast
from pipeline.staffing.forecast_file import read_forecast
from schemas.config import Settings

ALL = "*"  # the row of all selected queues together
Progress = Callable[[str], None]

# (key, zh, en, how the value is shown)
INDICATORS: tuple[tuple[str, str, str, ColumnKind], ...] = (
    ("offered", "进线量", "offered", "int"),
    ("answered", "接通量", "answered", "int"),
    ("abandoned", "放弃量", "abandoned", "int"),
    ("short_abandoned", "短时放弃", "short abandoned", "int"),
    ("service_level", "服务水平", "service level", "ratio"),
    ("answer_rate", "服务接通率", "answer rate", "ratio"),
    ("abandon_rate", "放弃率", "abandon rate", "ratio"),
    ("asa_s", "平均应答时间(秒)", "ASA (s)", "seconds"),
    ("aht_s", "平均处理时长(秒)", "AHT (s)", "seconds"),
    ("transfer_rate", "转接率", "transfer rate", "ratio"),
    ("surveys", "满意度回复数", "survey responses", "int"),
    ("csat", "客户满意度", "CSAT", "ratio"),
    ("self_served", "自助服务量", "self-served", "int"),
    ("self_service_rate", "智能化服务率", "self-service rate", "ratio"),
)


@dataclass(frozen=True)
class ReportRequest:
    """What to report: `kind` of period containing local day `day`, queues and teams (empty:
    every one in the archive), language zh or en."""

    kind: PeriodKind
    day: date
    queues: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    lang: str = "en"


def _local(start_s: int, settings: Settings) -> datetime:
    return datetime.fromtimestamp(start_s, UTC).astimezone(settings.zone)


def _stamp(start_s: int, settings: Settings) -> str:
    return _local(start_s, settings).strftime("%Y-%m-%d %H:%M")


def _target(queue: str, key: str, settings: Settings) -> tuple[float | None, str]:
    """The configured target of an indicator and its direction (≥ or ≤), if any."""
    rules = settings.queue_rules(queue)
    if key == "service_level":
        return rules.sl_target, ">="
    if key == "abandon_rate":
        return rules.abandon_spike_rate, "<="
    return None, ""


def _common_target(queues: Sequence[str], key: str, settings: Settings) -> tuple[float | None, str]:
    targets = {_target(q, key, settings) for q in queues}
    return targets.pop() if len(targets) == 1 else (None, "")


def _status(value: Any, target: float | None, direction: str) -> str:
    if target is None or value is None:
        return ""
    met = value >= target if direction == ">=" else value <= target
    return "met" if met else "missed"


def _summary(
    queues: list[str], now: dict[str, gather.QueueCounts], prev: dict[str, gather.QueueCounts],
    settings: Settings, lang: str,
) -> Table:
    table = Table("summary", "队列指标与目标", "Queue indicators vs targets", [
        Column("queue", "队列", "queue"),
        Column("indicator", "指标代码", "indicator"),
        Column("name", "指标", "name"),
        Column("value", "本期", "this period", "row"),
        Column("previous", "上期", "previous period", "row"),
        Column("change", "变化", "change", "row"),
        Column("target", "目标", "target", "ratio"),
        Column("direction", "方向", "direction"),
        Column("status", "达标", "status"),
    ], note_zh="比率为 0–1，由汇总计数重新计算；服务水平目标为 sl_target，放弃率目标为放弃告警阈值"
       " abandon_spike_rate；其余指标未配置目标。",
       note_en="Ratios 0–1, recomputed from summed counts; the service-level target is "
       "sl_target, the abandon-rate target the abandon-spike alert threshold "
       "(abandon_spike_rate); no other indicator has a configured target.")
    total_now, total_prev = gather.QueueCounts.zero(), gather.QueueCounts.zero()
    for queue in queues:
        total_now.add(now.get(queue, gather.QueueCounts.zero()))
        total_prev.add(prev.get(queue, gather.QueueCounts.zero()))
    entities = [(q, now.get(q, gather.QueueCounts.zero()), prev.get(q, gather.QueueCounts.zero()))
                for q in queues]
    entities.append((ALL, total_now, total_prev))
    for queue, counts, before in entities:
        kpis, kpis_prev = counts.kpis(), before.kpis()
        for key, zh, en, kind in INDICATORS:
            table.row_kinds.append(kind)
            value, previous = kpis[key], kpis_prev[key]
            target, direction = (
                _common_target(queues, key, settings) if queue == ALL
                else _target(queue, key, settings)
            )
            change = None if value is None or previous is None else value - previous
            table.rows.append([
                queue, key, zh if lang == "zh" else en, value, previous, change, target,
                direction or None, _status(value, target, direction) or None,
            ])
    return table


STAFF_COLUMNS: tuple[tuple[str, str, str, ColumnKind], ...] = (
    ("logged_in_s", "登录时长(秒)", "logged in (s)", "seconds"),
    ("handled", "处理量", "handled", "int"),
    ("aht_s", "平均处理时长(秒)", "AHT (s)", "seconds"),
    ("occupancy", "占用率", "occupancy", "ratio"),
    ("utilization", "登录利用率", "login utilization", "ratio"),
    ("not_ready_s", "未就绪(秒)", "not ready (s)", "seconds"),
    ("ultra_short", "超短通话", "ultra-short", "int"),
    ("ultra_long", "超长通话", "ultra-long", "int"),
)


def _staff(
    key: str, zh: str, en: str, now: dict[str, dict[str, Any]], prev: dict[str, dict[str, Any]],
) -> Table:
    columns = [Column("id", "编号", "id")]
    columns += [Column(k, z, e, kind) for k, z, e, kind in STAFF_COLUMNS]
    columns += [
        Column("handled_prev", "上期处理量", "handled (previous)", "int"),
        Column("aht_s_prev", "上期平均处理时长(秒)", "AHT (s, previous)", "seconds"),
        Column("occupancy_prev", "上期占用率", "occupancy (previous)", "ratio"),
    ]
    table = Table(key, zh, en, columns,
                  note_zh="登录利用率 = (忙碌+话后+就绪)/登录时长（无排班）。",
                  note_en="Login utilization = (busy + ACW + ready) / logged in (no roster).")
    for entity in sorted(now):
        kpis, before = now[entity], prev.get(entity, {})
        table.rows.append(
            [entity] + [kpis[k] for k, *_ in STAFF_COLUMNS]
            + [before.get("handled"), before.get("aht_s"), before.get("occupancy")]
        )
    return table


AGENT_ALERT_KINDS: frozenset[str] = frozenset({
    "ultra_short_contact", "ultra_long_contact", "abnormal_logout", "late_login", "long_away"})


def _alerts(
    now: list[gather.AlertGroup], prev: list[gather.AlertGroup], allowed: set[str] | None,
) -> tuple[Table, Table]:
    """Alerts by kind and subject (with the previous period's count), and the agents with
    the most alerts of the agent kinds. `allowed`: subjects to keep (None: all)."""
    table = Table("alerts", "告警（按类型与对象）", "Alerts by kind and subject", [
        Column("kind", "类型", "kind"),
        Column("subject", "对象", "subject"),
        Column("alerts", "告警数", "alerts", "int"),
        Column("cleared", "已解除", "cleared", "int"),
        Column("open", "未解除", "still open", "int"),
        Column("mean_s", "平均持续(秒)", "mean duration (s)", "seconds"),
        Column("max_s", "最长持续(秒)", "longest (s)", "seconds"),
        Column("total_s", "总持续(秒)", "total duration (s)", "seconds"),
        Column("alerts_prev", "上期告警数", "alerts (previous)", "int"),
    ], note_zh="按告警产生时间归入期间；持续时间 = 解除 − 产生，只计已解除的告警。",
       note_en="Alerts belong to the period they were raised in; duration = cleared − raised, "
       "over cleared alerts only.")
    before = {(g.kind, g.subject): g.alerts for g in prev}
    kept = [g for g in now if allowed is None or g.subject in allowed]
    for g in sorted(kept, key=lambda g: (-g.alerts, g.kind, g.subject)):
        mean = None if g.total_s is None or not g.cleared else g.total_s / g.cleared
        table.rows.append([g.kind, g.subject, g.alerts, g.cleared, g.alerts - g.cleared, mean,
                           g.max_s, g.total_s, before.get((g.kind, g.subject), 0)])
    top = Table("top_agents", "异常最多的坐席", "Agents with the most anomalies", [
        Column("agent", "坐席", "agent"),
        Column("alerts", "告警数", "alerts", "int"),
        Column("kinds", "类型", "kinds"),
    ], note_zh="坐席类告警：超短、超长通话，异常登出，迟到登录，长时离开；前 10 名。",
       note_en="Agent alert kinds: ultra-short and ultra-long contacts, abnormal logout, late "
       "login, long away; top 10.")
    per_agent: dict[str, dict[str, int]] = {}
    for g in kept:
        if g.kind in AGENT_ALERT_KINDS:
            per_agent.setdefault(g.subject, {})[g.kind] = g.alerts
    ranked = sorted(per_agent.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:10]
    for agent, kinds in ranked:
        top.rows.append([agent, sum(kinds.values()),
                         ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))])
    return table, top


def _heatmap(intervals: list[gather.QueueInterval], settings: Settings) -> Table:
    table = Table("heatmap", "分时段热力图（所选队列合计）",
                  "Heatmap by interval (selected queues)", [
        Column("day", "日期", "day"),
        Column("interval", "时段", "interval"),
        Column("offered", "进线量", "offered", "int"),
        Column("service_level", "服务水平", "service level", "ratio"),
        Column("asa_s", "平均应答时间(秒)", "ASA (s)", "seconds"),
        Column("abandon_rate", "放弃率", "abandon rate", "ratio"),
    ])
    cells: dict[tuple[str, str], gather.QueueCounts] = {}
    for item in intervals:
        local = _local(item.start_s, settings)
        cell = cells.setdefault((local.date().isoformat(), local.strftime("%H:%M")),
                                gather.QueueCounts.zero())
        cell.add(item.counts)
    for (day, slot), counts in sorted(cells.items()):
        kpis = counts.kpis()
        table.rows.append([day, slot, kpis["offered"], kpis["service_level"], kpis["asa_s"],
                           kpis["abandon_rate"]])
    return table


def _forecast_frame(
    archive_dir: Path, queues: list[str], period: Period, settings: Settings
) -> tuple[dict[tuple[str, int], tuple[float, float | None]], str]:
    """(queue, start_s) → (forecast contacts, planned AHT s) for the period, and its source."""
    first = period.first - timedelta(weeks=settings.staffing.profile_weeks)
    last = period.first - timedelta(days=1)
    frames = [
        history_from_intervals(q, interval_counts(archive_dir, q, first, last), settings)
        for q in queues
    ]
    out: dict[tuple[str, int], tuple[float, float | None]] = {}
    if frames:
        history = pl.concat(frames)
        days = len(period.days)
        predicted = forecast(history, settings, period.first, days=days)
        for queue, start, offered, aht in predicted.select(
            "queue", pl.col("interval_start").dt.epoch("s"), "offered", "aht_s"
        ).iter_rows():
            if queue in queues:
                out[(queue, int(start))] = (float(offered), aht)
    source = "archive"
    if settings.staffing.forecast:
        source = settings.staffing.forecast
        lo = datetime.combine(period.first, datetime.min.time(), settings.zone).timestamp()
        hi = datetime.combine(period.last + timedelta(days=1), datetime.min.time(),
                              settings.zone).timestamp()
        for row in read_forecast(settings.staffing.forecast, settings):
            if row.queue in queues and lo <= row.interval_start < hi:
                planned = out.get((row.queue, row.interval_start), (0.0, None))[1]
                out[(row.queue, row.interval_start)] = (row.offered, planned)
    return out, source


def _available(
    queue: str, starts: set[int], staff: list[gather.StaffInterval], settings: Settings
) -> tuple[dict[int, float] | None, str]:
    """start_s → average agents available for `queue` (None and the reason when unknown)."""
    teams = settings.teams_serving(queue)
    if not teams:
        return None, "no team is configured to serve the queue ([teams.<team>] queues)"
    shared = [t for t in teams if len(settings.teams[t].queues) > 1]
    if shared:
        return None, f"team(s) {', '.join(shared)} also serve other queues"
    rows = [s for s in staff if s.team in teams]
    if not rows:
        return None, "the serving teams have no archived intervals in the period"
    out = dict.fromkeys(starts, 0.0)
    for row in rows:
        out[row.start_s] = out.get(row.start_s, 0.0) + row.available_s / row.interval_s
    return out, ""


INTERVAL_COLUMNS = [
    Column("queue", "队列", "queue"),
    Column("start", "时段开始", "interval start"),
    Column("offered", "进线量", "offered", "int"),
    Column("forecast", "预测量", "forecast", "float"),
    Column("service_level", "服务水平", "service level", "ratio"),
    Column("target", "目标", "target", "ratio"),
    Column("planned_aht_s", "计划处理时长(秒)", "planned AHT (s)", "seconds"),
    Column("aht_s", "实际处理时长(秒)", "actual AHT (s)", "seconds"),
    Column("required_plan", "计划需求坐席", "required (plan)", "int"),
    Column("required_actual", "实际需求坐席", "required (actual)", "int"),
    Column("available", "在岗坐席", "available agents", "float"),
    Column("gap", "缺口", "gap", "float"),
]

INTERVAL_NOTE_ZH = (
    "需求坐席为 Erlang C（sl_target、sl_threshold_s、max_occupancy）；在岗 = 服务该队列班组的"
    "（就绪+忙碌+话后）时长 / 时段长度；缺口 = 在岗 − 实际需求。"
)
INTERVAL_NOTE_EN = (
    "required agents by Erlang C (sl_target, sl_threshold_s, max_occupancy); available = "
    "(ready + busy + ACW) seconds of the teams serving the queue / interval length; gap = "
    "available − required (actual)."
)

CAUSE_COLUMNS = [
    Column("queue", "队列", "queue"),
    Column("start", "时段开始", "interval start"),
    Column("service_level", "服务水平", "service level", "ratio"),
    Column("target", "目标", "target", "ratio"),
    Column("required_plan", "R(预测量,计划时长)", "R(forecast, planned AHT)", "int"),
    Column("required_volume", "R(实际量,计划时长)", "R(actual, planned AHT)", "int"),
    Column("required_handling", "R(预测量,实际时长)", "R(forecast, actual AHT)", "int"),
    Column("required_actual", "R(实际量,实际时长)", "R(actual, actual AHT)", "int"),
    Column("available", "在岗坐席", "available agents", "float"),
    Column("volume_agents", "来话量(坐席)", "volume (agents)", "float"),
    Column("handling_agents", "处理时长(坐席)", "handle time (agents)", "float"),
    Column("staffing_agents", "人手(坐席)", "staffing (agents)", "float"),
    Column("sentence", "原因", "cause"),
]


def _accuracy(
    queues: list[str], pairs: dict[str, list[tuple[str, float, float]]]
) -> Table:
    table = Table("forecast_accuracy", "预测准确度", "Forecast accuracy", [
        Column("queue", "队列", "queue"),
        Column("actual", "实际量", "actual", "int"),
        Column("forecast", "预测量", "forecast", "float"),
        Column("wape_interval", "WAPE(时段)", "WAPE (interval)", "ratio"),
        Column("wape_day", "WAPE(日)", "WAPE (day)", "ratio"),
        Column("bias", "偏差", "bias", "ratio"),
    ], note_zh="WAPE = Σ|实际−预测|/Σ实际；偏差 = (Σ预测−Σ实际)/Σ实际（正 = 预测偏高）；"
       "只比较归档中有数据的日期。",
       note_en="WAPE = Σ|actual − forecast| / Σ actual; bias = (Σ forecast − Σ actual) / "
       "Σ actual (+ = over-forecast); only days the archive holds are compared.")
    everything = [p for q in queues for p in pairs.get(q, [])]
    for queue, rows in [(q, pairs.get(q, [])) for q in queues] + [(ALL, everything)]:
        if not rows:
            continue
        actual = np.array([a for _, a, _ in rows])
        predicted = np.array([f for _, _, f in rows])
        by_day: dict[str, list[float]] = {}
        for day, a, f in rows:
            cell = by_day.setdefault(day, [0.0, 0.0])
            cell[0] += a
            cell[1] += f
        interval_score = score(actual, predicted)
        day_score = score(np.array([v[0] for v in by_day.values()]),
                          np.array([v[1] for v in by_day.values()]))
        table.rows.append([queue, int(actual.sum()), float(predicted.sum()),
                           interval_score.wape, day_score.wape, interval_score.bias])
    return table


def build_report(
    archive_dir: Path, settings: Settings, request: ReportRequest, progress: Progress | None = None
) -> Report:
    """The report of `request` from the archive at `archive_dir`."""
    say = progress or (lambda _step: None)
    period = period_for(request.kind, request.day)
    prev = period.previous()
    say("queues")
    queues = list(request.queues) or gather.entity_ids(
        archive_dir, "queue", period.first, period.last)
    now = gather.queue_totals(archive_dir, queues, period.first, period.last)
    before = gather.queue_totals(archive_dir, queues, prev.first, prev.last)
    tables = [_summary(queues, now, before, settings, request.lang)]
    say("teams and agents")
    teams = list(request.teams) or gather.entity_ids(archive_dir, "team", period.first, period.last)
    tables.append(_staff(
        "teams", "班组", "Teams",
        gather.staff_totals(archive_dir, "team", teams, period.first, period.last),
        gather.staff_totals(archive_dir, "team", teams, prev.first, prev.last)))
    not_available: list[list[Any]] = []
    if request.teams:
        agents_table = _staff("agents", "坐席", "Agents", {}, {})
        not_available.append(["agents", "the archive does not hold which team an agent is in, so "
                              "agents cannot be filtered by --team"])
    else:
        agents_table = _staff(
            "agents", "坐席", "Agents",
            gather.staff_totals(archive_dir, "agent", [], period.first, period.last),
            gather.staff_totals(archive_dir, "agent", [], prev.first, prev.last))
    tables.append(agents_table)
    say("alerts")
    now_alerts = gather.alert_groups(archive_dir, period.first, period.last)
    if now_alerts is None:
        not_available.append(["alerts", "no alerts are archived for the period (the archiver "
                              "keeps them since `wallboard archive` archives alerts:history)"])
    filtered = bool(request.queues or request.teams)
    allowed = None
    if filtered:
        allowed = set(queues) | set(teams) | {str(r[0]) for r in agents_table.rows}
    tables += _alerts(now_alerts or [], gather.alert_groups(archive_dir, prev.first, prev.last)
                      or [], allowed)
    say("intervals")
    intervals = gather.queue_intervals(archive_dir, queues, period.first, period.last)
    tables.append(_heatmap(intervals, settings))
    say("forecast")
    planned, source = _forecast_frame(archive_dir, queues, period, settings)
    # Only days the archive holds are compared: a day without any archived interval is not
    # archived (yet, or the archiver was down), not a day with no contacts.
    forecast_queues = {q for q, _start in planned}
    archived = {_local(i.start_s, settings).date() for i in intervals}
    planned = {k: v for k, v in planned.items() if _local(k[1], settings).date() in archived}
    serving = sorted({t for q in queues for t in settings.teams_serving(q)})
    staff = gather.team_intervals(archive_dir, serving, period.first, period.last)
    say("staffing and causes")
    interval_table = Table(
        "intervals", "分时段：来话量、预测与人手", "Intervals: volume, forecast, staffing",
        INTERVAL_COLUMNS, note_zh=f"预测来源：{source}；{INTERVAL_NOTE_ZH}",
        note_en=f"Forecast source: {source}; {INTERVAL_NOTE_EN}")
    cause_table = Table("causes", "未达标时段原因分析", "Cause analysis of missed intervals",
                        CAUSE_COLUMNS)
    pairs: dict[str, list[tuple[str, float, float]]] = {}
    actual_by_key = {(i.queue, i.start_s): i for i in intervals}
    step = settings.interval_min * 60
    small = 0
    for queue in queues:
        rules = settings.queue_rules(queue)
        starts = {s for (q, s) in actual_by_key if q == queue}
        starts |= {s for (q, s) in planned if q == queue}
        has_forecast = queue in forecast_queues
        if not has_forecast:
            not_available.append([f"forecast: {queue}", FORECAST_MISSING])
        available, reason = _available(queue, starts, staff, settings)
        if available is None:
            not_available.append([f"available agents: {queue}", reason])
        for start in sorted(starts):
            item = actual_by_key.get((queue, start))
            counts = item.counts if item else gather.QueueCounts.zero()
            interval_s = item.interval_s if item else step
            kpis = counts.kpis()
            expected: float | None = None
            planned_aht: float | None = None
            req_plan: int | None = None
            if has_forecast:
                expected, planned_aht = planned.get((queue, start), (0.0, None))
                req_plan = agents_required(queue, expected, planned_aht, interval_s, settings)
            actual_aht = kpis["aht_s"] if kpis["aht_s"] is not None else planned_aht
            req_actual = agents_required(queue, counts["offered"], actual_aht, interval_s, settings)
            staffed = None if available is None else available.get(start, 0.0)
            interval_table.rows.append([
                queue, _stamp(start, settings), kpis["offered"], expected, kpis["service_level"],
                rules.sl_target, planned_aht, kpis["aht_s"], req_plan, req_actual, staffed,
                None if staffed is None else staffed - req_actual,
            ])
            local_day = _local(start, settings).date().isoformat()
            if expected is not None:
                pairs.setdefault(queue, []).append((local_day, counts["offered"], expected))
            sl = kpis["service_level"]
            if sl is None or sl >= rules.sl_target:
                continue
            if counts["answered"] + counts["abandoned"] - counts["short_abandoned"] < (
                rules.sl_min_contacts
            ):
                small += 1
                continue
            # Without a forecast the plan is taken as what happened: only staffing is judged.
            decomposition = decompose(IntervalFacts(
                queue, _local(start, settings), interval_s, sl, rules.sl_target,
                counts["offered"] if expected is None else expected, counts["offered"],
                kpis["aht_s"] if expected is None else planned_aht, kpis["aht_s"], staffed,
                forecast_known=expected is not None), settings)
            cause_table.rows.append([
                queue, _stamp(start, settings), sl, rules.sl_target,
                decomposition.required_plan, decomposition.required_volume,
                decomposition.required_handling, decomposition.required_actual, staffed,
                decomposition.volume, decomposition.handling, decomposition.staffing,
                sentence(decomposition, request.lang),
            ])
    cause_table.note_zh = (f"另有 {small} 个未达标时段的服务水平分母少于 sl_min_contacts，"
                           "未做分析。方法见 docs/reports.md。")
    cause_table.note_en = (f"{small} more missed interval(s) had fewer contacts than "
                           "sl_min_contacts behind the service level and are not analysed. "
                           "Method: docs/reports.md.")
    tables += [interval_table, _accuracy(queues, pairs), cause_table]
    not_available += NOT_ARCHIVED
    tables.append(Table("not_available", "暂不可用的内容", "Not available yet", [
        Column("section", "内容", "section"), Column("reason", "原因", "reason")],
        rows=not_available))
    return Report(
        kind=request.kind, period=period.label(), previous=prev.label(), lang=request.lang,
        zone=settings.timezone, queues=queues, teams=teams, tables=tables,
    )


FORECAST_MISSING = (
    "no archived interval of the queue in the profile_weeks before the period, and no "
    "forecast file rows: no forecast, so the cause analysis judges staffing only"
)

NOT_ARCHIVED: list[list[Any]] = [
    ["absenteeism, attrition",
     "need the roster and staff.joined/staff.left events (Appendix A), not computed yet"],
    ["QA/CSAT agreement, service accuracy vs CSAT correlation (7.5.3)",
     "need qa.evaluated events (Appendix A), which do not exist yet"],
    ["FCR, callback success, backlog, bot and knowledge-base indicators",
     "Appendix A indicators, not computed by the pipeline yet"],
    ["ASA, AHT, CSAT targets", "no target is configured for them"],
    ["CSAT per agent or team", "the archive's agent and team rows carry no survey counts"],
]
