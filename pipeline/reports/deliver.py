"""The daily report made and posted to chat at `[reports] daily_at` (issue #19).

Once the local time (configured zone, default Asia/Shanghai) passes `daily_at`, yesterday's
day report is built from the archive, written to `out_dir`, and its summary (service
level vs target, offered and abandon rate per queue, missed intervals) with a link to the
HTML (`link_base`/<file>) is posted to each channel of `[reports] channels` (the
`[notify.channels]` webhooks, signed as for alerts). `out_dir/.daily-delivery.json`
remembers the day and the channels that answered 2xx, so a restart posts nothing twice and
a failed channel is retried on the next tick of the same day.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.notify.credentials import ResolvedChannel
from pipeline.notify.formatters import OutgoingRequest, signed_request
from pipeline.notify.transport import SendOutcome, post
from pipeline.reports.build import ALL, ReportRequest, build_report
from pipeline.reports.period import period_for
from pipeline.reports.tables import Report
from pipeline.reports.write import write_report
from schemas.config import Settings

log = logging.getLogger("pipeline.reports")

STATE_FILE = ".daily-delivery.json"
Transport = Callable[[OutgoingRequest, str, float], SendOutcome]


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def summary(report: Report) -> tuple[str, list[tuple[str, str]]]:
    """The chat message of a report: a title and (label, text) facts, in its language."""
    zh = report.lang == "zh"
    title = (f"联络中心日报告 {report.period}" if zh
             else f"Contact center daily report {report.period}")
    values: dict[str, dict[str, Any]] = {}
    targets: dict[str, Any] = {}
    for row in report.table("summary").records():
        values.setdefault(row["queue"], {})[row["indicator"]] = row["value"]
        if row["indicator"] == "service_level":
            targets[row["queue"]] = (row["target"], row["status"])
    facts = []
    for queue in [*report.queues, ALL]:
        kpis = values.get(queue, {})
        target, status = targets.get(queue, (None, None))
        goal = ""
        if target is not None:
            met = {"met": "达标" if zh else "met", "missed": "未达标" if zh else "missed"}
            goal = (f"（目标 {_pct(target)}，{met.get(status or '', '')}）" if zh
                    else f" (target {_pct(target)}, {status})")
        label = ("全部" if zh else "all") if queue == ALL else queue
        if zh:
            text = (f"服务水平 {_pct(kpis.get('service_level'))}{goal} · 进线 "
                    f"{kpis.get('offered', 0)} · 放弃率 {_pct(kpis.get('abandon_rate'))}")
        else:
            text = (f"service level {_pct(kpis.get('service_level'))}{goal} · offered "
                    f"{kpis.get('offered', 0)} · abandon rate {_pct(kpis.get('abandon_rate'))}")
        facts.append((label, text))
    missed = len(report.table("causes").rows)
    facts.append(("未达标时段" if zh else "missed intervals", str(missed)))
    return title, facts


def payload(vendor: str, title: str, facts: list[tuple[str, str]], link: str | None,
            link_label: str) -> dict[str, Any]:
    """The vendor's message body for a report summary."""
    lines = [f"{k}: {v}" for k, v in facts]
    if vendor == "wecom":
        body = [f"### {title}", *(f"> {k}：{v}" for k, v in facts)]
        if link:
            body.append(f"[{link_label}]({link})")
        return {"msgtype": "markdown", "markdown": {"content": "\n".join(body)}}
    if vendor == "dingtalk":
        parts = [f"#### {title}", *(f"- **{k}**：{v}" for k, v in facts)]
        if link:
            parts.append(f"[{link_label}]({link})")
        return {"msgtype": "markdown", "markdown": {"title": title, "text": "\n\n".join(parts)}}
    if vendor == "feishu":
        text = "\n".join([title, *lines, *([f"{link_label}: {link}"] if link else [])])
        return {"msg_type": "text", "content": {"text": text}}
    if vendor == "slack":
        text = "\n".join([f"*{title}*", *lines, *([f"<{link}|{link_label}>"] if link else [])])
        return {"text": text}
    if vendor == "teams":
        card: dict[str, Any] = {
            "type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "text": title, "weight": "Bolder", "wrap": True},
                     {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]}],
        }
        if link:
            card["actions"] = [{"type": "Action.OpenUrl", "title": link_label, "url": link}]
        return {"type": "message", "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}]}
    return {"type": "wallboard.report", "title": title, "link": link,
            "facts": [{"label": k, "value": v} for k, v in facts]}


@dataclass
class DeliveryState:
    """What `out_dir/.daily-delivery.json` remembers of the latest daily report."""

    day: str = ""
    title: str = ""
    facts: list[list[str]] = field(default_factory=list)
    link: str | None = None
    delivered: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> DeliveryState:
        if not path.is_file():
            return cls()
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            log.warning("reports: %s unreadable (%s); starting afresh", path, exc)
            return cls()

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(path.name + ".tmp")
        temp.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        temp.replace(path)


def due_day(now: datetime, settings: Settings) -> date | None:
    """The day whose report is due at `now` (aware): yesterday once `daily_at` has passed
    today (local time), else None; None without `daily_at`."""
    daily_at = settings.reports.daily_at
    if daily_at is None:
        return None
    local = now.astimezone(settings.zone)
    if local.time() < daily_at:
        return None
    return local.date() - timedelta(days=1)


def run_once(
    settings: Settings, channels: Mapping[str, ResolvedChannel], now: datetime,
    *, transport: Transport = post,
) -> list[tuple[str, SendOutcome]]:
    """Make and post the due daily report if not done yet; returns this call's attempts."""
    day = due_day(now, settings)
    if day is None:
        return []
    config = settings.reports
    out = Path(config.out_dir)
    state_path = out / STATE_FILE
    state = DeliveryState.load(state_path)
    if state.day != day.isoformat():
        request = ReportRequest("day", day, lang=config.lang)
        report = build_report(Path(config.archive_dir), settings, request)
        written = write_report(report, period_for("day", day), out, config.formats)
        html = next((p for p in written if p.suffix == ".html"), None)
        title, facts = summary(report)
        link = f"{config.link_base}/{html.name}" if config.link_base and html else None
        state = DeliveryState(day.isoformat(), title, [list(f) for f in facts], link, [])
        state.save(state_path)
    label = "查看报告" if config.lang == "zh" else "Open the report"
    attempts = []
    for name in config.channels:
        if name in state.delivered:
            continue
        channel = channels[name]
        body = payload(channel.vendor, state.title, [(k, v) for k, v in state.facts],
                       state.link, label)
        request_ = signed_request(channel, body, now.timestamp())
        outcome = transport(request_, channel.vendor, settings.notify.retry.timeout_s)
        attempts.append((name, outcome))
        if outcome.delivered:
            state.delivered.append(name)
        else:
            log.warning("reports: daily report to %s not delivered (%s); retrying later",
                        name, outcome.reason)
    state.save(state_path)
    return attempts
