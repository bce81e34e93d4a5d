"""Hostile text in an alert reaches every vendor as inert plain text: the real notifier reads
the alert from Redis and posts to a real local receiver; each body is checked exactly."""

from __future__ import annotations

import json
import random
import time
from datetime import UTC, datetime
from typing import Any

import redis

from pipeline.notify.clock import FixedWallClock
from pipeline.notify.credentials import resolve_channels
from pipeline.notify.keys import NotifyKeys
from pipeline.notify.notifier import Notifier
from schemas.snapshot import Alert
from tests.notify.conftest import FAST_RETRY, WebhookServer, sample_settings

DAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
VENDORS = ("slack", "teams", "wecom", "dingtalk", "feishu")
AGENT = "<!here>"  # the parse step refuses such an id; the notifier must not rely on it
PAYLOAD = (
    "<!channel> <@all> @all <at id=all></at> [点我登录](https://evil.example/x) "
    "<https://evil.example|click> **bold** <script>alert(1)</script>\nnext\u202eline"
)
RAW_PAYLOADS = (
    "<!channel>",
    "<!here>",
    "<@all>",
    "<at id=all>",
    "https://",
    "<https:",
    "|click>",
    "<script>",
    "\u202e",
    "\nnext",  # the newline from the data (our own templates use newlines)
)
# Markdown syntax matters where the text is markdown (Slack's plain_text is not parsed,
# and `[t](u)` / `**b**` are not Slack markup).
MARKDOWN_PAYLOADS = ("[点我登录](", "**bold**")
LINK = "http://wallboard.test/agent/%3C%21here%3E"

# The same payload as each vendor must receive it (hand-written).
SLACK_PAYLOAD = (
    "&lt;!channel&gt; &lt;@all&gt; @all &lt;at id=all&gt;&lt;/at&gt; "
    "[点我登录](https:／／evil.example/x) &lt;https:／／evil.example|click&gt; **bold** "
    "&lt;script&gt;alert(1)&lt;/script&gt; next\\u202eline"
)
TEAMS_PAYLOAD = (
    "&lt;!channel&gt; &lt;@all&gt; @all &lt;at id=all&gt;&lt;/at&gt; "
    "\\[点我登录\\](https:／／evil.example/x) &lt;https:／／evil.example\\|click&gt; "
    "\\*\\*bold\\*\\* &lt;script&gt;alert(1)&lt;/script&gt; next\\\\u202eline"
)
CJK_PAYLOAD = (
    "＜!channel＞ ＜＠all＞ ＠all ＜at id=all＞＜/at＞ ［点我登录］(https:／／evil.example/x) "
    "＜https:／／evil.example｜click＞ ＊＊bold＊＊ ＜script＞alert(1)＜/script＞ next＼u202eline"
)
ZH_TITLE = "[告警] 长时间离席 · 坐席 ＜!here＞"
ZH_FACTS = [
    ("级别", "警告"),
    ("对象", "坐席 ＜!here＞"),
    ("发生时间", "2026-03-02 09:15:00"),
    ("原因", CJK_PAYLOAD),
    ("时限", "15分00秒"),
]


def _alert() -> Alert:
    return Alert(
        id=f"long_away:{AGENT}:1772413200",
        kind="long_away",
        severity="warning",
        subject=f"agent:{AGENT}",
        raised_at="2026-03-02T09:15:00+08:00",
        cleared_at=None,
        evidence={"reason": PAYLOAD, "limit_s": 900},
    )


