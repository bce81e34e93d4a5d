"""Erlang C against pyworkforce, Erlang A against an independent birth-death solution."""

from __future__ import annotations

import math

import pytest
from pyworkforce.queuing import ErlangC

from pipeline.staffing.erlang import (
    agents_required_erlang_a,
    agents_required_erlang_c,
    agents_with_shrinkage,
    erlang_a,
    erlang_b,
    erlang_c_asa_s,
    erlang_c_p_wait,
    erlang_c_service_level,
    occupancy,
)
from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff

# (contacts per interval, interval minutes, AHT seconds, answer within seconds, target)
GRID = [
    (100, 30, 180, 20, 0.80),
    (40, 15, 240, 20, 0.80),
    (250, 30, 300, 30, 0.90),
    (12, 30, 420, 60, 0.80),
    (600, 60, 200, 15, 0.85),
    (1500, 30, 240, 20, 0.80),
]


def _pyworkforce(contacts: int, minutes: int, aht_s: int, within_s: int) -> ErlangC:
    # pyworkforce works in minutes and calls the answer-within threshold "asa"
    return ErlangC(transactions=contacts, aht=aht_s / 60, asa=within_s / 60, interval=minutes)


@pytest.mark.parametrize(("contacts", "minutes", "aht_s", "within_s", "target"), GRID)
def test_erlang_c_matches_pyworkforce_on_grid(
    contacts: int, minutes: int, aht_s: int, within_s: int, target: float
) -> None:
    reference = _pyworkforce(contacts, minutes, aht_s, within_s)
    traffic = contacts * aht_s / (minutes * 60)
    expected = reference.required_positions(service_level=target, max_occupancy=1.0)
    agents = agents_required_erlang_c(traffic, aht_s, target=target, answer_within_s=within_s)
    assert agents == expected["raw_positions"]
    for n in range(math.floor(traffic) + 1, agents + 3):
        assert erlang_c_p_wait(n, traffic) == pytest.approx(
            reference.waiting_probability(n), rel=1e-9
        )
        assert erlang_c_service_level(n, traffic, aht_s, within_s) == pytest.approx(
            reference.service_level(n), rel=1e-9, abs=1e-12
        )
        assert occupancy(n, traffic) == pytest.approx(reference.achieved_occupancy(n), rel=1e-12)


@pytest.mark.parametrize("max_occupancy", [0.85, 0.7])
def test_max_occupancy_raises_agents_like_pyworkforce(max_occupancy: float) -> None:
    reference = _pyworkforce(100, 30, 180, 20)
    expected = reference.required_positions(service_level=0.8, max_occupancy=max_occupancy)
    agents = agents_required_erlang_c(
        10.0, 180, target=0.8, answer_within_s=20, max_occupancy=max_occupancy
    )
    assert agents == expected["raw_positions"]
    assert agents == {0.85: 14, 0.7: 15}[max_occupancy]


def test_100_contacts_per_30_min_aht_180_needs_14_agents_and_20_with_30pct_shrinkage() -> None:
    reference = ErlangC(transactions=100, aht=3, asa=20 / 60, interval=30, shrinkage=0.3)
    expected = reference.required_positions(service_level=0.8, max_occupancy=0.85)
    result = required_staff(
        Workload(contacts=100, interval_s=1800, aht_s=180),
        ServiceGoal(target=0.8, answer_within_s=20, max_occupancy=0.85, shrinkage=0.3),
    )
    assert (result.agents, result.agents_with_shrinkage) == (14, 20)
    assert (expected["raw_positions"], expected["positions"]) == (14, 20)
    assert result.service_level == pytest.approx(expected["service_level"], rel=1e-12)
    assert result.p_wait == pytest.approx(expected["waiting_probability"], rel=1e-12)
    assert result.occupancy == pytest.approx(10 / 14, rel=1e-12)


def test_shrinkage_rounds_up_without_float_noise() -> None:
    assert agents_with_shrinkage(14, 0.3) == 20
    assert agents_with_shrinkage(14, 0.0) == 14
    assert agents_with_shrinkage(15, 0.3) == 22  # 21.43 → 22
    assert agents_with_shrinkage(7, 0.3) == 10


