"""The Anonymous Bank call log (August 1999): one real day converted, checked against DuckDB."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb
import pytest

from pipeline.adapters.bank_1999 import map_bank_row
from pipeline.adapters.records import DeadLetter, FieldValue, Skip, SourceEvent
from pipeline.cli import main
from schemas.events import CANONICAL_RANK, parse_event
from tests.adapters.helpers import read_jsonl
from tests.conftest import REPO

# ../shared sits beside the checkout (the developers' tree and CI's fresh clone alike).
BANK = REPO.parent / "shared" / "realdata" / "anonymous_bank_1999_08.csv.gz"
DAY = "1999-08-02"  # has services crossing midnight and a negative IVR time
HEADER = (
    "date,vru+line,call_id,customer_id,priority,type,date_raw,vru_entry,vru_exit,vru_time,"
    "q_start,q_exit,q_time,outcome,ser_start,ser_exit,ser_time,server"
)

pytestmark = pytest.mark.skipif(not BANK.exists(), reason="bank data not on this machine")


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("bank")
    out, dead = folder / "events.jsonl", folder / "dead.jsonl"
    code = main(
        ["convert", "--from", "bank-1999", str(BANK), "--day", DAY,
         "--out", str(out), "--dead-letter", str(dead)]
    )  # fmt: skip
    assert code == 0
    return out, dead


def counts_from_events(events: list[dict[str, object]]) -> dict[tuple[str, str], int]:
    queue_of = {e["contact_id"]: e["queue"] for e in events if e["type"] == "contact.offered"}
    counts: Counter[tuple[str, str]] = Counter()
    for event in events:
        kind = str(event["type"]).removeprefix("contact.")
        if kind in {"offered", "answered", "abandoned"}:
            counts[(str(queue_of[event["contact_id"]]), kind)] += 1
        elif kind == "self_served":
            counts[(str(event["queue"]), kind)] += 1
    return dict(counts)


def counts_from_csv() -> dict[tuple[str, str], int]:
    """The same counts straight from the CSV, by the rules of docs/adapters.md."""
    relation = duckdb.sql(
        """
        with calls as (
          select case type when 'PS' then 'regular' when 'PE' then 'english'
                           when 'IN' then 'internet' when 'NE' then 'stock_exchange'
                           when 'NW' then 'prospects' when 'TT' then 'callback' end as queue,
                 outcome, q_start <> '0:00:00' as queued
          from read_csv(?, all_varchar = true)
          where date = ? and outcome <> 'PHANTOM')
        select queue, 'offered', count(*) filter (where queued or outcome = 'AGENT')
          from calls group by queue
        union all select queue, 'answered', count(*) filter (where outcome = 'AGENT')
          from calls group by queue
        union all select queue, 'abandoned', count(*) filter (where outcome = 'HANG' and queued)
          from calls group by queue
        union all select queue, 'self_served',
               count(*) filter (where outcome = 'HANG' and not queued)
          from calls group by queue
        """,
        params=[str(BANK), DAY],
    )
    assert relation is not None
    return {(queue, kind): n for queue, kind, n in relation.fetchall() if n > 0}


def test_one_day_counts_per_queue_equal_the_csv(converted: tuple[Path, Path]) -> None:
    out, _ = converted

    from_csv = counts_from_csv()

    assert counts_from_events(read_jsonl(out)) == from_csv
    # Sanity of the reference itself: that day's busiest queue is the regular one.
    assert from_csv[("regular", "offered")] == max(
        n for (_, kind), n in from_csv.items() if kind == "offered"
    )


def test_every_converted_line_validates_and_is_in_canonical_order(
    converted: tuple[Path, Path],
) -> None:
    out, _ = converted

    events = [parse_event(line) for line in out.read_bytes().splitlines()]

    keys = [(event.ts, CANONICAL_RANK[event.type]) for event in events]
    assert keys == sorted(keys)
    # Events per call: answered 4 (offered, answered, ended, wrap-up), abandoned 2,
    # self-served 1.
    expected = Counter({"answered": 4, "abandoned": 2, "self_served": 1})
    assert len(events) == sum(n * expected[kind] for (_, kind), n in counts_from_csv().items())


def test_phantom_records_are_the_dead_letters(converted: tuple[Path, Path]) -> None:
    _, dead = converted
    relation = duckdb.sql(
        "select count(*) from read_csv(?, all_varchar = true) "
        "where date = ? and outcome = 'PHANTOM'",
        params=[str(BANK), DAY],
    )
    assert relation is not None
    phantoms = relation.fetchall()[0][0]

    letters = read_jsonl(dead)

    assert len(letters) == phantoms
    assert {letter["reason"] for letter in letters} == {
        "outcome PHANTOM: a spurious record, not a call"
    }


def row_of(line: str) -> dict[str, str]:
    return dict(zip(HEADER.split(","), line.split(","), strict=True))


def mapped(line: str) -> list[tuple[str, str, dict[str, FieldValue]]]:
    result = map_bank_row(row_of(line), 7, line)
    assert isinstance(result, list)
    return [(e.type, e.ts.isoformat(), e.fields) for e in result if isinstance(e, SourceEvent)]


def test_service_crossing_midnight_ends_on_the_next_day() -> None:
    line = ("1999-08-02,AA0206,47700,314386806,1,PE,2010-08-02,23:54:40,23:54:44,4,"
            "23:54:44,23:58:54,250,AGENT,23:58:54,0:04:25,331,AVNI")  # fmt: skip
    contact = "1999-08-02:AA0206:47700"

    assert mapped(line) == [
        ("contact.offered", "1999-08-02T23:54:44+03:00",
         {"contact_id": contact, "channel": "voice", "queue": "english",
          "customer_id": "314386806", "parent_contact_id": None}),
        ("contact.answered", "1999-08-02T23:58:54+03:00",
         {"contact_id": contact, "agent_id": "AVNI"}),
        ("contact.ended", "1999-08-03T00:04:25+03:00",
         {"contact_id": contact, "agent_id": "AVNI", "hold_s": None,
          "disposition": "completed"}),
        ("contact.wrapup_ended", "1999-08-03T00:04:25+03:00",
         {"contact_id": contact, "agent_id": "AVNI"}),
    ]  # fmt: skip


def test_negative_ivr_time_keeps_the_queue_times() -> None:
    line = ("1999-08-02,AA0204,43909,314386806,1,PE,2010-08-02,23:19:01,23:14:22,-279,"
            "23:14:22,23:23:55,573,HANG,0:00:00,0:00:00,0,NO_SERVER")  # fmt: skip

    assert [(kind, ts) for kind, ts, _ in mapped(line)] == [
        ("contact.offered", "1999-08-02T23:14:22+03:00"),
        ("contact.abandoned", "1999-08-02T23:23:55+03:00"),
    ]


def test_ten_hour_service_is_kept_as_recorded() -> None:
    line = ("1999-08-17,AA0216,9453,0,0,IN,2010-08-17,8:06:06,8:06:22,16,0:00:00,0:00:00,0,"
            "AGENT,8:06:22,18:11:13,36291,YIFAT")  # fmt: skip

    assert [(kind, ts) for kind, ts, _ in mapped(line)] == [
        ("contact.offered", "1999-08-17T08:06:22+03:00"),
        ("contact.answered", "1999-08-17T08:06:22+03:00"),
        ("contact.ended", "1999-08-17T18:11:13+03:00"),
        ("contact.wrapup_ended", "1999-08-17T18:11:13+03:00"),
    ]


def test_answer_without_recorded_service_times_is_a_zero_second_service_at_ivr_exit() -> None:
    line = ("1999-08-03,AA0203,45225,0,0,PS,2010-08-03,11:00:01,11:00:09,8,0:00:00,0:00:00,0,"
            "AGENT,0:00:00,0:00:00,0,AVNI")  # fmt: skip

    assert [(kind, ts) for kind, ts, _ in mapped(line)] == [
        ("contact.offered", "1999-08-03T11:00:09+03:00"),
        ("contact.answered", "1999-08-03T11:00:09+03:00"),
        ("contact.ended", "1999-08-03T11:00:09+03:00"),
        ("contact.wrapup_ended", "1999-08-03T11:00:09+03:00"),
    ]


def test_hang_up_with_a_server_name_follows_the_outcome_column() -> None:
    line = ("1999-08-09,AA0109,38664,5186002,2,PS,2010-08-09,9:58:25,9:59:01,36,9:59:01,"
            "9:59:08,7,HANG,9:59:07,10:00:07,60,AVI")  # fmt: skip

    assert [(kind, ts) for kind, ts, _ in mapped(line)] == [
        ("contact.offered", "1999-08-09T09:59:01+03:00"),
        ("contact.abandoned", "1999-08-09T09:59:08+03:00"),
    ]


def test_ivr_only_hang_up_is_self_served_at_ivr_exit() -> None:
    line = ("1999-08-01,AA0204,43678,0,0,PS,2010-08-01,0:10:10,0:10:27,17,0:00:00,0:00:00,0,"
            "HANG,0:00:00,0:00:00,0,NO_SERVER")  # fmt: skip

    assert mapped(line) == [
        ("contact.self_served", "1999-08-01T00:10:27+03:00",
         {"contact_id": "1999-08-01:AA0204:43678", "channel": "voice", "queue": "regular"}),
    ]  # fmt: skip


def test_rows_that_cannot_be_read_are_dead_letters_naming_the_column() -> None:
    line = ("1999-08-01,AA0204,1,0,0,XX,2010-08-01,0:10:10,0:10:27,17,0:00:00,0:00:00,0,"
            "HANG,0:00:00,0:00:00,0,NO_SERVER")  # fmt: skip
    bad_time = line.replace(",XX,", ",PS,").replace("0:10:27", "25:99")

    assert map_bank_row(row_of(line), 3, line) == DeadLetter("type: unknown service 'XX'", line, 3)
    assert map_bank_row(row_of(bad_time), 4, bad_time) == DeadLetter(
        "vru_exit: not a clock time H:MM:SS: '25:99'", bad_time, 4
    )


def test_ivr_only_hang_up_can_be_skipped_instead() -> None:
    line = ("1999-08-01,AA0204,43678,0,0,PS,2010-08-01,0:10:10,0:10:27,17,0:00:00,0:00:00,0,"
            "HANG,0:00:00,0:00:00,0,NO_SERVER")  # fmt: skip

    assert map_bank_row(row_of(line), 2, line, ivr_hangups="skip") == Skip("IVR-only hang-up")
