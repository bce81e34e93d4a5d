"""The simulated day: valid events, determinism, the arrival profile, labels and dirt."""

from __future__ import annotations

import gzip
import math
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from pipeline.cli import main
from replay_data.agents import SLOT_S
from replay_data.checks import queue_alert_raises
from replay_data.day import GeneratedDay, default_labels_path, events_bytes, generate_day
from replay_data.labels import labels_to_bytes
from schemas.config import Settings
from schemas.events import (
    EVENT_TYPES,
    ContactOffered,
    Event,
    InvalidEvent,
    event_to_json,
    parse_event,
)
from tests.conftest import REPO, SAMPLE_CONFIG

SHANGHAI = ZoneInfo("Asia/Shanghai")
SAMPLE_START = datetime(2026, 3, 2, tzinfo=SHANGHAI)
AGENT_KINDS = ("late_login", "long_away", "abnormal_logout")


def _clean_events(day: GeneratedDay) -> list[Event]:
    """Valid events, first arrival of each id, in event-time order."""
    seen: set[str] = set()
    events = []
    for line in day.lines:
        try:
            event = parse_event(line)
        except InvalidEvent:
            continue
        if event.event_id not in seen:
            seen.add(event.event_id)
            events.append(event)
    return sorted(events, key=lambda e: e.ts)


def _run_cli(tmp_path: Path, name: str, seed: int) -> tuple[bytes, bytes]:
    out = tmp_path / f"{name}.jsonl.gz"
    code = main([
        "simulate", "--agents", "30", "--hours", "6", "--seed", str(seed),
        "--start", "2026-03-02T08:00:00+08:00", "--config", str(SAMPLE_CONFIG),
        "--out", str(out),
    ])
    assert code == 0
    return out.read_bytes(), (tmp_path / f"{name}.labels.jsonl").read_bytes()


def test_every_event_type_round_trips_through_parse_and_serialise(sample_day: GeneratedDay) -> None:
    first_of_type: dict[str, bytes] = {}
    for line in sample_day.lines:
        try:
            event = parse_event(line)
        except InvalidEvent:
            continue
        first_of_type.setdefault(event.type, line)
    assert sorted(first_of_type) == sorted(EVENT_TYPES)
    for line in first_of_type.values():
        assert event_to_json(parse_event(line)) == line


def test_same_seed_gives_the_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    events_a, labels_a = _run_cli(tmp_path, "a", 11)
    events_b, labels_b = _run_cli(tmp_path, "b", 11)
    events_c, labels_c = _run_cli(tmp_path, "c", 12)
    assert events_a == events_b
    assert labels_a == labels_b
    assert events_a != events_c
    assert labels_a != labels_c
    assert gzip.decompress(events_a).count(b"\n") > 300


def test_labels_path_defaults_to_the_out_stem() -> None:
    assert default_labels_path(Path("x/day.jsonl.gz")) == Path("x/day.labels.jsonl")
    assert default_labels_path(Path("day.jsonl")) == Path("day.labels.jsonl")


