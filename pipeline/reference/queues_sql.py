"""SQL: queue KPIs per window, rolled up per channel, site and all (kpi-semantics §3).

Counters are added per rollup level from `facts` (each at its completing second, inside
`[lo_sec, now]`) and the ratios recomputed from the added counters. `in_queue` and
`longest_wait_s` (seconds) are taken at `now` and are the same in every window.
Builds `qent` (listed entities) and `queue_kpis` (one row per entity and window).
"""

from __future__ import annotations

STATEMENTS: tuple[str, ...] = (
    # Counters per (queue, channel) and window first, then added up per rollup level.
    """
    CREATE OR REPLACE TEMP TABLE qwin AS
    SELECT f.queue, f.channel, r.site, win.w,
           count(*) FILTER (WHERE f.k = 'offered') AS offered,
           count(*) FILTER (WHERE f.k = 'answered') AS answered,
           sum(f.x) FILTER (WHERE f.k = 'answered') AS wait_answered_sum,
           count(*) FILTER (WHERE f.k = 'answered_in_sl') AS answered_in_sl,
           count(*) FILTER (WHERE f.k = 'abandoned') AS abandoned,
           count(*) FILTER (WHERE f.k = 'short_abandoned') AS short_abandoned,
           count(*) FILTER (WHERE f.k = 'abandoned_in_sl') AS abandoned_in_sl,
           count(*) FILTER (WHERE f.k = 'ended') AS ended,
           count(*) FILTER (WHERE f.k = 'transferred') AS transferred,
           count(*) FILTER (WHERE f.k = 'handled') AS handled,
           sum(f.x) FILTER (WHERE f.k = 'handled') AS handle_sum,
           count(*) FILTER (WHERE f.k = 'surveys') AS surveys,
           count(*) FILTER (WHERE f.k = 'satisfied') AS satisfied,
           count(*) FILTER (WHERE f.k = 'self_served') AS self_served
    FROM facts f JOIN win ON f.sec >= win.lo_sec AND f.sec <= $now
    LEFT JOIN qrules r ON r.queue = f.queue
    GROUP BY f.queue, f.channel, r.site, win.w
    """,
    """
    CREATE OR REPLACE TEMP TABLE qcounts AS
    WITH tagged AS (
        SELECT 'queue' AS level, queue AS key, * EXCLUDE (queue, channel, site)
        FROM qwin WHERE queue IS NOT NULL
        UNION ALL
        SELECT 'channel', channel, * EXCLUDE (queue, channel, site) FROM qwin
        UNION ALL
        SELECT 'site', site, * EXCLUDE (queue, channel, site) FROM qwin WHERE site IS NOT NULL
        UNION ALL
        SELECT 'all', 'all', * EXCLUDE (queue, channel, site) FROM qwin
    )
    SELECT level, key, w,
           sum(offered) AS offered, sum(answered) AS answered,
           sum(wait_answered_sum) AS wait_answered_sum,
           sum(answered_in_sl) AS answered_in_sl, sum(abandoned) AS abandoned,
           sum(short_abandoned) AS short_abandoned, sum(abandoned_in_sl) AS abandoned_in_sl,
           sum(ended) AS ended, sum(transferred) AS transferred, sum(handled) AS handled,
           sum(handle_sum) AS handle_sum, sum(surveys) AS surveys,
           sum(satisfied) AS satisfied, sum(self_served) AS self_served
    FROM tagged
    GROUP BY level, key, w
    """,
    # Contacts waiting at now: offered at or before now, no outcome at or before now.
    """
    CREATE OR REPLACE TEMP TABLE qwaiting AS
    WITH waiting AS (
        SELECT c.queue, c.channel, r.site, c.offered_ts
        FROM contacts c JOIN qrules r ON r.queue = c.queue
        WHERE c.offered_ts <= $now_us AND (c.outcome_ts IS NULL OR c.outcome_ts > $now_us)
    )
    SELECT level, key, count(*) AS in_queue,
           ($now_us - min(offered_ts)) / 1000000.0 AS longest_wait_s
    FROM (
        SELECT 'queue' AS level, queue AS key, offered_ts FROM waiting
        UNION ALL SELECT 'channel', channel, offered_ts FROM waiting
        UNION ALL SELECT 'site', site, offered_ts FROM waiting
        UNION ALL SELECT 'all', 'all', offered_ts FROM waiting
    )
    GROUP BY level, key
    """,
    # Listed: configured queues, queues with any counter or waiting contact; both channels;
    # sites of listed queues and of listed agents (addendum 6); all.
    """
    CREATE OR REPLACE TEMP TABLE qent AS
    WITH queues AS (
        SELECT queue AS key FROM qrules WHERE configured
        UNION SELECT key FROM qcounts WHERE level = 'queue'
        UNION SELECT key FROM qwaiting WHERE level = 'queue'
    )
    SELECT 'queue' AS level, key FROM queues
    UNION ALL SELECT 'channel', unnest(['voice', 'chat'])
    UNION ALL
    SELECT DISTINCT 'site', site FROM (
        SELECT r.site FROM queues q JOIN qrules r ON r.queue = q.key
        UNION ALL
        SELECT key FROM agent_levels WHERE level = 'site'
    )
    UNION ALL SELECT 'all', 'all'
    """,
    """
    CREATE OR REPLACE TEMP TABLE queue_kpis AS
    WITH c AS (
        SELECT e.level, e.key, win.w,
               coalesce(c.offered, 0) AS offered,
               coalesce(c.answered, 0) AS answered,
               c.wait_answered_sum,
               coalesce(c.answered_in_sl, 0) AS answered_in_sl,
               coalesce(c.abandoned, 0) AS abandoned,
               coalesce(c.short_abandoned, 0) AS short_abandoned,
               coalesce(c.abandoned_in_sl, 0) AS abandoned_in_sl,
               coalesce(c.ended, 0) AS ended,
               coalesce(c.transferred, 0) AS transferred,
               coalesce(c.handled, 0) AS handled,
               c.handle_sum,
               coalesce(c.surveys, 0) AS surveys,
               coalesce(c.satisfied, 0) AS satisfied,
               coalesce(c.self_served, 0) AS self_served,
               coalesce(q.in_queue, 0) AS in_queue,
               q.longest_wait_s
        FROM qent e CROSS JOIN win
        LEFT JOIN qcounts c ON c.level = e.level AND c.key = e.key AND c.w = win.w
        LEFT JOIN qwaiting q ON q.level = e.level AND q.key = e.key
    )
    SELECT level, key, w, offered, answered, abandoned, short_abandoned, answered_in_sl,
           abandoned_in_sl, ended, transferred, handled, surveys, satisfied, self_served,
           answered_in_sl / nullif(answered + abandoned - short_abandoned, 0)
             AS service_level,
           answered_in_sl / nullif(answered, 0) AS sl_abandons_ignored,
           (answered_in_sl + abandoned_in_sl) / nullif(answered + abandoned, 0)
             AS sl_abandons_positive,
           answered / nullif(answered + abandoned, 0) AS answer_rate,
           (abandoned - short_abandoned) / nullif(answered + abandoned - short_abandoned, 0)
             AS abandon_rate,
           wait_answered_sum / nullif(answered, 0) AS asa_s,
           handle_sum / nullif(handled, 0) AS aht_s,
           transferred / nullif(ended, 0) AS transfer_rate,
           satisfied / nullif(surveys, 0) AS csat,
           self_served / nullif(self_served + answered, 0) AS self_service_rate,
           in_queue, longest_wait_s
    FROM c
    """,
)
