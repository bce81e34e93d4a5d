"""Column mappings for call-detail-record importers (filled in by the adapters work)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ImporterSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
