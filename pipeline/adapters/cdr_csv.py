"""Call-detail-record CSV rows to our events, with the column mapping of `[importers.cdr]`.

One row is one contact in one queue. The row's outcome value is looked up in
`importers.cdr.outcomes`:

- `answered` / `transferred`: offered at `arrival`, answered at `answer` by `agent`,
  ended at `end` (disposition completed / transferred, `hold_s` if mapped), wrap-up
  ended at `wrapup_end` when mapped and filled, else at `end`.
- `abandoned`: offered at `arrival`, abandoned at `end`.
- `self_served`: `contact.self_served` at `end` (or `arrival` when `end` is empty).
- `skip`: nothing (counted); an unmapped value is a dead letter.

Timestamps with an offset are taken as they are; without one they are local times of
the importer's time zone, parsed with `datetime_formats` in order. A row whose times run
backwards, whose required cells are empty, or whose contact id repeats an earlier row's
is a dead letter naming the column. Event ids are `<contact_id>:<event type>`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.adapters import records
from pipeline.adapters.lines import MAX_LINE_CHARS, OverLong, bounded_text_lines, open_text
from pipeline.adapters.records import DeadLetter, Mapped, Skip, SourceEvent, checked
from schemas.config import Settings
from schemas.events import Channel
from schemas.importers import CdrSettings

CHANNELS: dict[str, Channel] = {"voice": "voice", "chat": "chat"}


class RowError(ValueError):
    """A cell that cannot be used; the message names the column."""


def parse_cdr_time(text: str, formats: list[str], zone: tzinfo) -> datetime:
    """An RFC 3339 / ISO time with offset as is, else a local time of `zone`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        return moment
    for layout in formats:
        try:
            # A local wall-clock time, made aware on the next line.
            naive = datetime.strptime(text, layout)  # noqa: DTZ007
        except ValueError:
            continue
        return naive.replace(tzinfo=zone)
    if moment is not None:
        return moment.replace(tzinfo=zone)
    msg = f"not a time in any of the formats {formats}: {text!r}"
    raise ValueError(msg)


