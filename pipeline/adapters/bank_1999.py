"""The Anonymous Bank call log (Israel, August 1999) to our events.

One CSV row per call: IVR (vru_*), agents' queue (q_*), service (ser_*), all local clock
times `H:MM:SS` at UTC+03:00 on the row's `date` (the day the call arrived), plus
durations in seconds. How each row becomes events, and each kind of dirt in the data,
is documented in `docs/adapters.md` ("Anonymous Bank 1999"); in short:

- PHANTOM (a spurious record) → dead letter.
- HANG never queued (`q_start` 0:00:00) → `contact.self_served` at `vru_exit`
  (or nothing with `ivr_hangups="skip"`).
- HANG after queueing → offered at `q_start`, abandoned `q_time` seconds later.
- AGENT after queueing → offered at `q_start`, answered `q_time` later, ended `ser_time`
  after the answer, wrap-up ended at the same time (the data has no after-call work).
- AGENT never queued → offered and answered at `ser_start` (no wait; at `vru_exit` when
  `ser_start` is 0:00:00, i.e. not recorded), then as above.

Contact ids are `<date>:<vru+line>:<call_id>`, event ids `<contact id>:<event type>`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Literal

from pipeline.adapters import records
from pipeline.adapters.lines import OverLong, bounded_text_lines, open_text
from pipeline.adapters.records import DeadLetter, Mapped, Skip, SourceEvent, checked

BANK_ZONE = timezone(timedelta(hours=3), "IDT")
QUEUE_BY_TYPE: dict[str, str] = {
    "PS": "regular",
    "PE": "english",
    "IN": "internet",
    "NE": "stock_exchange",
    "NW": "prospects",
    "TT": "callback",
}
COLUMNS = (
    "date",
    "vru+line",
    "call_id",
    "customer_id",
    "type",
    "vru_entry",
    "vru_exit",
    "q_start",
    "q_time",
    "outcome",
    "ser_start",
    "ser_time",
    "server",
)
NEVER = "0:00:00"
# A clock time more than this before the previous step of the same call is on the next
# day (services crossing midnight); smaller steps back are clock skew (negative IVR times).
MIDNIGHT_SLACK = timedelta(hours=12)
IvrHangups = Literal["self_served", "skip"]


def _clock(text: str, column: str) -> time | str:
    try:
        hours, minutes, seconds = (int(part) for part in text.split(":"))
        return time(hours, minutes, seconds)
    except ValueError:
        return f"{column}: not a clock time H:MM:SS: {text!r}"


def _seconds(text: str, column: str) -> int | str:
    try:
        value = int(text)
    except ValueError:
        return f"{column}: not a whole number of seconds: {text!r}"
    if value < 0:
        return f"{column}: negative duration {value}"
    return value


def _nearest(day: date, clock: time, previous: datetime) -> datetime:
    """`clock` on the day that puts it nearest `previous` (within 12 hours): the next day
    for a step that crossed midnight, the same day for a small step back (clock skew)."""
    moment = datetime.combine(day, clock, tzinfo=BANK_ZONE)
    while moment < previous - MIDNIGHT_SLACK:
        moment += timedelta(days=1)
    while moment > previous + MIDNIGHT_SLACK:
        moment -= timedelta(days=1)
    return moment


def map_bank_row(
    row: dict[str, str], line: int, raw: str, ivr_hangups: IvrHangups = "self_served"
) -> Mapped:
    """Events of one call (see the module docstring), or why it cannot be mapped."""
    missing = [column for column in COLUMNS if column not in row]
    if missing:
        return DeadLetter(f"columns missing: {', '.join(missing)}", raw, line)
    outcome = row["outcome"].strip()
    if outcome == "PHANTOM":
        return DeadLetter("outcome PHANTOM: a spurious record, not a call", raw, line)
    if outcome not in {"AGENT", "HANG"}:
        return DeadLetter(f"outcome: unknown value {outcome!r}", raw, line)
    queue = QUEUE_BY_TYPE.get(row["type"].strip())
    if queue is None:
        return DeadLetter(f"type: unknown service {row['type']!r}", raw, line)
    try:
        day = date.fromisoformat(row["date"].strip())
    except ValueError:
        return DeadLetter(f"date: not YYYY-MM-DD: {row['date']!r}", raw, line)
    clocks: dict[str, time] = {}
    for column in ("vru_entry", "vru_exit", "q_start", "ser_start"):
        clock = _clock(row[column].strip(), column)
        if isinstance(clock, str):
            return DeadLetter(clock, raw, line)
        clocks[column] = clock
    durations: dict[str, int] = {}
    for column in ("q_time", "ser_time"):
        seconds = _seconds(row[column].strip(), column)
        if isinstance(seconds, str):
            return DeadLetter(seconds, raw, line)
        durations[column] = seconds
    contact_id = f"{day.isoformat()}:{row['vru+line'].strip()}:{row['call_id'].strip()}"
    customer = row["customer_id"].strip()
    arrival = datetime.combine(day, clocks["vru_entry"], tzinfo=BANK_ZONE)
    queued = row["q_start"].strip() != NEVER

    def event_id(kind: str) -> str:
        return f"{contact_id}:{kind}"

    if outcome == "HANG" and not queued:
        if ivr_hangups == "skip":
            return Skip("IVR-only hang-up")
        left_ivr = _nearest(day, clocks["vru_exit"], arrival)
        return [
            records.self_served(
                event_id("contact.self_served"), left_ivr, contact_id, "voice", queue, line=line
            )
        ]
    if queued:
        offered_at = _nearest(day, clocks["q_start"], arrival)
        outcome_at = offered_at + timedelta(seconds=durations["q_time"])
    else:
        # Answered without wait; 29 such rows carry no service clock times at all, and
        # leaving the IVR is within seconds of the service start in the others.
        served = row["ser_start"].strip() != NEVER
        offered_at = _nearest(day, clocks["ser_start" if served else "vru_exit"], arrival)
        outcome_at = offered_at
    events: list[SourceEvent] = [
        records.offered(
            event_id("contact.offered"),
            offered_at,
            contact_id,
            "voice",
            queue,
            customer_id=customer if customer not in {"", "0"} else None,
            line=line,
        )
    ]
    if outcome == "HANG":
        events.append(
            records.abandoned(event_id("contact.abandoned"), outcome_at, contact_id, line=line)
        )
        return events
    agent = row["server"].strip()
    ended_at = outcome_at + timedelta(seconds=durations["ser_time"])
    events += [
        records.answered(event_id("contact.answered"), outcome_at, contact_id, agent, line=line),
        records.ended(event_id("contact.ended"), ended_at, contact_id, agent, line=line),
        records.wrapup_ended(
            event_id("contact.wrapup_ended"), ended_at, contact_id, agent, line=line
        ),
    ]
    return events


def read_bank_rows(path: str | Path) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(line number, raw line, row by column name) for each data row; `.gz` is fine.

    An over-long line comes as an `OverLong` raw with an empty row."""
    with open_text(path) as handle:
        lines = bounded_text_lines(handle)
        header = next(lines, "").rstrip("\r\n").split(",")
        for number, text in enumerate(lines, start=2):
            if isinstance(text, OverLong):
                yield number, text, {}
                continue
            raw = text.rstrip("\r\n")
            if not raw:
                continue
            yield number, raw, dict(zip(header, raw.split(","), strict=False))


def map_bank_file(
    path: str | Path, *, day: date | None = None, ivr_hangups: IvrHangups = "self_served"
) -> Iterator[Mapped]:
    """Every row's result, in file order; with `day`, only calls that arrived that day."""
    wanted = day.isoformat() if day is not None else None
    for number, raw, row in read_bank_rows(path):
        if isinstance(raw, OverLong):
            yield DeadLetter(raw.reason, raw, number)
            continue
        if wanted is not None and row.get("date", "").strip() != wanted:
            continue
        yield checked(map_bank_row(row, number, raw, ivr_hangups), raw, number)
