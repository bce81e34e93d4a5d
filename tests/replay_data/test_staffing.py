"""Erlang C staffing and the duration distributions behind the arrival plan."""

from __future__ import annotations

import math
import random

import pytest

from replay_data.profile import QUEUE_MODELS, Lognormal
from replay_data.staffing import erlang_c, max_load, servers_needed, service_level


def test_erlang_c_matches_the_closed_forms() -> None:
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(3, 3.0) == 1.0


def test_service_level_of_one_server_half_loaded() -> None:
    # M/M/1: P(wait > t) = rho * exp(-(1 - rho) t / h)
    assert service_level(1, 0.5, 300, 20) == pytest.approx(1 - 0.5 * math.exp(-0.5 * 20 / 300))


def test_max_load_and_servers_needed_agree() -> None:
    load = max_load(20, 300, 20)
    assert 0 < load <= 20 * 0.85
    assert servers_needed(load, 300, 20) == 20
    assert servers_needed(load + 0.5, 300, 20) == 21


def test_lognormal_draws_stay_inside_their_bounds() -> None:
    rng = random.Random(3)
    spec = Lognormal(median_s=280, sigma=0.45, low_s=40, high_s=1100)
    draws = [spec.draw(rng) for _ in range(5000)]
    assert min(draws) >= 40
    assert max(draws) <= 1100
    assert 250 <= sorted(draws)[2500] <= 310


def test_no_queue_model_can_naturally_breach_a_duration_rule() -> None:
    for queue, model in QUEUE_MODELS.items():
        ultra_long = 1200 if model.channel == "voice" else 1800
        wait_breach = 120 if model.channel == "voice" else 300
        assert model.conversation.high_s < ultra_long, queue
        assert model.conversation.low_s >= 10, queue
        assert model.patience.high_s < wait_breach, queue


def test_the_shape_peaks_mid_morning_and_mid_afternoon() -> None:
    model = QUEUE_MODELS["policy_service"]
    assert model.shape(7.5) == 0.0
    assert model.shape(20.0) == 0.0
    assert max(model.shape(h / 4) for h in range(96)) == pytest.approx(1.0, abs=1e-3)
    assert model.shape(10.0) > model.shape(12.5) < model.shape(14.5)
    assert QUEUE_MODELS["claims_report"].shape(3.0) == pytest.approx(0.06 / 1.18, abs=0.01)
