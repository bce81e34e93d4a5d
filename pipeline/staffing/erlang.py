"""Erlang C (M/M/N) and Erlang A (M/M/N+M) for staffing one interval (clause 7.3).

Units: times in seconds, rates per second, traffic in Erlangs (arrival rate × handle time),
probabilities and ratios 0..1. Agents are whole people on the phone (before shrinkage).

Erlang C (Erlang 1917; see Koole, *Call Center Optimization*, 2013, ch. 5):
    B(N, A)   Erlang B, by the stable recursion B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1))
    P(wait) = C(N, A) = N·B / (N − A·(1 − B))                          (N > A, else 1)
    SL(T)   = 1 − C·exp(−(N − A)·T / AHT)
    ASA     = C·AHT / (N − A)
    occupancy = A / N

Erlang A (Palm 1943; Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
customers", MSOM 4(3), 2002; Mandelbaum & Zeltyn, "Service engineering in action: the
Palm/Erlang-A queue, with applications to call centers", 2007). Arrival rate λ, service
rate μ = 1/AHT, patience exponential with mean 1/θ, N agents, ρ = λ/(Nμ), a = Nμ/θ,
b = λ/θ, E = B(N, λ/μ) and
    A(x, y) = x·e^y·γ(x, y) / y^x = 1 + Σ_{j≥1} y^j / Π_{k=1..j} (x + k)
    P(wait)            = A(a, b)·E / (1 + (A(a, b) − 1)·E)
    P(abandon | wait)  = 1/(ρ·A(a, b)) + 1 − 1/ρ
    P(abandon)         = P(wait)·P(abandon | wait)
    P(V > t | wait)    = γ(a, b·e^{−θt}) / γ(a, b)            (offered wait V)
Service level here is the share of *all* arrivals answered within T (an abandon counts
against it, as in the wallboard's `service_level`):
    SL(T) = 1 − P(wait) + P(wait)·P(served | wait)·(1 − γ(a+1, b·e^{−θT}) / γ(a+1, b))
(an arrival that finds j callers ahead is served with probability a/(a+j+1) after the sum
of exponential stages with rates θ(a+1+i), i = 0..j; summing over j gives the same
incomplete-gamma form with a+1). ASA is the mean wait of answered contacts, summed over
the same states. All series are evaluated in log space, so hundreds of agents and heavy
overload do not overflow.

Chat: an agent handling `concurrency` chats at once is approximated as one server that
works `concurrency` times faster (effective handle time = AHT / concurrency). This is the
usual WFM shortcut; it ignores that concurrent chats slow each other down, so set the
concurrency to the *effective* parallelism observed, not the configured maximum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

_MAX_AGENTS = 100_000
_LOG_TAIL = -46.0  # series terms below e^-46 (≈1e-20) of the largest are dropped
_MAX_TERMS = 5_000_000


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of an M/M/N/N loss system with `traffic` Erlangs."""
    if agents < 0:
        msg = f"agents must be >= 0, got {agents}"
        raise ValueError(msg)
    blocking = 1.0
    for k in range(1, agents + 1):
        blocking = traffic * blocking / (k + traffic * blocking)
    return blocking


def erlang_c_p_wait(agents: int, traffic: float) -> float:
    """Probability that a contact waits (Erlang C); 1.0 when agents <= traffic."""
    if agents <= traffic:
        return 1.0
    blocking = erlang_b(agents, traffic)
    return _p_wait_from_b(agents, traffic, blocking)


def _p_wait_from_b(agents: int, traffic: float, blocking: float) -> float:
    return agents * blocking / (agents - traffic * (1.0 - blocking))


def erlang_c_service_level(
    agents: int, traffic: float, aht_s: float, answer_within_s: float
) -> float:
    """Share (0..1) of contacts answered within `answer_within_s` seconds (Erlang C)."""
    if agents <= traffic:
        return 0.0
    p_wait = erlang_c_p_wait(agents, traffic)
    return max(0.0, 1.0 - p_wait * math.exp(-(agents - traffic) * answer_within_s / aht_s))


