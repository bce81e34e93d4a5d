"""Helpers shared by the adapter tests: importer sections and reading JSON Lines."""

from __future__ import annotations

from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CONFIG = REPO / "replay_data" / "sample_config.toml"

ASTERISK_IMPORTER = """
[importers.asterisk]
default_team = "cd_complaints"
agents = { "Agent/1001" = "bj_claims_a" }
pause_reasons = { "Lunch" = "lunch", "Toilet" = "break" }
"""

CDR_IMPORTER = """
[importers.cdr]
timezone = "Asia/Shanghai"
datetime_formats = ["%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]

[importers.cdr.columns]
contact_id = "call_uuid"
arrival = "queued_at"
answer = "answered_at"
end = "ended_at"
wrapup_end = "acw_done_at"
outcome = "result"
agent = "agent"
queue = "skill"
channel = "media"
customer = "caller"
hold_s = "hold_seconds"

[importers.cdr.outcomes]
ANSWERED = "answered"
XFER = "transferred"
"NO ANSWER" = "abandoned"
IVR = "self_served"
TEST = "skip"
"""


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
