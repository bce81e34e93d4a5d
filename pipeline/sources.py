"""Input sources: a replayed event file (paced by event time) and standard input.

Every source emits *chunks* (`Chunk`): lists of `(seq, line)` where `seq` is the arrival
index of the line (here the 0-based index of the line in its input) and `line` the raw
bytes, together with the source partition they come from and that partition's *progress*
(`PartitionProgress`): the seq up to which it has emitted everything. The floor step merges
partitions in seq order with it (`pipeline.partition_merge`). Chunks keep per-item overhead
of the dataflow low; the parse step works through a whole chunk at once. A file or standard
input is a single partition whose progress is the last line read.
"""

from __future__ import annotations

import gzip
import io
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, cast

import orjson
from bytewax.inputs import (
    DynamicSource,
    FixedPartitionedSource,
    StatefulSourcePartition,
    StatelessSourcePartition,
)

from pipeline.bounded_lines import bounded_lines, read_bounded_line

RawLine = tuple[int, bytes]


@dataclass(frozen=True, slots=True)
class PartitionProgress:
    """How far one source partition has read.

    `partition` is its index among the source's `partitions`; every line of it with
    `seq <= seq` has been emitted (in this chunk or an earlier one), so anything it emits
    later has a larger seq. -1: nothing yet.
    """

    partition: int = 0
    partitions: int = 1
    seq: int = -1


@dataclass(frozen=True, slots=True)
class Chunk:
    """Raw lines of one source partition in arrival (seq) order, and its progress after
    them. An empty chunk is a progress marker: an idle partition must not hold back the
    others."""

    lines: list[RawLine]
    progress: PartitionProgress = PartitionProgress()

    def __len__(self) -> int:
        return len(self.lines)


CHUNK_LINES = 2000


def open_events(path: str | Path) -> IO[bytes]:
    """Open a JSON Lines file, gzip-compressed when its name ends in `.gz`."""
    path = Path(path)
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


def event_epoch(line: bytes) -> float | None:
    """The `ts` of a line as Unix seconds, or None when it has none that parses.

    Used only for pacing a replay; validation happens in the parse step.
    """
    try:
        raw = orjson.loads(line)
        moment = datetime.fromisoformat(raw["ts"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp()


@dataclass
class ReplayPosition:
    """Recovery state of a file partition: the index of the next line to emit."""

    next_seq: int = 0


class _FileReplayPartition(StatefulSourcePartition[Chunk, ReplayPosition]):
    def __init__(
        self, path: Path, speed: float, fast_until: float | None, resume: ReplayPosition | None
    ) -> None:
        self._position = resume or ReplayPosition()
        self._fast_until = fast_until
        self._file = open_events(path)
        # Bounded: an over-long line arrives cut to just over the limit (the parse step
        # refuses it with its reason), never read whole.
        self._lines: Iterator[bytes] = bounded_lines(self._file)
        self._speed = speed
        for _ in range(self._position.next_seq):
            if next(self._lines, None) is None:
                break
        # Pacing anchor: (first event time, wall time it was emitted), set lazily.
        self._anchor: tuple[float, float] | None = None
        self._held: bytes | None = None
        self._held_due: float = 0.0
        self._awake: datetime | None = None

    def _due(self, line: bytes) -> float:
        if self._speed <= 0:
            return 0.0
        event_s = event_epoch(line)
        if event_s is None or (self._fast_until is not None and event_s < self._fast_until):
            return 0.0
        if self._anchor is None:
            self._anchor = (event_s, time.monotonic())
        first_event, first_wall = self._anchor
        return first_wall + max(0.0, event_s - first_event) / self._speed

    def next_batch(self) -> list[Chunk]:
        chunk: list[RawLine] = []
        self._awake = None
        while len(chunk) < CHUNK_LINES:
            if self._held is None:
                line = next(self._lines, None)
                if line is None:
                    if chunk:
                        return [self._chunk(chunk)]
                    raise StopIteration
                self._held = line
                self._held_due = self._due(line)
            if self._held_due > time.monotonic():
                wait = self._held_due - time.monotonic()
                self._awake = datetime.now(UTC) + timedelta(seconds=min(wait, 0.5))
                break
            line = self._held.rstrip(b"\r\n")
            seq = self._position.next_seq
            self._position.next_seq += 1
            self._held = None
            if line.strip():
                chunk.append((seq, line))
        return [self._chunk(chunk)] if chunk else []

    def _chunk(self, lines: list[RawLine]) -> Chunk:
        return Chunk(lines, PartitionProgress(seq=self._position.next_seq - 1))

    def next_awake(self) -> datetime | None:
        return self._awake

    def snapshot(self) -> ReplayPosition:
        return ReplayPosition(self._position.next_seq)

    def close(self) -> None:
        self._file.close()


class FileReplaySource(FixedPartitionedSource[Chunk, ReplayPosition]):
    """Replay one event file. `speed` 1 = real time, 60 = a minute per second, 0 = flat out.

    Events before `fast_until` (Unix time) are replayed flat out, then pacing starts. The
    position (next line) is part of Bytewax's recovery snapshots, so a restarted pipeline
    resumes where it left off.
    """

    def __init__(
        self, path: str | Path, speed: float = 0.0, fast_until: float | None = None
    ) -> None:
        self.path = Path(path)
        self.speed = speed
        self.fast_until = fast_until

    def list_parts(self) -> list[str]:
        return [f"file:{self.path.name}"]

    def build_part(
        self, step_id: str, for_part: str, resume_state: ReplayPosition | None
    ) -> _FileReplayPartition:
        return _FileReplayPartition(self.path, self.speed, self.fast_until, resume_state)


class _StdinPartition(StatelessSourcePartition[Chunk]):
    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._seq = 0

    def next_batch(self) -> list[Chunk]:
        line = read_bounded_line(self._stream)
        if not line:
            raise StopIteration
        seq = self._seq
        self._seq += 1
        line = line.rstrip(b"\r\n")
        return [Chunk([(seq, line)], PartitionProgress(seq=seq))] if line.strip() else []


class StdinSource(DynamicSource[Chunk]):
    """Events piped to standard input, one JSON object per line (worker 0 reads them)."""

    def __init__(self, stream: IO[bytes] | None = None) -> None:
        self._stream = stream

    def build(self, step_id: str, worker_index: int, worker_count: int) -> _StdinPartition:
        if worker_index != 0:
            return _StdinPartition(io.BytesIO(b""))
        return _StdinPartition(self._stream or sys.stdin.buffer)
