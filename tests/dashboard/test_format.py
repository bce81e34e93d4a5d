"""Formatting and colouring: exact texts, thresholds at their edges, "—" for no data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboard import format as fmt

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("value", "text"),
    [(0.8125, "81.3%"), (0.0, "0.0%"), (1.0, "100.0%"), (1 / 3, "33.3%"), (0.07407, "7.4%"),
     (None, "—"), (float("nan"), "—")],
)
def test_ratio_is_a_percentage_with_one_decimal_and_a_dash_when_missing(
    value: float | None, text: str
) -> None:
    assert fmt.fmt_ratio(value) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0:00"), (12.9, "0:12"), (59.99, "0:59"), (150.0, "2:30"), (3725.0, "1:02:05"),
     (-3.0, "0:00"), (None, "—")],
)
def test_duration_is_minutes_seconds_rounded_down(seconds: float | None, text: str) -> None:
    assert fmt.fmt_duration(seconds) == text


def test_counts_and_thresholds() -> None:
    assert fmt.fmt_count(0) == "0"
    assert fmt.fmt_count(None) == "—"
    assert fmt.fmt_seconds_threshold(20.0) == "20"
    assert fmt.fmt_seconds_threshold(7.5) == "7.5"


@pytest.mark.parametrize(
    ("service_level", "status"),
    [(0.7999, "red"), (0.80, "amber"), (0.8499, "amber"), (0.85, "green"), (1.0, "green"),
     (None, "none")],
)
def test_service_level_colour_at_target_and_warn_margin(
    service_level: float | None, status: str
) -> None:
    assert fmt.sl_status(service_level, target=0.80, warn_margin=0.05) == status


@pytest.mark.parametrize(
    ("longest", "status"),
    [(None, "green"), (0.0, "green"), (59.9, "green"), (60.0, "amber"), (119.9, "amber"),
     (120.0, "red"), (600.0, "red")],
)
def test_longest_wait_is_amber_from_half_the_breach_and_red_at_it(
    longest: float | None, status: str
) -> None:
    assert fmt.wait_status(longest, breach_s=120.0) == status


@pytest.mark.parametrize(
    ("rate", "status"),
    [(None, "none"), (0.0, "green"), (0.05, "green"), (0.0501, "amber"), (0.10, "amber"),
     (0.1001, "red")],
)
def test_abandon_rate_colour_against_the_spike_rate(rate: float | None, status: str) -> None:
    assert fmt.abandon_status(rate, spike_rate=0.10) == status


def test_worst_status_wins() -> None:
    assert fmt.worst("green", "amber", "none") == "amber"
    assert fmt.worst("green", "red", "amber") == "red"
    assert fmt.worst() == "none"


def test_staleness_is_strictly_older_than_the_limit() -> None:
    beat = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
    assert fmt.is_stale(beat, beat + timedelta(seconds=10), 10) is False
    assert fmt.is_stale(beat, beat + timedelta(seconds=10.5), 10) is True
    assert fmt.is_stale(None, beat, 10) is True


def test_clock_texts_are_in_the_configured_zone() -> None:
    moment = datetime(2026, 3, 2, 1, 15, 7, tzinfo=UTC)
    assert fmt.fmt_clock(moment, SHANGHAI) == "09:15:07"
    assert fmt.fmt_ts_clock("2026-03-02T09:15:00+08:00", UTC) == "01:15:00"
    assert fmt.fmt_ts_clock(None, SHANGHAI) == "—"
    assert fmt.fmt_ts_clock("2026-03-02T09:15:00", SHANGHAI) == "—"  # naive: unknown
    assert fmt.fmt_ts_datetime("2026-03-02T09:15:00+08:00", SHANGHAI) == "2026-03-02 09:15:00"


def test_seconds_since_never_negative() -> None:
    now = datetime(2026, 3, 2, 1, 0, 0, tzinfo=UTC)
    assert fmt.seconds_since("2026-03-02T08:58:30+08:00", now) == 90.0
    assert fmt.seconds_since("2026-03-02T09:00:05+08:00", now) == 0.0
    assert fmt.seconds_since(None, now) is None


def test_short_durations_fit_the_wallboard_cells() -> None:
    assert [fmt.fmt_duration_short(s) for s in (0, 59.9, 160, 5999, 6000, 6300, 43500)] == [
        "0:00", "0:59", "2:40", "99:59", "1h40", "1h45", "12h05"]
    assert fmt.fmt_duration_short(None) == "—"


def test_asa_against_the_sl_threshold_and_nobody_ready_while_contacts_wait() -> None:
    # Voice threshold 20 s: green to 20 s, amber to 40 s, red beyond; nothing answered: none.
    assert [fmt.asa_status(s, 20) for s in (None, 20, 20.5, 40, 41)] == [
        "none", "green", "amber", "amber", "red"]
    assert [fmt.ready_status(r, q) for r, q in ((0, 3), (0, 0), (2, 3), (None, 3))] == [
        "red", "none", "green", "none"]


def test_trend_is_flat_within_the_dead_band() -> None:
    assert fmt.trend(0.80, 0.85, 0.01) == "down"
    assert fmt.trend(0.855, 0.85, 0.01) == "flat"
    assert fmt.trend(0.87, 0.85, 0.01) == "up"
    assert fmt.trend(None, 0.85, 0.01) == "none"
    assert fmt.TREND_ARROWS["down"] == "▼"
