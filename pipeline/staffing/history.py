"""Per-queue per-interval history from an event file (JSON Lines, optionally gzipped), via DuckDB.

Until the pipeline writes its Parquet archive of closed intervals, this lets the forecast
run on simulator output. Output columns (the forecast's history frame):
    queue, interval_start (tz-aware, the configured zone, default Asia/Shanghai; intervals
    aligned to `interval_min` in that zone), offered (contacts), handled (contacts wrapped
    up), aht_s (mean handle seconds of those, null when none).

Rules, a simplified subset of `docs/kpi-semantics.md` §1 and §3 that is enough for
forecasting: the first event per `event_id` wins (file order); events whose `ts` has no
UTC offset or does not parse are skipped; a contact's first `contact.offered` gives its
queue; its first outcome (answered or abandoned) at or after the offer decides whether it
was answered; `ended` and `wrapup_ended` must carry the answering agent and not precede the
previous step. handle_s = wrapup_ended − answered (conversation + after-call work), counted
in the interval of `contact.wrapup_ended`, as the wallboard's `aht_s` is.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from schemas.config import Settings

_HISTORY_SQL = """
WITH raw AS (
    SELECT *, row_number() OVER () AS seq
    FROM read_json(
        $path,
        format = 'newline_delimited',
        ignore_errors = true,
        columns = {
            event_id: 'VARCHAR', ts: 'VARCHAR', type: 'VARCHAR', contact_id: 'VARCHAR',
            queue: 'VARCHAR', agent_id: 'VARCHAR'
        }
    )
),
events AS (
    SELECT seq, type, contact_id, queue, agent_id, TRY_CAST(ts AS TIMESTAMPTZ) AS ts
    FROM raw
    WHERE event_id IS NOT NULL AND contact_id IS NOT NULL
      AND regexp_matches(ts, '(Z|z|[+-][0-9]{2}:?[0-9]{2})$')
    QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY seq) = 1
),
offered AS (
    SELECT contact_id, queue, ts FROM events
    WHERE type = 'contact.offered' AND queue IS NOT NULL AND ts IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY seq) = 1
),
outcome AS (
    SELECT e.contact_id, e.type, e.agent_id, e.ts FROM events e JOIN offered o USING (contact_id)
    WHERE e.type IN ('contact.answered', 'contact.abandoned') AND e.ts >= o.ts
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
),
answered AS (SELECT * FROM outcome WHERE type = 'contact.answered' AND agent_id IS NOT NULL),
ended AS (
    SELECT e.contact_id, e.agent_id, e.ts FROM events e JOIN answered a USING (contact_id)
    WHERE e.type = 'contact.ended' AND e.agent_id = a.agent_id AND e.ts >= a.ts
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
),
wrapped AS (
    SELECT e.contact_id, e.ts FROM events e JOIN ended d USING (contact_id)
    WHERE e.type = 'contact.wrapup_ended' AND e.agent_id = d.agent_id AND e.ts >= d.ts
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
),
offered_per_interval AS (
    SELECT queue, time_bucket(to_minutes($minutes), ts) AS interval_start, count(*) AS offered
    FROM offered GROUP BY ALL
),
handled_per_interval AS (
    SELECT o.queue, time_bucket(to_minutes($minutes), w.ts) AS interval_start,
           count(*) AS handled, avg(epoch(w.ts) - epoch(a.ts)) AS aht_s
    FROM wrapped w JOIN answered a USING (contact_id) JOIN offered o USING (contact_id)
    GROUP BY ALL
)
SELECT queue, interval_start,
       coalesce(p.offered, 0) AS offered, coalesce(h.handled, 0) AS handled, h.aht_s
FROM offered_per_interval p FULL JOIN handled_per_interval h USING (queue, interval_start)
ORDER BY queue, interval_start
"""


def history_from_events(path: str | Path, settings: Settings) -> pl.DataFrame:
    """Offered and mean handle time per queue per interval from an event file (see module)."""
    source = Path(path)
    if not source.exists():
        msg = f"{source}: file not found"
        raise FileNotFoundError(msg)
    with duckdb.connect() as connection:
        # interval buckets are aligned in the configured zone (DuckDB's ICU time zone)
        connection.execute("SET TimeZone = $zone", {"zone": settings.timezone})
        table = connection.sql(
            _HISTORY_SQL, params={"path": str(source), "minutes": settings.interval_min}
        ).to_arrow_table()
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame.with_columns(
        pl.col("interval_start").dt.convert_time_zone(settings.timezone),
        pl.col("offered").cast(pl.Int64),
        pl.col("handled").cast(pl.Int64),
        pl.col("aht_s").cast(pl.Float64),
    )
