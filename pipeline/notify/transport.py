"""One HTTP POST with urllib and the verdict on it: delivered, retry, or give up.

Reasons are built here from status codes and error classes only, never from the URL or
the exception text (urllib may put the host or path into it; the URL is a secret).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from pipeline.notify.formatters import OutgoingRequest

# Application-level "too many requests" codes returned with HTTP 200.
VENDOR_RATE_LIMIT_CODES: dict[str, frozenset[int]] = {
    "wecom": frozenset({45009}),
    "dingtalk": frozenset({130101, 410100}),
    "feishu": frozenset({9499, 11232}),
}
VENDOR_BUSY_CODES: dict[str, frozenset[int]] = {"wecom": frozenset({-1})}
BODY_LIMIT = 65536


@dataclass(frozen=True)
class SendOutcome:
    """Result of one attempt. `status` is the HTTP status (None without a response)."""

    delivered: bool
    retryable: bool
    status: int | None
    reason: str
    retry_after_s: float | None = None


Transport = Callable[[OutgoingRequest, str, float], SendOutcome]


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: delta-seconds or an HTTP date; None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def _vendor_error_code(vendor: str, body: bytes) -> int | None:
    """The vendor's error code in a 2xx JSON reply (0 / None means accepted)."""
    if vendor not in VENDOR_RATE_LIMIT_CODES:
        return None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    code = data.get("errcode", data.get("code", data.get("StatusCode")))
    return code if isinstance(code, int) and code != 0 else None


def judge_response(vendor: str, status: int, body: bytes, retry_after: str | None) -> SendOutcome:
    """Classify an HTTP response: 2xx (and vendor code 0) delivered; 429 and 5xx retry."""
    wait = parse_retry_after(retry_after)
    if 200 <= status < 300:
        code = _vendor_error_code(vendor, body)
        if code is None:
            return SendOutcome(True, False, status, f"HTTP {status}")
        retry = code in VENDOR_RATE_LIMIT_CODES.get(vendor, frozenset()) or code in (
            VENDOR_BUSY_CODES.get(vendor, frozenset())
        )
        return SendOutcome(False, retry, status, f"HTTP {status}, {vendor} error code {code}", wait)
    if status == 429 or status >= 500:
        return SendOutcome(False, True, status, f"HTTP {status}", wait)
    return SendOutcome(False, False, status, f"HTTP {status}")


def post(request: OutgoingRequest, vendor: str, timeout_s: float) -> SendOutcome:
    """POST with urllib; never raises for network trouble, returns a `SendOutcome`."""
    http_request = urllib.request.Request(
        request.url.get_secret_value(), data=request.body, headers=request.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(http_request, timeout=timeout_s) as response:
            body = response.read(BODY_LIMIT)
            return judge_response(
                vendor, response.status, body, response.headers.get("Retry-After")
            )
    except urllib.error.HTTPError as exc:
        try:
            body = exc.read(BODY_LIMIT)
        except OSError:
            body = b""
        retry_after = exc.headers.get("Retry-After") if exc.headers else None
        return judge_response(vendor, exc.code, body, retry_after)
    except TimeoutError:
        return SendOutcome(False, True, None, f"timeout after {timeout_s:g} s")
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return SendOutcome(False, True, None, f"timeout after {timeout_s:g} s")
        kind = type(exc.reason).__name__ if isinstance(exc.reason, BaseException) else "URLError"
        return SendOutcome(False, True, None, f"connection error ({kind})")
    except (ConnectionError, OSError) as exc:
        return SendOutcome(False, True, None, f"connection error ({type(exc).__name__})")
    except ValueError:
        return SendOutcome(False, False, None, "invalid webhook URL")
