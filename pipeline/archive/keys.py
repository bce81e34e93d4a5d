"""Redis keys of the archive, beside the project's keys (`<prefix>:intervals`, `archive:...`)."""

from __future__ import annotations

from pipeline.redis_keys import RedisKeys

REJECTED_MAXLEN = 100_000


class ArchiveKeys(RedisKeys):
    """Adds the archiver's keys to `RedisKeys` (which builds `intervals()`).

    - `<prefix>:intervals` stream (written by the pipeline): one entry per entity per closed
      interval; fields `kind`, `id`, `interval_start`, `interval_s`, `kpis` (JSON).
    - `<prefix>:archive:cursor` string: id of the last `intervals` entry safely in Parquet.
    - `<prefix>:archive:alerts_cursor` string: id of the last `alerts:history` entry in
      Parquet (`pipeline.archive.alerts`).
    - `<prefix>:archive:rejected` stream: entries that could not be archived; fields
      `entry_id`, `kind`, `id`, `reason` (never the raw KPIs); `MAXLEN ~ 100000`.
    """

    def archive_cursor(self) -> str:
        return self._k("archive", "cursor")

    def archive_alerts_cursor(self) -> str:
        return self._k("archive", "alerts_cursor")

    def archive_rejected(self) -> str:
        return self._k("archive", "rejected")
