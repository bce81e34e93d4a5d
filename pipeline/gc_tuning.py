"""Cyclic garbage collector settings for the long-running pipeline process.

The floor's state is hundreds of thousands of small containers (dedupe ids, contacts,
waiting entries, agent segments) that live for minutes to hours; they are freed by
reference counting, not by the cyclic collector. With CPython's default thresholds
(700, 10, 10) the collector still walks them all in full (generation 2) passes: at 5,000
events/s on the 2-core bench machine, 18 passes in 30 s of traffic, up to ~150 ms each,
each one stalling a 0.1 s tick (bench/live_cpu.py measures it). Collecting the young
generation less often lets far fewer objects reach the full passes. Only the collector's
timing changes, never what is computed.
"""

from __future__ import annotations

import gc

# Allocations minus deallocations before a young collection; young collections before a
# middle one; middle ones before a full one is considered (CPython also waits until 25 %
# of the long-lived objects are new).
LIVE_GC_THRESHOLDS = (20_000, 20, 10)


def tune_collector_for_live_state() -> None:
    """Apply `LIVE_GC_THRESHOLDS` to this process (call once, before the dataflow runs)."""
    gc.set_threshold(*LIVE_GC_THRESHOLDS)
