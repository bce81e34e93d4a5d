"""One queue's waiting line: what `in_queue` and `longest_wait_s` are read from (§3).

A contact is in queue at `now` when it was offered by `now` and its outcome (answer or
abandon) comes after `now`: `offered <= now < outcome` (epoch seconds; no outcome yet is
`inf`). The outcome may be provisional (after the watermark) or even after `now`; a
snapshot at `now` sees every ingested event, decided or not, and an interval record or
history point at an earlier second sees the contacts answered since as still waiting.

Contacts that already left stay recorded for a while (they are still in queue for an
earlier `now`), so most entries of a busy line have left. `waiting_at(now)` does not scan
them: it reads the contacts without an outcome, and of those that left only the ones that
left in second `floor(now)` or later, found through an index by outcome second. A tick
therefore costs O(contacts waiting + contacts that left after `now`), not O(entries).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

NO_OUTCOME = math.inf


@dataclass
class WaitingLine:
    """Offered contacts of one queue: `entries[cid] = [offered, outcome]` (epoch s), plus
    two indexes over it that always agree with it: the contacts without an outcome, and the
    contacts with one by the whole second of their outcome."""

    entries: dict[str, list[float]] = field(default_factory=dict)
    # Insertion-ordered sets (dicts to None): exactly the entries whose outcome is `inf`.
    unanswered: dict[str, None] = field(default_factory=dict)
    # floor(outcome) -> cids that left in that second. May hold stale cids (evicted, or
    # offered again since); readers check the entry, so every entry is read at most once.
    left_in_second: dict[int, dict[str, None]] = field(default_factory=dict)
    last_left_second: int | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def __getstate__(self) -> dict[str, Any]:
        # The indexes are derived from `entries`: recovery snapshots carry only that.
        return {"entries": self.entries}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.entries, self.unanswered, self.left_in_second = {}, {}, {}
        self.last_left_second = None
        for cid, (offered, outcome) in state["entries"].items():
            self.offered(cid, offered)
            if outcome != NO_OUTCOME:
                self.left(cid, outcome)

    def offered(self, cid: str, ts: float) -> None:
        """`cid` joined the line at `ts`; a new offer of the same contact id replaces its
        old entry."""
        self.entries[cid] = [ts, NO_OUTCOME]
        self.unanswered[cid] = None

    def left(self, cid: str, ts: float) -> None:
        """`cid` was answered or abandoned at `ts` (nothing happens if it is not here)."""
        entry = self.entries.get(cid)
        if entry is None:
            return
        entry[1] = ts
        self.unanswered.pop(cid, None)
        second = math.floor(ts)
        bucket = self.left_in_second.get(second)
        if bucket is None:
            bucket = self.left_in_second[second] = {}
        bucket[cid] = None
        if self.last_left_second is None or second > self.last_left_second:
            self.last_left_second = second

    def waiting_at(self, now: int) -> Iterator[tuple[str, float]]:
        """`(cid, offered)` of every entry with `offered <= now < outcome`, each once."""
        entries = self.entries
        for cid in self.unanswered:
            offered = entries[cid][0]
            if offered <= now:
                yield cid, offered
        last = self.last_left_second
        if last is None or last < now:
            return
        buckets = self.left_in_second
        first = math.floor(now)
        seconds: list[int] | range = range(first, last + 1)
        if len(seconds) > len(buckets):
            # An old `now` (e.g. a test's snapshot long after the events): fewer buckets
            # than seconds to look at.
            seconds = [s for s in buckets if s >= first]
        for second in seconds:
            bucket = buckets.get(second)
            if bucket is None:
                continue
            for cid in bucket:
                entry = entries.get(cid)
                if entry is None:
                    continue
                offered, outcome = entry
                # A stale cid (offered again since) is read in its own bucket only.
                if second <= outcome < second + 1 and offered <= now < outcome:
                    yield cid, offered

    def evict(self, before: float) -> None:
        """Forget contacts that left before `before` (epoch s)."""
        entries = self.entries
        for cid in [c for c, (_o, outcome) in entries.items() if outcome < before]:
            del entries[cid]
        cut = math.floor(before)
        for second in [s for s in self.left_in_second if s < cut]:
            del self.left_in_second[second]
