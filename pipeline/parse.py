"""The parse/validate step: raw lines to events, or to a dead letter with the reason.

Customer identifiers are masked here, before any event reaches the engine and before a
dead letter's raw text is kept (see `pipeline.access.masking`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from pipeline.access.masking import CustomerMask
from pipeline.engine import DeadLetter
from pipeline.sources import Chunk, PartitionProgress, RawLine
from schemas.events import Event, InvalidEvent, parse_event

RAW_LIMIT = 64 * 1024


def _customer_carriers() -> frozenset[type]:
    """Event models with a `customer_id` field: the only ones masking has to touch."""
    models = get_args(get_args(Event)[0])
    return frozenset(m for m in models if "customer_id" in m.model_fields)


_CUSTOMER_CARRIERS = _customer_carriers()


@dataclass(frozen=True)
class ParsedEvent:
    seq: int
    event: Event


Parsed = ParsedEvent | DeadLetter


@dataclass(frozen=True, slots=True)
class ParsedChunk:
    """A chunk after parsing: its events and dead letters, and the partition's progress."""

    items: list[Parsed]
    progress: PartitionProgress


def _raw_text(line: bytes, mask: CustomerMask) -> str:
    return mask.text(line[:RAW_LIMIT].decode("utf-8", errors="replace"))


def parse_source_chunk(
    chunk: Chunk, at_epoch: float | None = None, mask: CustomerMask | None = None
) -> ParsedChunk:
    """Parse a source chunk (see `parse_chunk`), keeping its partition's progress."""
    return ParsedChunk(parse_chunk(chunk.lines, at_epoch, mask), chunk.progress)


def parse_chunk(
    chunk: list[RawLine], at_epoch: float | None = None, mask: CustomerMask | None = None
) -> list[Parsed]:
    """Validate every `(seq, line)`. Events after `at_epoch` (if given) are ignored.

    `mask` defaults to the one for `WALLBOARD_MASK_KEY` in the environment (customer ids
    dropped when it is unset).
    """
    mask = mask or CustomerMask.from_environment()
    parsed: list[Parsed] = []
    for seq, line in chunk:
        try:
            event = parse_event(line)
        except InvalidEvent as error:
            reason = mask.text(error.reason)
            parsed.append(DeadLetter(reason=reason, seq=seq, raw=_raw_text(line, mask)))
            continue
        if at_epoch is not None and event.ts.timestamp() > at_epoch:
            continue
        if type(event) in _CUSTOMER_CARRIERS:
            event = mask.event(event)
        parsed.append(ParsedEvent(seq, event))
    return parsed