def test_erlang_b_recursion_is_stable_for_hundreds_of_agents() -> None:
    # 800 agents, 750 Erlangs: factorials would overflow; the recursion does not.
    blocking = erlang_b(800, 750.0)
    assert 0.0 < blocking < 0.01
    assert erlang_c_p_wait(800, 750.0) == pytest.approx(
        _birth_death(800, 750.0 / 180, 1 / 180, 0.0, 1200).p_wait, rel=1e-9
    )
    reference = _pyworkforce(7500, 30, 180, 20).required_positions(0.8, max_occupancy=1.0)
    agents = agents_required_erlang_c(750.0, 180, target=0.8, answer_within_s=20)
    assert agents == reference["raw_positions"] == 761


def test_erlang_c_asa_matches_mean_wait_of_the_state_distribution() -> None:
    for agents, traffic in [(14, 10.0), (12, 10.0), (30, 25.0)]:
        independent = _birth_death(agents, traffic / 180, 1 / 180, 0.0, agents + 4000)
        assert erlang_c_asa_s(agents, traffic, 180) == pytest.approx(
            independent.mean_wait_answered_s, rel=1e-9
        )


def test_erlang_c_without_enough_agents_never_meets_service_level() -> None:
    assert erlang_c_p_wait(10, 10.0) == 1.0
    assert erlang_c_service_level(9, 10.0, 180, 20) == 0.0
    assert erlang_c_asa_s(10, 10.0, 180) == math.inf


class _Independent:
    """Measures of M/M/N+M from its stationary distribution and per-state recursions."""

    def __init__(self, p_wait: float, p_abandon: float, sl: float, asa: float) -> None:
        self.p_wait = p_wait
        self.p_abandon = p_abandon
        self.service_level = sl
        self.mean_wait_answered_s = asa


def _birth_death(
    agents: int,
    lam: float,
    mu: float,
    theta: float,
    states: int,
    *,
    within_s: float = 0.0,
) -> _Independent:
    """Truncated birth-death chain; theta = 0 gives Erlang C (M/M/N)."""
    weights = [1.0]
    for k in range(1, states):
        death = min(k, agents) * mu + max(0, k - agents) * theta
        weights.append(weights[-1] * lam / death)
        if weights[-1] > 1e250:  # rescale to stay finite
            weights = [w * 1e-250 for w in weights]
    total = math.fsum(weights)
    pi = [w / total for w in weights]
    p_wait = math.fsum(pi[agents:])
    queue_length = math.fsum((k - agents) * p for k, p in enumerate(pi) if k > agents)
    p_abandon = theta * queue_length / lam
    ahead = states - agents
    # P(served | j ahead) and E[wait·1{served} | j ahead], stage by stage: with i callers
    # ahead the head moves up at rate Nμ + iθ and the tagged caller leaves at rate θ.
    served: list[float] = []
    wait_if_served: list[float] = []
    prev_served, prev_wait = 1.0, 0.0
    for i in range(ahead):
        rate = agents * mu + i * theta + theta
        move_up = (agents * mu + i * theta) / rate
        wait = move_up * (prev_wait + prev_served / rate)
        prev_served = move_up * prev_served
        prev_wait = wait
        served.append(prev_served)
        wait_if_served.append(prev_wait)
    answered = (1.0 - p_wait) + math.fsum(pi[agents + j] * served[j] for j in range(ahead))
    asa = math.fsum(pi[agents + j] * wait_if_served[j] for j in range(ahead)) / answered
    sl = (1.0 - p_wait) + math.fsum(
        pi[agents + j] * u for j, u in enumerate(_served_within(agents, mu, theta, ahead, within_s))
    )
    return _Independent(p_wait, p_abandon, sl, asa)


