"""The `[reports]` table: the daily report made and posted to chat at a set local time.

```toml
[reports]
daily_at = "08:00"             # local time (configured zone); absent: no scheduled report
channels = ["ops_wecom"]       # names in [notify.channels]
link_base = "https://wallboard.example.com/reports"   # where out_dir is served
archive_dir = "var/archive"
out_dir = "var/reports"
lang = "zh"
```
"""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

ReportFormat = Literal["html", "xlsx", "csv"]


def _all_formats() -> list[ReportFormat]:
    return ["html", "xlsx", "csv"]


class ReportSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    daily_at: time | None = None
    channels: list[str] = Field(default_factory=list)
    link_base: str | None = None
    archive_dir: str = "var/archive"
    out_dir: str = "var/reports"
    formats: list[ReportFormat] = Field(default_factory=_all_formats)
    lang: Literal["zh", "en"] = "zh"

    @field_validator("link_base")
    @classmethod
    def _strip_slash(cls, value: str | None) -> str | None:
        return value.rstrip("/") if value else value
