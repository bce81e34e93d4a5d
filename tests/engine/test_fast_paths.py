"""The performance shortcuts give exactly what the plain computations give.

- `QueueRates.sweep` skips quiet seconds (same sums as the second before) unless a hold
  time ends there; the alerts must equal evaluating every second.
"""

from __future__ import annotations

import random

from pipeline.engine.alerts import AlertBook
from pipeline.engine.queue_alerts import (
    R_ABANDONED,
    R_ANSWERED,
    R_IN_SL,
    R_SHORT,
    RATE_WINDOW_S,
    QueueRates,
)
from schemas.config import QueueRules
from tests.engine.helpers import T0, sample_settings


def _sweep_every_second(rates: QueueRates, until: int, rules: QueueRules, book: AlertBook) -> None:
    """The sweep without the quiet-second shortcut: evaluate each second."""
    if rates.last_second is None:
        if not rates.seconds:
            return
        rates.last_second = min(rates.seconds) - 1
    for s in range(rates.last_second + 1, until + 1):
        row = rates.seconds.get(s)
        if row is not None:
            for i in range(4):
                rates.sums[i] += row[i]
        old = rates.seconds.get(s - RATE_WINDOW_S)
        if old is not None:
            for i in range(4):
                rates.sums[i] -= old[i]
        rates._evaluate(s, rules, book)  # noqa: SLF001 - the reference for the shortcut
    rates.last_second = max(rates.last_second, until)


def _traffic(seed: int) -> list[tuple[int, int, int | None]]:
    """(second, index, extra index) counts: bursts of bad and good service, quiet gaps."""
    rng = random.Random(seed)
    out: list[tuple[int, int, int | None]] = []
    second = T0
    for _burst in range(12):
        answer_share = rng.choice([0.2, 0.5, 0.95])
        for _ in range(rng.randint(5, 60)):
            second += rng.randint(1, 20)
            if rng.random() < answer_share:
                out.append((second, R_ANSWERED, R_IN_SL if rng.random() < 0.5 else None))
            else:
                out.append((second, R_ABANDONED, R_SHORT if rng.random() < 0.1 else None))
        second += rng.choice([30, 200, 1000, 2500])  # quiet: holds end, windows empty out
    return out


def test_sweep_skipping_quiet_seconds_raises_and_clears_exactly_as_every_second() -> None:
    rules = sample_settings().queue_rules("claims_report", "voice")
    for seed in range(8):
        traffic = _traffic(seed)
        rng = random.Random(seed)
        fast, slow = QueueRates("claims_report"), QueueRates("claims_report")
        fast_book = AlertBook("Asia/Shanghai", {"sl_breach": "major", "abandon_spike": "major"})
        slow_book = AlertBook("Asia/Shanghai", {"sl_breach": "major", "abandon_spike": "major"})
        cursor = traffic[0][0]
        for second, index, extra in traffic:
            # Some counts arrive after their second was swept (late, within the window).
            late = max(second - rng.choice([0, 0, 0, 5]), cursor - 100)
            fast.add(late, index, extra)
            slow.add(late, index, extra)
            if second - cursor > rng.randint(1, 120):
                fast.sweep(second - 1, rules, fast_book)
                _sweep_every_second(slow, second - 1, rules, slow_book)
                cursor = second - 1
        end = traffic[-1][0] + 3 * RATE_WINDOW_S
        fast.sweep(end, rules, fast_book)
        _sweep_every_second(slow, end, rules, slow_book)
        assert fast_book.transitions == slow_book.transitions
        assert fast.sums == slow.sums
        assert len(slow_book.transitions) > 0
