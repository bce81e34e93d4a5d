"""Forecast, staffing and roster settings (`[staffing]` in the TOML file, clause 7.3).

Durations in seconds, ratios 0..1, dates are local dates of the configured time zone
(default Asia/Shanghai). Special days multiply the regular day-of-week × interval forecast
by `factor` (0.3 = 30 % of a normal day, 1.5 = 50 % more) for the listed queues (all queues
when `queues` is empty).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from schemas.events import Channel

SpecialDayKind = Literal["holiday", "campaign", "weather", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpecialDay(_Strict):
    """A calendar day whose volume differs from a regular day by `factor`."""

    date: date
    kind: SpecialDayKind = "other"
    name: str = ""
    queues: tuple[str, ...] = ()
    factor: Annotated[float, Field(gt=0)]

    def applies_to(self, queue: str) -> bool:
        return not self.queues or queue in self.queues


class QueueStaffing(_Strict):
    """Per-queue staffing overrides; `None` means "inherit the [staffing] default"."""

    shrinkage: Annotated[float, Field(ge=0, lt=1)] | None = None
    max_occupancy: Annotated[float, Field(gt=0, le=1)] | None = None
    patience_s: Annotated[float, Field(gt=0)] | None = None
    concurrency: Annotated[float, Field(ge=1)] | None = None


class StaffingSettings(_Strict):
    """Forecast and staffing parameters.

    - `forecast_days`: days forecast after today (today is always included).
    - `profile_weeks`: weeks of history the forecast learns from (weekday effects, level,
      intraday profiles); see `docs/forecast.md`.
    - `level_halflife_days`: the level's weights halve every this many days back (days).
    - `weekday_prior_contacts` / `profile_prior_contacts`: shrinkage weights (contacts) of a
      queue's weekday effect / intraday profile toward all queues' (small queues borrow).
    - `level_min` / `level_max`: bounds of the recent level relative to the window's mean
      level (ratio), a guard against a runaway trend; the frame's `level` column.
    - `intraday_min_forecast`: contacts that must have been forecast so far today before
      the rest of today is rescaled by actual / forecast (avoids rescaling on noise).
    - `intraday_min` / `intraday_max`: bounds of the intraday ratio.
    - `shrinkage`, `max_occupancy`: ratios 0..1; `patience_s`: mean caller patience for
      Erlang A (None: Erlang C only); `chat_concurrency`: chats per agent at once.
    - `roster`: path of the roster file (CSV or JSON, see `pipeline.staffing.roster`) the
      dashboard compares with the requirement and the pipeline reads once at start for
      `late_login` / `abnormal_logout` (addendum 21); None: no schedule shown or used.
    - `forecast`: path of a forecast file as written by `wallboard forecast --out` (.parquet
      or .csv; columns `queue`, `interval_start` (tz-aware), `offered` contacts) that the
      pipeline compares live volume with (`volume_spike` alerts); None: no such alerts.
      A relative path is relative to the working directory of the process.
    """

    forecast_days: Annotated[int, Field(ge=0, le=60)] = 7
    profile_weeks: Annotated[int, Field(ge=1)] = 8
    level_halflife_days: Annotated[float, Field(gt=0)] = 7.0
    weekday_prior_contacts: Annotated[float, Field(ge=0)] = 50.0
    profile_prior_contacts: Annotated[float, Field(ge=0)] = 200.0
    level_min: Annotated[float, Field(gt=0)] = 0.5
    level_max: Annotated[float, Field(gt=0)] = 2.0
    intraday_min_forecast: Annotated[float, Field(ge=0)] = 20.0
    intraday_min: Annotated[float, Field(gt=0)] = 0.25
    intraday_max: Annotated[float, Field(gt=0)] = 4.0
    shrinkage: Annotated[float, Field(ge=0, lt=1)] = 0.30
    max_occupancy: Annotated[float, Field(gt=0, le=1)] = 0.85
    patience_s: Annotated[float, Field(gt=0)] | None = None
    chat_concurrency: Annotated[float, Field(ge=1)] = 2.0
    roster: str | None = None
    forecast: str | None = None
    queues: dict[str, QueueStaffing] = Field(default_factory=dict)
    special_days: tuple[SpecialDay, ...] = ()

    def special_factor(self, queue: str, day: date) -> float:
        """Product of the factors of every special day on `day` that covers `queue`."""
        factor = 1.0
        for special in self.special_days:
            if special.date == day and special.applies_to(queue):
                factor *= special.factor
        return factor

    def queue_staffing(self, queue: str, channel: Channel) -> QueueStaffing:
        """The queue's resolved shrinkage, max occupancy, patience and concurrency.

        Concurrency defaults to `chat_concurrency` on chat and 1 on voice.
        """
        override = self.queues.get(queue, QueueStaffing())
        return QueueStaffing(
            shrinkage=self.shrinkage if override.shrinkage is None else override.shrinkage,
            max_occupancy=(
                self.max_occupancy if override.max_occupancy is None else override.max_occupancy
            ),
            patience_s=self.patience_s if override.patience_s is None else override.patience_s,
            concurrency=(
                override.concurrency
                if override.concurrency is not None
                else (self.chat_concurrency if channel == "chat" else 1.0)
            ),
        )
