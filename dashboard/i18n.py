"""User-facing text in zh-CN (default) and English.

`t(key, lang, **values)` looks a text up and fills `{placeholders}`; an unknown language
falls back to zh-CN. Names of queues and teams come from the configuration
(`name_zh` / `name_en`), see `queue_name` and `team_name`.
"""

from __future__ import annotations

from typing import Literal

from schemas.config import Settings

Lang = Literal["zh", "en"]
DEFAULT_LANG: Lang = "zh"

_TEXTS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "wallboard": ("实时监控大屏", "Wallboard"),
    "floor": ("全中心", "Whole floor"),
    "service_level": ("服务水平", "Service level"),
    "in_queue": ("排队", "In queue"),
    "longest_wait": ("最长等待", "Longest wait"),
    "abandon_rate": ("放弃率", "Abandon rate"),
    "asa": ("平均应答", "ASA"),
    "staffed": ("在线", "Staffed"),
    # Wallboard column heads and lines (the state words are the `state_*` keys below)
    # (two lines each: what, then over which window)
    "col_sl": ("服务水平\n15 分钟 / 目标", "Service level\n15 min / target"),
    "col_sl_day": ("服务水平\n今日", "Service level\ntoday"),
    "col_abandon": ("放弃率\n15 分钟", "Abandon rate\n15 min"),
    "col_abandon_day": ("放弃率\n今日", "Abandon rate\ntoday"),
    "col_asa": ("平均应答\n15 分钟", "ASA\n15 min"),
    "waiting_now": ("排队中", "Waiting"),
    "nobody_waiting": ("无人排队", "Nobody waiting"),
    "flagged_legend": ("有异常", "Anomaly"),
    "more_agents": ("另有 {n} 人见班组页", "{n} more on the team pages"),
    "more_alerts": ("另有 {n} 条见告警页", "{n} more on the alerts page"),
    "wb_footer": (
        "▲▼ 近 15 分钟对比近 60 分钟 · 今日自 0 点起 · 截至 {time}",
        "▲▼ last 15 min vs last 60 min · today since midnight · as of {time}",
    ),
    "offered": ("呼入", "Offered"),
    "answered": ("接通", "Answered"),
    "abandoned": ("放弃", "Abandoned"),
    "aht": ("平均处理时长", "AHT"),
    "as_of": ("截至 {time}", "as of {time}"),
    "formula_sl_voice": (
        "服务水平 = {threshold} 秒内接通，{short} 秒内短放弃不计 · 目标 {target}",
        "SL = answered within {threshold} s, short abandons < {short} s excluded · "
        "target {target}",
    ),
    "formula_sl_chat": (
        "服务水平 = {threshold} 秒内响应，{short} 秒内短放弃不计 · 目标 {target}",
        "SL = responded within {threshold} s, short abandons < {short} s excluded · "
        "target {target}",
    ),
    "formula_floor": (
        "全中心汇总，各队列按自身阈值计算",
        "All queues, each at its own SL threshold",
    ),
    "stale_since": ("数据已停止更新，最后更新于 {time}", "data stale since {time}"),
    "no_updates_since": (
        "与仪表盘服务器失去联系，最后更新于 {time}",
        "no update from the dashboard server since {time}",
    ),
    "replay_clock": ("回放时间 {time}", "replay time {time}"),
    "no_data": ("暂无数据（Redis 不可用）", "no data yet (Redis unreachable)"),
    "fresh": ("数据 {age} 秒前", "data {age} s old"),
    "refused_time": (
        "⚠ {count} 条事件时间异常被拒收（见死信）",
        "⚠ {count} events refused for their time (see dead letters)",
    ),
    "no_alerts": ("当前无告警", "no active alerts"),
    "alerts_unknown": ("告警状态未知（数据已停止更新）", "alerts unknown (data stale)"),
    "agents": ("坐席", "Agents"),
    "queue": ("队列", "Queue"),
    "team": ("班组", "Team"),
    "agent": ("坐席", "Agent"),
    "state": ("状态", "State"),
    "time_in_state": ("状态时长", "Time in state"),
    "handled": ("处理量", "Handled"),
    "utilization": ("利用率", "Utilization"),
    "occupancy": ("占用率", "Occupancy"),
    "not_ready_time": ("未就绪时长", "Not-ready time"),
    "logged_in_time": ("登录时长", "Logged-in time"),
    "ultra_short": ("超短通话", "Ultra-short"),
    "ultra_long": ("超长通话", "Ultra-long"),
    "anomalies": ("异常", "Anomalies"),
    "interval": ("时段", "Interval"),
    "interval_table": ("今日分时段统计", "Today by interval"),
    "last_24h": ("近 24 小时（每分钟）", "Last 24 h (per minute)"),
    "past_days": ("历史趋势（按日）", "Past days"),
    "last_7_days": ("近 7 天", "Last 7 days"),
    "last_30_days": ("近 30 天", "Last 30 days"),
    "typical_day": ("典型一天（按时段）", "Typical day by interval"),
    "offered_per_day": ("日均呼入", "Offered per day"),
    "my_last_7_days": ("我的近 7 天", "My last 7 days"),
    "date": ("日期", "Day"),
    "total": ("合计", "Total"),
    "no_history": ("暂无历史数据", "no history yet"),
    "staffing": ("今日人力（按时段）", "Staffing today by interval"),
    "no_forecast": (
        "暂无预测（归档中还没有历史数据）", "no forecast yet (no history in the archive)"
    ),
    "no_forecast_in_file": (
        "暂无预测（归档中还没有历史数据，预测文件 {file} 中没有本队列今天的数据）",
        "no forecast (no history in the archive; the forecast file {file} has nothing for "
        "this queue today)",
    ),
    "forecast_file_unreadable": ("预测文件无法读取：{error}", "forecast file unreadable: {error}"),
    "forecast_source_archive": (
        "预测来源：归档历史（近 {weeks} 周）",
        "Forecast from the archive's history (last {weeks} weeks)",
    ),
    "forecast_source_configured": (
        "预测来源：配置的预测文件 {file}（归档中还没有历史数据）",
        "Forecast from the configured file {file} (no history in the archive yet)",
    ),
    "gap_source_archive": ("按历史预测", "vs archive forecast"),
    "gap_source_configured": ("按预测文件", "vs forecast file"),
    "forecast": ("预测话务", "Forecast"),
    "actual": ("实际话务", "Actual"),
    "required": ("需求坐席", "Required"),
    "required_with_shrinkage": ("需排班（含缩减）", "To schedule"),
    "scheduled": ("排班", "Scheduled"),
    "available": ("可用", "Available"),
    "staffing_gap": ("人力缺口（本时段）", "Staffing gap (this interval)"),
    "gap": ("缺口", "Gap"),
    "gap_short": ("缺 {n} 人", "{n} short"),
    "gap_over": ("多 {n} 人", "{n} over"),
    "gap_even": ("持平", "even"),
    "formula_staffing": (
        "需求 = Erlang C（服务水平目标、最大占用率）；"
        "缺口 = 可用 − 需求（本时段），其他时段 = 排班 − 需求",
        "Required = Erlang C (SL goal, max occupancy); gap = available − required now, "
        "scheduled − required in other intervals",
    ),
    "history_unavailable": ("历史数据暂时无法读取", "history unavailable right now"),
    "teams_serving": ("服务本队列的班组", "Teams serving this queue"),
    "window": ("时间窗", "Window"),
    "kpi": ("指标", "KPI"),
    "window_15m": ("15 分钟", "15 min"),
    "window_30m": ("30 分钟", "30 min"),
    "window_60m": ("60 分钟", "60 min"),
    "window_interval": ("本时段", "This interval"),
    "window_day": ("今日", "Today"),
    "today": ("今日", "Today"),
    "team_median": ("班组中位数", "Team median"),
    "you": ("我", "You"),
    "my_day": ("我的今日数据", "My numbers today"),
    "nothing_unusual": ("今日没有异常，继续保持！", "Nothing unusual today. Keep it up!"),
    "alerts": ("告警", "Alerts"),
    "active_alerts": ("当前告警", "Active alerts"),
    "alert_history": ("告警历史", "Alert history"),
    "kind": ("类型", "Kind"),
    "severity": ("级别", "Severity"),
    "subject": ("对象", "Subject"),
    "raised_at": ("触发时间", "Raised at"),
    "cleared_at": ("解除时间", "Cleared at"),
    "transition": ("变化", "Transition"),
    "evidence": ("依据", "Evidence"),
    "ack": ("确认", "Acknowledge"),
    "acked": ("已确认", "Acknowledged"),
    "ack_by": ("确认人", "Your name"),
    "ack_note": ("备注", "Note"),
    "ack_done": ("已确认 {alert}（{by}，{time}）", "Acknowledged {alert} ({by}, {time})"),
    "ack_pick": ("请先在当前告警表中选择一条告警", "Select an active alert first"),
    "ack_name": ("请填写确认人", "Enter your name"),
    "all": ("全部", "All"),
    "unknown_entity": ("未找到：{name}", "Not found: {name}"),
    "not_found": ("未找到", "Not found"),
    "not_found_entity": ("未找到{what}：{name}", "{what} not found: {name}"),
    "no_such_page": ("没有这个页面：{path}", "No such page: {path}"),
    "site_word": ("站点", "Site"),
    "back_to_wallboard": ("返回实时监控大屏", "Back to the wallboard"),
    "site_floor": ("{site} 全部队列", "{site}: all queues"),
    "formula_site": ("站点 {site} 汇总，各队列按自身阈值计算",
                     "All queues of site {site}, each at its own SL threshold"),
    "state_ready": ("就绪", "Ready"),
    "state_busy": ("服务中", "On contact"),
    "state_acw": ("话后处理", "After-call work"),
    "state_not_ready": ("未就绪", "Not ready"),
    "state_logged_out": ("已登出", "Logged out"),
    "reason_break": ("小休", "break"),
    "reason_lunch": ("午餐", "lunch"),
    "reason_training": ("培训", "training"),
    "reason_meeting": ("会议", "meeting"),
    "reason_coaching": ("辅导", "coaching"),
    "reason_system": ("系统", "system"),
    "reason_other": ("其他", "other"),
    "reason_outbound": ("外呼", "outbound call"),
    "kind_ultra_short_contact": ("超短通话", "Ultra-short contact"),
    "kind_ultra_long_contact": ("超长通话", "Ultra-long contact"),
    "kind_abnormal_logout": ("异常登出", "Abnormal logout"),
    "kind_late_login": ("迟到登录", "Late login"),
    "kind_long_away": ("未就绪超时", "Not ready too long"),
    "kind_sl_breach": ("服务水平不达标", "SL breach"),
    "kind_wait_breach": ("等待超时", "Wait breach"),
    "kind_abandon_spike": ("放弃率飙升", "Abandon spike"),
    "kind_volume_spike": ("话务量激增", "Volume spike"),
    "sev_info": ("提示", "info"),
    "sev_warning": ("警告", "warning"),
    "sev_critical": ("严重", "critical"),
    "since": ("{time} 起", "since {time}"),
    "transition_raised": ("触发", "raised"),
    "transition_cleared": ("解除", "cleared"),
    "transition_escalated": ("升级", "escalated"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # Alert evidence, as the alerts page shows it (values formatted by dashboard.views)
    "ev_service_level": ("服务水平", "service level"),
    "ev_target": ("目标", "target"),
    "ev_contacts": ("联络数", "contacts"),
    "ev_abandon_rate": ("放弃率", "abandon rate"),
    "ev_threshold": ("阈值", "threshold"),
    "ev_threshold_s": ("阈值", "threshold"),
    "ev_limit_s": ("时限", "limit"),
    "ev_conversation_s": ("通话时长", "conversation"),
    "ev_contact_id": ("联络编号", "contact"),
    "ev_queue": ("队列", "queue"),
    "ev_reason": ("原因", "reason"),
    "ev_reasons": ("原因", "reasons"),
    "ev_late_by_s": ("迟到", "late by"),
    "ev_not_logged_in": ("宽限期末未登录", "not logged in at the grace end"),
    "ev_absent": ("整班未到", "absent all shift"),
    "ev_shift_start": ("班次开始", "shift start"),
    "ev_shift_end": ("班次结束", "shift end"),
    "ev_active_contacts": ("进行中联络", "active contacts"),
    "ev_logins_in_window": ("窗口内登录次数", "logins in window"),
    "ev_interval_start": ("时段开始", "interval start"),
    "ev_offered": ("呼入", "offered"),
    "ev_forecast": ("预测", "forecast"),
    "ev_projected": ("时段预计", "projected"),
    "ev_factor": ("倍数阈值", "factor"),
    "ev_longest_wait_s": ("最长等待", "longest wait"),
    "ev_in_queue": ("排队", "in queue"),
    "ev_contacts_over": ("超时排队", "waiting over the threshold"),
    "timeline": ("今日时间线", "Today's timeline"),
    "contact": ("服务", "Contact"),
    "explain_ultra_short_contact": (
        "通话 {conversation} 就结束了（低于 {threshold}）。",
        "A conversation ended after {conversation} (under {threshold}).",
    ),
    "tip_ultra_short_contact": (
        "确认客户的问题已解决后再结束通话；若是掉线，请在小结里注明。",
        "Make sure the customer's need is met before ending; note dropped calls in wrap-up.",
    ),
    "explain_ultra_long_contact": (
        "一通服务超过了 {threshold}。",
        "A contact went past {threshold}.",
    ),
    "tip_ultra_long_contact": (
        "复杂问题可以请组长协助或预约回电，避免客户久等。",
        "For complex cases ask your team lead or offer a call-back.",
    ),
    "explain_abnormal_logout": ("登出异常：{reasons}。", "Unusual logout: {reasons}."),
    "tip_abnormal_logout": (
        "下班前结束所有服务并按排班时间登出；系统问题请报告组长。",
        "Finish all contacts and log out at shift end; report system trouble to your lead.",
    ),
    "explain_late_login": ("登录比排班晚了 {late_by}。", "Logged in {late_by} after shift start."),
    "explain_late_login_missing": (
        "排班 {shift_start} 开始，至今未登录。",
        "Not logged in yet; the shift began at {shift_start}.",
    ),
    "explain_late_login_absent": (
        "排班 {shift_start} 开始，整个班次未登录。",
        "Did not log in for the shift that began at {shift_start}.",
    ),
    "tip_late_login": (
        "提前几分钟到岗，开班前完成系统登录。",
        "Arrive a few minutes early and log in before the shift starts.",
    ),
    "explain_long_away": (
        "“{reason}”状态超过了 {limit}。",
        "Stayed in '{reason}' longer than {limit}.",
    ),
    "tip_long_away": (
        "休息结束后及时切回就绪；需要更长时间请先告知组长。",
        "Switch back to ready when the break ends; tell your lead if you need longer.",
    ),
    "tip_label": ("建议：", "Tip: "),
    "explain_generic": ("{kind}。", "{kind}."),
    "tip_generic": ("如有疑问请联系组长。", "Ask your team lead if anything is unclear."),
    "reason_active_contact": ("仍有进行中的服务", "a contact was still active"),
    "reason_early_logout": ("早于下班时间", "before shift end"),
    "reason_frequent_relogin": ("频繁重复登录", "frequent re-login"),
    # Staffing strip: re-forecast and Erlang C / Erlang A (queue page)
    "reforecast": ("重新预测", "Re-forecast"),
    "required_erlang_c": ("需求（Erlang C）", "Required (Erlang C)"),
    "required_erlang_a": ("需求（Erlang A）", "Required (Erlang A)"),
    "formula_staffing_reforecast": (
        "需求按重新预测话务计算（已结束时段按原预测）；有耐心时长时用 Erlang A，否则 Erlang C；"
        "需排班与缺口按该需求；缺口 = 可用 − 需求（本时段），其他时段 = 排班 − 需求",
        "Required on the re-forecast volume (the forecast for closed intervals): Erlang A "
        "when a patience is known, else Erlang C; to schedule and gap follow it; gap = "
        "available − required now, scheduled − required in other intervals",
    ),
    "strip_rescaled": (
        "今日已结束时段：实际 {actual} 通 / 预测 {forecast} 通 → 余下时段 × {factor}",
        "Closed intervals today: actual {actual} vs forecast {forecast} contacts → rest "
        "of today × {factor}",
    ),
    "strip_not_rescaled": (
        "今日已结束时段：实际 {actual} 通 / 预测 {forecast} 通；预测不足 {min} 通，余下时段不调整",
        "Closed intervals today: actual {actual} vs forecast {forecast} contacts; under "
        "{min} forecast so far, the rest of today is not rescaled",
    ),
    "strip_day_closed": (
        "今日已结束时段：实际 {actual} 通 / 预测 {forecast} 通；今日时段均已结束",
        "Closed intervals today: actual {actual} vs forecast {forecast} contacts; no "
        "interval left today",
    ),
    "strip_patience_observed": (
        "Erlang A 耐心时长 {patience}：今日观测值（等待总时长 / 放弃数）",
        "Erlang A patience {patience}: observed today (total wait / abandons)",
    ),
    "strip_patience_configured": (
        "Erlang A 耐心时长 {patience}：配置值（今日已结束时段放弃不足 {min} 通，无法估计）",
        "Erlang A patience {patience}: configured (under {min} abandons in today's closed "
        "intervals to estimate it)",
    ),
    "strip_erlang_c_only": (
        "仅 Erlang C：未配置耐心时长（[staffing] patience_s），"
        "今日已结束时段放弃也不足 {min} 通，无法估计",
        "Erlang C only: no patience configured ([staffing] patience_s), and under {min} "
        "abandons in today's closed intervals to estimate one",
    ),
    # Schedule adherence (team page)
    "adherence": ("今日排班出勤（截至现在）", "Schedule adherence today (so far)"),
    "formula_adherence": (
        "排班 = 截至现在的带薪排班时长（不含无薪休息）；缺勤 = 排班 − 登录（不低于 0）；"
        "缺勤率 = 缺勤 / 排班；排班利用率 = (服务中 + 话后处理 + 就绪) / 排班",
        "Scheduled = paid scheduled time so far (unpaid breaks excluded); lost = scheduled "
        "− logged in (not below 0); absenteeism = lost / scheduled; utilization vs "
        "schedule = (on contact + after-call work + ready) / scheduled",
    ),
    "scheduled_so_far": ("排班时长", "Scheduled"),
    "logged_in_so_far": ("登录时长", "Logged in"),
    "lost_time": ("缺勤时长", "Lost"),
    "absenteeism": ("缺勤率", "Absenteeism"),
    "utilization_vs_schedule": ("排班利用率", "Utilization vs schedule"),
    "no_roster": (
        "未配置排班表（[staffing] roster）或排班表无法读取",
        "no roster ([staffing] roster not set or unreadable)",
    ),
    "not_on_roster": ("今日排班表中没有本班组的坐席", "nobody of this team on today's roster"),
}


def normalize_lang(value: str | None) -> Lang:
    """`en` for English, anything else the default zh-CN."""
    return "en" if (value or "").lower().startswith("en") else DEFAULT_LANG


def t(key: str, lang: Lang, **values: object) -> str:
    """The text for `key` in `lang`, with `{placeholders}` filled from `values`."""
    zh, en = _TEXTS.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def queue_name(settings: Settings, queue: str, lang: Lang) -> str:
    override = settings.queues.get(queue)
    if override is None:
        return queue
    name = override.name_en if lang == "en" else override.name_zh
    return name or queue


def team_name(settings: Settings, team: str, lang: Lang) -> str:
    override = settings.teams.get(team)
    if override is None:
        return team
    name = override.name_en if lang == "en" else override.name_zh
    return name or team


def state_label(state: str, reason: str | None, lang: Lang) -> str:
    """`Not ready (break)` style label of an agent state."""
    label = t(f"state_{state}", lang)
    if state == "not_ready" and reason:
        sep = "·" if lang == "zh" else " · "
        return f"{label}{sep}{t(f'reason_{reason}', lang)}"
    return label
