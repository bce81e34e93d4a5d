"""Which caller patience the staffing strip feeds into Erlang A, and where it came from.

Erlang A models each waiting contact abandoning after an exponential patience with mean
1/θ (seconds). The standard estimate from a day's data (Mandelbaum & Zeltyn 2007; Brown et
al., "Statistical analysis of a telephone call center", JASA 100, 2005) divides the time
contacts were exposed to abandoning by the abandons seen:

    mean patience (s) = (Σ wait of answered + Σ wait of abandoned) / abandoned

Every wait, answered or abandoned, is a stretch of time in which the contact could have
abandoned; only the abandons "complete" a patience. The pipeline's closed-interval records
(`<prefix>:intervals`) carry both sums per queue (`answered_wait_s`, `abandoned_wait_s`);
the queue page adds up today's closed ones (`dashboard.interval_views.closed_waits`) and
falls back to the configured `patience_s` while fewer than `MIN_ABANDONS` abandons are in
them (see docs/kpi-semantics-addenda.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from schemas.config import Settings

PatienceSource = Literal["observed", "configured"]

# Fewer abandons than this give a patience estimate too noisy to staff on.
MIN_ABANDONS = 10


@dataclass(frozen=True)
class QueueWaits:
    """Waiting time of the contacts that left a queue (answered or abandoned) in a period.

    `answered_wait_s` and `abandoned_wait_s` are sums of `wait_s` (seconds) over the answered
    and the abandoned contacts; `abandoned` counts the abandoned ones.
    """

    answered_wait_s: float
    abandoned_wait_s: float
    abandoned: int


@dataclass(frozen=True)
class Patience:
    """Mean caller patience (seconds) for Erlang A and whether it was observed or configured."""

    seconds: float
    source: PatienceSource


def observed_patience_s(waits: QueueWaits, min_abandons: int = MIN_ABANDONS) -> float | None:
    """(Σ wait of answered + Σ wait of abandoned) / abandoned, in seconds.

    None with fewer than `min_abandons` abandons (at least 1) or no waiting time at all.
    """
    if waits.abandoned < max(1, min_abandons):
        return None
    exposed = waits.answered_wait_s + waits.abandoned_wait_s
    if exposed <= 0:
        return None
    return exposed / waits.abandoned


def queue_patience(
    queue: str, settings: Settings, waits: QueueWaits | None = None
) -> Patience | None:
    """The observed patience when `waits` allow an estimate, else the configured one.

    The configured one is the queue's `[staffing.queues.<q>] patience_s` or the
    `[staffing] patience_s` default; None when neither exists (Erlang C only).
    """
    if waits is not None:
        observed = observed_patience_s(waits)
        if observed is not None:
            return Patience(observed, "observed")
    channel = settings.queue_rules(queue).channel
    configured = settings.staffing.queue_staffing(queue, channel).patience_s
    return None if configured is None else Patience(configured, "configured")
