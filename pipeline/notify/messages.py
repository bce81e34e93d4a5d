"""Vendor-neutral message content of one alert transition, in zh-CN or English.

Times are shown in the configured local time zone (`YYYY-MM-DD HH:MM:SS`), ratios as
percentages, durations in minutes and seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pipeline.notify.routing import Transition, split_subject
from schemas.config import Settings
from schemas.notify import Language
from schemas.snapshot import Alert

KIND_LABELS: dict[Language, dict[str, str]] = {
    "zh-CN": {
        "ultra_short_contact": "超短通话",
        "ultra_long_contact": "超长通话",
        "abnormal_logout": "异常登出",
        "late_login": "迟到登录",
        "long_away": "长时间离席",
        "sl_breach": "服务水平未达标",
        "wait_breach": "排队等待超时",
        "abandon_spike": "放弃率突增",
        "volume_spike": "话务量超出预测",
    },
    "en": {
        "ultra_short_contact": "Ultra-short contact",
        "ultra_long_contact": "Ultra-long contact",
        "abnormal_logout": "Abnormal logout",
        "late_login": "Late login",
        "long_away": "Long time away",
        "sl_breach": "Service level below target",
        "wait_breach": "Wait time breach",
        "abandon_spike": "Abandon rate spike",
        "volume_spike": "Volume above forecast",
    },
}
SEVERITY_LABELS: dict[Language, dict[str, str]] = {
    "zh-CN": {"info": "提示", "warning": "警告", "critical": "严重"},
    "en": {"info": "Info", "warning": "Warning", "critical": "Critical"},
}
TRANSITION_LABELS: dict[Language, dict[str, str]] = {
    "zh-CN": {"raised": "告警", "cleared": "已恢复", "escalated": "升级", "test": "测试"},
    "en": {"raised": "Raised", "cleared": "Cleared", "escalated": "Escalated", "test": "Test"},
}
UI_LABELS: dict[Language, dict[str, str]] = {
    "zh-CN": {
        "severity": "级别",
        "subject": "对象",
        "raised_at": "发生时间",
        "cleared_at": "恢复时间",
        "duration": "持续时长",
        "active_for": "已持续",
        "link": "查看详情",
        "queue": "队列",
        "agent": "坐席",
        "team": "班组",
    },
    "en": {
        "severity": "Severity",
        "subject": "Subject",
        "raised_at": "Raised at",
        "cleared_at": "Cleared at",
        "duration": "Duration",
        "active_for": "Active for",
        "link": "Open drill-down",
        "queue": "Queue",
        "agent": "Agent",
        "team": "Team",
    },
}
EVIDENCE_LABELS: dict[Language, dict[str, str]] = {
    "zh-CN": {
        "service_level": "服务水平",
        "target": "目标",
        "contacts": "样本量",
        "abandon_rate": "放弃率",
        "threshold": "阈值",
        "threshold_s": "阈值",
        "limit_s": "时限",
        "conversation_s": "通话时长",
        "contact_id": "联络编号",
        "queue": "队列",
        "reason": "原因",
        "reasons": "原因",
        "late_by_s": "迟到",
        "not_logged_in": "宽限期末未登录",
        "absent": "整班未到",
        "shift_start": "班次开始",
        "shift_end": "班次结束",
        "active_contacts": "进行中联络",
        "logins_in_window": "窗口内登录次数",
        "interval_start": "时段开始",
        "offered": "进线量",
        "forecast": "预测量",
        "projected": "时段预计量",
        "factor": "倍数阈值",
        "longest_wait_s": "最长等待",
        "contacts_over": "超过阈值的联络",
    },
    "en": {
        "service_level": "Service level",
        "target": "Target",
        "contacts": "Contacts",
        "abandon_rate": "Abandon rate",
        "threshold": "Threshold",
        "threshold_s": "Threshold",
        "limit_s": "Limit",
        "conversation_s": "Conversation",
        "contact_id": "Contact",
        "queue": "Queue",
        "reason": "Reason",
        "reasons": "Reasons",
        "late_by_s": "Late by",
        "not_logged_in": "Not logged in at the grace end",
        "absent": "Absent all shift",
        "shift_start": "Shift start",
        "shift_end": "Shift end",
        "active_contacts": "Active contacts",
        "logins_in_window": "Logins in window",
        "interval_start": "Interval start",
        "offered": "Offered",
        "forecast": "Forecast",
        "projected": "Projected for the interval",
        "factor": "Factor",
        "longest_wait_s": "Longest wait",
        "contacts_over": "Contacts over the threshold",
    },
}
RATIO_KEYS = frozenset({"service_level", "target", "abandon_rate", "threshold"})
SECONDS_KEYS = frozenset(
    {"threshold_s", "limit_s", "conversation_s", "late_by_s", "longest_wait_s"}
)
TIME_KEYS = frozenset({"shift_start", "shift_end", "interval_start"})


@dataclass(frozen=True)
class AlertMessage:
    """What every vendor's message says; `facts` are (label, value) pairs, in order.

    Everything here is unescaped text: `title_lead` is our own template ("[告警] 超短通话 · "),
    `subject_label` and every fact value may come from events or configuration, so each
    vendor's formatter passes them through its escaper (`pipeline.notify.escape`).
    """

    transition: Transition
    alert: Alert
    language: Language
    title_lead: str
    severity_label: str
    subject_label: str
    facts: tuple[tuple[str, str], ...]
    link: str | None
    link_label: str

    @property
    def severity(self) -> str:
        return self.alert.severity

    @property
    def title(self) -> str:
        """The unescaped title, for the generic JSON webhook and plain-text logs."""
        return self.title_lead + self.subject_label


def format_duration(seconds: float, language: Language) -> str:
    """Whole seconds as `1h 02m 05s` / `1小时02分05秒`, leading zero units dropped."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if language == "zh-CN":
        if hours:
            return f"{hours}小时{minutes:02d}分{secs:02d}秒"
        return f"{minutes}分{secs:02d}秒" if minutes else f"{secs}秒"
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def format_local(text: str, settings: Settings) -> str:
    """An RFC 3339 timestamp as `YYYY-MM-DD HH:MM:SS` in the configured zone."""
    return datetime.fromisoformat(text).astimezone(settings.zone).strftime("%Y-%m-%d %H:%M:%S")


