"""Hand-computed volume_spike event logs, shared by the engine and the reference tests.

Times are seconds after T0 = 09:00:00 local (2026-03-02, Asia/Shanghai); intervals are
15 min (900 s). Rule defaults: factor 1.5, min contacts 10, min elapsed 300 s, so a
forecast of 20 gives the threshold 30 contacts per interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
import polars as pl

from schemas.config import QueueDefaults, Settings
from schemas.staffing import StaffingSettings
from tests.engine.helpers import T0, T0_LOCAL, at, sample_settings

QUEUE = "claims_report"


@dataclass
class Case:
    """Offers (seconds after T0, queue) in arrival order and the forecast (queue, interval
    start in seconds after T0) → contacts."""

    offers: list[tuple[float, str]]
    forecast: dict[tuple[str, int], float] = field(default_factory=dict)

    def lines(self) -> list[bytes]:
        return [
            orjson.dumps(
                {
                    "event_id": f"o{i}",
                    "ts": at(t),
                    "type": "contact.offered",
                    "contact_id": f"c{i}",
                    "queue": queue,
                    "channel": "voice",
                }
            )
            for i, (t, queue) in enumerate(self.offers)
        ]

    def settings(self, directory: Path) -> Settings:
        """The sample configuration with the rule defaults and this case's forecast file."""
        path = directory / "forecast.csv"
        rows = sorted(self.forecast.items())
        pl.DataFrame(
            {
                "queue": [q for (q, _), _ in rows],
                "interval_start": [T0_LOCAL + timedelta(seconds=s) for (_, s), _ in rows],
                "offered": [contacts for _, contacts in rows],
            },
            schema={
                "queue": pl.String,
                "interval_start": pl.Datetime("us", "Asia/Shanghai"),
                "offered": pl.Float64,
            },
        ).write_csv(path)
        return sample_settings(
            queue_defaults=QueueDefaults(), staffing=StaffingSettings(forecast=str(path))
        )


def offers(times: list[float], queue: str = QUEUE) -> list[tuple[float, str]]:
    return [(t, queue) for t in times]


def every(start: float, step: float, count: int) -> list[float]:
    return [start + step * k for k in range(count)]


def boundary() -> Case:
    """Forecast 20: n = 10 at e = 300 s projects 30 (not > 30), n = 11 at 330 s projects
    9900 / 330 = 30 (not), n = 12 at 359 s projects 10800 / 359 = 30.08… (raised)."""
    return Case(offers([*every(30, 30, 10), 330, 359]), {(QUEUE, 0): 20.0})


def below_min_contacts() -> Case:
    """Forecast 4 (threshold 6): nine offers in 90 s project 27 but n < 10; the 10th at
    400 s projects 22.5 and raises. 10 > 6 continues; 09:15 (forecast 4, no offers) clears
    at 09:30."""
    return Case(
        offers([*every(10, 10, 9), 400]), {(QUEUE, 0): 4.0, (QUEUE, 900): 4.0}
    )


def min_elapsed() -> Case:
    """Forecast 20: ten offers in the first 10 s would project 900 without the floor;
    with max(e, 300) the 10th projects 30 (not > 30); the 11th at 301 s projects
    9900 / 301 = 32.89… and raises."""
    return Case(offers([*every(1, 1, 10), 301]), {(QUEUE, 0): 20.0})


def spiking_intervals() -> Case:
    """Forecast 20 each: 40 offers in 09:00 (raised at the 11th, 55 s: 33 > 30), 31 in
    09:15 (> 30 continues), 30 in 09:30 (≤ 30: cleared at 09:45)."""
    return Case(
        offers([*every(5, 5, 40), *every(900, 20, 31), *every(1800, 10, 30)]),
        {(QUEUE, 0): 20.0, (QUEUE, 900): 20.0, (QUEUE, 1800): 20.0},
    )


def missing_forecast_clears() -> Case:
    """09:00 spikes (forecast 20, 40 offers, raised at 55 s, continues); 09:15 has 40
    offers but no forecast row: cleared at its end, 09:30."""
    return Case(
        offers([*every(5, 5, 40), *every(900, 5, 40)]), {(QUEUE, 0): 20.0}
    )


def without_forecast() -> Case:
    """40 offers in 09:00 on a queue whose forecast has rows only at 10:00 and zero at
    09:15, and 40 in 09:15; another queue spikes without any forecast rows: no alert."""
    return Case(
        [*offers(every(5, 5, 40)), *offers(every(900, 5, 40)),
         *offers(every(5, 5, 40), "policy_service")],
        {(QUEUE, 900): 0.0, (QUEUE, 3600): 20.0},
    )


def raised_again() -> Case:
    """Forecast 20 in 09:00 and 09:15: the boundary spike (raised 359 s, cleared 09:15),
    then 12 offers from 09:15:00 every 25 s: the 11th at 1150 s projects 33 → a second
    alert; 12 ≤ 30 clears it at 09:30."""
    first = boundary()
    return Case(
        [*first.offers, *offers(every(900, 25, 12))],
        {(QUEUE, 0): 20.0, (QUEUE, 900): 20.0},
    )


def shuffled_within_lateness(case: Case) -> Case:
    """The same offers, every third one arriving 20 s late (lateness is 30 s)."""
    delayed = sorted(
        enumerate(case.offers), key=lambda item: item[1][0] + (20 if item[0] % 3 == 0 else 0)
    )
    return Case([offer for _, offer in delayed], case.forecast)


def epoch(offset_s: float) -> int:
    return T0 + int(offset_s)


def spike(  # noqa: PLR0913, PLR0917
    raised_s: float,
    cleared_s: float | None,
    offered: int,
    forecast: float,
    projected: float,
    interval_s: int = 0,
) -> dict[str, Any]:
    """The expected volume_spike alert (§7 shape); times are offsets from T0 in seconds."""
    return {
        "id": f"volume_spike:{QUEUE}:{epoch(raised_s)}",
        "kind": "volume_spike",
        "severity": "warning",
        "subject": f"queue:{QUEUE}",
        "raised_at": at(raised_s),
        "cleared_at": None if cleared_s is None else at(cleared_s),
        "evidence": {
            "interval_start": at(interval_s),
            "offered": offered,
            "forecast": forecast,
            "projected": projected,
            "factor": 1.5,
        },
    }
