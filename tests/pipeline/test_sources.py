from __future__ import annotations

import gzip
import io
import time
from pathlib import Path

from bytewax.testing import poll_next_batch

from pipeline.sources import (
    Chunk,
    FileReplaySource,
    PartitionProgress,
    ReplayPosition,
    StdinSource,
    event_epoch,
)


def _line(second: int, event_id: str) -> bytes:
    return (
        b'{"event_id":"'
        + event_id.encode()
        + b'","ts":"2026-03-02T09:00:'
        + f"{second:02d}".encode()
        + b'+08:00","type":"contact.abandoned","contact_id":"c"}'
    )


def _drain(part: object) -> list[tuple[int, bytes]]:
    seen: list[tuple[int, bytes]] = []
    while True:
        try:
            batch = part.next_batch()  # type: ignore[attr-defined]
        except StopIteration:
            return seen
        for chunk in batch:
            seen.extend(chunk.lines)


def test_replay_emits_every_line_with_its_index_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(_line(0, "e0") + b"\n\n" + _line(1, "e1") + b"\r\nnot json\n")
    part = FileReplaySource(path).build_part("events", "file:events.jsonl.gz", None)
    assert _drain(part) == [(0, _line(0, "e0")), (2, _line(1, "e1")), (3, b"not json")]
    assert part.snapshot() == ReplayPosition(4)


def test_replay_resumes_after_the_recorded_position(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(_line(s, f"e{s}") for s in range(5)) + b"\n")
    part = FileReplaySource(path).build_part("events", "file:events.jsonl", ReplayPosition(3))
    assert _drain(part) == [(3, _line(3, "e3")), (4, _line(4, "e4"))]


def test_replay_at_speed_paces_lines_by_event_time(tmp_path: Path) -> None:
    # Events 0 s, 1 s and 2 s apart at speed 4: the last is due 0.5 s after the first.
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(_line(s, f"e{s}") for s in (0, 1, 2)) + b"\n")
    part = FileReplaySource(path, speed=4).build_part("events", "file:events.jsonl", None)
    started = time.monotonic()
    first = poll_next_batch(part)
    assert [seq for chunk in first for seq, _ in chunk.lines] == [0]
    assert part.next_awake() is not None
    seqs: list[int] = []
    while len(seqs) < 2:
        seqs += [seq for chunk in poll_next_batch(part) for seq, _ in chunk.lines]
    assert seqs == [1, 2]
    assert 0.45 <= time.monotonic() - started < 2.0


def test_event_epoch_reads_offset_timestamps_only() -> None:
    assert event_epoch(_line(5, "e")) == 1772413205.0
    assert event_epoch(b'{"ts": "2026-03-02T09:00:05"}') is None
    assert event_epoch(b"{broken") is None


def test_a_file_is_one_partition_whose_progress_covers_skipped_blank_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(_line(0, "e0") + b"\n\n\n")
    part = FileReplaySource(path).build_part("events", "file:events.jsonl", None)
    assert part.next_batch() == [
        Chunk([(0, _line(0, "e0"))], PartitionProgress(partition=0, partitions=1, seq=2))
    ]


def test_stdin_reports_each_line_as_its_own_progress() -> None:
    part = StdinSource(io.BytesIO(b"a\n\nb\n")).build("events", 0, 1)
    assert part.next_batch() == [Chunk([(0, b"a")], PartitionProgress(seq=0))]
    assert part.next_batch() == []
    assert part.next_batch() == [Chunk([(2, b"b")], PartitionProgress(seq=2))]
