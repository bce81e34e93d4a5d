"""sl_breach and abandon_spike against a plain per-second oracle (Hypothesis).

The oracle walks every whole second from the first answer/abandon to `now`, recounts the
rolling 15 min `(s - 900, s]` from scratch and runs the raise/clear rules of
kpi-semantics §5 one second at a time. The SQL must give the same alerts.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.reference.scenario import Events, alerts_of, epoch, sample_settings, ts

T0 = epoch("10:00:00")
WAITS = (1, 4, 10, 19, 25, 45)  # around short_abandon_s 5 and sl_threshold_s 20


def clock(offset: int) -> str:
    total = 10 * 3600 + offset
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def oracle(outcomes: list[tuple[int, bool, int]], now: int) -> dict[str, list[tuple[Any, ...]]]:
    """(raised epoch, cleared epoch or None, evidence) per kind, claims_report defaults."""
    found: dict[str, list[tuple[Any, ...]]] = {"sl_breach": [], "abandon_spike": []}
    if not outcomes:
        return found
    first = min(T0 + offset for offset, _, _ in outcomes)
    true_since: dict[str, int | None] = {"sl_breach": None, "abandon_spike": None}
    active: dict[str, list[Any] | None] = {"sl_breach": None, "abandon_spike": None}
    for s in range(first, now + 1):
        inside = [(a, w) for offset, a, w in outcomes if s - 900 < T0 + offset <= s]
        answered = sum(1 for a, _ in inside if a)
        in_sl = sum(1 for a, w in inside if a and w <= 20)
        abandoned = sum(1 for a, _ in inside if not a)
        short = sum(1 for a, w in inside if not a and w < 5)
        contacts = answered + abandoned - short
        sl = in_sl / contacts if contacts else None
        rate = (abandoned - short) / contacts if contacts else None
        rules = {
            "sl_breach": (
                contacts >= 10 and sl is not None and sl < 0.8,
                contacts < 10 or sl is None or sl > 0.8 + 0.02,
                (sl, 0.8, contacts),
            ),
            "abandon_spike": (
                contacts >= 10 and rate is not None and rate > 0.1,
                not (contacts >= 10 and rate is not None and rate > 0.1),
                (rate, 0.1, contacts),
            ),
        }
        for kind, (cond, clear, evidence) in rules.items():
            if not cond:
                true_since[kind] = None
            elif true_since[kind] is None:
                true_since[kind] = s
            episode = active[kind]
            if episode is not None and clear:
                episode[1] = s
                found[kind].append(tuple(episode))
                active[kind] = None
            elif episode is None and cond and s - (true_since[kind] or s) >= 60:
                active[kind] = [s, None, evidence]
    for kind, episode in active.items():
        if episode is not None:
            found[kind].append(tuple(episode))
    return found


def from_snapshot(snap: dict[str, Any], kind: str) -> list[tuple[Any, ...]]:
    out = []
    for a in alerts_of(snap, kind):
        ev = a["evidence"]
        value = ev["service_level"] if kind == "sl_breach" else ev["abandon_rate"]
        limit = ev["target"] if kind == "sl_breach" else ev["threshold"]
        raised = epoch(a["raised_at"][11:19])
        cleared = None if a["cleared_at"] is None else epoch(a["cleared_at"][11:19])
        out.append((raised, cleared, (value, limit, ev["contacts"])))
    return out


outcome = st.tuples(st.integers(0, 400), st.booleans(), st.sampled_from(WAITS))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outcomes=st.lists(outcome, min_size=10, max_size=50), now_offset=st.integers(30, 1500))
def test_held_queue_alerts_match_the_per_second_oracle(
    outcomes: list[tuple[int, bool, int]], now_offset: int
) -> None:
    e = Events()
    for n, (offset, answered, wait) in enumerate(outcomes):
        e.offered(clock(offset - wait), f"c{n}", "claims_report")
        if answered:
            e.answered(clock(offset), f"c{n}", "a1")
        else:
            e.abandoned(clock(offset), f"c{n}")
    snap = e.snapshot(clock(now_offset), sample_settings())
    expected = oracle([o for o in outcomes if o[0] <= now_offset], T0 + now_offset)
    assert from_snapshot(snap, "sl_breach") == expected["sl_breach"]
    assert from_snapshot(snap, "abandon_spike") == expected["abandon_spike"]
    assert snap["now"] == ts(clock(now_offset))