def _queue_name(queue: str, settings: Settings, language: Language) -> str:
    if queue not in settings.queues:
        return queue
    rules = settings.queue_rules(queue)
    return rules.name_zh if language == "zh-CN" else rules.name_en


def _evidence_value(key: str, value: Any, settings: Settings, language: Language) -> str:
    if key in RATIO_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value * 100:.1f}%"
    if key in SECONDS_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
        return format_duration(float(value), language)
    if key in TIME_KEYS and isinstance(value, str):
        try:
            return format_local(value, settings)
        except ValueError:
            return value
    if key == "queue" and isinstance(value, str):
        return _queue_name(value, settings, language)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return ("是" if value else "否") if language == "zh-CN" else ("yes" if value else "no")
    return str(value)


def subject_label(subject: str, settings: Settings, language: Language) -> str:
    """`queue:claims_report` -> `队列 理赔报案 (claims_report)`; agents keep their id."""
    kind, ident = split_subject(subject)
    labels = UI_LABELS[language]
    if kind == "queue":
        name = _queue_name(ident, settings, language)
        shown = f"{name} ({ident})" if name != ident else ident
        return f"{labels['queue']} {shown}"
    if kind in ("agent", "team"):
        return f"{labels[kind]} {ident}"
    return subject


def drilldown_link(subject: str, dashboard_url: str | None) -> str | None:
    """`{dashboard_url}/queue/<q>` or `/agent/<a>`; None without a dashboard URL."""
    kind, ident = split_subject(subject)
    if dashboard_url is None or kind not in ("queue", "agent", "team"):
        return None
    return f"{dashboard_url}/{kind}/{quote(ident, safe='')}"


def build_message(
    alert: Alert,
    transition: Transition,
    language: Language,
    settings: Settings,
    now: datetime,
) -> AlertMessage:
    """The content of one message; `now` (aware) gives the age of an escalated alert."""
    labels = UI_LABELS[language]
    kind_label = KIND_LABELS[language].get(alert.kind, alert.kind)
    severity_label = SEVERITY_LABELS[language].get(alert.severity, alert.severity)
    subject = subject_label(alert.subject, settings, language)
    transition_label = TRANSITION_LABELS[language][transition]
    title_lead = f"[{transition_label}] {kind_label} · "

    facts: list[tuple[str, str]] = [
        (labels["severity"], severity_label),
        (labels["subject"], subject),
        (labels["raised_at"], format_local(alert.raised_at, settings)),
    ]
    raised = datetime.fromisoformat(alert.raised_at)
    if transition == "cleared" and alert.cleared_at is not None:
        cleared = datetime.fromisoformat(alert.cleared_at)
        facts.append((labels["cleared_at"], format_local(alert.cleared_at, settings)))
        facts.append(
            (labels["duration"], format_duration((cleared - raised).total_seconds(), language))
        )
    elif transition == "escalated":
        facts.append(
            (labels["active_for"], format_duration((now - raised).total_seconds(), language))
        )
    evidence_labels = EVIDENCE_LABELS[language]
    for key, value in alert.evidence.items():
        if value is None:
            continue
        label = evidence_labels.get(key, key)
        facts.append((label, _evidence_value(key, value, settings, language)))
    return AlertMessage(
        transition=transition,
        alert=alert,
        language=language,
        title_lead=title_lead,
        severity_label=severity_label,
        subject_label=subject,
        facts=tuple(facts),
        link=drilldown_link(alert.subject, settings.notify.dashboard_url),
        link_label=labels["link"],
    )
