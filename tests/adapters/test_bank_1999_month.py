"""The whole bank month (August 1999) replayed: every day, every queue, both engines.

Nights, Saturdays and the holiday gaps of a real call center must count normally
(kpi-spec §2 "Gaps are normal"). The expected counts come straight from the raw CSV rows,
counted here by the rules of docs/adapters.md ("Anonymous Bank"), not through the
converter: PHANTOM rows are no calls; a HANG never queued (`q_start` 0:00:00) left in the
IVR (neither offered nor abandoned); a queued call is offered at `q_start` and answered
(AGENT) or abandoned (HANG) `q_time` seconds later; an AGENT call never queued is offered
and answered at `ser_start` (at `vru_exit` when `ser_start` is 0:00:00). Clock times carry
no date: each lies on the day (the row's date ± 1) nearest its `vru_entry`, within 12 h.
Days are the bank's local days (UTC+03:00 all month).
"""

from __future__ import annotations

import csv
import gzip
import math
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest

from pipeline.cli import main
from pipeline.engine import FloorEngine
from pipeline.reference.assemble import build_snapshot
from pipeline.reference.database import ReferenceDatabase
from pipeline.reference.windows import instant
from pipeline.runner import stream_snapshot
from schemas.config import Settings, load_settings
from schemas.events import parse_event
from tests.conftest import REPO

BANK = REPO.parent / "shared" / "realdata" / "anonymous_bank_1999_08.csv.gz"
BANK_CONFIG = REPO / "pipeline" / "adapters" / "bank_1999.toml"
LOCAL = timezone(timedelta(hours=3))
DAYS = [date(1999, 8, day) for day in range(1, 32)]
QUEUES = {"PS": "regular", "PE": "english", "IN": "internet", "NE": "stock_exchange",
          "NW": "prospects", "TT": "callback"}  # fmt: skip
KINDS = ("offered", "answered", "abandoned")
# (day, queue, kind) -> count
Counts = dict[tuple[date, str, str], int]
# Converted lines by `--ivr-hangups` variant, the counts from the rows, the settings.
Month = tuple[dict[str, list[bytes]], Counts, Settings]

pytestmark = pytest.mark.skipif(not BANK.exists(), reason="bank data not on this machine")


def _clock_near(day: date, clock: str, entry: datetime) -> datetime:
    hours, minutes, seconds = map(int, clock.split(":"))
    moment = datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=LOCAL)
    for shift in (-1, 1):
        other = moment + timedelta(days=shift)
        if abs(other - entry) < abs(moment - entry):
            moment = other
    return moment