def erlang_c_asa_s(agents: int, traffic: float, aht_s: float) -> float:
    """Average speed of answer in seconds (Erlang C); infinity when agents <= traffic."""
    if agents <= traffic:
        return math.inf
    return erlang_c_p_wait(agents, traffic) * aht_s / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """Share (0..1) of agent time busy with contacts: carried traffic / agents."""
    if agents <= 0:
        msg = f"agents must be >= 1, got {agents}"
        raise ValueError(msg)
    return min(1.0, traffic / agents)


def agents_with_shrinkage(agents: int, shrinkage: float) -> int:
    """Agents to schedule so that `agents` remain after `shrinkage` (0..1) is lost."""
    if not 0.0 <= shrinkage < 1.0:
        msg = f"shrinkage must be in [0, 1), got {shrinkage}"
        raise ValueError(msg)
    # 14 / 0.7 is 20.000000000000004 in binary floating point; that is 20 agents, not 21.
    return math.ceil(round(agents / (1.0 - shrinkage), 9))


def agents_required_erlang_c(
    traffic: float,
    aht_s: float,
    *,
    target: float,
    answer_within_s: float,
    max_occupancy: float = 1.0,
) -> int:
    """Smallest N with Erlang C service level >= `target` and occupancy <= `max_occupancy`."""
    _check_target(target, max_occupancy)
    if traffic <= 0:
        return 0
    agents = math.floor(traffic) + 1
    blocking = erlang_b(agents, traffic)
    while agents <= _MAX_AGENTS:
        p_wait = _p_wait_from_b(agents, traffic, blocking)
        level = 1.0 - p_wait * math.exp(-(agents - traffic) * answer_within_s / aht_s)
        if level >= target and traffic / agents <= max_occupancy:
            return agents
        agents += 1
        blocking = traffic * blocking / (agents + traffic * blocking)
    msg = f"no staffing up to {_MAX_AGENTS} agents reaches service level {target}"
    raise ValueError(msg)


def _check_target(target: float, max_occupancy: float) -> None:
    if not 0.0 <= target < 1.0:
        msg = f"service-level target must be in [0, 1), got {target}"
        raise ValueError(msg)
    if not 0.0 < max_occupancy <= 1.0:
        msg = f"max occupancy must be in (0, 1], got {max_occupancy}"
        raise ValueError(msg)


@dataclass(frozen=True)
class ErlangAResult:
    """Erlang A measures of one staffing level; ratios 0..1, times in seconds."""

    agents: int
    p_wait: float
    p_abandon: float
    service_level: float
    asa_s: float
    mean_wait_s: float
    occupancy: float


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return -math.inf
    return top + math.log(math.fsum(math.exp(v - top) for v in values))


def _log_a_function(x: float, y: float) -> float:
    """log A(x, y) = log(1 + Σ_{j≥1} y^j / Π_{k=1..j}(x + k)), summed in log space."""
    terms = [0.0]
    current = 0.0
    top = 0.0
    log_y = math.log(y)
    k = 1
    while k < _MAX_TERMS:
        current += log_y - math.log(x + k)
        terms.append(current)
        top = max(top, current)
        # past the peak (terms shrink once x + k > y) and negligible: stop
        if x + k > y and current < top + _LOG_TAIL:
            break
        k += 1
    return _logsumexp(terms)


def _log_lower_gamma(s: float, x: float) -> float:
    """log γ(s, x), lower incomplete gamma, by γ = x^s e^{−x} Σ_k x^k / Π_{i=0..k}(s + i)."""
    if x <= 0:
        return -math.inf
    # Σ_k x^k / Π_{i=0..k}(s+i) = (1/s)·A(s, x)
    return s * math.log(x) - x - math.log(s) + _log_a_function(s, x)


