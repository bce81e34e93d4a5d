"""Asterisk queue_log conversion: every event kind, and unmappable lines dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.cli import main
from schemas.events import parse_event
from tests.adapters.helpers import read_jsonl

T = 1772416800  # 2026-03-02T10:00:00+08:00


def at(offset_s: int) -> str:
    moment = datetime.fromtimestamp(T + offset_s, tz=UTC) + timedelta(hours=8)
    return moment.replace(tzinfo=None).isoformat() + "+08:00"


# A morning of a small claims center, one line per queue_log event kind we know.
QUEUE_LOG = f"""\
{T + 0}|NONE|NONE|NONE|QUEUESTART|
{T + 1}|NONE|claims_report|Agent/1001|ADDMEMBER|
{T + 2}|NONE|policy_service|Agent/1001|ADDMEMBER|
{T + 3}|NONE|NONE|Agent/2001|AGENTLOGIN|PJSIP/2001
{T + 10}|1001.1|claims_report|NONE|ENTERQUEUE||13800000001|1
{T + 15}|1001.1|claims_report|Agent/2001|RINGNOANSWER|5000
{T + 18}|1001.1|claims_report|Agent/1001|CONNECT|8|1001.2|3
{T + 20}|1002.1|complaints|NONE|ENTERQUEUE||13900000002|1
{T + 25}|1002.1|complaints|Agent/2001|CONNECT|5|1002.2|0
{T + 30}|1003.1|claims_report|NONE|ENTERQUEUE|||1
{T + 60}|1003.1|claims_report|NONE|ABANDON|1|1|30
{T + 61}|1004.1|policy_service|NONE|ENTERQUEUE||13700000004|1
{T + 62}|1005.1|policy_service|NONE|ENTERQUEUE||13700000005|2
{T + 63}|1006.1|complaints|NONE|ENTERQUEUE||13700000006|1
{T + 70}|1006.1|complaints|NONE|EXITWITHKEY|5|1|1|7
{T + 85}|1002.1|complaints|Agent/2001|COMPLETECALLER|5|60|1
{T + 138}|1001.1|claims_report|Agent/1001|COMPLETEAGENT|8|120|1
{T + 140}|1007.1|claims_report|NONE|ENTERQUEUE||13600000007|1
{T + 150}|1007.1|claims_report|Agent/1001|CONNECT|10|1007.2|2
{T + 200}|1007.1|claims_report|Agent/1001|TRANSFER|8001|from-queue|10|50|1
{T + 201}|1007.1|complaints|NONE|ENTERQUEUE||13600000007|1
{T + 210}|1007.1|complaints|SIP/3001|CONNECT|9|1007.3|4
{T + 250}|1007.1|complaints|SIP/3001|COMPLETEAGENT|9|40|1
{T + 361}|1004.1|policy_service|NONE|EXITWITHTIMEOUT|1|1|300
{T + 362}|1005.1|policy_service|NONE|EXITEMPTY|1|2|300
{T + 400}|NONE|policy_service|Agent/1001|PAUSE|Lunch
{T + 400}|NONE|claims_report|Agent/1001|PAUSE|Lunch
{T + 460}|NONE|policy_service|Agent/1001|UNPAUSE|
{T + 470}|NONE|NONE|Agent/1001|PAUSEALL|Smoke
{T + 480}|NONE|NONE|Agent/1001|UNPAUSEALL|
{T + 490}|NONE|claims_report|Agent/1001|REMOVEMEMBER|
{T + 491}|NONE|policy_service|Agent/1001|REMOVEMEMBER|
{T + 500}|NONE|NONE|Agent/2001|AGENTLOGOFF|PJSIP/2001|497
"""

EXPECTED_EVENTS = [
    # ADDMEMBER: Agent/1001 is mapped to bj_claims_a (site beijing); the second is a no-op.
    {"event_id": f"Agent/1001:ADDMEMBER:{T + 1}", "ts": at(1), "type": "agent.login",
     "agent_id": "Agent/1001", "team": "bj_claims_a", "site": "beijing"},
    # AGENTLOGIN of an unmapped agent in no queue: default_team cd_complaints (chengdu).
    {"event_id": f"Agent/2001:AGENTLOGIN:{T + 3}", "ts": at(3), "type": "agent.login",
     "agent_id": "Agent/2001", "team": "cd_complaints", "site": "chengdu"},
    {"event_id": f"1001.1:ENTERQUEUE:{T + 10}", "ts": at(10), "type": "contact.offered",
     "contact_id": "1001.1", "channel": "voice", "queue": "claims_report",
     "customer_id": "13800000001"},
    {"event_id": f"1001.1:CONNECT:{T + 18}", "ts": at(18), "type": "contact.answered",
     "contact_id": "1001.1", "agent_id": "Agent/1001"},
    {"event_id": f"1002.1:ENTERQUEUE:{T + 20}", "ts": at(20), "type": "contact.offered",
     "contact_id": "1002.1", "channel": "voice", "queue": "complaints",
     "customer_id": "13900000002"},
    {"event_id": f"1002.1:CONNECT:{T + 25}", "ts": at(25), "type": "contact.answered",
     "contact_id": "1002.1", "agent_id": "Agent/2001"},
    {"event_id": f"1003.1:ENTERQUEUE:{T + 30}", "ts": at(30), "type": "contact.offered",
     "contact_id": "1003.1", "channel": "voice", "queue": "claims_report"},
    {"event_id": f"1003.1:ABANDON:{T + 60}", "ts": at(60), "type": "contact.abandoned",
     "contact_id": "1003.1"},
    {"event_id": f"1004.1:ENTERQUEUE:{T + 61}", "ts": at(61), "type": "contact.offered",
     "contact_id": "1004.1", "channel": "voice", "queue": "policy_service",
     "customer_id": "13700000004"},
    {"event_id": f"1005.1:ENTERQUEUE:{T + 62}", "ts": at(62), "type": "contact.offered",
     "contact_id": "1005.1", "channel": "voice", "queue": "policy_service",
     "customer_id": "13700000005"},
    {"event_id": f"1006.1:ENTERQUEUE:{T + 63}", "ts": at(63), "type": "contact.offered",
     "contact_id": "1006.1", "channel": "voice", "queue": "complaints",
     "customer_id": "13700000006"},
    {"event_id": f"1006.1:EXITWITHKEY:{T + 70}", "ts": at(70), "type": "contact.abandoned",
     "contact_id": "1006.1"},
    {"event_id": f"1002.1:COMPLETECALLER:{T + 85}", "ts": at(85), "type": "contact.ended",
     "contact_id": "1002.1", "agent_id": "Agent/2001", "disposition": "completed"},
    {"event_id": f"1002.1:COMPLETECALLER:{T + 85}:wrapup", "ts": at(85),
     "type": "contact.wrapup_ended", "contact_id": "1002.1", "agent_id": "Agent/2001"},
    {"event_id": f"1001.1:COMPLETEAGENT:{T + 138}", "ts": at(138), "type": "contact.ended",
     "contact_id": "1001.1", "agent_id": "Agent/1001", "disposition": "completed"},
    {"event_id": f"1001.1:COMPLETEAGENT:{T + 138}:wrapup", "ts": at(138),
     "type": "contact.wrapup_ended", "contact_id": "1001.1", "agent_id": "Agent/1001"},
    {"event_id": f"1007.1:ENTERQUEUE:{T + 140}", "ts": at(140), "type": "contact.offered",
     "contact_id": "1007.1", "channel": "voice", "queue": "claims_report",
     "customer_id": "13600000007"},
    {"event_id": f"1007.1:CONNECT:{T + 150}", "ts": at(150), "type": "contact.answered",
     "contact_id": "1007.1", "agent_id": "Agent/1001"},
    {"event_id": f"1007.1:TRANSFER:{T + 200}", "ts": at(200), "type": "contact.ended",
     "contact_id": "1007.1", "agent_id": "Agent/1001", "disposition": "transferred"},
    {"event_id": f"1007.1:TRANSFER:{T + 200}:wrapup", "ts": at(200), "type": "contact.wrapup_ended",
     "contact_id": "1007.1", "agent_id": "Agent/1001"},
    # The transferred call enters a second queue: a new contact, child of the first.
    {"event_id": f"1007.1:ENTERQUEUE:{T + 201}", "ts": at(201), "type": "contact.offered",
     "contact_id": "1007.1:2", "channel": "voice", "queue": "complaints",
     "customer_id": "13600000007", "parent_contact_id": "1007.1"},
    # A static member answers without ever logging in: logged in on the spot, in the
    # first team serving the queue (cd_complaints, chengdu).
    {"event_id": f"1007.1:CONNECT:{T + 210}:login", "ts": at(210), "type": "agent.login",
     "agent_id": "SIP/3001", "team": "cd_complaints", "site": "chengdu"},
    {"event_id": f"1007.1:CONNECT:{T + 210}", "ts": at(210), "type": "contact.answered",
     "contact_id": "1007.1:2", "agent_id": "SIP/3001"},
    {"event_id": f"1007.1:COMPLETEAGENT:{T + 250}", "ts": at(250), "type": "contact.ended",
     "contact_id": "1007.1:2", "agent_id": "SIP/3001", "disposition": "completed"},
    {"event_id": f"1007.1:COMPLETEAGENT:{T + 250}:wrapup", "ts": at(250),
     "type": "contact.wrapup_ended", "contact_id": "1007.1:2", "agent_id": "SIP/3001"},
    {"event_id": f"1004.1:EXITWITHTIMEOUT:{T + 361}", "ts": at(361), "type": "contact.abandoned",
     "contact_id": "1004.1"},
    {"event_id": f"1005.1:EXITEMPTY:{T + 362}", "ts": at(362), "type": "contact.abandoned",
     "contact_id": "1005.1"},
    # PAUSE reason "Lunch" is mapped (case-insensitively); the same pause in a second
    # queue changes nothing.
    {"event_id": f"Agent/1001:PAUSE:{T + 400}", "ts": at(400), "type": "agent.state",
     "agent_id": "Agent/1001", "state": "not_ready", "reason": "lunch"},
    {"event_id": f"Agent/1001:UNPAUSE:{T + 460}", "ts": at(460), "type": "agent.state",
     "agent_id": "Agent/1001", "state": "ready"},
    # An unknown reason becomes "other".
    {"event_id": f"Agent/1001:PAUSEALL:{T + 470}", "ts": at(470), "type": "agent.state",
     "agent_id": "Agent/1001", "state": "not_ready", "reason": "other"},
    {"event_id": f"Agent/1001:UNPAUSEALL:{T + 480}", "ts": at(480), "type": "agent.state",
     "agent_id": "Agent/1001", "state": "ready"},
    # Leaving the last queue logs the agent out.
    {"event_id": f"Agent/1001:REMOVEMEMBER:{T + 491}", "ts": at(491), "type": "agent.logout",
     "agent_id": "Agent/1001", "reason": "REMOVEMEMBER"},
    {"event_id": f"Agent/2001:AGENTLOGOFF:{T + 500}", "ts": at(500), "type": "agent.logout",
     "agent_id": "Agent/2001", "reason": "AGENTLOGOFF"},
    # The static member never leaves: the end of the log's local day logs it out.
    {"event_id": "SIP/3001:DAYEND:2026-03-02", "ts": "2026-03-03T00:00:00+08:00",
     "type": "agent.logout", "agent_id": "SIP/3001", "reason": "end of day"},
]  # fmt: skip


def convert(tmp_path: Path, config_file: Path, text: str) -> tuple[int, Path, Path]:
    source = tmp_path / "queue_log"
    source.write_text(text, encoding="utf-8")
    out, dead = tmp_path / "events.jsonl", tmp_path / "dead.jsonl"
    code = main(
        [
            "convert", "--from", "asterisk-queue-log", str(source), "--config", str(config_file),
            "--out", str(out), "--dead-letter", str(dead),
        ]
    )  # fmt: skip
    return code, out, dead


def test_every_queue_log_event_kind_maps_as_documented(tmp_path: Path, config_file: Path) -> None:
    code, out, dead = convert(tmp_path, config_file, QUEUE_LOG)

    assert code == 0
    assert read_jsonl(out) == EXPECTED_EVENTS
    assert read_jsonl(dead) == []


def test_converted_queue_log_validates_line_by_line(tmp_path: Path, config_file: Path) -> None:
    _, out, _ = convert(tmp_path, config_file, QUEUE_LOG)

    types = [parse_event(line).type for line in out.read_bytes().splitlines()]

    assert len(types) == len(EXPECTED_EVENTS)


def test_summary_counts_events_dead_letters_and_documented_skips(
    tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    convert(tmp_path, config_file, QUEUE_LOG)

    assert capsys.readouterr().err == (
        "convert: 34 events, 0 dead letters, skipped: ADDMEMBER (already logged in)=1, "
        "PAUSE (no change)=1, QUEUESTART=1, REMOVEMEMBER (still in other queues)=1, "
        "RINGNOANSWER=1\n"
    )


BAD_QUEUE_LOG = f"""\
not a queue_log line
abc|1.1|claims_report|NONE|ENTERQUEUE||1|1
{T + 1}|2.1|claims_report|NONE|FOOBAR|x
{T + 2}|3.1|claims_report|Agent/1001|CONNECT|4|3.2|1
{T + 3}|4.1|NONE|NONE|ENTERQUEUE||1|1
{T + 4}|5.1|claims_report|NONE|ENTERQUEUE||1|1
{T + 5}|5.1|claims_report|Agent/1001|COMPLETEAGENT|5|0|1
{T + 6}|5.1|claims_report|NONE|CONNECT|6|5.2|1
{T + 7}|NONE|claims_report|Agent/9009|REMOVEMEMBER|
{T + 8}|5.1|claims_report|NONE|ABANDON|1|1|4
{T + 9}|5.1|claims_report|NONE|ABANDON|1|1|5
{T + 10}|6.1|claims_report|NONE|ENTERQUEUE||1|1
{T + 11}|6.1|complaints|NONE|ENTERQUEUE||1|1
"""


def test_unmappable_lines_are_dead_lettered_with_reason_raw_and_line(
    tmp_path: Path, config_file: Path
) -> None:
    code, out, dead = convert(tmp_path, config_file, BAD_QUEUE_LOG)
    lines = BAD_QUEUE_LOG.splitlines()

    # 10 of 13 lines are dead letters: more than half, so the run fails.
    assert code == 1
    assert read_jsonl(dead) == [
        {"reason": "fields: expected epoch|callid|queue|agent|event[|data...], got 1",
         "raw": lines[0], "line": 1},
        {"reason": "epoch: not a Unix time or a datetime: 'abc'", "raw": lines[1], "line": 2},
        {"reason": "FOOBAR: unknown queue_log event", "raw": lines[2], "line": 3},
        {"reason": "CONNECT: call 3.1 has no ENTERQUEUE before this line",
         "raw": lines[3], "line": 4},
        {"reason": "ENTERQUEUE: queue missing", "raw": lines[4], "line": 5},
        {"reason": "COMPLETEAGENT: call 5.1 was not answered", "raw": lines[6], "line": 7},
        {"reason": "CONNECT: agent missing", "raw": lines[7], "line": 8},
        {"reason": "REMOVEMEMBER: agent Agent/9009 is not logged in", "raw": lines[8],
         "line": 9},
        {"reason": "ABANDON: call 5.1 already answered or abandoned", "raw": lines[10],
         "line": 11},
        {"reason": "ENTERQUEUE: call 6.1 entered 'complaints' while still in 'claims_report'",
         "raw": lines[12], "line": 13},
    ]  # fmt: skip
    assert [event["event_id"] for event in read_jsonl(out)] == [
        f"5.1:ENTERQUEUE:{T + 4}",
        f"5.1:ABANDON:{T + 8}",
        f"6.1:ENTERQUEUE:{T + 10}",
    ]


def test_tz_option_writes_timestamps_in_that_zone(tmp_path: Path, config_file: Path) -> None:
    source = tmp_path / "queue_log"
    source.write_text(f"{T + 1}|NONE|claims_report|Agent/1001|ADDMEMBER|\n", encoding="utf-8")
    out = tmp_path / "events.jsonl"

    code = main(
        ["convert", "--from", "asterisk-queue-log", str(source), "--config", str(config_file),
         "--tz", "UTC", "--out", str(out)]
    )  # fmt: skip

    assert code == 0
    # The login, and the logout at the end of the agent's local day (Asia/Shanghai).
    assert [event["ts"] for event in read_jsonl(out)] == [
        "2026-03-02T02:00:01+00:00",
        "2026-03-02T16:00:00+00:00",
    ]
