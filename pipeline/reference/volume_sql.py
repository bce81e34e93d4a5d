"""SQL: the `volume_spike` alert (addendum 22) from the forecast of `[staffing] forecast`.

Lookup tables (built once per database, no KPI math):
- `forecast(queue, start_us, forecast)`: forecast contacts per queue and interval start.
- `ivals(start_us, end_us, interval_s)`: the local intervals (`interval_min` of wall-clock
  time in the configured zone) that hold a `contact.offered`, plus the interval after each
  of them. Every interval missing from `ivals` has no offer, so the interval just before a
  gap never continues an episode.

An episode is raised at the first offer (in `(ts, seq)` order) of an interval with
`n >= min_contacts`, `forecast > 0` and `projected = n * interval_s / greatest(elapsed,
min_elapsed) > factor * forecast`, unless an earlier episode is still active: one is when
some earlier interval had such an offer and every interval from it to the one before is
*continuing* (complete count `> factor * forecast`, forecast > 0). It clears at the end of
the first non-continuing interval from the raising one on that has ended by `now`. Ties in
`ts`: `projected` grows with `n`, so any order of equal-ts offers raises at the same `ts`
with the same smallest qualifying `n`. Timestamps are epoch microseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa

from pipeline.reference.staffing_files import read_forecast
from schemas.config import Settings

_S = 1_000_000

_FORECAST_SCHEMA = pa.schema(
    [("queue", pa.string()), ("start_us", pa.int64()), ("forecast", pa.float64())]
)
_IVALS_SCHEMA = pa.schema(
    [("start_us", pa.int64()), ("end_us", pa.int64()), ("interval_s", pa.int64())]
)


def forecast_table(settings: Settings) -> pa.Table:
    """`forecast`: the rows of the configured forecast file (empty when none), read by the
    reference's own `staffing_files.read_forecast`."""
    path = settings.staffing.forecast
    rows = [] if path is None else read_forecast(path, settings.timezone, settings.interval_min)
    return pa.Table.from_pylist(rows, schema=_FORECAST_SCHEMA)


def _local_interval_start(minute_s: int, settings: Settings) -> int:
    """Epoch second where the local interval holding epoch second `minute_s` starts."""
    local = datetime.fromtimestamp(minute_s, tz=UTC).astimezone(settings.zone)
    start = local.replace(minute=local.minute - local.minute % settings.interval_min, second=0)
    return int(start.timestamp())


def interval_table(raw: pa.Table, settings: Settings, forecast: pa.Table) -> pa.Table:
    """`ivals`: intervals holding an offer of a forecast queue, and each one's successor."""
    interval_s = settings.interval_min * 60
    queues = set(forecast.column("queue").to_pylist())
    minutes = {
        ts // (60 * _S) * 60
        for kind, queue, ts in zip(
            raw.column("type").to_pylist(),
            raw.column("queue").to_pylist(),
            raw.column("ts").to_pylist(),
            strict=True,
        )
        if kind == "contact.offered" and queue in queues
    }
    starts = {_local_interval_start(m, settings) for m in minutes}
    starts |= {s + interval_s for s in starts}
    rows = [
        {"start_us": s * _S, "end_us": (s + interval_s) * _S, "interval_s": interval_s}
        for s in sorted(starts)
    ]
    return pa.Table.from_pylist(rows, schema=_IVALS_SCHEMA)


STATEMENTS: tuple[str, ...] = (
    # Accepted offers of forecast queues in their interval; n = running count in (ts, seq).
    """
    CREATE OR REPLACE TEMP TABLE volume_offers AS
    SELECT c.queue, c.offered_ts, i.start_us, i.end_us, i.interval_s,
           row_number() OVER (PARTITION BY c.queue, i.start_us
                              ORDER BY c.offered_ts, c.offered_seq) AS n
    FROM contacts c
    JOIN ivals i ON c.offered_ts >= i.start_us AND c.offered_ts < i.end_us
    WHERE c.queue IN (SELECT queue FROM forecast)
    """,
    # One row per (queue, interval): complete-or-so-far count, whether it continues an
    # episode, its first qualifying offer, and the last breaking / qualifying interval
    # before it.
    """
    CREATE OR REPLACE TEMP TABLE volume_grid AS
    WITH judged_offers AS (
        SELECT o.queue, o.start_us, o.offered_ts, o.n, f.forecast,
               r.volume_spike_factor AS factor,
               o.n * o.interval_s / greatest((o.offered_ts - o.start_us) / 1e6,
                                             r.volume_spike_min_elapsed_s) AS projected,
               r.volume_spike_min_contacts AS min_contacts
        FROM volume_offers o
        JOIN forecast f ON f.queue = o.queue AND f.start_us = o.start_us
        JOIN qrules r ON r.queue = o.queue
    ), firsts AS (
        SELECT queue, start_us, offered_ts AS raise_us, n, forecast, projected, factor
        FROM judged_offers
        WHERE forecast > 0 AND n >= min_contacts AND projected > factor * forecast
        QUALIFY row_number() OVER (PARTITION BY queue, start_us ORDER BY offered_ts, n) = 1
    ), counts AS (
        SELECT queue, start_us, count(*) AS offered FROM volume_offers GROUP BY queue, start_us
    ), judged AS (
        SELECT q.queue, i.start_us, i.end_us,
               coalesce(f.forecast > 0
                        AND coalesce(c.offered, 0) > r.volume_spike_factor * f.forecast,
                        FALSE) AS continues,
               x.raise_us, x.n, x.forecast, x.projected, x.factor
        FROM (SELECT DISTINCT queue FROM volume_offers) q
        CROSS JOIN ivals i
        JOIN qrules r ON r.queue = q.queue
        LEFT JOIN counts c ON c.queue = q.queue AND c.start_us = i.start_us
        LEFT JOIN forecast f ON f.queue = q.queue AND f.start_us = i.start_us
        LEFT JOIN firsts x ON x.queue = q.queue AND x.start_us = i.start_us
    )
    SELECT *,
           max(CASE WHEN NOT continues THEN start_us END) OVER b AS last_break,
           max(CASE WHEN raise_us IS NOT NULL THEN start_us END) OVER b AS last_raisable
    FROM judged
    WINDOW b AS (PARTITION BY queue ORDER BY start_us
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    """,
    # An episode starts where an interval can raise and no earlier episode is active.
    """
    CREATE OR REPLACE TEMP TABLE alerts_volume_spike AS
    SELECT 'volume_spike:' || s.queue || ':' || (s.raise_us // 1000000) AS id,
           'volume_spike' AS kind, 'queue:' || s.queue AS subject, NULL::VARCHAR AS agent_id,
           s.raise_us AS raised_us,
           (SELECT min(j.end_us) FROM volume_grid j
            WHERE j.queue = s.queue AND j.start_us >= s.start_us AND NOT j.continues
              AND j.end_us <= $now_us) AS cleared_us,
           s.start_us AS interval_start_us, s.n AS offered, s.forecast, s.projected, s.factor
    FROM volume_grid s
    WHERE s.raise_us IS NOT NULL
      AND NOT coalesce(s.last_raisable > coalesce(s.last_break, -1), FALSE)
    """,
)
