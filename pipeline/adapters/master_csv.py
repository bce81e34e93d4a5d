"""Asterisk's `Master.csv` (the cdr_csv module) to our events: call legs grouped into contacts.

The file has no header. Its columns, in Asterisk's order (`cdr/cdr_csv.c`), are
`accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start,
answer, end, duration, billsec, disposition, amaflags`, then `uniqueid` (with
`loguniqueid`), `userfield` (with `loguserfield`), then `peeraccount, linkedid, sequence`
(with `newcdrcolumns`); the layout is read from the row's cell count (16, 17, 18, 19, 20
or 21). Times are `%Y-%m-%d %H:%M:%S`, the PBX's local time in `importers.master_csv.
timezone` (default the top-level `timezone`), UTC with `usegmtime`.

One call writes one row per leg: the caller's row, and one per member the queue rang
(`NO ANSWER` / `BUSY` legs and the `ANSWERED` one, whose `dstchannel` is the member's
channel). Legs are grouped by `linkedid`, else `uniqueid`, else the caller's `channel`
(unique per call), and each queue (`lastdata`'s first field) the call was in is one
contact (see `docs/adapters.md` for the mapping). Rows of other applications are
skipped (counted). Event ids are `<contact>:<event type>`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from pipeline.adapters import records
from pipeline.adapters.lines import csv_records
from pipeline.adapters.members import MemberNames, interface_of_channel
from pipeline.adapters.records import DeadLetter, Mapped, Skip, SourceEvent, checked
from schemas.config import Settings

BASE_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
)  # fmt: skip
NEW_COLUMNS = ("peeraccount", "linkedid", "sequence")
LAYOUTS: dict[int, tuple[str, ...]] = {
    16: BASE_COLUMNS,
    17: (*BASE_COLUMNS, "uniqueid"),
    18: (*BASE_COLUMNS, "uniqueid", "userfield"),
    19: (*BASE_COLUMNS, *NEW_COLUMNS),
    20: (*BASE_COLUMNS, "uniqueid", *NEW_COLUMNS),
    21: (*BASE_COLUMNS, "uniqueid", "userfield", *NEW_COLUMNS),
}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True, slots=True)
class Leg:
    """One row: its cells by column name, times parsed (answer None when not answered)."""

    line: int
    raw: str
    cells: dict[str, str]
    start: datetime
    answer: datetime | None
    end: datetime

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


class LegError(ValueError):
    """A row that cannot be read; the message names the column."""


def _time(cells: dict[str, str], column: str, zone: tzinfo) -> datetime | None:
    text = cells.get(column, "").strip()
    if not text:
        return None
    try:
        # `%Y-%m-%d %H:%M:%S`; fromisoformat reads it ten times faster than strptime.
        moment = datetime.fromisoformat(text)
    except ValueError:
        msg = f"{column}: not a time {TIME_FORMAT!r}: {text!r}"
        raise LegError(msg) from None
    # A wall-clock time of the PBX, made aware here.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def read_leg(line: int, cells: list[str], raw: str, zone: tzinfo) -> Leg:
    """One row as a leg; raises `LegError` naming what is wrong."""
    columns = LAYOUTS.get(len(cells))
    if columns is None:
        msg = f"csv: {len(cells)} cells; a Master.csv row has 16 to 21 (cdr_csv columns)"
        raise LegError(msg)
    named = dict(zip(columns, cells, strict=True))
    start = _time(named, "start", zone)
    end = _time(named, "end", zone)
    if start is None or end is None:
        msg = f"{'start' if start is None else 'end'}: empty"
        raise LegError(msg)
    answer = _time(named, "answer", zone)
    if end < start or (answer is not None and not start <= answer <= end):
        msg = f"times run backwards: start {start}, answer {answer}, end {end}"
        raise LegError(msg)
    return Leg(line, raw, named, start, answer, end)


def _queue_of(leg: Leg) -> str:
    """Queue(queuename,options,...): the first field of lastdata (`|` in Asterisk 1.4)."""
    return leg.get("lastdata").replace("|", ",").split(",", 1)[0].strip()


class ContactBuilder:
    """Turns the queue legs of one call into contacts (one per queue visited)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        asterisk = settings.importers.asterisk
        self._names = MemberNames(asterisk.members, match_extensions=asterisk.match_extensions)

    def contacts(self, key: str, legs: list[Leg]) -> list[SourceEvent] | str:
        """Events of the call's contacts, or why the call cannot be mapped."""
        by_queue: dict[str, list[Leg]] = defaultdict(list)
        for leg in legs:
            queue = _queue_of(leg)
            if not queue:
                return f"lastdata: no queue name in {leg.get('lastdata')!r} (line {leg.line})"
            by_queue[queue].append(leg)
        visits = sorted(by_queue.items(), key=lambda item: min(leg.start for leg in item[1]))
        events: list[SourceEvent] = []
        parent: str | None = None
        for number, (queue, queue_legs) in enumerate(visits, start=1):
            contact = key if number == 1 else f"{key}:{number}"
            transferred = number < len(visits)
            events += self._contact(contact, queue, queue_legs, parent, transferred=transferred)
            parent = contact
        return events

    def _contact(
        self,
        contact: str,
        queue: str,
        legs: list[Leg],
        parent: str | None,
        *,
        transferred: bool,
    ) -> list[SourceEvent]:
        first = min(legs, key=lambda leg: (leg.start, leg.line))
        override = self._settings.queues.get(queue)
        channel = override.channel if override and override.channel else "voice"
        line = first.line

        def event_id(kind: str) -> str:
            return f"{contact}:{kind}"

        events = [
            records.offered(
                event_id("contact.offered"),
                first.start,
                contact,
                channel,
                queue,
                customer_id=first.get("src") or None,
                parent_contact_id=parent,
                line=line,
            )
        ]
        answered = [
            leg
            for leg in legs
            if leg.get("disposition").upper() == "ANSWERED"
            and leg.get("dstchannel")
            and leg.answer is not None
        ]
        if not answered:
            left = max(leg.end for leg in legs)
            events.append(
                records.abandoned(event_id("contact.abandoned"), left, contact, line=line)
            )
            return events
        leg = min(answered, key=lambda leg: (leg.answer, leg.line))
        assert leg.answer is not None
        agent = self._names.agent(interface_of_channel(leg.get("dstchannel")))
        answer = max(leg.answer, first.start)
        events += [
            records.answered(event_id("contact.answered"), answer, contact, agent, line=leg.line),
            records.ended(
                event_id("contact.ended"),
                leg.end,
                contact,
                agent,
                disposition="transferred" if transferred else "completed",
                line=leg.line,
            ),
            records.wrapup_ended(
                event_id("contact.wrapup_ended"), leg.end, contact, agent, line=leg.line
            ),
        ]
        return events


