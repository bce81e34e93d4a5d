"""queue_log as real PBXs write it (issue #15 item 4): interfaces vs member names, MANAGER
lines of several agents, NUL padding, a transfer without CONNECT, PBXware's outbound
calls, agents logged out at the end of their day; and both engines agree on the result."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.compare import snapshot_differences
from pipeline.reference import reference_snapshots
from pipeline.runner import engine_snapshot, stream_snapshot
from schemas.config import load_settings
from tests.adapters.helpers import SAMPLE_CONFIG, read_jsonl
from tests.adapters.test_asterisk import T, at

IMPORTER = """
[importers.asterisk]
default_team = "cd_complaints"
members = { "SIP/1001" = "Sathish" }
agents = { "Sathish" = "cd_service_b" }
"""

# An Issabel/FreePBX morning: members added over AMI (callid MANAGER) by interface, call
# lines naming the member; a line left NUL-padded by a crash; an Asterisk 20 blind
# transfer with no CONNECT before it; a PBXware outbound call.
NUL = "\x00"
ISSABEL_LOG = f"""\
{T + 0}|NONE|NONE|NONE|QUEUESTART|
{T + 1}|MANAGER|policy_service|SIP/1001|ADDMEMBER|
{T + 1}|MANAGER|policy_service|Local/1127@from-queue/n|ADDMEMBER|
{T + 2}|MANAGER|policy_service|PJSIP/2001|ADDMEMBER|Priya
{T + 20}|1772416820.31|policy_service|NONE|ENTERQUEUE||13800000001|1
{T + 26}|1772416820.31|policy_service|Sathish|RINGNOANSWER|6000
{T + 30}|1772416820.31|policy_service|Agent/1127|CONNECT|10|1772416826.33|4
{T + 95}|1772416820.31|policy_service|Agent/1127|COMPLETECALLER|10|65|1
{T + 100}|1772416900.40|policy_service|NONE|ENTERQUEUE||13900000002|1
{T + 104}|1772416900.40|policy_service|Sathish|CONNECT|4|1772416900.41|3
{T + 160}|1772416900.40|policy_service|Sathish|COMPLETEAGENT|4|56|1
{NUL * 6}{T + 170}|1772416970.44|policy_service|NONE|ENTERQUEUE||13700000003|1
{NUL * 12}
{T + 175}|1772416970.44|policy_service|Priya|BLINDTRANSFER|8001|from-internal|5|0|1
{T + 200}|NONE|policy_service|Sathish|PAUSE|Lunch
{T + 260}|NONE|policy_service|Sathish|UNPAUSE|
{T + 300}|1772417100.50|NONE|Agent/1127|OUTDIAL|013800138000
{T + 310}|1772417100.50|NONE|Agent/1127|OUTANSWER|013800138000
{T + 400}|1772417100.50|NONE|Agent/1127|OUTCOMPLETE|013800138000|90
{T + 500}|MANAGER|policy_service|SIP/1001|REMOVEMEMBER|
{T + 500}|MANAGER|policy_service|PJSIP/2001|REMOVEMEMBER|
"""
LOCAL = "Local/1127@from-queue/n"

EXPECTED = [
    # Two MANAGER lines in one second, two agents: two logins with their own ids.
    {"event_id": f"Sathish:ADDMEMBER:{T + 1}", "ts": at(1), "type": "agent.login",
     "agent_id": "Sathish", "team": "cd_service_b", "site": "chengdu"},
    {"event_id": f"{LOCAL}:ADDMEMBER:{T + 1}", "ts": at(1), "type": "agent.login",
     "agent_id": LOCAL, "team": "cd_service_a", "site": "chengdu"},
    # ADDMEMBER's data field names the member: PJSIP/2001 is Priya.
    {"event_id": f"Priya:ADDMEMBER:{T + 2}", "ts": at(2), "type": "agent.login",
     "agent_id": "Priya", "team": "cd_service_a", "site": "chengdu"},
    {"event_id": f"1772416820.31:ENTERQUEUE:{T + 20}", "ts": at(20),
     "type": "contact.offered", "contact_id": "1772416820.31", "channel": "voice",
     "queue": "policy_service", "customer_id": "13800000001"},
    # Agent/1127 on the CONNECT line is the member added as Local/1127@from-queue/n.
    {"event_id": f"1772416820.31:CONNECT:{T + 30}", "ts": at(30), "type": "contact.answered",
     "contact_id": "1772416820.31", "agent_id": LOCAL},
    {"event_id": f"1772416820.31:COMPLETECALLER:{T + 95}", "ts": at(95),
     "type": "contact.ended", "contact_id": "1772416820.31", "agent_id": LOCAL,
     "disposition": "completed"},
    {"event_id": f"1772416820.31:COMPLETECALLER:{T + 95}:wrapup", "ts": at(95),
     "type": "contact.wrapup_ended", "contact_id": "1772416820.31", "agent_id": LOCAL},
    {"event_id": f"1772416900.40:ENTERQUEUE:{T + 100}", "ts": at(100),
     "type": "contact.offered", "contact_id": "1772416900.40", "channel": "voice",
     "queue": "policy_service", "customer_id": "13900000002"},
    # Sathish is SIP/1001 (configured): no second, phantom agent.
    {"event_id": f"1772416900.40:CONNECT:{T + 104}", "ts": at(104),
     "type": "contact.answered", "contact_id": "1772416900.40", "agent_id": "Sathish"},
    {"event_id": f"1772416900.40:COMPLETEAGENT:{T + 160}", "ts": at(160),
     "type": "contact.ended", "contact_id": "1772416900.40", "agent_id": "Sathish",
     "disposition": "completed"},
    {"event_id": f"1772416900.40:COMPLETEAGENT:{T + 160}:wrapup", "ts": at(160),
     "type": "contact.wrapup_ended", "contact_id": "1772416900.40", "agent_id": "Sathish"},
    # The NUL-padded line, read.
    {"event_id": f"1772416970.44:ENTERQUEUE:{T + 170}", "ts": at(170),
     "type": "contact.offered", "contact_id": "1772416970.44", "channel": "voice",
     "queue": "policy_service", "customer_id": "13700000003"},
    # A blind transfer with no CONNECT: answered at the transfer, then ended.
    {"event_id": f"1772416970.44:BLINDTRANSFER:{T + 175}:answer", "ts": at(175),
     "type": "contact.answered", "contact_id": "1772416970.44", "agent_id": "Priya"},
    {"event_id": f"1772416970.44:BLINDTRANSFER:{T + 175}", "ts": at(175),
     "type": "contact.ended", "contact_id": "1772416970.44", "agent_id": "Priya",
     "disposition": "transferred"},
    {"event_id": f"1772416970.44:BLINDTRANSFER:{T + 175}:wrapup", "ts": at(175),
     "type": "contact.wrapup_ended", "contact_id": "1772416970.44", "agent_id": "Priya"},
    {"event_id": f"Sathish:PAUSE:{T + 200}", "ts": at(200), "type": "agent.state",
     "agent_id": "Sathish", "state": "not_ready", "reason": "lunch"},
    {"event_id": f"Sathish:UNPAUSE:{T + 260}", "ts": at(260), "type": "agent.state",
     "agent_id": "Sathish", "state": "ready"},
    # PBXware's outbound call: not ready (outbound) from the dial to the end, no contact;
    # the engines count that state as busy time (kpi-semantics §4).
    {"event_id": f"1772417100.50:OUTDIAL:{T + 300}", "ts": at(300), "type": "agent.state",
     "agent_id": LOCAL, "state": "not_ready", "reason": "outbound"},
    {"event_id": f"1772417100.50:OUTCOMPLETE:{T + 400}", "ts": at(400), "type": "agent.state",
     "agent_id": LOCAL, "state": "ready"},
    {"event_id": f"Sathish:REMOVEMEMBER:{T + 500}", "ts": at(500), "type": "agent.logout",
     "agent_id": "Sathish", "reason": "REMOVEMEMBER"},
    {"event_id": f"Priya:REMOVEMEMBER:{T + 500}", "ts": at(500), "type": "agent.logout",
     "agent_id": "Priya", "reason": "REMOVEMEMBER"},
    # Never removed: logged out at the end of its local day.
    {"event_id": f"{LOCAL}:DAYEND:2026-03-02", "ts": "2026-03-03T00:00:00+08:00",
     "type": "agent.logout", "agent_id": LOCAL, "reason": "end of day"},
]  # fmt: skip


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(SAMPLE_CONFIG.read_text(encoding="utf-8") + IMPORTER, encoding="utf-8")
    return path


def convert(folder: Path, config: Path, text: str, name: str = "queue_log") -> tuple[int, Path]:
    source = folder / name
    source.write_text(text, encoding="utf-8")
    out, dead = folder / f"{name}.jsonl", folder / f"{name}.dead.jsonl"
    code = main(
        ["convert", "--from", "asterisk-queue-log", str(source), "--config", str(config),
         "--out", str(out), "--dead-letter", str(dead)]
    )  # fmt: skip
    assert read_jsonl(dead) == []
    return code, out


def test_real_issabel_log_maps_members_interfaces_nul_lines_transfers_and_outbound(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = convert(tmp_path, config, ISSABEL_LOG)

    assert code == 0
    assert read_jsonl(out) == EXPECTED
    assert capsys.readouterr().err == (
        "convert: 22 events, 0 dead letters, skipped: NUL padding=1, "
        "OUTANSWER (no change)=1, QUEUESTART=1, RINGNOANSWER=1\n"
    )


def test_event_ids_are_unique_and_the_same_when_the_file_is_read_again(
    tmp_path: Path, config: Path
) -> None:
    first_dir, second_dir = tmp_path / "a", tmp_path / "b"
    first_dir.mkdir()
    second_dir.mkdir()
    # Two lines of one agent with the same event in the same second: two ids.
    text = ISSABEL_LOG + (
        f"{T + 600}|MANAGER|policy_service|SIP/1001|ADDMEMBER|\n"
        f"{T + 600}|NONE|policy_service|Sathish|PAUSE|Lunch\n"
        f"{T + 600}|NONE|policy_service|Sathish|PAUSE|Break\n"
    )

    _, first = convert(first_dir, config, text)
    _, second = convert(second_dir, config, text)

    ids = [event["event_id"] for event in read_jsonl(first)]
    assert len(ids) == len(set(ids)) == 26
    assert ids == [event["event_id"] for event in read_jsonl(second)]
    assert ids[-5:] == [
        f"Sathish:ADDMEMBER:{T + 600}",
        f"Sathish:PAUSE:{T + 600}",
        f"Sathish:PAUSE:{T + 600}:2",
        f"{LOCAL}:DAYEND:2026-03-02",
        "Sathish:DAYEND:2026-03-02",
    ]


D1_2350 = T + 13 * 3600 + 50 * 60  # 2026-03-02 23:50 +08:00
OVER_MIDNIGHT = f"""\
{D1_2350}|MANAGER|policy_service|SIP/1001|ADDMEMBER|
{D1_2350 + 60}|MANAGER|policy_service|SIP/1002|ADDMEMBER|
{D1_2350 + 300}|c1|policy_service|NONE|ENTERQUEUE||13800000001|1
{D1_2350 + 360}|c1|policy_service|SIP/1002|CONNECT|60|c1.2|3
{D1_2350 + 900}|c1|policy_service|SIP/1002|COMPLETEAGENT|60|540|1
{D1_2350 + 8 * 3600 + 600}|MANAGER|policy_service|SIP/1001|ADDMEMBER|
"""


def test_agents_are_logged_out_at_the_end_of_their_day_or_after_their_last_call(
    tmp_path: Path, config: Path
) -> None:
    _, out = convert(tmp_path, config, OVER_MIDNIGHT)

    assert [(e["type"], e["agent_id"] if "agent_id" in e else "", e["ts"])
            for e in read_jsonl(out)] == [
        ("agent.login", "Sathish", "2026-03-02T23:50:00+08:00"),
        ("agent.login", "SIP/1002", "2026-03-02T23:51:00+08:00"),
        ("contact.offered", "", "2026-03-02T23:55:00+08:00"),
        ("contact.answered", "SIP/1002", "2026-03-02T23:56:00+08:00"),
        # Midnight: the idle agent leaves; the one on a call leaves when it ends.
        ("agent.logout", "Sathish", "2026-03-03T00:00:00+08:00"),
        ("contact.ended", "SIP/1002", "2026-03-03T00:05:00+08:00"),
        ("contact.wrapup_ended", "SIP/1002", "2026-03-03T00:05:00+08:00"),
        ("agent.logout", "SIP/1002", "2026-03-03T00:05:00+08:00"),
        ("agent.login", "Sathish", "2026-03-03T08:00:00+08:00"),
        ("agent.logout", "Sathish", "2026-03-04T00:00:00+08:00"),
    ]  # fmt: skip


def test_a_log_ending_mid_call_still_logs_its_agent_out_at_the_end_of_the_day(
    tmp_path: Path, config: Path
) -> None:
    text = OVER_MIDNIGHT.splitlines(keepends=True)
    _, out = convert(tmp_path, config, "".join(text[:4]))

    assert [(e["type"], e["ts"]) for e in read_jsonl(out)][-2:] == [
        ("agent.logout", "2026-03-03T00:00:00+08:00"),
        ("agent.logout", "2026-03-03T00:00:00+08:00"),
    ]


def test_both_engines_agree_on_the_converted_log_and_see_only_real_agents(
    tmp_path: Path, config: Path
) -> None:
    _, out = convert(tmp_path, config, ISSABEL_LOG + OVER_MIDNIGHT)
    lines = out.read_bytes().splitlines()
    settings = load_settings(config)
    instants = [datetime.fromisoformat(f"2026-03-02T{clock}+08:00")
                for clock in ("10:02:00", "10:06:00", "10:30:00", "23:58:00")]  # fmt: skip

    references = reference_snapshots(lines, instants, settings)

    for instant, reference in zip(instants, references, strict=True):
        assert snapshot_differences(engine_snapshot(lines, instant, settings), reference) == []
        # The real Bytewax dataflow over the converted file, too.
        assert snapshot_differences(stream_snapshot(out, instant, settings), reference) == []
    at_1002, at_1006, at_1030, _ = references
    # Three people staffed (not five): CONNECT and PAUSE lines logged nobody else in.
    assert sorted(at_1002["agents"]) == sorted(["Sathish", LOCAL, "Priya"])
    assert at_1002["agents"][LOCAL]["state"] == "ready"
    # On the outbound call (10:05:00-10:06:40): busy, not away.
    local_1006 = at_1006["agents"][LOCAL]
    assert (local_1006["state"], local_1006["state_since"], local_1006["reason"]) == (
        "busy", "2026-03-02T10:05:00+08:00", None)
    # The outbound call is 100 s of busy time and no queue contact: logged in 10:00:01 to
    # 10:30:00 = 1799 s; busy 65 s (the CONNECT at 10:00:30 to its end at 10:01:35) + 100 s
    # outbound = 165 s; ready 1799 - 165 = 1634 s; one handled contact of 65 s.
    local_day = at_1030["agents"][LOCAL]["day"]
    assert local_day["logged_in_s"] == 1799.0
    assert local_day["busy_s"] == 165.0
    assert local_day["ready_s"] == 1634.0
    assert (local_day["acw_s"], local_day["not_ready_s"]) == (0.0, 0.0)
    assert local_day["not_ready_by_reason_s"] == {}
    assert local_day["occupancy"] == pytest.approx(165 / 1799, abs=1e-12)
    assert local_day["utilization"] == 1.0
    assert (local_day["handled"], local_day["aht_s"]) == (1, 65.0)
    assert at_1030["queues"]["policy_service"]["day"]["offered"] == 3
    assert at_1030["queues"]["policy_service"]["day"]["answered"] == 3
    assert at_1030["queues"]["policy_service"]["day"]["in_queue"] == 0
    assert at_1030["queues"]["policy_service"]["day"]["transferred"] == 1


# An Asterisk realtime `queue_log` table exported with `|`: datetimes in the PBX's local
# time, data1..data5 always present, members logged by name (log_membername_as_agent).
REALTIME_EXPORT = """\
2026-03-02 10:00:01.204518|REALTIME|policy_service|Sathish|ADDMEMBER|||||
2026-03-02 10:00:20.883012|1772416820.31|policy_service|NONE|ENTERQUEUE||13800000001|1||
2026-03-02 10:00:30.101230|1772416820.31|policy_service|Sathish|CONNECT|10|1772416826.33|4||
2026-03-02 10:01:35|1772416820.31|policy_service|Sathish|COMPLETEAGENT|10|65|1||
2026-03-02 10:05:00|REALTIME|policy_service|Sathish|REMOVEMEMBER|||||
"""


def test_realtime_table_export_with_datetimes_is_read_in_the_pbx_zone(
    tmp_path: Path, config: Path
) -> None:
    _, out = convert(tmp_path, config, REALTIME_EXPORT)

    assert [(e["event_id"], e["type"], e["ts"]) for e in read_jsonl(out)] == [
        ("Sathish:ADDMEMBER:2026-03-02 10:00:01.204518", "agent.login",
         "2026-03-02T10:00:01.204518+08:00"),
        ("1772416820.31:ENTERQUEUE:2026-03-02 10:00:20.883012", "contact.offered",
         "2026-03-02T10:00:20.883012+08:00"),
        ("1772416820.31:CONNECT:2026-03-02 10:00:30.101230", "contact.answered",
         "2026-03-02T10:00:30.101230+08:00"),
        ("1772416820.31:COMPLETEAGENT:2026-03-02 10:01:35", "contact.ended",
         "2026-03-02T10:01:35+08:00"),
        ("1772416820.31:COMPLETEAGENT:2026-03-02 10:01:35:wrapup", "contact.wrapup_ended",
         "2026-03-02T10:01:35+08:00"),
        ("Sathish:REMOVEMEMBER:2026-03-02 10:05:00", "agent.logout",
         "2026-03-02T10:05:00+08:00"),
    ]  # fmt: skip


def test_a_member_name_that_cannot_be_matched_to_its_interface_is_pointed_out(
    tmp_path: Path, config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without `members`, nothing in the log says that SIP/1002 is "Wang".
    text = (
        f"{T + 1}|MANAGER|policy_service|SIP/1002|ADDMEMBER|\n"
        f"{T + 20}|1772416820.31|policy_service|NONE|ENTERQUEUE||13800000001|1\n"
        f"{T + 30}|1772416820.31|policy_service|Wang|CONNECT|10|1772416826.33|4\n"
    )

    convert(tmp_path, config_file, text)

    assert capsys.readouterr().err.startswith(
        "convert: note: line 3: 'Wang' was logged in automatically while SIP/1002 (in "
        "'policy_service' by interface) never appeared on a call line; if they are the "
        "same person, map the interface to the member name in [importers.asterisk] members\n"
    )
