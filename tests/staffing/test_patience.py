"""The observed-patience estimate and which patience Erlang A gets (observed > configured)."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.staffing.patience import (
    Patience,
    QueueWaits,
    observed_patience_s,
    queue_patience,
)
from schemas.config import Settings, load_settings
from tests.conftest import SAMPLE_CONFIG


def _settings(**staffing: Any) -> Settings:
    base = load_settings(SAMPLE_CONFIG)
    return Settings.model_validate({**base.model_dump(), "staffing": staffing})


def test_patience_is_all_waiting_time_over_the_abandons() -> None:
    # 40 answered at ASA 12 s wait 480 s; 12 abandons waited 300 s in all:
    # (480 + 300) / 12 = 65 s.
    waits = QueueWaits(answered_wait_s=40 * 12.0, abandoned_wait_s=300.0, abandoned=12)
    assert observed_patience_s(waits) == 65.0


def test_too_few_abandons_or_no_waiting_give_no_estimate() -> None:
    assert observed_patience_s(QueueWaits(480.0, 30.0, 9)) is None  # under 10 abandons
    assert observed_patience_s(QueueWaits(480.0, 30.0, 3), min_abandons=3) == 170.0
    assert observed_patience_s(QueueWaits(480.0, 30.0, 0), min_abandons=0) is None
    assert observed_patience_s(QueueWaits(0.0, 0.0, 12)) is None


@pytest.mark.parametrize(
    ("staffing", "waits", "expected"),
    [
        ({}, None, None),
        ({"patience_s": 90}, None, Patience(90.0, "configured")),
        (
            {"patience_s": 90, "queues": {"claims_report": {"patience_s": 45}}},
            None,
            Patience(45.0, "configured"),
        ),
        ({"patience_s": 90}, QueueWaits(480.0, 300.0, 12), Patience(65.0, "observed")),
        ({"patience_s": 90}, QueueWaits(480.0, 300.0, 2), Patience(90.0, "configured")),
        ({}, QueueWaits(480.0, 300.0, 12), Patience(65.0, "observed")),
    ],
)
def test_observed_patience_wins_then_the_queue_override_then_the_default(
    staffing: dict[str, Any], waits: QueueWaits | None, expected: Patience | None
) -> None:
    assert queue_patience("claims_report", _settings(**staffing), waits) == expected
