"""CDR CSV import with the `[importers.cdr]` column mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import main
from schemas.config import ConfigError, parse_settings
from schemas.events import parse_event
from tests.adapters.helpers import read_jsonl

C1 = (
    "c1,2026-03-02 09:00:00,2026-03-02 09:00:12,2026-03-02 09:04:12,2026-03-02 09:04:42,"
    "ANSWERED,A01,claims_report,,13800000001,15"
)
CDR = f"""\
call_uuid,queued_at,answered_at,ended_at,acw_done_at,result,agent,skill,media,caller,hold_seconds
{C1}
c2,2026-03-02T09:01:00+08:00,,2026-03-02T09:01:40+08:00,,NO ANSWER ,,policy_service,voice,,
c3,02/03/2026 09:02,02/03/2026 09:02,02/03/2026 09:05,,XFER,A02,chat_service,,,
c4,2026-03-02 09:03:00,,2026-03-02 09:03:30,,IVR,,,,,
c5,2026-03-02 09:04:00,,,,TEST,,,,,
c6,2026-03-02 09:05:00,,,,BUSY,,claims_report,,,
c7,2026-03-02 09:06:00,2026-03-02 09:05:00,2026-03-02 09:07:00,,ANSWERED,A01,claims_report,,,
c1,2026-03-02 09:07:00,,2026-03-02 09:07:10,,NO ANSWER,,claims_report,,,
c8,yesterday,,2026-03-02 09:07:10,,NO ANSWER,,claims_report,,,
c9,2026-03-02 09:08:00,2026-03-02 09:08:05,2026-03-02 09:09:00,,ANSWERED,,claims_report,,,
c10,2026-03-02 09:08:00,,2026-03-02 09:09:00,,NO ANSWER,,claims_report,fax,,
c11,2026-03-02 08:59:00,,2026-03-02 08:59:03,,NO ANSWER,,complaints,,,
"""


def ts(clock: str) -> str:
    return f"2026-03-02T{clock}+08:00"


def test_cdr_rows_become_events_in_canonical_order(tmp_path: Path, config_file: Path) -> None:
    source = tmp_path / "cdr.csv"
    source.write_text(CDR, encoding="utf-8")
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"

    code = main(
        ["convert", "--from", "cdr-csv", str(source), "--config", str(config_file),
         "--out", str(out), "--dead-letter", str(dead)]
    )  # fmt: skip

    assert code == 0
    assert read_jsonl(out) == [
        {"event_id": "c11:contact.offered", "ts": ts("08:59:00"), "type": "contact.offered",
         "contact_id": "c11", "channel": "voice", "queue": "complaints"},
        {"event_id": "c11:contact.abandoned", "ts": ts("08:59:03"),
         "type": "contact.abandoned", "contact_id": "c11"},
        {"event_id": "c1:contact.offered", "ts": ts("09:00:00"), "type": "contact.offered",
         "contact_id": "c1", "channel": "voice", "queue": "claims_report",
         "customer_id": "13800000001"},
        {"event_id": "c1:contact.answered", "ts": ts("09:00:12"), "type": "contact.answered",
         "contact_id": "c1", "agent_id": "A01"},
        {"event_id": "c2:contact.offered", "ts": ts("09:01:00"), "type": "contact.offered",
         "contact_id": "c2", "channel": "voice", "queue": "policy_service"},
        {"event_id": "c2:contact.abandoned", "ts": ts("09:01:40"),
         "type": "contact.abandoned", "contact_id": "c2"},
        # chat_service is a chat queue in the configuration.
        {"event_id": "c3:contact.offered", "ts": ts("09:02:00"), "type": "contact.offered",
         "contact_id": "c3", "channel": "chat", "queue": "chat_service"},
        {"event_id": "c3:contact.answered", "ts": ts("09:02:00"), "type": "contact.answered",
         "contact_id": "c3", "agent_id": "A02"},
        {"event_id": "c4:contact.self_served", "ts": ts("09:03:30"),
         "type": "contact.self_served", "contact_id": "c4", "channel": "voice"},
        {"event_id": "c1:contact.ended", "ts": ts("09:04:12"), "type": "contact.ended",
         "contact_id": "c1", "agent_id": "A01", "hold_s": 15.0, "disposition": "completed"},
        {"event_id": "c1:contact.wrapup_ended", "ts": ts("09:04:42"),
         "type": "contact.wrapup_ended", "contact_id": "c1", "agent_id": "A01"},
        {"event_id": "c3:contact.ended", "ts": ts("09:05:00"), "type": "contact.ended",
         "contact_id": "c3", "agent_id": "A02", "disposition": "transferred"},
        {"event_id": "c3:contact.wrapup_ended", "ts": ts("09:05:00"),
         "type": "contact.wrapup_ended", "contact_id": "c3", "agent_id": "A02"},
    ]  # fmt: skip
    for line in out.read_bytes().splitlines():
        parse_event(line)
    lines = CDR.splitlines()
    assert read_jsonl(dead) == [
        {"reason": "result: unmapped outcome value 'BUSY'", "raw": lines[6], "line": 7},
        {"reason": "answered_at: 2026-03-02T09:05:00+08:00 is before queued_at "
                   "2026-03-02T09:06:00+08:00", "raw": lines[7], "line": 8},
        {"reason": "call_uuid: contact 'c1' already on line 2", "raw": lines[8], "line": 9},
        {"reason": "queued_at: not a time in any of the formats "
                   "['%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M']: 'yesterday'",
         "raw": lines[9], "line": 10},
        {"reason": "agent: empty", "raw": lines[10], "line": 11},
        {"reason": "media: not voice or chat: 'fax'", "raw": lines[11], "line": 12},
    ]  # fmt: skip


def test_cdr_csv_without_a_column_mapping_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "cdr.csv"
    source.write_text(CDR, encoding="utf-8")

    code = main(["convert", "--from", "cdr-csv", str(source), "--out", str(tmp_path / "o")])

    assert code == 2
    assert capsys.readouterr().err == (
        "convert: cdr-csv needs --config with an [importers.cdr] column mapping\n"
    )


def test_importer_settings_reject_an_unknown_outcome_kind() -> None:
    with pytest.raises(ConfigError) as error:
        parse_settings(
            {
                "importers": {
                    "cdr": {
                        "columns": {"contact_id": "id", "arrival": "a", "outcome": "o",
                                    "queue": "q"},
                        "outcomes": {"OK": "served"},
                    }
                }
            }
        )  # fmt: skip

    assert str(error.value) == (
        "config: importers.cdr.outcomes.OK: Input should be 'answered', 'transferred', "
        "'abandoned', 'self_served' or 'skip'"
    )


def test_row_whose_events_fail_validation_is_dead_lettered_not_written(
    tmp_path: Path, config_file: Path
) -> None:
    agent = "A" * 129
    text = (
        "call_uuid,queued_at,answered_at,ended_at,acw_done_at,result,agent,skill,media,caller,"
        "hold_seconds\n"
        f"c1,2026-03-02 09:00:00,2026-03-02 09:00:05,2026-03-02 09:01:00,,ANSWERED,{agent},"
        "claims_report,,,\n"
    )
    source = tmp_path / "cdr.csv"
    source.write_text(text, encoding="utf-8")
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"

    main(
        ["convert", "--from", "cdr-csv", str(source), "--config", str(config_file),
         "--out", str(out), "--dead-letter", str(dead)]
    )  # fmt: skip

    assert read_jsonl(out) == []
    assert read_jsonl(dead) == [
        {"reason": "contact.answered: agent_id: String should have at most 64 characters",
         "raw": text.splitlines()[1], "line": 2}
    ]  # fmt: skip


def test_headerless_cdr_csv_reads_columns_from_column_order_and_keeps_raw_lines(
    tmp_path: Path, config_file: Path
) -> None:
    config = tmp_path / "headerless.toml"
    config.write_text(
        config_file.read_text(encoding="utf-8").replace(
            "[importers.cdr.columns]",
            'column_order = ["call_uuid", "queued_at", "answered_at", "ended_at", '
            '"acw_done_at", "result", "agent", "skill", "media", "caller", "hold_seconds"]\n\n'
            "[importers.cdr.columns]",
        ),
        encoding="utf-8",
    )
    rows = [
        '"c1","2026-03-02 09:00:00","","2026-03-02 09:00:30","","NO ANSWER","",'
        '"claims_report","","",""',
        '"c2","2026-03-02 09:01:00","","2026-03-02 09:01:30","","BUSY","","claims_report",'
        '"","",""',
    ]
    source = tmp_path / "cdr.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"

    code = main(
        ["convert", "--from", "cdr-csv", str(source), "--config", str(config), "--no-header",
         "--out", str(out), "--dead-letter", str(dead)]
    )  # fmt: skip

    assert code == 0
    # The first row is a call, not a header: it is not lost.
    assert [event["event_id"] for event in read_jsonl(out)] == [
        "c1:contact.offered",
        "c1:contact.abandoned",
    ]
    # `raw` is the line as written, quotes included.
    assert read_jsonl(dead) == [
        {"reason": "result: unmapped outcome value 'BUSY'", "raw": rows[1], "line": 2}
    ]
