"""Writing converted events and dead letters as JSON Lines.

The adapters have already validated every event with `schemas.events.parse_event`
(`records.checked`), so what is written here always replays cleanly.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import IO

from pipeline.adapters.records import DeadLetter, Mapped, Skip, SourceEvent

# Values inside a reason (ids, quoted cells, numbers) that vary from line to line.
_VALUE = re.compile(r"'[^']*'|\S*\d\S*")


def reason_kind(reason: str) -> str:
    """A dead letter's reason with its values masked, to count reasons by kind:
    `CONNECT: call 3.1 has no ENTERQUEUE` -> `CONNECT: call … has no ENTERQUEUE`."""
    return _VALUE.sub("…", reason)


@dataclass
class ConversionCounts:
    """What a conversion did: input records read (lines or rows, blank ones not counted),
    events written, dead letters (also by reason kind), and skips by kind."""

    records: int = 0
    events: int = 0
    dead_letters: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        skipped = ", ".join(f"{kind}={n}" for kind, n in sorted(self.skipped.items()))
        return (
            f"{self.events} events, {self.dead_letters} dead letters, skipped: {skipped or 'none'}"
        )

    def dead_letter_ratio(self) -> float:
        """Dead letters per input record (0 when nothing was read)."""
        return self.dead_letters / self.records if self.records else 0.0

    def reasons_summary(self, top: int = 10) -> str:
        """The most frequent dead-letter reasons, one per line: `  735 × <reason>`."""
        return "\n".join(f"{n:>7} × {kind}" for kind, n in self.reasons.most_common(top))


class EventWriter:
    """Writes events to `out` and dead letters to `dead`, both JSON Lines (bytes).

    `zone`: when given, every `ts` is written in that time zone. `flush_each`: flush after
    every line (follow mode, so a reader tailing the output sees events at once).
    """

    def __init__(
        self,
        out: IO[bytes],
        dead: IO[bytes],
        *,
        zone: tzinfo | None = None,
        flush_each: bool = False,
    ) -> None:
        self._out = out
        self._dead = dead
        self._zone = zone
        self._flush_each = flush_each
        self.counts = ConversionCounts()

    def event(self, event: SourceEvent) -> None:
        self._out.write(event.to_json(self._zone) + b"\n")
        self.counts.events += 1
        if self._flush_each:
            self._out.flush()

    def dead_letter(self, letter: DeadLetter) -> None:
        self._dead.write(letter.to_json() + b"\n")
        self.counts.dead_letters += 1
        self.counts.reasons[reason_kind(letter.reason)] += 1
        if self._flush_each:
            self._dead.flush()

    def mapped(self, result: Mapped) -> None:
        """Write whatever one source line produced."""
        if isinstance(result, DeadLetter):
            self.dead_letter(result)
        elif isinstance(result, Skip):
            self.counts.skipped[result.kind] += 1
        else:
            for event in result:
                self.event(event)

    def sorted_batch(self, results: Iterable[Mapped]) -> None:
        """Write a whole file's results, one per input record, with events in canonical
        order (sources whose rows are not in time order, or whose one row yields events
        hours apart)."""
        events: list[SourceEvent] = []
        for result in results:
            self.counts.records += 1
            if isinstance(result, list):
                events.extend(result)
            else:
                self.mapped(result)
        for event in sorted(events, key=SourceEvent.sort_key):
            self.event(event)

    def flush(self) -> None:
        self._out.flush()
        self._dead.flush()
