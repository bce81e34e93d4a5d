"""Required vs scheduled vs staffed agents per queue per interval (clause 7.3).

`staffing_plan` turns a forecast (see `pipeline.staffing.forecast`) into, per queue and
interval (tz-aware `interval_start`, configured zone, default Asia/Shanghai):
    offered (forecast contacts), aht_s (seconds),
    required_erlang_c, required_erlang_a (null without a patience for the queue),
    required (Erlang A when a patience is configured, else Erlang C; agents on the phone),
    required_with_shrinkage (agents to schedule: ceil(required / (1 − shrinkage))),
    scheduled (on-phone FTE from the roster: planned breaks already removed, 0 without one),
    gap (scheduled − required; negative = understaffed).
Each queue's goal is its `sl_target` within `sl_threshold_s`; shrinkage, maximum occupancy,
patience and chat concurrency come from `[staffing]` (see `schemas.staffing`).
`add_staffed` adds what the wallboard sees now: staffed (logged in) and available (ready,
busy or in after-call work) agents of the teams serving the queue, for the interval that
contains the snapshot's `now`, and their gap to `required`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff
from pipeline.staffing.roster import Roster, scheduled_per_interval
from schemas.config import Settings
from schemas.snapshot import Snapshot
from schemas.timefmt import parse_ts

_PLAN_SCHEMA: dict[str, Any] = {
    "required_erlang_c": pl.Int64,
    "required_erlang_a": pl.Int64,
    "required": pl.Int64,
    "required_with_shrinkage": pl.Int64,
}


def _requirements(
    queue: str, offered: float | None, aht_s: float | None, interval_s: float, settings: Settings
) -> dict[str, int | None]:
    if offered is None or aht_s is None or aht_s <= 0:
        return dict.fromkeys(_PLAN_SCHEMA)
    rules = settings.queue_rules(queue)
    staffing = settings.staffing.queue_staffing(queue, rules.channel)
    workload = Workload(
        contacts=max(0.0, offered),
        interval_s=interval_s,
        aht_s=aht_s,
        concurrency=staffing.concurrency or 1.0,
    )
    goal = ServiceGoal(
        target=rules.sl_target,
        answer_within_s=rules.sl_threshold_s,
        max_occupancy=staffing.max_occupancy or 1.0,
        shrinkage=staffing.shrinkage or 0.0,
    )
    erlang_c = required_staff(workload, goal)
    erlang_a = (
        None
        if staffing.patience_s is None
        else required_staff(workload, goal, patience_s=staffing.patience_s)
    )
    chosen = erlang_a or erlang_c
    return {
        "required_erlang_c": erlang_c.agents,
        "required_erlang_a": None if erlang_a is None else erlang_a.agents,
        "required": chosen.agents,
        "required_with_shrinkage": chosen.agents_with_shrinkage,
    }


def staffing_plan(
    forecast: pl.DataFrame,
    settings: Settings,
    roster: Roster | None = None,
    interval_min: int | None = None,
) -> pl.DataFrame:
    """The plan frame of the module docstring, one row per forecast row, sorted."""
    minutes = interval_min or settings.interval_min
    interval_s = minutes * 60.0
    cache: dict[tuple[str, float | None, float | None], dict[str, int | None]] = {}
    rows = []
    for queue, offered, aht_s in forecast.select("queue", "offered", "aht_s").iter_rows():
        key = (queue, offered, aht_s)
        if key not in cache:
            cache[key] = _requirements(queue, offered, aht_s, interval_s, settings)
        rows.append(cache[key])
    required = pl.DataFrame(rows, schema=_PLAN_SCHEMA)
    plan = pl.concat(
        [forecast.select("queue", "interval_start", "offered", "aht_s"), required],
        how="horizontal",
    ).with_columns(pl.col("interval_start").dt.convert_time_zone(settings.timezone))
    if roster is not None:
        scheduled = scheduled_per_interval(roster, settings, minutes)
        plan = plan.join(scheduled, on=["queue", "interval_start"], how="left")
    else:
        plan = plan.with_columns(pl.lit(None, dtype=pl.Float64).alias("scheduled"))
    return (
        plan.with_columns(pl.col("scheduled").fill_null(0.0))
        .with_columns((pl.col("scheduled") - pl.col("required")).alias("gap"))
        .sort("queue", "interval_start")
    )


def add_staffed(
    plan: pl.DataFrame, snapshot: Snapshot | Mapping[str, Any], settings: Settings
) -> pl.DataFrame:
    """Add `staffed`, `available` and `staffed_gap` (available − required) from a snapshot.

    Only the interval containing the snapshot's `now` gets values (null elsewhere): the
    snapshot's `agents_now` counts are a moment, not an interval average.
    """
    model = snapshot if isinstance(snapshot, Snapshot) else Snapshot.model_validate(snapshot)
    now = parse_ts(model.now)
    interval = pl.duration(minutes=settings.interval_min)
    counts = pl.DataFrame(
        [
            {
                "queue": queue,
                "staffed": entry.agents_now.staffed,
                "available": entry.agents_now.staffed - entry.agents_now.not_ready,
            }
            for queue, entry in sorted(model.queues.items())
        ],
        schema={"queue": pl.String, "staffed": pl.Int64, "available": pl.Int64},
    )
    moment = pl.lit(now).dt.convert_time_zone(settings.timezone)
    start = pl.col("interval_start").dt.convert_time_zone(settings.timezone)
    current = (start <= moment) & (moment < start + interval)
    joined = plan.join(counts, on="queue", how="left")
    return joined.with_columns(
        pl.when(current).then(pl.col("staffed")).otherwise(None).alias("staffed"),
        pl.when(current).then(pl.col("available")).otherwise(None).alias("available"),
    ).with_columns((pl.col("available") - pl.col("required")).alias("staffed_gap"))