def counts_from_rows() -> Counts:
    counts: Counter[tuple[date, str, str]] = Counter()
    with gzip.open(BANK, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            outcome, queued = row["outcome"], row["q_start"] != "0:00:00"
            if outcome == "PHANTOM" or (outcome == "HANG" and not queued):
                continue
            day = date.fromisoformat(row["date"])
            hours, minutes, seconds = map(int, row["vru_entry"].split(":"))
            entry = datetime(day.year, day.month, day.day, hours, minutes, seconds, tzinfo=LOCAL)
            if queued:
                offered = _clock_near(day, row["q_start"], entry)
                left = offered + timedelta(seconds=int(row["q_time"]))
            else:
                start = row["ser_start"] if row["ser_start"] != "0:00:00" else row["vru_exit"]
                offered = left = _clock_near(day, start, entry)
            queue = QUEUES[row["type"]]
            counts[(offered.date(), queue, "offered")] += 1
            counts[(left.date(), queue, "answered" if outcome == "AGENT" else "abandoned")] += 1
    return {key: n for key, n in counts.items() if n}


def day_end(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=LOCAL)


def counts_of(snapshot: dict[str, object], day: date) -> Counts:
    queues: dict[str, dict[str, dict[str, int]]] = snapshot["queues"]  # type: ignore[assignment]
    return {
        (day, queue, kind): windows["day"][kind]
        for queue, windows in queues.items()
        for kind in KINDS
        if windows["day"][kind]
    }


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    """The month converted as shipped, and with `--ivr-hangups skip` (no self-served events:
    the bank's Saturdays are then 31-hour gaps), the counts from the rows, the settings."""
    folder = tmp_path_factory.mktemp("bank_month")
    out, dead = folder / "events.jsonl", folder / "dead.jsonl"
    code = main(["convert", "--from", "bank-1999", str(BANK), "--out", str(out),
                 "--dead-letter", str(dead)])  # fmt: skip
    assert code == 0
    lines = out.read_bytes().splitlines()
    # `--ivr-hangups skip` writes the same minus the self-served events (docs/adapters.md).
    skip = [text for text in lines if orjson.loads(text)["type"] != "contact.self_served"]
    converted = {"self_served": lines, "skip": skip}
    expected = counts_from_rows()
    # The sanity of the count itself: 42,078 rows, 310 PHANTOM, 3,057 IVR hang-ups.
    assert sum(n for (_, _, kind), n in expected.items() if kind == "offered") == 38_711
    assert {day for day, _, _ in expected} == set(DAYS)
    return converted, expected, load_settings(BANK_CONFIG)


@pytest.mark.slow
def test_every_day_and_queue_of_the_month_counts_in_the_stream_engine(month: Month) -> None:
    converted, expected, settings = month
    lines = converted["self_served"]
    engine = FloorEngine(settings)
    got: Counts = {}
    letters = []
    pending = list(DAYS)
    for seq, text in enumerate(lines):
        engine.ingest(parse_event(text), seq)
        latest = engine.stats.last_event_ts
        # Once an event of a later day is accepted, everything before it was decided
        # (the input is in time order; a held jump holds every event after it).
        while pending and latest is not None and latest > day_end(pending[0]).timestamp():
            day = pending.pop(0)
            got |= counts_of(engine.snapshot(math.floor(day_end(day).timestamp())), day)
            letters += engine.drain().dead_letters  # (and a month of history points)
    engine.finish()
    for day in pending:
        got |= counts_of(engine.snapshot(math.floor(day_end(day).timestamp())), day)
    letters += engine.drain().dead_letters

    assert letters == []
    assert got == expected


@pytest.mark.parametrize("variant", ["self_served", "skip"])
def test_every_day_and_queue_of_the_month_counts_in_the_reference(
    month: Month, variant: str
) -> None:
    converted, expected, settings = month
    lines = converted[variant]
    db = ReferenceDatabase(lines, settings)
    try:
        moment = instant(day_end(DAYS[-1]), settings)
        db.compute(moment)
        rows = db.rows(
            "SELECT queue, k, (sec + 10800) // 86400 AS day, count(*) AS n FROM facts "
            "WHERE k IN ('offered', 'answered', 'abandoned') GROUP BY ALL"
        )
        last_day = counts_of(build_snapshot(db, moment), DAYS[-1])
        refused = db.refused_time
    finally:
        db.close()
    got = {(date(1970, 1, 1) + timedelta(days=r["day"]), r["queue"], r["k"]): r["n"] for r in rows}

    assert refused == {}
    assert got == expected
    assert last_day == {key: n for key, n in expected.items() if key[0] == DAYS[-1]}


def test_a_sunday_after_a_31_hour_saturday_gap_through_the_real_dataflow(
    month: Month, tmp_path: Path
) -> None:
    # Without IVR hang-ups the bank is silent from Friday 6 August 1999 afternoon to
    # Saturday 21:56 (30.9 h); the old 24-hour limit refused everything after that gap.
    converted, expected, settings = month
    sunday = date(1999, 8, 8)
    since = datetime(1999, 8, 6, tzinfo=LOCAL)
    events = tmp_path / "friday_to_sunday.jsonl"
    events.write_bytes(
        b"\n".join(
            text
            for text in converted["skip"]
            if since <= datetime.fromisoformat(orjson.loads(text)["ts"]) <= day_end(sunday)
        )
        + b"\n"
    )

    snapshot = stream_snapshot(events, day_end(sunday), settings)

    assert counts_of(snapshot, sunday) == {
        key: n for key, n in expected.items() if key[0] == sunday
    }