def erlang_a(
    agents: int,
    arrival_rate_per_s: float,
    aht_s: float,
    patience_s: float,
    answer_within_s: float,
) -> ErlangAResult:
    """Erlang A (M/M/N+M) measures for `agents` agents; see the module docstring."""
    if agents < 1:
        msg = f"agents must be >= 1, got {agents}"
        raise ValueError(msg)
    if aht_s <= 0 or patience_s <= 0:
        msg = f"aht_s and patience_s must be > 0, got {aht_s} and {patience_s}"
        raise ValueError(msg)
    if arrival_rate_per_s <= 0:
        return ErlangAResult(agents, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0)
    lam, mu, theta = arrival_rate_per_s, 1.0 / aht_s, 1.0 / patience_s
    a, b = agents * mu / theta, lam / theta
    blocking = erlang_b(agents, lam / mu)
    log_a_fn = _log_a_function(a, b)
    if blocking <= 0.0:
        p_wait = 0.0
    else:
        # A·E / (1 + (A − 1)·E) written to stay finite when A overflows a float
        p_wait = 1.0 / (1.0 + (1.0 - blocking) / blocking * math.exp(-log_a_fn))
    # P(served | wait) = (a/b)·(A − 1)/A, and A − 1 = (b/(a+1))·A(a+1, b)
    log_a_next = _log_a_function(a + 1.0, b)
    p_served_if_wait = min(1.0, math.exp(math.log(a / (a + 1.0)) + log_a_next - log_a_fn))
    p_abandon = p_wait * (1.0 - p_served_if_wait)
    decay = b * math.exp(-theta * answer_within_s)
    if answer_within_s <= 0:
        answered_in_time_if_wait = 0.0
    else:
        log_ratio = _log_lower_gamma(a + 1.0, decay) - _log_lower_gamma(a + 1.0, b)
        answered_in_time_if_wait = 1.0 - math.exp(min(0.0, log_ratio))
    service_level = 1.0 - p_wait + p_wait * p_served_if_wait * answered_in_time_if_wait
    asa_s = _erlang_a_asa_s(a, b, theta, log_a_fn=log_a_fn, p_wait=p_wait, p_abandon=p_abandon)
    carried = lam * (1.0 - p_abandon) * aht_s
    return ErlangAResult(
        agents=agents,
        p_wait=p_wait,
        p_abandon=p_abandon,
        service_level=min(1.0, max(0.0, service_level)),
        asa_s=asa_s,
        mean_wait_s=p_abandon / theta,
        occupancy=min(1.0, carried / agents),
    )


def _erlang_a_asa_s(
    a: float, b: float, theta: float, *, log_a_fn: float, p_wait: float, p_abandon: float
) -> float:
    """Mean wait of answered contacts: E[W·1{served}] / P(served), summed over queue states.

    An arrival finding j callers ahead (probability P(wait)·q_j, q_j ∝ Π_{k=1..j} b/(a+k))
    is served with probability a/(a+j+1), after a mean of Σ_{i=0..j} 1/(θ(a+1+i)) seconds.
    """
    p_served = 1.0 - p_abandon
    if p_wait <= 0.0 or p_served <= 0.0:
        return 0.0
    log_b = math.log(b)
    log_q = -log_a_fn
    top = log_q
    stage_sum = 0.0
    total = 0.0
    j = 0
    while j < _MAX_TERMS:
        stage_sum += 1.0 / (theta * (a + 1.0 + j))
        total += math.exp(log_q) * a / (a + j + 1.0) * stage_sum
        j += 1
        log_q += log_b - math.log(a + j)
        top = max(top, log_q)
        if a + j > b and log_q < top + _LOG_TAIL:
            break
    return p_wait * total / p_served


def agents_required_erlang_a(
    arrival_rate_per_s: float,
    aht_s: float,
    patience_s: float,
    *,
    target: float,
    answer_within_s: float,
    max_occupancy: float = 1.0,
) -> int:
    """Smallest N with Erlang A service level >= `target` and occupancy <= `max_occupancy`.

    Both measures improve monotonically with N, so an exponential then binary search is used.
    """
    _check_target(target, max_occupancy)
    if arrival_rate_per_s <= 0:
        return 0

    def enough(agents: int) -> bool:
        result = erlang_a(agents, arrival_rate_per_s, aht_s, patience_s, answer_within_s)
        return result.service_level >= target and result.occupancy <= max_occupancy

    high = 1
    while not enough(high):
        high *= 2
        if high > _MAX_AGENTS:
            msg = f"no staffing up to {_MAX_AGENTS} agents reaches service level {target}"
            raise ValueError(msg)
    low = high // 2  # `enough(low)` is false (or low == 0)
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high
