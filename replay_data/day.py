"""Generate one simulated contact-center horizon and write it as JSON Lines.

`generate_day` is deterministic: the same settings, agent count, hours, seed and start give
the same lines and labels. Each stage draws from its own `random.Random` derived from the
seed, so changing one stage does not reshuffle the others. Times are epoch seconds
internally and RFC 3339 in the configured zone in the output.
"""

from __future__ import annotations

import gzip
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from replay_data.agents import Agent, build_roster
from replay_data.anomalies import InjectionPlan, plan_injections
from replay_data.dirt import add_dirt
from replay_data.labels import Label, labels_to_bytes
from replay_data.simulator import DaySimulator
from replay_data.staffing import ArrivalPlan, plan_arrivals
from schemas.config import Settings

ROLLING_15M_S = 900  # the rolling window of sl_breach and abandon_spike


@dataclass(frozen=True)
class GeneratedDay:
    lines: list[bytes]  # arrival order, no newline
    labels: list[Label]
    roster: list[Agent]
    plan: ArrivalPlan
    injections: InjectionPlan


def _horizon(start: datetime, hours: float) -> tuple[int, int]:
    """[begin, end) of the simulated horizon, epoch seconds."""
    begin = int(start.timestamp())
    return begin, begin + round(hours * 3600)


def plan_day(
    settings: Settings, agents: int, hours: float, seed: int, start: datetime
) -> tuple[list[Agent], ArrivalPlan]:
    """The roster and arrival plan `generate_day` uses for the same arguments, without
    simulating (a fraction of a second); `start` is timezone-aware."""
    begin, end = _horizon(start, hours)
    roster = build_roster(settings, agents, begin, end, random.Random(f"{seed}:roster"))
    return roster, plan_arrivals(settings, roster, begin, end)


def generate_day(
    settings: Settings, agents: int, hours: float, seed: int, start: datetime
) -> GeneratedDay:
    """Simulate `hours` from `start` (timezone-aware) with `agents` agents."""
    if start.tzinfo is None:
        msg = "start must carry a UTC offset"
        raise ValueError(msg)
    begin, end = _horizon(start, hours)

    def stream(stage: str) -> random.Random:
        return random.Random(f"{seed}:{stage}")

    roster, plan = plan_day(settings, agents, hours, seed, start)
    injections = plan_injections(
        settings=settings, roster=roster, models=plan.models, start=begin, end=end,
        rng=stream("inject"),
    )
    simulated = DaySimulator(
        settings=settings, roster=roster, plan=plan, injections=injections, start=begin,
        end=end, rng=stream("simulate"),
    ).run()
    lines, dirt_labels = add_dirt(simulated.events, settings.zone, stream("dirt"))
    burst_labels: list[Label] = []
    if injections.burst is not None:
        burst = injections.burst
        for kind in ("sl_breach", "wait_breach", "abandon_spike"):
            burst_labels.append(
                {
                    "kind": kind,
                    "subject": f"queue:{burst.queue}",
                    "at": datetime.fromtimestamp(burst.start, tz=settings.zone).isoformat(),
                    "cause": "overload_burst",
                    "window_start": datetime.fromtimestamp(
                        burst.start, tz=settings.zone
                    ).isoformat(),
                    "window_end": datetime.fromtimestamp(burst.end, tz=settings.zone).isoformat(),
                    # Rolling-15-min KPIs stay bad until the burst leaves the window.
                    "raised_by": datetime.fromtimestamp(
                        burst.end + ROLLING_15M_S, tz=settings.zone
                    ).isoformat(),
                    "multiplier": burst.multiplier,
                    "expected_kinds": ["abandon_spike", "sl_breach", "wait_breach"],
                }
            )
    return GeneratedDay(
        lines=lines,
        labels=simulated.labels + burst_labels + dirt_labels,
        roster=roster,
        plan=plan,
        injections=injections,
    )


def events_bytes(day: GeneratedDay) -> bytes:
    return b"".join(line + b"\n" for line in day.lines)


def default_labels_path(out: Path) -> Path:
    """`day.jsonl.gz` → `day.labels.jsonl`; `day.jsonl` → `day.labels.jsonl`."""
    name = out.name
    for suffix in (".gz", ".jsonl"):
        name = name.removesuffix(suffix)
    return out.with_name(f"{name}.labels.jsonl")


def write_day(day: GeneratedDay, out: Path, labels: Path) -> None:
    """Write the events (gzip when `out` ends in .gz, with mtime 0) and the labels."""
    data = events_bytes(day)
    if out.suffix == ".gz":
        data = gzip.compress(data, compresslevel=9, mtime=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    labels.parent.mkdir(parents=True, exist_ok=True)
    labels.write_bytes(labels_to_bytes(day.labels))
