"""Sign-in, roles, screen tokens, masking and audit settings (filled in by the access work)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class AccessSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
