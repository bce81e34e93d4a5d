"""Each vendor's body as the real receiver sees it, and signatures recomputed by hand."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from urllib.parse import quote_plus

from pydantic import SecretStr

from pipeline.notify.credentials import ResolvedChannel
from pipeline.notify.formatters import build_request
from pipeline.notify.messages import build_message
from pipeline.notify.transport import post
from schemas.notify import Language, Vendor
from tests.notify.conftest import SIGNING_SECRET, WebhookServer, sample_settings, sl_breach

NOW = datetime(2026, 3, 2, 1, 20, 5, tzinfo=UTC)  # 09:20:05 in Shanghai
NOW_S = 1772414405
SETTINGS = sample_settings({"dashboard_url": "http://wallboard.test/"})
LINK = "http://wallboard.test/queue/claims_report"
ZH_TITLE = "[告警] 服务水平未达标 · 队列 理赔报案 (claims_report)"
EN_TITLE = "[Raised] Service level below target · Queue Claims reporting (claims_report)"
ZH_FACTS = [
    ("级别", "严重"),
    ("对象", "队列 理赔报案 (claims_report)"),
    ("发生时间", "2026-03-02 09:15:00"),
    ("服务水平", "72.5%"),
    ("目标", "80.0%"),
    ("样本量", "40"),
]
EN_FACTS = [
    ("Severity", "Critical"),
    ("Subject", "Queue Claims reporting (claims_report)"),
    ("Raised at", "2026-03-02 09:15:00"),
    ("Service level", "72.5%"),
    ("Target", "80.0%"),
    ("Contacts", "40"),
]


def _channel(
    webhook: WebhookServer, vendor: Vendor, language: Language, secret: str | None = None
) -> ResolvedChannel:
    return ResolvedChannel(
        name=f"{vendor}_test",
        vendor=vendor,
        language=language,
        url=SecretStr(webhook.url()),
        secret=SecretStr(secret) if secret else None,
        rate_per_min=60,
        burst=1,
        queue_size=10,
    )


def _send(webhook: WebhookServer, channel: ResolvedChannel) -> tuple[dict, dict[str, list[str]]]:
    message = build_message(sl_breach(), "raised", channel.language, SETTINGS, NOW)
    outcome = post(build_request(channel, message, NOW.timestamp()), channel.vendor, 2.0)
    assert (outcome.delivered, outcome.status) == (True, 200)
    received = webhook.received[-1]
    assert received.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(received.body), received.query


def test_wecom_markdown_body_in_chinese(webhook: WebhookServer) -> None:
    body, _ = _send(webhook, _channel(webhook, "wecom", "zh-CN"))
    lines = [f'### <font color="warning">{ZH_TITLE}</font>']
    lines += [f"> {k}：{v}" for k, v in ZH_FACTS]
    lines.append(f"[查看详情]({LINK})")
    assert body == {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


def test_dingtalk_markdown_with_documented_query_signature(webhook: WebhookServer) -> None:
    body, query = _send(webhook, _channel(webhook, "dingtalk", "zh-CN", SIGNING_SECRET))
    text = "\n\n".join(
        [f"#### {ZH_TITLE}", *[f"- **{k}**：{v}" for k, v in ZH_FACTS], f"[查看详情]({LINK})"]
    )
    assert body == {
        "msgtype": "markdown",
        "markdown": {"title": ZH_TITLE, "text": text},
        "at": {"isAtAll": False},
    }
    timestamp_ms = NOW_S * 1000
    digest = hmac.new(
        SIGNING_SECRET.encode(), f"{timestamp_ms}\n{SIGNING_SECRET}".encode(), hashlib.sha256
    ).digest()
    # parse_qs undoes the URL encoding once: the server sees the base64 text.
    assert query["timestamp"] == [str(timestamp_ms)]
    assert query["sign"] == [base64.b64encode(digest).decode()]
    raw_query = webhook.received[-1]
    assert raw_query.query["access_token"] == ["tok-3f9a2b7c1d"]


def test_dingtalk_sign_is_url_encoded_in_the_request_line(webhook: WebhookServer) -> None:
    channel = _channel(webhook, "dingtalk", "zh-CN", SIGNING_SECRET)
    message = build_message(sl_breach(), "raised", "zh-CN", SETTINGS, NOW)
    request = build_request(channel, message, NOW.timestamp())
    digest = hmac.new(
        SIGNING_SECRET.encode(), f"{NOW_S * 1000}\n{SIGNING_SECRET}".encode(), hashlib.sha256
    ).digest()
    expected = f"&timestamp={NOW_S * 1000}&sign={quote_plus(base64.b64encode(digest))}"
    assert request.url.get_secret_value() == webhook.url() + expected


def test_feishu_interactive_card_with_body_signature(webhook: WebhookServer) -> None:
    body, _ = _send(webhook, _channel(webhook, "feishu", "zh-CN", SIGNING_SECRET))
    key = f"{NOW_S}\n{SIGNING_SECRET}".encode()
    sign = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert body == {
        "timestamp": str(NOW_S),
        "sign": sign,
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"template": "red", "title": {"tag": "plain_text", "content": ZH_TITLE}},
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


def test_slack_blocks_and_fallback_text_in_english(webhook: WebhookServer) -> None:
    body, _ = _send(webhook, _channel(webhook, "slack", "en"))
    assert body == {
        "text": f"{EN_TITLE} (Critical)",
        "blocks": [
            {
                "type": "header",
                "text": {"type": "plain_text", "text": f":red_circle: {EN_TITLE}", "emoji": True},
            },
            {
                "type": "section",
                # plain_text: Slack parses no mention, link or formatting in it.
                "fields": [
                    {"type": "plain_text", "text": f"{k}\n{v}", "emoji": False}
                    for k, v in EN_FACTS
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
                        "text": "sl_breach:claims_report:1772414100",
                        "emoji": False,
                    }
                ],
            },
        ],
    }


def test_teams_workflows_adaptive_card(webhook: WebhookServer) -> None:
    body, _ = _send(webhook, _channel(webhook, "teams", "en"))
    assert body == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {
                            "type": "TextBlock",
                            "text": EN_TITLE,
                            "weight": "Bolder",
                            "size": "Medium",
                            "wrap": True,
                            "color": "Attention",
                        },
                        {
                            "type": "FactSet",
                            "facts": [{"title": k, "value": v} for k, v in EN_FACTS],
                        },
                    ],
                    "actions": [
                        {"type": "Action.OpenUrl", "title": "Open drill-down", "url": LINK}
                    ],
                },
            }
        ],
    }


def test_generic_webhook_signed_over_raw_body(webhook: WebhookServer) -> None:
    body, _ = _send(webhook, _channel(webhook, "webhook", "en", SIGNING_SECRET))
    received = webhook.received[-1]
    expected = hmac.new(SIGNING_SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Wallboard-Signature"] == f"sha256={expected}"
    assert received.headers["X-Wallboard-Timestamp"] == str(NOW_S)
    assert body == {
        "type": "wallboard.alert",
        "transition": "raised",
        "title": EN_TITLE,
        "link": LINK,
        "facts": [{"label": k, "value": v} for k, v in EN_FACTS],
        "alert": sl_breach().model_dump(),
    }


def test_cleared_message_states_cleared_time_and_duration(webhook: WebhookServer) -> None:
    alert = sl_breach(cleared_at="2026-03-02T09:27:30+08:00")
    message = build_message(alert, "cleared", "zh-CN", SETTINGS, NOW)
    assert message.title == "[已恢复] 服务水平未达标 · 队列 理赔报案 (claims_report)"
    assert message.facts[2:5] == (
        ("发生时间", "2026-03-02 09:15:00"),
        ("恢复时间", "2026-03-02 09:27:30"),
        ("持续时长", "12分30秒"),
    )
    english = build_message(alert, "cleared", "en", SETTINGS, NOW)
    assert english.facts[4] == ("Duration", "12m 30s")


def test_agent_alert_links_to_agent_page_and_labels_evidence() -> None:
    from tests.notify.conftest import long_away

    message = build_message(long_away("a 17"), "escalated", "zh-CN", SETTINGS, NOW)
    assert message.link == "http://wallboard.test/agent/a%2017"
    assert message.facts == (
        ("级别", "警告"),
        ("对象", "坐席 a 17"),
        ("发生时间", "2026-03-02 09:15:00"),
        ("已持续", "5分05秒"),
        ("原因", "break"),
        ("时限", "15分00秒"),
    )