class CdrRowMapper:
    """Maps rows (dicts by column name) of one CSV; remembers contact ids seen."""

    def __init__(self, settings: Settings, cdr: CdrSettings, zone: tzinfo) -> None:
        self._settings = settings
        self._cdr = cdr
        self._zone = zone
        self._seen: dict[str, int] = {}

    def _cell(self, row: dict[str, str], column: str | None) -> str | None:
        """The stripped cell of an optional column; None when unmapped or empty."""
        if column is None:
            return None
        if column not in row:
            msg = f"{column}: column missing from the file"
            raise RowError(msg)
        return (row[column] or "").strip() or None

    def _required(self, row: dict[str, str], column: str | None, role: str) -> str:
        if column is None:
            msg = f"{role}: column not mapped in [importers.cdr.columns]"
            raise RowError(msg)
        value = self._cell(row, column)
        if value is None:
            msg = f"{column}: empty"
            raise RowError(msg)
        return value

    def _parse_time(self, text: str, column: str | None) -> datetime:
        try:
            return parse_cdr_time(text, self._cdr.datetime_formats, self._zone)
        except ValueError as exc:
            msg = f"{column}: {exc}"
            raise RowError(msg) from None

    def _time(self, row: dict[str, str], column: str | None) -> datetime | None:
        text = self._cell(row, column)
        return None if text is None else self._parse_time(text, column)

    def _required_time(self, row: dict[str, str], column: str | None, role: str) -> datetime:
        return self._parse_time(self._required(row, column, role), column)

    def _channel(self, row: dict[str, str], queue: str) -> Channel:
        value = self._cell(row, self._cdr.columns.channel)
        if value is not None:
            channel = CHANNELS.get(value.lower())
            if channel is None:
                msg = f"{self._cdr.columns.channel}: not voice or chat: {value!r}"
                raise RowError(msg)
            return channel
        override = self._settings.queues.get(queue)
        if override is not None and override.channel is not None:
            return override.channel
        return self._cdr.default_channel

    def map_row(self, row: dict[str, str], line: int, raw: str) -> Mapped:
        try:
            return checked(self._map(row, line), raw, line)
        except RowError as exc:
            return DeadLetter(str(exc), raw, line)

    def _map(self, row: dict[str, str], line: int) -> Mapped:
        columns = self._cdr.columns
        outcome_text = self._cell(row, columns.outcome) or ""
        outcome = self._cdr.outcomes.get(outcome_text)
        if outcome is None:
            msg = f"{columns.outcome}: unmapped outcome value {outcome_text!r}"
            raise RowError(msg)
        if outcome == "skip":
            return Skip(f"outcome {outcome_text}")
        contact_id = self._required(row, columns.contact_id, "contact_id")
        if contact_id in self._seen:
            first = self._seen[contact_id]
            msg = f"{columns.contact_id}: contact {contact_id!r} already on line {first}"
            raise RowError(msg)
        queue = self._cell(row, columns.queue)
        channel = self._channel(row, queue or "")
        arrival = self._required_time(row, columns.arrival, "arrival")

        def event_id(kind: str) -> str:
            return f"{contact_id}:{kind}"

        if outcome == "self_served":
            end = self._time(row, columns.end) or arrival
            self._check_order(arrival, end, columns.arrival, columns.end)
            self._seen[contact_id] = line
            return [
                records.self_served(
                    event_id("contact.self_served"), end, contact_id, channel, queue, line=line
                )
            ]
        if queue is None:
            msg = f"{columns.queue}: empty"
            raise RowError(msg)
        customer = self._cell(row, columns.customer)
        events: list[SourceEvent] = [
            records.offered(
                event_id("contact.offered"),
                arrival,
                contact_id,
                channel,
                queue,
                customer_id=customer,
                line=line,
            )
        ]
        if outcome == "abandoned":
            left = self._required_time(row, columns.end, "end")
            self._check_order(arrival, left, columns.arrival, columns.end)
            events.append(
                records.abandoned(event_id("contact.abandoned"), left, contact_id, line=line)
            )
            self._seen[contact_id] = line
            return events
        agent = self._required(row, columns.agent, "agent")
        answer = self._required_time(row, columns.answer, "answer")
        end = self._required_time(row, columns.end, "end")
        wrapup = self._time(row, columns.wrapup_end) or end
        self._check_order(arrival, answer, columns.arrival, columns.answer)
        self._check_order(answer, end, columns.answer, columns.end)
        self._check_order(end, wrapup, columns.end, columns.wrapup_end)
        hold = self._hold(row)
        events += [
            records.answered(event_id("contact.answered"), answer, contact_id, agent, line=line),
            records.ended(
                event_id("contact.ended"),
                end,
                contact_id,
                agent,
                disposition="transferred" if outcome == "transferred" else "completed",
                hold_s=hold,
                line=line,
            ),
            records.wrapup_ended(
                event_id("contact.wrapup_ended"), wrapup, contact_id, agent, line=line
            ),
        ]
        self._seen[contact_id] = line
        return events

    def _hold(self, row: dict[str, str]) -> float | None:
        column = self._cdr.columns.hold_s
        text = self._cell(row, column)
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            msg = f"{column}: not a number of seconds: {text!r}"
            raise RowError(msg) from None
        if not value >= 0:
            msg = f"{column}: negative or not a number: {text!r}"
            raise RowError(msg)
        return value

    @staticmethod
    def _check_order(
        first: datetime, then: datetime, first_col: str | None, then_col: str | None
    ) -> None:
        if then < first:
            msg = f"{then_col}: {then.isoformat()} is before {first_col} {first.isoformat()}"
            raise RowError(msg)


def _numbered(lines: Iterator[str], overlong: list[int]) -> Iterator[str]:
    """`lines` unchanged, noting the 1-based number of each `OverLong` in `overlong`."""
    for number, line in enumerate(lines, start=1):
        if isinstance(line, OverLong):
            overlong.append(number)
        yield line


def map_cdr_file(
    path: str | Path, settings: Settings, zone: tzinfo | None = None
) -> Iterator[Mapped]:
    """Every row's result in file order. Raises `ValueError` when `[importers.cdr]` is unset."""
    cdr = settings.importers.cdr
    if cdr is None:
        msg = "[importers.cdr] is not configured: no column mapping for the CSV"
        raise ValueError(msg)
    if zone is None:
        zone = ZoneInfo(cdr.timezone) if cdr.timezone else settings.zone
    mapper = CdrRowMapper(settings, cdr, zone)
    with open_text(path, cdr.encoding) as handle:
        overlong: list[int] = []  # physical line numbers of over-long lines
        physical = _numbered(bounded_text_lines(handle), overlong)
        reader = csv.DictReader(physical, delimiter=cdr.delimiter)
        if reader.fieldnames is None:  # reads the header, so line numbers below are right
            return
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield DeadLetter(f"csv: {exc}", "", start)
                continue
            if overlong and overlong[-1] >= start:
                yield DeadLetter(f"line: longer than {MAX_LINE_CHARS} characters", "", start)
                continue
            raw = cdr.delimiter.join(v if isinstance(v, str) else "" for v in row.values())
            if None in row:  # more cells than header columns
                yield DeadLetter("csv: more cells than header columns", raw, start)
                continue
            yield mapper.map_row({k: v or "" for k, v in row.items()}, start, raw)
