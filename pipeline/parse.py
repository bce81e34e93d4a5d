"""The parse/validate step: raw lines to events, or to a dead letter with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.engine import DeadLetter
from pipeline.sources import Chunk
from schemas.events import Event, InvalidEvent, parse_event

RAW_LIMIT = 64 * 1024


@dataclass(frozen=True)
class ParsedEvent:
    seq: int
    event: Event


Parsed = ParsedEvent | DeadLetter


def _raw_text(line: bytes) -> str:
    return line[:RAW_LIMIT].decode("utf-8", errors="replace")


def parse_chunk(chunk: Chunk, at_epoch: float | None = None) -> list[Parsed]:
    """Validate every line of a chunk. Events after `at_epoch` (if given) are ignored."""
    parsed: list[Parsed] = []
    for seq, line in chunk:
        try:
            event = parse_event(line)
        except InvalidEvent as error:
            parsed.append(DeadLetter(reason=error.reason, seq=seq, raw=_raw_text(line)))
            continue
        if at_epoch is not None and event.ts.timestamp() > at_epoch:
            continue
        parsed.append(ParsedEvent(seq, event))
    return parsed