def test_simulate_help_names_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["simulate", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--agents", "--hours", "--seed", "--start", "--config", "--out", "--labels"):
        assert option in text


def test_a_300_agent_day_generates_in_well_under_a_minute(
    sample_day_timed: tuple[GeneratedDay, float],
) -> None:
    assert sample_day_timed[1] < 30


def test_arrivals_per_interval_follow_the_configured_profile(sample_day: GeneratedDay) -> None:
    """First-time offered contacts (no parent) per queue and 15-min slot against the plan.

    Excluding the burst queue's slots inside the burst window, for every queue:
    - day total within Poisson noise of the planned total: |obs − exp| ≤ 4·sqrt(exp)
      (about ±4 % for a 2,000-contact queue);
    - Kolmogorov–Smirnov distance between the observed and the planned intraday
      distribution (cumulative share of the day's arrivals by slot) at most 0.05;
    - Pearson dispersion D = sum((obs − exp)² / exp) / n over the n slots within
      1 ± 4·sqrt(2 / n) (four standard deviations of chi-square / n): the counts scatter
      around the profile like Poisson counts, with no extra noise and no rigging.
    """
    plan = sample_day.plan
    burst = sample_day.injections.burst
    assert burst is not None
    observed: dict[str, Counter[int]] = defaultdict(Counter)
    for event in _clean_events(sample_day):
        if isinstance(event, ContactOffered) and event.parent_contact_id is None:
            slot = (int(event.ts.timestamp()) - plan.slot_starts[0]) // SLOT_S
            observed[event.queue][slot] += 1
    for queue, expected in plan.expected_offered.items():
        slots = [
            k for k, start in enumerate(plan.slot_starts)
            if expected[k] > 0 and not (queue == burst.queue and burst.start <= start < burst.end)
        ]
        exp = [expected[k] for k in slots]
        obs = [observed[queue][k] for k in slots]
        assert abs(sum(obs) - sum(exp)) <= 4 * math.sqrt(sum(exp)), queue
        cum_obs = cum_exp = 0.0
        distance = 0.0
        for o, e in zip(obs, exp, strict=True):
            cum_obs += o / sum(obs)
            cum_exp += e / sum(exp)
            distance = max(distance, abs(cum_obs - cum_exp))
        assert distance <= 0.05, queue
        dispersion = sum((o - e) ** 2 / e for o, e in zip(obs, exp, strict=True)) / len(slots)
        spread = 4 * math.sqrt(2 / len(slots))
        assert 1 - spread <= dispersion <= 1 + spread, (queue, dispersion)


def test_the_profile_is_double_peaked(sample_day: GeneratedDay) -> None:
    plan = sample_day.plan
    expected = plan.expected_offered["policy_service"]

    def at(hour: float) -> float:
        index = plan.slot_starts.index(int(SAMPLE_START.timestamp() + hour * 3600))
        return expected[index]

    assert at(10) > 1.25 * at(12.5) < at(14.5)
    assert at(12.5) > 1.2 * at(19.5)
    assert at(3) == 0
    assert plan.expected_offered["claims_report"][plan.slot_starts.index(
        int(SAMPLE_START.timestamp() + 3 * 3600))] > 0



def test_every_injected_anomaly_appears_in_the_labels(sample_day: GeneratedDay) -> None:
    labels = sample_day.labels
    by_kind_subject = {(x["kind"], x.get("subject")) for x in labels}
    injections = sample_day.injections
    for kind, subject, what in injections.planned:
        assert (kind, subject) in by_kind_subject, (kind, subject, what)
        if what in {"frequent_relogin", "active_contact", "early_logout"}:
            reasons = {
                r for x in labels if x.get("subject") == subject for r in x.get("reasons", [])
            }
            assert what in reasons
    kinds = Counter(x["kind"] for x in labels)
    triggers = Counter((kind, channel) for _, kind, channel in injections.contact_triggers)
    assert kinds["ultra_short_contact"] == triggers[("ultra_short", "voice")] == 5
    assert kinds["ultra_long_contact"] == triggers[("ultra_long", "voice")] + triggers[
        ("ultra_long", "chat")] == 5
    assert len(injections.planned) == 3 + 4 + 3 + 3 + 3 + 2 + 2
    for kind in ("sl_breach", "wait_breach", "abandon_spike"):
        [burst_label] = [x for x in labels if x["kind"] == kind]
        assert burst_label["subject"] == "queue:claims_report"
        assert burst_label["window_start"] == "2026-03-02T15:00:00+08:00"
        assert burst_label["window_end"] == "2026-03-02T15:30:00+08:00"


def test_agent_alerts_only_fire_for_injected_agents(sample_day: GeneratedDay) -> None:
    planned = {(kind, subject) for kind, subject, _ in sample_day.injections.planned}
    for label in sample_day.labels:
        if label["kind"] in AGENT_KINDS:
            assert (label["kind"], label["subject"]) in planned, label


def test_queue_alerts_only_fire_in_the_overload_burst(
    sample_day: GeneratedDay, sample_settings: Settings
) -> None:
    burst = sample_day.injections.burst
    assert burst is not None
    raises = queue_alert_raises(_clean_events(sample_day), sample_settings)
    assert sorted({kind for kind, _ in raises}) == ["abandon_spike", "sl_breach", "wait_breach"]
    for (kind, queue), seconds in raises.items():
        assert queue == burst.queue, (kind, queue)
        for second in seconds:
            assert burst.start <= second <= burst.end + 900, (kind, second)


def test_every_line_not_labelled_malformed_parses(sample_day: GeneratedDay) -> None:
    malformed = {x["line"]: x["defect"] for x in sample_day.labels if x["kind"] == "dirt.malformed"}
    assert sorted(Counter(malformed.values()).items()) == [
        ("bad_json", 2), ("missing_field", 2), ("naive_timestamp", 2), ("unknown_type", 2)
    ]
    for index, line in enumerate(sample_day.lines):
        if index in malformed:
            with pytest.raises(InvalidEvent):
                parse_event(line)
        else:
            parse_event(line)


def test_out_of_order_lines_are_at_most_25_seconds_late_and_labelled(
    sample_day: GeneratedDay,
) -> None:
    labelled = {x["line"]: x["displaced_s"] for x in sample_day.labels
                if x["kind"] == "dirt.out_of_order"}
    assert len(labelled) >= 50
    newest = None
    for index, line in enumerate(sample_day.lines):
        try:
            second = int(parse_event(line).ts.timestamp())
        except InvalidEvent:
            continue
        if newest is not None and newest > second:
            assert newest - second <= 25
            if index in labelled:
                assert labelled[index] == newest - second
        newest = second if newest is None else max(newest, second)


def test_duplicates_are_exactly_the_labelled_lines(sample_day: GeneratedDay) -> None:
    seen: dict[str, int] = {}
    repeats = {}
    for index, line in enumerate(sample_day.lines):
        try:
            event_id = orjson.loads(line)["event_id"]
        except orjson.JSONDecodeError:
            continue
        if event_id in seen:
            repeats[index] = (event_id, seen[event_id])
        else:
            seen[event_id] = index
    labelled = {x["line"]: (x["event_id"], x["first_line"]) for x in sample_day.labels
                if x["kind"] == "dirt.duplicate"}
    assert repeats == labelled
    assert len(labelled) >= 50


def test_timestamps_are_whole_seconds_in_shanghai_time(sample_day: GeneratedDay) -> None:
    for line in sample_day.lines[:2000]:
        try:
            event = parse_event(line)
        except InvalidEvent:
            continue
        assert event.ts.microsecond == 0
        assert event.ts.utcoffset() is not None
        assert event.ts.utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]


def test_the_shipped_sample_day_equals_a_fresh_generation(sample_day: GeneratedDay) -> None:
    shipped = REPO / "replay_data" / "sample_day.jsonl.gz"
    shipped_labels = REPO / "replay_data" / "sample_day.labels.jsonl"
    assert shipped.stat().st_size <= 20 * 1024 * 1024
    assert gzip.decompress(shipped.read_bytes()) == events_bytes(sample_day)
    assert shipped_labels.read_bytes() == labels_to_bytes(sample_day.labels)


def test_a_short_day_starting_mid_morning_is_consistent(sample_settings: Settings) -> None:
    start = datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    day = generate_day(sample_settings, 20, 3, 5, start)
    events = _clean_events(day)
    assert len(events) > 300
    begin = int(start.timestamp())
    logins = [e for e in events if e.type == "agent.login"]
    assert len(logins) >= 20
    assert all(int(e.ts.timestamp()) >= begin for e in events)
    assert not math.isnan(sum(sum(v) for v in day.plan.expected_offered.values()))
