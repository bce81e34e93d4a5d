"""Webhook signatures, each exactly as its vendor documents it. Timestamps are Unix time."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk custom robot "加签": urlencode(base64(HMAC-SHA256(secret, f"{ts}\\n{secret}")))
    with `timestamp` in milliseconds; both go into the query string."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu/Lark custom bot: base64(HMAC-SHA256(key=f"{ts}\\n{secret}", msg=b"")) with
    `timestamp` in seconds; both go into the JSON body."""
    key = f"{timestamp_s}\n{secret}".encode()
    digest = hmac.new(key, b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def wallboard_signature(secret: str, body: bytes) -> str:
    """Generic webhook: `sha256=<hex HMAC-SHA256(secret, raw body)>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
