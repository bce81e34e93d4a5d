"""The simulated roster written as a `[staffing] roster` file (`pipeline.staffing.roster`).

One shift per agent, exactly the (horizon-clipped) shift its logins carry, with its planned
breaks; lunch is unpaid, every other break paid. Times are RFC 3339 in the configured zone.
`.json` gives `{"shifts": [...]}`, `.csv` the CSV columns of the roster module.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from replay_data.agents import Agent


def roster_shifts(agents: list[Agent], zone: ZoneInfo) -> list[dict[str, Any]]:
    """The roster's shifts as JSON-ready dicts, in agent order."""

    def local(epoch: int) -> str:
        return datetime.fromtimestamp(epoch, tz=zone).isoformat()

    return [
        {
            "agent_id": agent.agent_id,
            "team": agent.team,
            "queues": list(agent.queues),
            "shift_start": local(agent.shift_start),
            "shift_end": local(agent.shift_end),
            "breaks": [
                {
                    "start": local(planned.start),
                    "end": local(planned.start + planned.duration_s),
                    "reason": planned.reason,
                    "paid": planned.reason != "lunch",
                }
                for planned in agent.breaks
            ],
        }
        for agent in agents
    ]


def roster_bytes(agents: list[Agent], zone: ZoneInfo, suffix: str) -> bytes:
    """The roster file's content for a `.json` or `.csv` file name suffix."""
    shifts = roster_shifts(agents, zone)
    if suffix == ".json":
        return orjson.dumps({"shifts": shifts}, option=orjson.OPT_INDENT_2) + b"\n"
    if suffix == ".csv":
        out = io.StringIO()
        columns = ("agent_id", "team", "queues", "shift_start", "shift_end", "breaks")
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for shift in shifts:
            breaks = ";".join(
                f"{b['start']}/{b['end']}/{b['reason']}/{'paid' if b['paid'] else 'unpaid'}"
                for b in shift["breaks"]
            )
            writer.writerow({**shift, "queues": ";".join(shift["queues"]), "breaks": breaks})
        return out.getvalue().encode()
    msg = f"roster file must end in .json or .csv, not {suffix or 'nothing'}"
    raise ValueError(msg)


def write_roster(agents: list[Agent], path: Path, zone: ZoneInfo) -> None:
    """Write the roster to `path` (`.json` or `.csv`)."""
    data = roster_bytes(agents, zone, path.suffix.lower())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