def _expected(vendor: str) -> dict[str, Any]:
    if vendor == "slack":
        title = "[Raised] Long time away · Agent &lt;!here&gt;"
        facts = [
            ("Severity", "Warning"),
            ("Subject", "Agent &lt;!here&gt;"),
            ("Raised at", "2026-03-02 09:15:00"),
            ("Reason", SLACK_PAYLOAD),
            ("Limit", "15m 00s"),
        ]
        return {
            "text": f"{title} (Warning)",
            "blocks": [
                {
                    "type": "header",
                    "text": {
                        "type": "plain_text",
                        "text": f":large_orange_circle: {title}",
                        "emoji": True,
                    },
                },
                {
                    "type": "section",
                    "fields": [
                        {"type": "plain_text", "text": f"{k}\n{v}", "emoji": False}
                        for k, v in facts
                    ],
                },
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Open drill-down"},
                            "url": LINK,
                        }
                    ],
                },
                {
                    "type": "context",
                    "elements": [
                        {
                            "type": "plain_text",
                            "text": "long_away:&lt;!here&gt;:1772413200",
                            "emoji": False,
                        }
                    ],
                },
            ],
        }
    if vendor == "teams":
        facts = [
            ("Severity", "Warning"),
            ("Subject", "Agent &lt;!here&gt;"),
            ("Raised at", "2026-03-02 09:15:00"),
            ("Reason", TEAMS_PAYLOAD),
            ("Limit", "15m 00s"),
        ]
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [
                {
                    "type": "TextBlock",
                    "text": "[Raised] Long time away · Agent &lt;!here&gt;",
                    "weight": "Bolder",
                    "size": "Medium",
                    "wrap": True,
                    "color": "Warning",
                },
                {"type": "FactSet", "facts": [{"title": k, "value": v} for k, v in facts]},
            ],
            "actions": [{"type": "Action.OpenUrl", "title": "Open drill-down", "url": LINK}],
        }
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": card,
                }
            ],
        }
    if vendor == "wecom":
        lines = [f'### <font color="warning">{ZH_TITLE}</font>']
        lines += [f"> {k}：{v}" for k, v in ZH_FACTS]
        lines.append(f"[查看详情]({LINK})")
        return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}
    if vendor == "dingtalk":
        parts = [f"#### {ZH_TITLE}", *[f"- **{k}**：{v}" for k, v in ZH_FACTS]]
        parts.append(f"[查看详情]({LINK})")
        return {
            "msgtype": "markdown",
            "markdown": {"title": ZH_TITLE, "text": "\n\n".join(parts)},
            "at": {"isAtAll": False},
        }
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"template": "orange", "title": {"tag": "plain_text", "content": ZH_TITLE}},
            "elements": [
                {
                    "tag": "div",
                    "fields": [
                        {"is_short": True, "text": {"tag": "lark_md", "content": f"**{k}**\n{v}"}}
                        for k, v in ZH_FACTS
                    ],
                },
                {
                    "tag": "action",
                    "actions": [
                        {
                            "tag": "button",
                            "text": {"tag": "plain_text", "content": "查看详情"},
                            "type": "primary",
                            "url": LINK,
                        }
                    ],
                },
            ],
        },
    }


def _texts(value: Any) -> list[str]:
    """Every string in a decoded JSON body except link URLs (ours, percent-encoded)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for k, v in value.items() if k != "url" for t in _texts(v)]
    return []


def test_hostile_text_reaches_every_vendor_escaped(
    webhook: WebhookServer, redis_client: redis.Redis, redis_prefix: str
) -> None:
    settings = sample_settings(
        {
            "dashboard_url": "http://wallboard.test",
            "start_at": "beginning",
            "poll_interval_s": 0.05,
            "retry": FAST_RETRY,
            "channels": {
                v: {"vendor": v, "url_env": f"WB_{v.upper()}_URL", "rate_per_min": 6000}
                for v in VENDORS
            },
            "routes": [{"name": "claims", "teams": ["bj_claims_a"], "channels": list(VENDORS)}],
        },
        redis_prefix=redis_prefix,
    )
    keys = NotifyKeys(redis_prefix)
    redis_client.set(keys.entity("agent", AGENT), json.dumps({"team": "bj_claims_a"}))
    entry: Any = redis_client.xadd(
        keys.alerts_history(), {"transition": "raised", "alert": _alert().model_dump_json()}
    )
    environ = {f"WB_{v.upper()}_URL": webhook.url(f"/{v}") for v in VENDORS}
    notifier = Notifier(
        settings,
        redis_client,
        resolve_channels(settings.notify, environ),
        clock=FixedWallClock(DAY),
        rng=random.Random(5),
    )
    notifier.start()
    try:
        received = webhook.wait_for(len(VENDORS))
        deadline = time.monotonic() + 10
        while redis_client.get(keys.notify_cursor()) != entry and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        notifier.stop()
    by_vendor = {r.path.removeprefix("/"): json.loads(r.body) for r in received}
    assert sorted(by_vendor) == sorted(VENDORS)
    for vendor in VENDORS:
        assert by_vendor[vendor] == _expected(vendor), vendor
        for text in _texts(by_vendor[vendor]):
            for raw in RAW_PAYLOADS + (MARKDOWN_PAYLOADS if vendor != "slack" else ()):
                assert raw not in text, (vendor, raw, text)
