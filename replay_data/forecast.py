"""The simulator's arrival plan written as a forecast file (`[staffing] forecast`).

The plan (`staffing.ArrivalPlan`) knows the expected first-time contacts per queue per
15-min slot; summed per configured local interval (`interval_min`, time zone of the
settings, default Asia/Shanghai) it is the forecast a perfect planner would have made for
the simulated day, without the injected overload burst and without transfers between
queues (a few per cent of a queue's volume). The frame has the columns of
`wallboard forecast` (`pipeline.staffing.forecast`), so the dashboard and the live
`volume_spike` rule read it like any other forecast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from pipeline.staffing.forecast import forecast_schema
from replay_data.day import plan_day
from replay_data.staffing import ArrivalPlan
from schemas.config import Settings


@dataclass(frozen=True)
class DayArguments:
    """What `wallboard simulate` was given for a day."""

    agents: int
    hours: float
    seed: int
    start: datetime


# The shipped sample day (`make sample`; keep in step with the Makefile).
SAMPLE_DAY = DayArguments(
    agents=300,
    hours=24,
    seed=20260302,
    start=datetime(2026, 3, 2, tzinfo=ZoneInfo("Asia/Shanghai")),
)


def plan_forecast(plan: ArrivalPlan, settings: Settings) -> pl.DataFrame:
    """Expected offered contacts per queue per local interval, as a forecast frame:
    queue, date (local), interval_start (tz-aware, the configured zone), offered
    (contacts), aht_s (the queue model's mean handle time, seconds), level,
    special_factor and intraday_factor (all 1.0); sorted by queue and interval_start."""
    zone = settings.zone
    rows: dict[tuple[str, int], float] = {}
    for queue, expected in sorted(plan.expected_offered.items()):
        for slot, contacts in zip(plan.slot_starts, expected, strict=True):
            local = datetime.fromtimestamp(slot, tz=zone)
            aligned = local.replace(
                minute=local.minute - local.minute % settings.interval_min, second=0
            )
            key = (queue, int(aligned.timestamp()))
            rows[key] = rows.get(key, 0.0) + contacts
    return pl.DataFrame(
        {
            "queue": [q for q, _ in rows],
            "date": [datetime.fromtimestamp(s, tz=zone).date() for _, s in rows],
            "interval_start": [datetime.fromtimestamp(s, tz=zone) for _, s in rows],
            "offered": list(rows.values()),
            "aht_s": [plan.models[q].handle_mean_s for q, _ in rows],
            "level": [1.0] * len(rows),
            "special_factor": [1.0] * len(rows),
            "intraday_factor": [1.0] * len(rows),
        },
        schema=forecast_schema(settings),
    ).sort("queue", "interval_start")


def day_forecast(settings: Settings, day: DayArguments) -> pl.DataFrame:
    """The plan forecast of the day `wallboard simulate` makes from `day` (no simulation)."""
    _roster, plan = plan_day(settings, day.agents, day.hours, day.seed, day.start)
    return plan_forecast(plan, settings)


def write_forecast(frame: pl.DataFrame, path: Path) -> None:
    """Write a forecast frame as `.csv` or (any other suffix) Parquet, like `wallboard
    forecast --out`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
