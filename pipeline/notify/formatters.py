"""Vendor payloads of an `AlertMessage` and the signed HTTP request for a channel.

Slack incoming webhook (blocks + text fallback), Microsoft Teams Workflows webhook
(Adaptive Card 1.4 in a `message` attachment), WeCom group robot (markdown), DingTalk custom
robot (markdown, signed query string), Feishu/Lark custom bot (interactive card, signed
body) and a generic JSON webhook signed with HMAC-SHA256 over the raw body.

Text that may come from events or configuration (the subject, fact values, the alert id)
is escaped for each vendor's markup (`pipeline.notify.escape`); the generic webhook sends
it unchanged as JSON values for programs to read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from pipeline.notify.credentials import ResolvedChannel
from pipeline.notify.escape import cjk_markdown, slack_mrkdwn, teams_markdown
from pipeline.notify.messages import AlertMessage
from pipeline.notify.signing import dingtalk_sign, feishu_sign, wallboard_signature

WECOM_MAX_BYTES = 4096
SLACK_FIELDS_PER_SECTION = 10
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


@dataclass(frozen=True)
class OutgoingRequest:
    """One HTTP POST. The URL is a secret (it holds the robot token): never log it."""

    url: SecretStr
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _tone(message: AlertMessage) -> str:
    """`cleared` is good news whatever the severity; otherwise the severity."""
    return "cleared" if message.transition == "cleared" else message.severity


def to_json_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# Slack ----------------------------------------------------------------------------------
SLACK_EMOJI = {
    "critical": ":red_circle:",
    "warning": ":large_orange_circle:",
    "info": ":large_blue_circle:",
    "cleared": ":white_check_mark:",
}


def _escaped_title(message: AlertMessage, escape: Callable[[str], str]) -> str:
    return message.title_lead + escape(message.subject_label)


def slack_payload(message: AlertMessage) -> dict[str, Any]:
    """Data goes in `plain_text` objects (Slack parses no formatting there), escaped like
    mrkdwn all the same (`&<>`), as is the fallback `text`."""
    emoji = SLACK_EMOJI[_tone(message)]
    header = f"{emoji} {_escaped_title(message, slack_mrkdwn)}"[:150]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}}
    ]
    facts = list(message.facts)
    for start in range(0, len(facts), SLACK_FIELDS_PER_SECTION):
        chunk = facts[start : start + SLACK_FIELDS_PER_SECTION]
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {
                        "type": "plain_text",
                        "text": f"{slack_mrkdwn(k)}\n{slack_mrkdwn(v)}",
                        "emoji": False,
                    }
                    for k, v in chunk
                ],
            }
        )
    if message.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": message.link_label},
                        "url": message.link,
                    }
                ],
            }
        )
    blocks.append(
        {
            "type": "context",
            "elements": [
                {"type": "plain_text", "text": slack_mrkdwn(message.alert.id), "emoji": False}
            ],
        }
    )
    text = f"{_escaped_title(message, slack_mrkdwn)} ({message.severity_label})"
    return {"text": text, "blocks": blocks}


# Microsoft Teams ------------------------------------------------------------------------
TEAMS_COLOR = {"critical": "Attention", "warning": "Warning", "info": "Accent", "cleared": "Good"}


def teams_payload(message: AlertMessage) -> dict[str, Any]:
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {
                "type": "TextBlock",
                "text": _escaped_title(message, teams_markdown),
                "weight": "Bolder",
                "size": "Medium",
                "wrap": True,
                "color": TEAMS_COLOR[_tone(message)],
            },
            {
                "type": "FactSet",
                "facts": [
                    {"title": teams_markdown(k), "value": teams_markdown(v)}
                    for k, v in message.facts
                ],
            },
        ],
    }
    if message.link:
        card["actions"] = [
            {"type": "Action.OpenUrl", "title": message.link_label, "url": message.link}
        ]
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


# WeCom ----------------------------------------------------------------------------------
WECOM_COLOR = {"critical": "warning", "warning": "warning", "info": "comment", "cleared": "info"}


def _truncate_utf8(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "..."


def wecom_payload(message: AlertMessage) -> dict[str, Any]:
    color = WECOM_COLOR[_tone(message)]
    lines = [f'### <font color="{color}">{_escaped_title(message, cjk_markdown)}</font>']
    lines.extend(f"> {cjk_markdown(k)}：{cjk_markdown(v)}" for k, v in message.facts)
    if message.link:
        lines.append(f"[{message.link_label}]({message.link})")
    content = _truncate_utf8("\n".join(lines), WECOM_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


# DingTalk -------------------------------------------------------------------------------
def dingtalk_payload(message: AlertMessage) -> dict[str, Any]:
    # DingTalk markdown needs a blank line between paragraphs.
    title = _escaped_title(message, cjk_markdown)
    parts = [f"#### {title}"]
    parts.extend(f"- **{cjk_markdown(k)}**：{cjk_markdown(v)}" for k, v in message.facts)
    if message.link:
        parts.append(f"[{message.link_label}]({message.link})")
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": "\n\n".join(parts)},
        "at": {"isAtAll": False},
    }


# Feishu / Lark --------------------------------------------------------------------------
FEISHU_TEMPLATE = {"critical": "red", "warning": "orange", "info": "blue", "cleared": "green"}


def feishu_payload(message: AlertMessage) -> dict[str, Any]:
    elements: list[dict[str, Any]] = [
        {
            "tag": "div",
            "fields": [
                {
                    "is_short": True,
                    "text": {
                        "tag": "lark_md",
                        "content": f"**{cjk_markdown(k)}**\n{cjk_markdown(v)}",
                    },
                }
                for k, v in message.facts
            ],
        }
    ]
    if message.link:
        elements.append(
            {
                "tag": "action",
                "actions": [
                    {
                        "tag": "button",
                        "text": {"tag": "plain_text", "content": message.link_label},
                        "type": "primary",
                        "url": message.link,
                    }
                ],
            }
        )
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {
                "template": FEISHU_TEMPLATE[_tone(message)],
                "title": {"tag": "plain_text", "content": _escaped_title(message, cjk_markdown)},
            },
            "elements": elements,
        },
    }


# Generic JSON webhook -------------------------------------------------------------------
def webhook_payload(message: AlertMessage) -> dict[str, Any]:
    return {
        "type": "wallboard.alert",
        "transition": message.transition,
        "title": message.title,
        "link": message.link,
        "facts": [{"label": k, "value": v} for k, v in message.facts],
        "alert": message.alert.model_dump(),
    }


PAYLOADS: dict[str, Callable[[AlertMessage], dict[str, Any]]] = {
    "slack": slack_payload,
    "teams": teams_payload,
    "wecom": wecom_payload,
    "dingtalk": dingtalk_payload,
    "feishu": feishu_payload,
    "webhook": webhook_payload,
}


def build_request(channel: ResolvedChannel, message: AlertMessage, now_s: float) -> OutgoingRequest:
    """The signed POST for `channel`; `now_s` (Unix seconds) stamps the signature."""
    return signed_request(channel, PAYLOADS[channel.vendor](message), now_s)


def signed_request(
    channel: ResolvedChannel, payload: dict[str, Any], now_s: float
) -> OutgoingRequest:
    """The POST of a vendor `payload` to `channel`, signed as the vendor wants (DingTalk:
    query string, Feishu: body fields, generic webhook: HMAC header); `now_s` Unix seconds."""
    headers = {"Content-Type": JSON_CONTENT_TYPE}
    url = channel.url.get_secret_value()
    secret = channel.secret.get_secret_value() if channel.secret else None
    if channel.vendor == "dingtalk" and secret:
        timestamp_ms = int(now_s * 1000)
        joiner = "&" if "?" in url else "?"
        url = f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"
    if channel.vendor == "feishu" and secret:
        timestamp_s = int(now_s)
        payload = {
            "timestamp": str(timestamp_s),
            "sign": feishu_sign(secret, timestamp_s),
        } | payload
    body = to_json_bytes(payload)
    if channel.vendor == "webhook":
        headers["X-Wallboard-Timestamp"] = str(int(now_s))
        if secret:
            headers["X-Wallboard-Signature"] = wallboard_signature(secret, body)
    return OutgoingRequest(url=SecretStr(url), body=body, headers=headers)
