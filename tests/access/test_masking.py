"""Customer identifiers and phone numbers are replaced by a keyed hash at the parse step."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.access.masking import CustomerMask, MaskKeyMissing
from pipeline.engine import DeadLetter
from pipeline.parse import Parsed, ParsedEvent, parse_chunk
from schemas.events import ContactOffered
from tests.conftest import REPO

KEY = "test-mask-key-0123456789"
OFFERED = (
    b'{"type":"contact.offered","event_id":"e1","ts":"2026-11-26T09:00:00+08:00",'
    b'"contact_id":"c1","channel":"voice","queue":"claims_report",'
    b'"customer_id":"13812345678","ani":"+86 138 1234 5678"}'
)
OFFERED_AGAIN = OFFERED.replace(b'"e1"', b'"e2"').replace(b'"c1"', b'"c2"')
BROKEN = (
    b'{"type":"contact.offered","event_id":"e3","ts":"2026-11-26T09:00:00+08:00",'
    b'"customer_id":"C-778899","phone":13812345678,"note":"call back on 138-1234-5678"'
)


def customer_of(parsed: Parsed) -> str | None:
    assert isinstance(parsed, ParsedEvent)
    assert isinstance(parsed.event, ContactOffered)
    return parsed.event.customer_id


def expected_token(value: str) -> str:
    digest = hmac.new(KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
    return "cust_" + digest[:24]


def test_same_customer_gets_the_same_keyed_token_in_every_contact() -> None:
    mask = CustomerMask(KEY.encode())
    parsed = parse_chunk([(1, OFFERED), (2, OFFERED_AGAIN)], mask=mask)
    assert [customer_of(p) for p in parsed] == [
        expected_token("13812345678"),
        expected_token("13812345678"),
    ]


def test_dead_letter_raw_text_keeps_no_customer_id_or_phone_number() -> None:
    mask = CustomerMask(KEY.encode())
    [letter] = parse_chunk([(7, BROKEN)], mask=mask)
    assert isinstance(letter, DeadLetter)
    phone = expected_token("13812345678")
    assert letter.raw == (
        '{"type":"contact.offered","event_id":"e3","ts":"2026-11-26T09:00:00+08:00",'
        f'"customer_id":"{expected_token("C-778899")}","phone":"{phone}",'
        f'"note":"call back on {phone}"'
    )


def test_without_a_key_customer_ids_are_dropped_never_kept_in_clear(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WALLBOARD_MASK_KEY", raising=False)
    parsed = parse_chunk([(1, OFFERED), (2, BROKEN)])
    assert customer_of(parsed[0]) is None
    assert isinstance(parsed[1], DeadLetter)
    assert "C-778899" not in parsed[1].raw
    assert "1234" not in parsed[1].raw.replace("2026-11-26T09:00:00", "")


def test_key_from_the_environment_is_used_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WALLBOARD_MASK_KEY", KEY)
    [event] = parse_chunk([(1, OFFERED)])
    assert customer_of(event) == expected_token("13812345678")


def test_required_masking_without_a_key_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WALLBOARD_MASK_KEY", raising=False)
    with pytest.raises(MaskKeyMissing, match="WALLBOARD_MASK_KEY is not set"):
        CustomerMask.from_environment(required=True)


def test_a_short_key_is_refused() -> None:
    with pytest.raises(MaskKeyMissing, match="at least 16 characters"):
        CustomerMask(b"short")


@pytest.mark.parametrize("key", [" " * 20, "\t\n " * 10, "abc def ghi jkl mn     "])
def test_a_key_of_whitespace_or_few_non_space_characters_is_refused(key: str) -> None:
    strong = len(key.replace(" ", "").replace("\t", "").replace("\n", ""))
    with pytest.raises(MaskKeyMissing) as error:
        CustomerMask(key.encode())
    assert str(error.value) == (
        "WALLBOARD_MASK_KEY must be at least 16 characters, not counting whitespace "
        f"(it has {strong}): export a random secret, e.g. `openssl rand -hex 32`"
    )


def test_run_refuses_to_start_with_a_whitespace_mask_key(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_bytes(OFFERED + b"\n")
    env = {**os.environ, "WALLBOARD_MASK_KEY": " " * 20, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "--events", str(events),
         "--redis-url", "redis://127.0.0.1:1/0"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "wallboard run: WALLBOARD_MASK_KEY must be at least 16 characters, not counting "
        "whitespace (it has 0): export a random secret, e.g. `openssl rand -hex 32`"
    )


def test_dates_and_event_ids_in_raw_text_stay_readable() -> None:
    mask = CustomerMask(KEY.encode())
    raw = '{"event_id":"e-12345678","ts":"2026-11-26","contact_id":"c_99887766"}'
    assert mask.text(raw) == raw
