"""SQL: deduplication, the `--at` filter and the contextual acceptance of contact events.

Tables built (all timestamps integer epoch microseconds, durations seconds as DOUBLE):
- `ev`: valid events with `ts <= $at_us` the event-time check accepts, duplicates removed.
- `contacts`: one row per accepted `contact.offered`, with its accepted outcome, end and
  wrap-up, the per-contact durations and its (queue, channel) thresholds.
- `surveys`: accepted `survey.response` rows joined to their contact.
- `facts`: one row per counter contribution `(queue, channel, sec, k, x)`, attributed to
  the epoch second of the completing event (`x` carries the summed duration, seconds).
"""

from __future__ import annotations

STATEMENTS: tuple[str, ...] = (
    # Events after the --at filter and the event-time check (`gated`, decided in
    # `event_time.py` like the rest of validation). Duplicates: an event whose event_id's
    # previous arrival (among those) lies at most dedupe_window_s away in event time.
    # (`raw.copies` = how many lines carry the event_id; only repeated ids need a look back.)
    """
    CREATE OR REPLACE TEMP TABLE ev AS
    SELECT * EXCLUDE (copies) FROM raw
    WHERE ts <= $at_us AND copies = 1 AND seq NOT IN (SELECT seq FROM gated)
    UNION ALL
    SELECT * EXCLUDE (copies, previous_ts) FROM (
      SELECT *, lag(ts) OVER (PARTITION BY event_id ORDER BY seq) AS previous_ts
      FROM raw
      WHERE ts <= $at_us AND copies > 1 AND seq NOT IN (SELECT seq FROM gated))
    WHERE previous_ts IS NULL OR abs(ts - previous_ts) > $dedupe_us
    """,
    """
    CREATE OR REPLACE TEMP TABLE offered AS
    SELECT contact_id, queue, channel, ts AS offered_ts, seq AS offered_seq
    FROM ev WHERE type = 'contact.offered'
    QUALIFY row_number() OVER (PARTITION BY contact_id ORDER BY seq) = 1
    """,
    # Answered and abandoned compete for one outcome slot: first valid by arrival.
    """
    CREATE OR REPLACE TEMP TABLE outcome AS
    SELECT e.contact_id, e.type = 'contact.answered' AS answered, e.ts AS outcome_ts,
           e.seq AS outcome_seq, e.agent_id
    FROM ev e JOIN offered o ON e.contact_id = o.contact_id
    WHERE e.type IN ('contact.answered', 'contact.abandoned') AND e.ts >= o.offered_ts
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
    """,
    """
    CREATE OR REPLACE TEMP TABLE ended AS
    SELECT e.contact_id, e.ts AS ended_ts, e.seq AS ended_seq, e.disposition
    FROM ev e JOIN outcome o ON e.contact_id = o.contact_id
    WHERE e.type = 'contact.ended' AND o.answered AND e.agent_id = o.agent_id
      AND e.ts >= o.outcome_ts
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
    """,
    """
    CREATE OR REPLACE TEMP TABLE wrapup AS
    SELECT e.contact_id, e.ts AS wrap_ts, e.seq AS wrap_seq
    FROM ev e JOIN ended d ON e.contact_id = d.contact_id
    JOIN outcome o ON e.contact_id = o.contact_id
    WHERE e.type = 'contact.wrapup_ended' AND e.agent_id = o.agent_id AND e.ts >= d.ended_ts
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
    """,
    """
    CREATE OR REPLACE TEMP TABLE contacts AS
    SELECT o.contact_id, o.queue, o.channel, o.offered_ts, o.offered_seq,
           r.answered, r.outcome_ts, r.outcome_seq, r.agent_id,
           d.ended_ts, d.ended_seq, d.disposition, w.wrap_ts, w.wrap_seq,
           (r.outcome_ts - o.offered_ts) / 1000000.0 AS wait_s,
           (d.ended_ts - r.outcome_ts) / 1000000.0 AS conversation_s,
           (w.wrap_ts - d.ended_ts) / 1000000.0 AS acw_s,
           (d.ended_ts - r.outcome_ts) / 1000000.0
             + (w.wrap_ts - d.ended_ts) / 1000000.0 AS handle_s,
           c.sl_threshold_s, c.wait_breach_s, c.ultra_long_s, c.ultra_short_s,
           c.short_abandon_s
    FROM offered o
    JOIN crules c ON c.queue = o.queue AND c.channel = o.channel
    LEFT JOIN outcome r ON r.contact_id = o.contact_id
    LEFT JOIN ended d ON d.contact_id = o.contact_id
    LEFT JOIN wrapup w ON w.contact_id = o.contact_id
    """,
    """
    CREATE OR REPLACE TEMP TABLE surveys AS
    SELECT c.queue, c.channel, e.ts AS survey_ts, e.score
    FROM ev e JOIN contacts c ON e.contact_id = c.contact_id
    WHERE e.type = 'survey.response' AND c.answered
      AND e.ts >= c.outcome_ts AND e.ts <= c.outcome_ts + $survey_us
    QUALIFY row_number() OVER (PARTITION BY e.contact_id ORDER BY e.seq) = 1
    """,
    # Counter contributions, each at the second of its completing event.
    """
    CREATE OR REPLACE TEMP TABLE facts AS
    SELECT queue, channel, offered_ts // 1000000 AS sec, 'offered' AS k, 0.0 AS x
    FROM contacts
    UNION ALL
    SELECT queue, channel, outcome_ts // 1000000, 'answered', wait_s
    FROM contacts WHERE answered
    UNION ALL
    SELECT queue, channel, outcome_ts // 1000000, 'answered_in_sl', 0.0
    FROM contacts WHERE answered AND wait_s <= sl_threshold_s
    UNION ALL
    SELECT queue, channel, outcome_ts // 1000000, 'abandoned', 0.0
    FROM contacts WHERE NOT answered
    UNION ALL
    SELECT queue, channel, outcome_ts // 1000000, 'short_abandoned', 0.0
    FROM contacts WHERE NOT answered AND wait_s < short_abandon_s
    UNION ALL
    SELECT queue, channel, outcome_ts // 1000000, 'abandoned_in_sl', 0.0
    FROM contacts WHERE NOT answered AND wait_s <= sl_threshold_s
    UNION ALL
    SELECT queue, channel, ended_ts // 1000000, 'ended', 0.0
    FROM contacts WHERE ended_ts IS NOT NULL
    UNION ALL
    SELECT queue, channel, ended_ts // 1000000, 'transferred', 0.0
    FROM contacts WHERE disposition = 'transferred'
    UNION ALL
    SELECT queue, channel, wrap_ts // 1000000, 'handled', handle_s
    FROM contacts WHERE wrap_ts IS NOT NULL
    UNION ALL
    SELECT queue, channel, survey_ts // 1000000, 'surveys', 0.0 FROM surveys
    UNION ALL
    SELECT queue, channel, survey_ts // 1000000, 'satisfied', 0.0 FROM surveys WHERE score >= 3
    UNION ALL
    SELECT queue, channel, ts // 1000000, 'self_served', 0.0
    FROM ev WHERE type = 'contact.self_served'
    """,
)
