"""A compact re-statement of the queue alert rules (`docs/kpi-semantics.md` §5), used to
check that a simulated day raises queue alerts only where the labels say.

Works on clean, in-order events; times are Unix epoch seconds; ratios 0..1. It is not the
engine: no dedupe, no dead letters, no disorder, and alerts are reported by raise second.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from schemas.config import Settings
from schemas.events import ContactAbandoned, ContactAnswered, ContactOffered, Event

ROLLING_S = 900


def _held_raises(cond: np.ndarray, hold_s: int) -> list[int]:
    """Seconds at which `cond` has held for the whole [s - hold, s], once per run."""
    raises = []
    run = 0
    for second, value in enumerate(cond.tolist()):
        run = run + 1 if value else 0
        if run == hold_s + 1:
            raises.append(second)
    return raises


def queue_alert_raises(events: list[Event], settings: Settings) -> dict[tuple[str, str], list[int]]:
    """(kind, queue) → epoch seconds where sl_breach / abandon_spike / wait_breach raise.

    sl_breach and abandon_spike ignore the clear margin (a run must break to re-raise).
    """
    offered: dict[str, tuple[str, str, int]] = {}
    outcomes: dict[str, tuple[str, int]] = {}
    for event in events:
        second = int(event.ts.timestamp())
        if isinstance(event, ContactOffered):
            offered[event.contact_id] = (event.queue, event.channel, second)
        elif isinstance(event, ContactAnswered | ContactAbandoned):
            outcomes.setdefault(event.contact_id, (event.type, second))
    if not offered:
        return {}
    first = min(s for _, _, s in offered.values())
    last = max([s for _, s in outcomes.values()] + [s for _, _, s in offered.values()])
    size = last - first + 1
    per_queue: dict[str, dict[str, np.ndarray]] = defaultdict(
        lambda: {k: np.zeros(size, dtype=np.int64) for k in ("in_sl", "ans", "ab", "short")}
    )
    raises: dict[tuple[str, str], list[int]] = {}
    for contact_id, (queue, channel, offered_at) in offered.items():
        rules = settings.queue_rules(queue, channel)  # type: ignore[arg-type]
        kind, at = outcomes.get(contact_id, ("open", last))
        wait = at - offered_at
        if wait > rules.wait_breach_s:
            raises.setdefault(("wait_breach", queue), []).append(
                offered_at + int(rules.wait_breach_s)
            )
        counts = per_queue[queue]
        if kind == "contact.answered":
            counts["ans"][at - first] += 1
            if wait <= rules.sl_threshold_s:
                counts["in_sl"][at - first] += 1
        elif kind == "contact.abandoned":
            counts["ab"][at - first] += 1
            if wait < rules.short_abandon_s:
                counts["short"][at - first] += 1
    for queue, counts in per_queue.items():
        rules = settings.queue_rules(queue)
        rolled = {}
        for name, values in counts.items():
            total = np.cumsum(values)
            shifted = np.concatenate([np.zeros(ROLLING_S, dtype=np.int64), total[:-ROLLING_S]])
            rolled[name] = total - shifted[: len(total)]
        denominator = rolled["ans"] + rolled["ab"] - rolled["short"]
        safe = np.maximum(denominator, 1)
        level = rolled["in_sl"] / safe
        abandon = (rolled["ab"] - rolled["short"]) / safe
        sl_cond = (denominator >= rules.sl_min_contacts) & (level < rules.sl_target)
        ab_cond = (denominator >= rules.abandon_min_contacts) & (
            abandon > rules.abandon_spike_rate
        )
        for kind, cond, hold in (
            ("sl_breach", sl_cond, int(rules.sl_hold_s)),
            ("abandon_spike", ab_cond, int(rules.abandon_hold_s)),
        ):
            found = [first + s for s in _held_raises(cond, hold)]
            if found:
                raises[(kind, queue)] = found
    return raises
