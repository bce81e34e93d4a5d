"""Customer identifiers and phone numbers are replaced by a keyed hash before anything
else sees them: HMAC-SHA256 with the secret in `WALLBOARD_MASK_KEY`, so one customer
gets the same token in every contact (and across restarts) but cannot be read back.

Without a key, identifiers are dropped (events) or replaced by `[masked]` (raw text) —
never kept in clear; `access.mask_required = true` makes a missing key an error instead.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from functools import lru_cache

from schemas.events import Event

MASK_KEY_ENV = "WALLBOARD_MASK_KEY"
MIN_KEY_LENGTH = 16
TOKEN_PREFIX = "cust_"
TOKEN_HEX = 24  # 96 bits: collisions are negligible for a contact center's customers
REDACTED = "[masked]"

# JSON fields (valid or not) that carry a customer's identity or number.
_IDENTITY_FIELDS = (
    "customer_id|customer|customerid|caller|caller_id|callerid|cli|ani|phone|phone_number"
    "|mobile|msisdn|contact_number"
)
_FIELD_STRING = re.compile(
    rf'("(?:{_IDENTITY_FIELDS})"\s*:\s*")((?:[^"\\]|\\.)*)(")', re.IGNORECASE
)
_FIELD_NUMBER = re.compile(rf'("(?:{_IDENTITY_FIELDS})"\s*:\s*)(\+?\d[\d\- ]*\d)', re.IGNORECASE)
# A phone number anywhere: 7-15 digits, optionally "+", single spaces or dashes between.
_PHONE = re.compile(r"(?<![\w.:/+-])\+?\d(?:[ -]?\d){6,14}(?![\w.:/-])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class MaskKeyMissing(RuntimeError):
    """Masking is required but `WALLBOARD_MASK_KEY` is not set (or too short)."""


class CustomerMask:
    """Masks customer identifiers with HMAC-SHA256 under `key` (None: drop them)."""

    def __init__(self, key: bytes | None) -> None:
        if key is not None:
            # Spaces add nothing to a secret: a key of 20 spaces is no key.
            strong = sum(1 for c in key.decode("utf-8", errors="replace") if not c.isspace())
            if strong < MIN_KEY_LENGTH:
                msg = (
                    f"{MASK_KEY_ENV} must be at least {MIN_KEY_LENGTH} characters, not "
                    f"counting whitespace (it has {strong}): export a random secret, e.g. "
                    "`openssl rand -hex 32`"
                )
                raise MaskKeyMissing(msg)
        self._key = key

    @property
    def keyed(self) -> bool:
        return self._key is not None

    @classmethod
    def from_environment(cls, *, required: bool = False) -> CustomerMask:
        """The mask for `WALLBOARD_MASK_KEY`; raises `MaskKeyMissing` if required and unset."""
        key = os.environ.get(MASK_KEY_ENV) or None
        if key is None and required:
            msg = (
                f"customer masking is required (access.mask_required) but {MASK_KEY_ENV} "
                f"is not set: export a secret of at least {MIN_KEY_LENGTH} characters"
            )
            raise MaskKeyMissing(msg)
        return _cached_mask(key)

    def customer(self, value: str) -> str | None:
        """`cust_<24 hex>` for a customer id or phone number; None without a key."""
        if self._key is None:
            return None
        digest = hmac.new(self._key, value.strip().encode(), hashlib.sha256).hexdigest()
        return TOKEN_PREFIX + digest[:TOKEN_HEX]

    def _token(self, value: str) -> str:
        if value.startswith(TOKEN_PREFIX):
            return value  # already masked upstream (e.g. by an adapter)
        return self.customer(value) or REDACTED

    def event(self, event: Event) -> Event:
        """The event with its `customer_id` masked (or removed without a key)."""
        customer = getattr(event, "customer_id", None)
        if customer is None:
            return event
        return event.model_copy(update={"customer_id": self.customer(customer)
                                        if not customer.startswith(TOKEN_PREFIX)
                                        else customer})

    def text(self, raw: str) -> str:
        """Raw input (a dead letter's line) with identity fields and phone numbers masked."""
        raw = _FIELD_STRING.sub(lambda m: m[1] + self._token(m[2]) + m[3], raw)
        raw = _FIELD_NUMBER.sub(lambda m: m[1] + '"' + self._token(m[2]) + '"', raw)

        def phone(match: re.Match[str]) -> str:
            found = match[0]
            if _DATE.fullmatch(found):
                return found
            # One number, however it is spaced, gets one token.
            return self._token(found.replace(" ", "").replace("-", ""))

        return _PHONE.sub(phone, raw)


@lru_cache(maxsize=4)
def _cached_mask(key: str | None) -> CustomerMask:
    return CustomerMask(key.encode() if key else None)
