"""Asterisk's headerless Master.csv (issue #15 item 5): legs grouped into contacts, the
first row never taken for a header, runs that dead-letter most rows fail loudly, dead
letters keep the source line verbatim; and both engines agree on the result."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshot
from pipeline.runner import engine_snapshot, stream_snapshot
from schemas.config import load_settings
from tests.adapters.helpers import CDR_IMPORTER, SAMPLE_CONFIG, read_jsonl

IMPORTER = """
[importers.asterisk]
members = { "SIP/1002" = "Wang" }
"""

# data/Master.csv, as cdr_csv writes it with loguniqueid and loguserfield (cdr.conf's
# sample): 18 columns, no header, strings quoted, an unanswered leg's answer time empty
# and unquoted; rows written when a leg ends. Two calls with two legs each, an internal
# call, a Local-channel member, a row with a bad end time and a truncated row.
MASTER_CSV = (Path(__file__).parent / "data" / "Master.csv").read_text(encoding="utf-8")
ROWS = MASTER_CSV.splitlines()


def ts(clock: str) -> str:
    return f"2026-03-02T{clock}+08:00"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        SAMPLE_CONFIG.read_text(encoding="utf-8") + IMPORTER + CDR_IMPORTER, encoding="utf-8"
    )
    return path


def convert(
    tmp_path: Path, config: Path, *options: str, source: str = "asterisk-master-csv"
) -> tuple[int, Path, Path]:
    path = tmp_path / "Master.csv"
    path.write_text(MASTER_CSV, encoding="utf-8")
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"
    code = main(
        ["convert", "--from", source, str(path), "--config", str(config),
         "--out", str(out), "--dead-letter", str(dead), *options]
    )  # fmt: skip
    return code, out, dead


def test_master_csv_legs_become_one_contact_per_call_and_queue(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, dead = convert(tmp_path, config)

    assert code == 0
    assert read_jsonl(out) == [
        # Two legs (1001 rang, 1002 answered): one contact, from the first ring.
        {"event_id": "1772416820.31:contact.offered", "ts": ts("10:00:20"),
         "type": "contact.offered", "contact_id": "1772416820.31", "channel": "voice",
         "queue": "policy_service", "customer_id": "13800000001"},
        {"event_id": "1772416820.31:contact.answered", "ts": ts("10:00:30"),
         "type": "contact.answered", "contact_id": "1772416820.31", "agent_id": "Wang"},
        {"event_id": "1772416820.31:contact.ended", "ts": ts("10:01:35"),
         "type": "contact.ended", "contact_id": "1772416820.31", "agent_id": "Wang",
         "disposition": "completed"},
        {"event_id": "1772416820.31:contact.wrapup_ended", "ts": ts("10:01:35"),
         "type": "contact.wrapup_ended", "contact_id": "1772416820.31", "agent_id": "Wang"},
        # The caller's own leg is ANSWERED by Queue() but has no member: abandoned.
        {"event_id": "1772416920.35:contact.offered", "ts": ts("10:02:00"),
         "type": "contact.offered", "contact_id": "1772416920.35", "channel": "voice",
         "queue": "policy_service", "customer_id": "13900000002"},
        {"event_id": "1772416920.35:contact.abandoned", "ts": ts("10:02:40"),
         "type": "contact.abandoned", "contact_id": "1772416920.35"},
        # A Local channel member: its interface is the agent.
        {"event_id": "1772417220.45:contact.offered", "ts": ts("10:07:00"),
         "type": "contact.offered", "contact_id": "1772417220.45", "channel": "voice",
         "queue": "complaints", "customer_id": "13700000003"},
        {"event_id": "1772417220.45:contact.answered", "ts": ts("10:07:12"),
         "type": "contact.answered", "contact_id": "1772417220.45",
         "agent_id": "Local/1127@from-queue"},
        {"event_id": "1772417220.45:contact.ended", "ts": ts("10:09:12"),
         "type": "contact.ended", "contact_id": "1772417220.45",
         "agent_id": "Local/1127@from-queue", "disposition": "completed"},
        {"event_id": "1772417220.45:contact.wrapup_ended", "ts": ts("10:09:12"),
         "type": "contact.wrapup_ended", "contact_id": "1772417220.45",
         "agent_id": "Local/1127@from-queue"},
    ]  # fmt: skip
    # Raw text exactly as in the file, quotes and all.
    assert read_jsonl(dead) == [
        {"reason": "end: not a time '%Y-%m-%d %H:%M:%S': 'yesterday'", "raw": ROWS[6],
         "line": 7},
        {"reason": "csv: 3 cells; a Master.csv row has 16 to 21 (cdr_csv columns)",
         "raw": '"","1","2"', "line": 8},
    ]  # fmt: skip
    assert capsys.readouterr().err == (
        "convert: 10 events, 2 dead letters, skipped: further leg of a call=2, "
        "not a queue leg: lastapp Dial=1\n"
    )


def test_converted_master_csv_gives_the_same_kpis_in_both_engines(
    tmp_path: Path, config: Path
) -> None:
    _, out, _ = convert(tmp_path, config)
    lines = out.read_bytes().splitlines()
    settings = load_settings(config)
    at = datetime.fromisoformat(ts("10:30:00"))

    reference = reference_snapshot(lines, at, settings)

    assert snapshot_differences(engine_snapshot(lines, at, settings), reference) == []
    assert snapshot_differences(stream_snapshot(out, at, settings), reference) == []
    day = reference["queues"]["policy_service"]["day"]
    assert (day["offered"], day["answered"], day["abandoned"]) == (2, 1, 1)
    assert day["asa_s"] == 10.0
    assert day["aht_s"] == 65.0


def test_headerless_file_is_never_read_with_its_first_call_as_the_header(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = convert(tmp_path, config, source="cdr-csv")

    assert code == 2
    assert not out.exists() or read_jsonl(out) == []
    err = capsys.readouterr().err
    assert err.startswith(
        "convert: cdr-csv: the first row does not name the mapped columns ['call_uuid', "
        "'queued_at', 'result', 'skill', 'answered_at', 'ended_at', 'acw_done_at', 'agent', "
        "'media', 'caller', 'hold_seconds'], so it is not a header"
    )


def test_a_run_that_dead_letters_most_rows_fails_with_a_summary_by_reason(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Told to take the first row as the header, every other row misses the columns.
    code, _, dead = convert(tmp_path, config, "--header", source="cdr-csv")

    assert code == 1
    assert len(read_jsonl(dead)) == 7
    assert capsys.readouterr().err == (
        "convert: 0 events, 7 dead letters, skipped: none\n"
        "convert: failed: 7 of 7 input records (100%) are dead letters, more than the "
        "allowed 50%; by reason:\n"
        "      7 × result: column missing from the file\n"
    )


def test_dead_letter_threshold_is_configurable(tmp_path: Path, config: Path) -> None:
    # Master.csv itself: 2 dead letters of 8 rows pass at 0.5, fail at 0.2.
    assert convert(tmp_path, config)[0] == 0
    assert convert(tmp_path, config, "--max-dead-letter-ratio", "0.2")[0] == 1


# newcdrcolumns=yes (21 columns): the caller's call (uniqueid 1772417400.60) answered in
# policy_service, then blind-transferred by the member into complaints, whose leg has
# the transferring channel's uniqueid but the call's linkedid.
LINKED = (
    '"","13600000005","400","ext-queues","""13600000005"" <13600000005>",'
    '"SIP/trunk-00000030","SIP/1002-00000031","Queue","policy_service,t,,,300",'
    '"2026-03-02 10:10:00","2026-03-02 10:10:08","2026-03-02 10:12:00",120,112,"ANSWERED",'
    '"DOCUMENTATION","1772417400.60","","","1772417400.60",3\n'
    '"","1002","401","ext-queues","""Wang"" <1002>","SIP/1002-00000031",'
    '"SIP/1003-00000033","Queue","complaints,t,,,300","2026-03-02 10:12:00",'
    '"2026-03-02 10:12:20","2026-03-02 10:15:00",180,160,"ANSWERED","DOCUMENTATION",'
    '"1772417408.61","","","1772417400.60",5\n'
)