def _zone(settings: Settings) -> tzinfo:
    master = settings.importers.master_csv
    if master.usegmtime:
        return UTC
    return ZoneInfo(master.timezone) if master.timezone else settings.zone


def map_master_csv_file(path: str | Path, settings: Settings) -> Iterator[Mapped]:
    """One result per row, in file order: a call's events on its first queue leg, the
    other legs counted as skipped, unreadable rows dead letters with their raw text."""
    zone = _zone(settings)
    queue_apps = {app.lower() for app in settings.importers.master_csv.queue_apps}
    results: list[Mapped] = []
    calls: dict[str, list[tuple[int, Leg]]] = defaultdict(list)
    for line, cells, raw in csv_records(path):
        if isinstance(cells, str):
            results.append(DeadLetter(cells, raw, line))
            continue
        if len(cells) > 9 and cells[9].strip().lower() == "start":
            results.append(Skip("header row"))
            continue
        try:
            leg = read_leg(line, cells, raw, zone)
        except LegError as exc:
            results.append(DeadLetter(str(exc), raw, line))
            continue
        app = leg.get("lastapp")
        if app.lower() not in queue_apps:
            results.append(Skip(f"not a queue leg: lastapp {app or '(empty)'}"))
            continue
        key = leg.get("linkedid") or leg.get("uniqueid") or leg.get("channel")
        calls[key].append((len(results), leg))
        results.append(Skip("further leg of a call"))
    builder = ContactBuilder(settings)
    for key, indexed in calls.items():
        index, first = indexed[0]
        legs = [leg for _, leg in indexed]
        mapped = builder.contacts(key, legs)
        if isinstance(mapped, str):
            results[index] = DeadLetter(mapped, first.raw, first.line)
        else:
            results[index] = checked(mapped, first.raw, first.line)
    return iter(results)
