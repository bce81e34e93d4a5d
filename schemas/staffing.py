"""Forecast, staffing and roster settings (filled in by the staffing work)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StaffingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
