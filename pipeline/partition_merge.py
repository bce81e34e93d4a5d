"""Merge source partitions back into arrival order before the floor engine.

Each source partition delivers its items in seq order and reports its *progress*: the seq
up to which it has delivered everything (`PartitionProgress`). Bytewax reads partitions
independently, so a backlog (a file published at once, an input outage, a cluster of
processes) reaches the floor step with one partition far ahead of another. The merger
buffers items in a heap and releases, in `(seq, partition)` order, every item with
`seq <= min(progress over the partitions)`: nothing any partition delivers later can come
before it. The released order is therefore the same whatever the worker layout or read
speed (seqs are Redis stream ids, assigned at `XADD`).

Bound: a partition far ahead of the slowest one is buffered until the slow one catches
up — in the worst case a whole backlog of the fast partitions (`len(merger)` is reported
as `reorder_buffered` in the heartbeat). So that a dead reader or producer cannot freeze
the wallboard, a partition whose progress has not advanced for `idle_s` seconds of wall
clock is left out of the minimum. The cost: items it delivers after that may come after
later seqs of other partitions already released; they are released at once and the
engine's lateness rule applies to them (late agent events become dead letters).

Pure and Bytewax-independent: the caller passes the wall clock (`now`, Unix seconds) in.
The merger is part of the floor's recovery snapshot, consistent with the sources'
positions (what it buffers has been read but not yet ingested).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from pipeline.sources import PartitionProgress


class Sequenced(Protocol):
    """Anything with an arrival index (a parsed event)."""

    @property
    def seq(self) -> int: ...


Item = TypeVar("Item", bound=Sequenced)


@dataclass
class _Partition:
    progress: int = -1
    # Wall clock (Unix seconds) when `progress` last advanced.
    advanced_at: float = 0.0


@dataclass
class PartitionMerger(Generic[Item]):
    """Holds items of partitions that are ahead; `idle_s` in seconds of wall clock."""

    idle_s: float = 5.0
    partitions: dict[int, _Partition] = field(default_factory=dict)
    # (seq, partition, arrival counter, item): the counter keeps items out of comparisons.
    heap: list[tuple[int, int, int, Item]] = field(default_factory=list)
    arrivals: int = 0

    def __len__(self) -> int:
        return len(self.heap)

    def offer(self, progress: PartitionProgress, items: Sequence[Item], now: float) -> list[Item]:
        """Take one partition's items (ascending `seq`) and its progress after them; returns
        the items now released, in merged order."""
        self._note(progress, now)
        if not items:
            return self.release(now)
        watermark = self.watermark(now)
        if not self.heap and items[-1].seq <= watermark and _ascending(items):
            # Nothing waits and the whole chunk is decided: pass it through (the common case
            # for a single partition, and for paced live feeds).
            return list(items)
        partition = progress.partition
        for item in items:
            heapq.heappush(self.heap, (item.seq, partition, self.arrivals, item))
            self.arrivals += 1
        return self._pop_through(watermark)

    def release(self, now: float) -> list[Item]:
        """The items decided at wall-clock `now` (a partition may have gone idle)."""
        return self._pop_through(self.watermark(now)) if self.heap else []

    def flush(self) -> list[Item]:
        """End of input: every buffered item, in merged order."""
        return self._pop_through(math.inf)

    def restart(self, now: float, idle_s: float) -> None:
        """After a resume from a recovery snapshot: every partition gets a fresh `idle_s`
        from `now` (the wall time spent down is not the partitions' fault)."""
        self.idle_s = idle_s
        for partition in self.partitions.values():
            partition.advanced_at = now

    def watermark(self, now: float) -> float:
        """The seq through which everything is decided: the minimum progress over the
        partitions that are not idle; infinite when all are idle (release everything)."""
        oldest = now - self.idle_s
        active = [p.progress for p in self.partitions.values() if p.advanced_at >= oldest]
        return min(active) if active else math.inf

    def _note(self, progress: PartitionProgress, now: float) -> None:
        partitions = self.partitions
        if len(partitions) != progress.partitions:
            # First chunk (or the source was resized): every partition counts from now on,
            # also those that have not reported yet.
            for index in range(progress.partitions):
                partitions.setdefault(index, _Partition(advanced_at=now))
            for index in [i for i in partitions if i >= progress.partitions]:
                del partitions[index]
        partition = partitions.setdefault(progress.partition, _Partition(advanced_at=now))
        if progress.seq > partition.progress:
            partition.progress = progress.seq
            partition.advanced_at = now

    def _pop_through(self, watermark: float) -> list[Item]:
        heap = self.heap
        released: list[Item] = []
        while heap and heap[0][0] <= watermark:
            released.append(heapq.heappop(heap)[3])
        return released


def _ascending(items: Sequence[Sequenced]) -> bool:
    seqs = [item.seq for item in items]
    return all(a < b for a, b in zip(seqs, seqs[1:], strict=False))
