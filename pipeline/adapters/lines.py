"""Reading a source file line by line, once or following it as it grows (`tail -F`).

Line numbers are 1-based. Bytes that are not UTF-8 are replaced (U+FFFD) so one bad byte
costs one dead letter, not the run. Files ending in `.gz` are read decompressed.

No line is read whole before its length is known: a line longer than `MAX_LINE_CHARS`
comes back as an `OverLong` (its first `MAX_LINE_CHARS + 1` characters; the rest is
skipped in bounded pieces), which the importers turn into a dead letter.
"""

from __future__ import annotations

import csv
import gzip
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from pipeline.bounded_lines import SKIP_PIECE_BYTES
from schemas.events import MAX_LINE_BYTES

MAX_LINE_CHARS = MAX_LINE_BYTES
_ENDINGS = ("\n", "\r")


class OverLong(str):
    """The first `MAX_LINE_CHARS + 1` characters of a longer line (the rest was skipped)."""

    __slots__ = ()

    @property
    def reason(self) -> str:
        return f"line: longer than {MAX_LINE_CHARS} characters"


def open_text(path: str | Path, encoding: str = "utf-8") -> IO[str]:
    """Open a text file, transparently decompressing `.gz`; undecodable bytes replaced."""
    if str(path).endswith(".gz"):
        return gzip.open(path, "rt", encoding=encoding, errors="replace", newline="")
    return open(path, encoding=encoding, errors="replace", newline="")  # noqa: SIM115


def bounded_text_lines(handle: IO[str], limit: int = MAX_LINE_CHARS) -> Iterator[str]:
    """The lines of a text file (with their endings); an over-long one as an `OverLong`."""
    while line := handle.readline(limit + 1):
        if len(line) > limit and not line.endswith(_ENDINGS):
            while (piece := handle.readline(SKIP_PIECE_BYTES)) and not piece.endswith(_ENDINGS):
                pass
            yield OverLong(line)
        else:
            yield line


def read_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Every line of the file with its number, without the line ending (an over-long line
    as an `OverLong`)."""
    with open_text(path) as handle:
        for number, line in enumerate(bounded_text_lines(handle), start=1):
            yield number, line if isinstance(line, OverLong) else line.rstrip("\r\n")


def follow_lines(
    path: str | Path,
    *,
    poll_s: float = 0.2,
    idle_exit_s: float | None = None,
    on_idle: Callable[[], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[tuple[int, str]]:
    """Lines of a growing file, from its start, waiting for more at the end.

    A last line without its newline is held back until it is complete. When the file
    shrinks (truncated or rotated in place) reading restarts at its beginning and line
    numbers go on counting. `on_idle` runs each time the end is reached (callers flush
    there). With `idle_exit_s`, iteration stops after that many seconds without new data;
    otherwise it runs until the caller stops it. Poll interval in seconds.
    """
    file_path = Path(path)
    number = 0
    pending = b""
    # The kept start of an over-long line whose end has not been read yet.
    overlong: bytes | None = None
    last_data = clock()
    handle = open(file_path, "rb")  # noqa: SIM115
    try:
        while True:
            if overlong is not None:
                chunk = handle.readline(SKIP_PIECE_BYTES)
                if chunk:
                    last_data = clock()
                    if chunk.endswith(b"\n"):
                        number += 1
                        yield number, OverLong(overlong.decode("utf-8", errors="replace"))
                        overlong = None
                    continue
            else:
                chunk = handle.readline(MAX_LINE_CHARS + 1 - len(pending))
            if chunk:
                last_data = clock()
                pending += chunk
                if pending.endswith(b"\n"):
                    number += 1
                    text = pending.decode("utf-8", errors="replace").rstrip("\r\n")
                    pending = b""
                    yield number, text
                elif len(pending) > MAX_LINE_CHARS:
                    overlong, pending = pending, b""
                continue
            if on_idle is not None:
                on_idle()
            if idle_exit_s is not None and clock() - last_data >= idle_exit_s:
                return
            if file_path.exists() and file_path.stat().st_size < handle.tell():
                handle.close()
                handle = open(file_path, "rb")  # noqa: SIM115
                pending, overlong = b"", None
                continue
            sleep(poll_s)
    finally:
        handle.close()


def csv_records(
    path: str | Path, *, delimiter: str = ",", encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str] | str, str]]:
    """Every CSV record of the file: its first line number, its cells (or, for a record
    the csv module cannot read or one with an over-long line, the reason as a string) and its
    raw text exactly as read (an over-long line's kept start), without the final line ending
    (a quoted cell may span lines). Blank lines are left out.
    """
    with open_text(path, encoding) as handle:
        consumed: list[str] = []

        def source() -> Iterator[str]:
            for text in bounded_text_lines(handle):
                consumed.append(text)
                # An over-long line's kept start has no ending: give the reader one.
                yield text + "\n" if isinstance(text, OverLong) else text

        reader = csv.reader(source(), delimiter=delimiter)
        start = 1
        while True:
            try:
                cells: list[str] | str = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                cells = f"csv: {exc}"
            raw = "".join(consumed)
            overlong = next((text for text in consumed if isinstance(text, OverLong)), None)
            line, start = start, start + len(consumed)
            consumed.clear()
            if overlong is not None:
                cells = overlong.reason
            if cells == []:
                continue
            yield line, cells, raw.rstrip("\r\n")
