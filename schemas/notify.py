"""Alert delivery to chat webhooks (filled in by the alerts work)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class NotifySettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
