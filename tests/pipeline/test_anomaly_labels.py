"""Alerts on the sample day against the simulator's ground truth (its labels file).

Recall: every labelled rule-based anomaly is raised. Precision: every alert raised is
explained by a label. Agent and contact labels must match kind, subject and the exact
raised_at; the overload burst's label explains its queue's queue alerts of the expected
kinds raised between the burst start and its `raised_by`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from pipeline.engine import FloorEngine
from pipeline.runner import feed_engine, stream_snapshot
from pipeline.sources import open_events
from replay_data.labels import read_labels
from schemas.alert_kinds import ALERT_KINDS
from schemas.config import Settings, load_settings
from tests.conftest import REPO, SAMPLE_CONFIG

SAMPLE_DAY = REPO / "replay_data" / "sample_day.jsonl.gz"
SAMPLE_LABELS = REPO / "replay_data" / "sample_day.labels.jsonl"
END_OF_DAY = datetime.fromisoformat("2026-03-02T23:59:59+08:00")
QUEUE_KINDS = {"sl_breach", "wait_breach", "abandon_spike"}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _explains(label: dict[str, Any], alert: dict[str, Any]) -> bool:
    if label["kind"] != alert["kind"] or label.get("subject") != alert["subject"]:
        return False
    raised = _instant(alert["raised_at"])
    if alert["kind"] in QUEUE_KINDS and "window_start" in label:
        return _instant(label["window_start"]) <= raised <= _instant(label["raised_by"])
    return raised == _instant(label["at"])


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings(SAMPLE_CONFIG)


@pytest.fixture(scope="module")
def day_alerts(settings: Settings) -> list[dict[str, Any]]:
    alerts: list[dict[str, Any]] = stream_snapshot(SAMPLE_DAY, END_OF_DAY, settings)["alerts"]
    return alerts


def test_every_labelled_anomaly_is_raised_and_every_alert_is_labelled(
    day_alerts: list[dict[str, Any]],
) -> None:
    labels = [
        label for label in read_labels(SAMPLE_LABELS) if not label["kind"].startswith("dirt.")
    ]
    found = [label for label in labels if any(_explains(label, a) for a in day_alerts)]
    explained = [a for a in day_alerts if any(_explains(label, a) for label in labels)]
    recall = len(found) / len(labels)
    precision = len(explained) / len(day_alerts)
    print(f"labels {len(labels)}, alerts {len(day_alerts)}, recall {recall}, precision {precision}")
    assert [label for label in labels if label not in found] == []
    assert [a for a in day_alerts if a not in explained] == []
    # No `[staffing] forecast` here, so volume_spike cannot fire (tests/*/test_volume_spike.py).
    assert {a["kind"] for a in day_alerts} == set(ALERT_KINDS) - {"volume_spike"}


def test_dirt_is_counted_once_and_malformed_lines_are_dead_letters(settings: Settings) -> None:
    labels = read_labels(SAMPLE_LABELS)
    engine = FloorEngine(settings)
    with open_events(SAMPLE_DAY) as handle:
        refused = feed_engine(engine, (line.rstrip(b"\n") for line in handle))
    dead = sorted(letter.seq for letter in refused)
    assert dead == sorted(label["line"] for label in labels if label["kind"] == "dirt.malformed")
    assert engine.stats.duplicates_total == sum(
        1 for label in labels if label["kind"] == "dirt.duplicate"
    )
    assert engine.drain().dead_letters == []


def test_sample_day_chat_messages_and_no_wait_breach_shorter_than_its_hold(
    day_alerts: list[dict[str, Any]], settings: Settings
) -> None:
    # What the notifier would send to a channel subscribed to everything: every `raised`,
    # and every `cleared` but those of point-in-time alerts (`routing.is_point_in_time`).
    # Before the clear hold the 15:05 overload gave 9 wait_breach alerts, 6 of them shorter
    # than 60 s (1-23 s), and 66 messages in the day.
    messages = sum(1 + (a["cleared_at"] not in (None, a["raised_at"])) for a in day_alerts)
    assert messages == 50
    wait = [(a["raised_at"], a["cleared_at"]) for a in day_alerts if a["kind"] == "wait_breach"]
    assert wait == [("2026-03-02T15:05:17+08:00", "2026-03-02T15:33:57+08:00")]
    hold = settings.queue_rules("claims_report").wait_clear_hold_s
    assert all(_instant(c) - _instant(r) >= timedelta(seconds=hold) for r, c in wait)