def _served_within(
    agents: int, mu: float, theta: float, ahead: int, within_s: float
) -> list[float]:
    """u_j(T) = P(served by T | j ahead), integrating the backward equations with RK4."""
    if within_s <= 0:
        return [0.0] * ahead
    steps = 4000
    h = within_s / steps

    def derivative(u: list[float]) -> list[float]:
        out = []
        for j in range(ahead):
            move_up = agents * mu + j * theta
            before = 1.0 if j == 0 else u[j - 1]
            out.append(move_up * before - (move_up + theta) * u[j])
        return out

    u = [0.0] * ahead
    for _ in range(steps):
        k1 = derivative(u)
        k2 = derivative([x + h / 2 * d for x, d in zip(u, k1, strict=True)])
        k3 = derivative([x + h / 2 * d for x, d in zip(u, k2, strict=True)])
        k4 = derivative([x + h * d for x, d in zip(u, k3, strict=True)])
        u = [
            x + h / 6 * (a + 2 * b + 2 * c + d)
            for x, a, b, c, d in zip(u, k1, k2, k3, k4, strict=True)
        ]
    return u


# (agents, contacts per 30 min, AHT s, mean patience s, answer within s)
ERLANG_A_GRID = [
    (14, 100, 180, 300, 20),
    (10, 100, 180, 300, 20),  # at the load: Erlang C would be unstable
    (8, 100, 180, 120, 20),  # overloaded
    (5, 40, 240, 600, 30),
    (20, 200, 150, 90, 15),
]


@pytest.mark.parametrize(("agents", "contacts", "aht_s", "patience_s", "within_s"), ERLANG_A_GRID)
def test_erlang_a_matches_birth_death_solution(
    agents: int, contacts: int, aht_s: float, patience_s: float, within_s: float
) -> None:
    lam = contacts / 1800
    result = erlang_a(agents, lam, aht_s, patience_s, within_s)
    independent = _birth_death(
        agents, lam, 1 / aht_s, 1 / patience_s, agents + 80, within_s=within_s
    )
    assert result.p_wait == pytest.approx(independent.p_wait, rel=1e-9)
    assert result.p_abandon == pytest.approx(independent.p_abandon, rel=1e-9)
    assert result.asa_s == pytest.approx(independent.mean_wait_answered_s, rel=1e-9)
    assert result.service_level == pytest.approx(independent.service_level, rel=1e-7)
    assert result.mean_wait_s == pytest.approx(independent.p_abandon * patience_s, rel=1e-9)
    assert result.occupancy == pytest.approx(lam * (1 - result.p_abandon) * aht_s / agents)


def test_erlang_a_with_endless_patience_is_erlang_c() -> None:
    result = erlang_a(14, 100 / 1800, 180, 1e9, 20)
    assert result.p_wait == pytest.approx(erlang_c_p_wait(14, 10.0), rel=1e-6)
    assert result.service_level == pytest.approx(
        erlang_c_service_level(14, 10.0, 180, 20), rel=1e-6
    )
    assert result.asa_s == pytest.approx(erlang_c_asa_s(14, 10.0, 180), rel=1e-5)
    assert result.p_abandon == pytest.approx(0.0, abs=1e-7)


def test_erlang_a_needs_fewer_agents_than_erlang_c_for_the_example() -> None:
    assert agents_required_erlang_a(100 / 1800, 180, 300, target=0.8, answer_within_s=20) == 13
    assert erlang_a(12, 100 / 1800, 180, 300, 20).service_level < 0.8
    assert erlang_a(13, 100 / 1800, 180, 300, 20).service_level >= 0.8


def test_erlang_a_is_finite_for_hundreds_of_agents_and_heavy_overload() -> None:
    large = erlang_a(420, 400 / 180, 180, 120, 20)
    assert 0.0 < large.p_wait < 1.0
    assert 0.99 < large.service_level < 1.0
    swamped = erlang_a(5, 1.0, 180, 3600, 20)
    assert swamped.p_wait == pytest.approx(1.0)
    assert swamped.p_abandon == pytest.approx(1 - 5 / 180, rel=1e-6)  # served = N·μ / λ
    assert math.isfinite(swamped.asa_s)
