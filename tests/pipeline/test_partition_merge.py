"""The partition merger releases items in arrival (seq) order once every partition has
read past them; an idle partition stops holding the others back; end of input and a resume
from a recovery snapshot lose nothing."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from pipeline.partition_merge import PartitionMerger
from pipeline.sources import PartitionProgress


@dataclass(frozen=True)
class Line:
    seq: int
    name: str


def _of(partition: int, seq: int, partitions: int = 2) -> PartitionProgress:
    return PartitionProgress(partition=partition, partitions=partitions, seq=seq)


def _lines(*seqs: int) -> list[Line]:
    return [Line(seq, f"e{seq}") for seq in seqs]


def _seqs(released: list[Line]) -> list[int]:
    return [line.seq for line in released]


def test_items_wait_until_every_partition_has_read_past_them() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    # Partition 1 has not reported yet: it might still deliver seq 0.
    assert merger.offer(_of(0, 6), _lines(1, 4, 6), now=100.0) == []
    assert len(merger) == 3
    assert _seqs(merger.offer(_of(1, 3), _lines(2, 3), now=100.1)) == [1, 2, 3]
    assert _seqs(merger.offer(_of(1, 9), _lines(5, 9), now=100.2)) == [4, 5, 6]
    assert len(merger) == 1
    # An empty chunk is a progress marker: partition 0 has read everything up to 20.
    assert _seqs(merger.offer(_of(0, 20), [], now=100.3)) == [9]
    assert len(merger) == 0


def test_equal_seqs_of_two_partitions_go_in_partition_order() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    assert merger.offer(_of(1, 7), [Line(7, "p1")], now=0.0) == []
    released = merger.offer(_of(0, 7), [Line(7, "p0")], now=0.0)
    assert [line.name for line in released] == ["p0", "p1"]


def test_a_single_partition_passes_its_chunks_straight_through() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    chunk = _lines(0, 1, 3)
    assert merger.offer(_of(0, 3, partitions=1), chunk, now=0.0) == chunk
    # A chunk out of order (not what sources emit) is still released sorted.
    assert _seqs(merger.offer(_of(0, 9, partitions=1), _lines(8, 5), now=0.0)) == [5, 8]


def test_a_partition_without_progress_for_idle_s_no_longer_holds_back_the_others() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    assert merger.offer(_of(0, 2), _lines(1, 2), now=100.0) == []
    assert merger.offer(_of(0, 3), [], now=104.0) == []
    assert merger.release(now=105.0) == []  # partition 1 is counted from 100: not idle yet
    assert _seqs(merger.release(now=105.5)) == [1, 2]
    assert merger.watermark(now=105.5) == 3
    # It comes back: its late item is released at once (after later seqs: the engine's
    # lateness rule judges it), and it holds back the others again.
    assert _seqs(merger.offer(_of(1, 10), _lines(0), now=106.0)) == [0]
    assert merger.offer(_of(0, 12), _lines(11, 12), now=106.0) == []
    assert _seqs(merger.offer(_of(1, 12), [], now=106.1)) == [11, 12]


def test_all_partitions_idle_release_everything_buffered() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    assert merger.offer(_of(0, 4), _lines(3, 4), now=100.0) == []
    assert _seqs(merger.release(now=105.1)) == [3, 4]


def test_end_of_input_flushes_every_buffered_item_in_order() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    # Partition 2 of three never reports: everything else waits for it...
    assert merger.offer(_of(0, 8, partitions=3), _lines(2, 8), now=0.0) == []
    assert merger.offer(_of(1, 9, partitions=3), _lines(5, 9), now=0.0) == []
    assert len(merger) == 4
    # ...until the input ends.
    assert _seqs(merger.flush()) == [2, 5, 8, 9]
    assert len(merger) == 0


def test_a_resumed_merger_continues_exactly_as_an_uninterrupted_one() -> None:
    def first_half(merger: PartitionMerger[Line]) -> list[int]:
        return _seqs(merger.offer(_of(0, 6), _lines(1, 4, 6), now=100.0)) + _seqs(
            merger.offer(_of(1, 3), _lines(2, 3), now=100.1)
        )

    def second_half(merger: PartitionMerger[Line], now: float) -> list[int]:
        return _seqs(merger.offer(_of(1, 9), _lines(5, 9), now=now)) + _seqs(merger.flush())

    straight: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    assert first_half(straight) + second_half(straight, now=100.2) == [1, 2, 3, 4, 5, 6, 9]

    before: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    assert first_half(before) == [1, 2, 3]
    resumed: PartitionMerger[Line] = pickle.loads(pickle.dumps(before))
    assert len(resumed) == 2
    # Down for an hour: without the restart both partitions would count as idle.
    resumed.restart(now=3700.0, idle_s=5)
    assert resumed.offer(_of(0, 7), [], now=3700.0) == []  # partition 1 is at 3 still
    assert second_half(resumed, now=3700.1) == [4, 5, 6, 9]


def test_a_resized_source_waits_for_its_new_partitions() -> None:
    merger: PartitionMerger[Line] = PartitionMerger(idle_s=5)
    assert _seqs(merger.offer(_of(0, 5, partitions=1), _lines(5), now=0.0)) == [5]
    assert merger.offer(_of(0, 9, partitions=3), _lines(9), now=1.0) == []
    assert merger.offer(_of(1, 20, partitions=3), [], now=1.0) == []
    assert _seqs(merger.offer(_of(2, 9, partitions=3), [], now=1.0)) == [9]