def test_legs_linked_across_a_transfer_are_two_contacts_parent_and_child(
    tmp_path: Path, config: Path
) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(LINKED, encoding="utf-8")
    out = tmp_path / "events.jsonl"

    code = main(["convert", "--from", "asterisk-master-csv", str(path), "--config",
                 str(config), "--out", str(out)])  # fmt: skip

    assert code == 0
    assert [(e["type"], e["contact_id"], e.get("queue") or e.get("agent_id"),
             e.get("parent_contact_id") or e.get("disposition"), e["ts"][11:19])
            for e in read_jsonl(out)] == [
        ("contact.offered", "1772417400.60", "policy_service", None, "10:10:00"),
        ("contact.answered", "1772417400.60", "Wang", None, "10:10:08"),
        # Same second: canonical order puts the child's offer first.
        ("contact.offered", "1772417400.60:2", "complaints", "1772417400.60", "10:12:00"),
        ("contact.ended", "1772417400.60", "Wang", "transferred", "10:12:00"),
        ("contact.wrapup_ended", "1772417400.60", "Wang", None, "10:12:00"),
        ("contact.answered", "1772417400.60:2", "SIP/1003", None, "10:12:20"),
        ("contact.ended", "1772417400.60:2", "SIP/1003", "completed", "10:15:00"),
        ("contact.wrapup_ended", "1772417400.60:2", "SIP/1003", None, "10:15:00"),
    ]  # fmt: skip
