"""The shared ratio and service-level formulas (kpi-spec §3), hand-worked."""

from __future__ import annotations

from pipeline.kpi_math import ratio, service_level


def test_service_level_leaves_short_abandons_out_of_the_denominator() -> None:
    # 8 answered in SL of 9 answered, 3 abandoned of which 2 short: 8 / (9 + 3 - 2).
    assert service_level(8, 9, 3, 2) == 0.8
    assert service_level(0, 0, 2, 2) is None


def test_a_ratio_over_nothing_is_none() -> None:
    assert ratio(3, 4) == 0.75
    assert ratio(0, 0) is None
    assert ratio(1.5, 0.0) is None
