"""Reading lines without ever holding a whole over-long one in memory.

A source line longer than `MAX_LINE_BYTES` (64 KiB) cannot be a valid event. Reading it
whole first (`for line in file`, `readline()`) would let one 500 MB line take 500 MB and
more of memory; here a line is read at most `limit + 1` bytes at a time: the first
`limit + 1` bytes of an over-long line are kept (enough for the parse step to refuse it
as longer than the limit, with a truncated raw), the rest is skipped in bounded pieces up
to the next newline, and reading goes on with the line after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from schemas.events import MAX_LINE_BYTES

SKIP_PIECE_BYTES = 1 << 20  # how much of an over-long line's tail is read per step


def skip_to_newline(stream: IO[bytes]) -> int:
    """Read and drop bytes up to and including the next newline; returns how many."""
    skipped = 0
    while True:
        piece = stream.readline(SKIP_PIECE_BYTES)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped


def read_bounded_line(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> bytes:
    """The next line (with its newline, `b""` at the end of input), at most `limit + 1`
    bytes: an over-long line comes back as its first `limit + 1` bytes, its rest skipped."""
    line = stream.readline(limit + 1)
    if len(line) > limit and not line.endswith(b"\n"):
        skip_to_newline(stream)
    return line


def bounded_lines(stream: IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """Every line of `stream` as `read_bounded_line` gives it, until the end of input."""
    while line := read_bounded_line(stream, limit):
        yield line
