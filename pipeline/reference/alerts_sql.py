"""SQL: all eight alert kinds (docs/kpi-semantics.md §5) into one `alerts` table.

Columns: `id, kind, subject, agent_id, raised_us, cleared_us` (epoch microseconds; NULL
cleared = still active), plus the evidence columns of each kind (NULL where not relevant).
Alert ids use `floor(epoch seconds)` (addendum 2). The per-second alerts (sl_breach,
abandon_spike) use the rolling 15-min counters `(s - 900, s]` of every whole second from a
queue's first answer/abandon up to `now`; the hold is checked on each second where the
condition is true (see `QUEUE_SPANS` and `_HOLD_TEMPLATE`).
"""

from __future__ import annotations

_NO_END = 9_000_000_000_000_000_000  # "never": later than any event time, in microseconds

CONTACT_ALERTS: tuple[str, ...] = (
    """
    CREATE OR REPLACE TEMP TABLE alerts_contact AS
    SELECT 'ultra_short_contact:' || contact_id AS id, 'ultra_short_contact' AS kind,
           'agent:' || agent_id AS subject, agent_id, ended_ts AS raised_us,
           ended_ts AS cleared_us, contact_id, queue, conversation_s,
           ultra_short_s AS threshold_s
    FROM contacts
    WHERE ended_ts IS NOT NULL AND ultra_short_s IS NOT NULL AND conversation_s < ultra_short_s
    UNION ALL BY NAME
    SELECT 'ultra_long_contact:' || contact_id AS id, 'ultra_long_contact' AS kind,
           'agent:' || agent_id AS subject, agent_id, raised_us, ended_ts AS cleared_us,
           contact_id, queue, ultra_long_s AS threshold_s
    FROM (
        SELECT *, outcome_ts + CAST(round(ultra_long_s * 1000000) AS BIGINT) AS raised_us
        FROM contacts WHERE answered
    )
    WHERE ended_ts IS NULL OR ended_ts > raised_us
    """,
    # wait_breach: union per queue of [offered + threshold, outcome) (longest wait above the
    # threshold); an interval starting less than the queue's clear hold after the previous
    # one ended (or touching it) continues the same alert, which clears one hold after its
    # last interval ends. Evidence as of the raise: the threshold of the first contact
    # (ties: smallest contact id), the largest threshold and the number of the contacts
    # crossing at that instant.
    f"""
    CREATE OR REPLACE TEMP TABLE alerts_wait AS
    WITH spans AS (
        SELECT c.queue, c.contact_id, c.wait_breach_s,
               c.offered_ts + CAST(round(c.wait_breach_s * 1000000) AS BIGINT) AS s_us,
               coalesce(c.outcome_ts, {_NO_END}) AS e_us,
               CAST(round(q.wait_clear_hold_s * 1000000) AS BIGINT) AS hold_us
        FROM contacts c JOIN qrules q ON q.queue = c.queue
    ), open_spans AS (
        SELECT *, max(e_us) OVER (PARTITION BY queue ORDER BY s_us, contact_id
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
        FROM spans WHERE e_us > s_us
    ), islands AS (
        SELECT *, sum(CASE WHEN prev_end IS NULL
                            OR (s_us > prev_end AND s_us >= prev_end + hold_us)
                           THEN 1 ELSE 0 END) OVER (
                      PARTITION BY queue ORDER BY s_us, contact_id
                      ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS island
        FROM open_spans
    ), firsts AS (
        SELECT *, min(s_us) OVER (PARTITION BY queue, island) AS first_us FROM islands
    )
    SELECT 'wait_breach:' || queue || ':' || (raised_us // 1000000) AS id,
           'wait_breach' AS kind, 'queue:' || queue AS subject, NULL::VARCHAR AS agent_id,
           raised_us,
           CASE WHEN end_us = {_NO_END} THEN NULL ELSE end_us + hold_us END AS cleared_us,
           threshold_s, longest_wait_s, contacts_over
    FROM (
        SELECT queue, min(s_us) AS raised_us, max(e_us) AS end_us, max(hold_us) AS hold_us,
               arg_min(wait_breach_s, (s_us, contact_id)) AS threshold_s,
               max(wait_breach_s) FILTER (WHERE s_us = first_us) AS longest_wait_s,
               count(*) FILTER (WHERE s_us = first_us) AS contacts_over
        FROM firsts GROUP BY queue, island
    )
    """,
)

AGENT_ALERTS: tuple[str, ...] = (
    # late_login (addendum 21): a login carrying shift_start is judged at the login (the
    # first accepted login per shift_start; raised and cleared there). A roster shift is
    # judged at its deadline: raised when the agent's last accepted login/logout at or
    # before it is not a login (and the deadline is not before the input's first event),
    # cleared at the next login before shift_end (late_by_s) or else at shift_end
    # (absent). Both kinds share the id; the earlier one is the alert.
    """
    CREATE OR REPLACE TEMP TABLE alerts_late_login AS
    WITH by_login AS (
        SELECT agent_id, shift_start, ts AS raised_us, ts AS cleared_us,
               (ts - shift_start) / 1000000.0 AS late_by_s,
               NULL::BOOLEAN AS not_logged_in, NULL::BOOLEAN AS absent
        FROM (
            SELECT l.*, r.late_login_grace_s FROM logins l JOIN trules r ON r.team = l.team
            WHERE l.shift_start IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY l.agent_id, l.shift_start
                                       ORDER BY l.ts, l.rank, l.seq) = 1
        )
        WHERE ts > shift_start + CAST(round(late_login_grace_s * 1000000) AS BIGINT)
    ), judged AS (
        SELECT s.*,
               (SELECT arg_max(e.type, (e.ts, e.rank, e.seq)) FROM sessions_ev e
                WHERE e.agent_id = s.agent_id AND e.ts <= s.deadline) AS last_session_event,
               (SELECT min(l.ts) FROM logins l
                WHERE l.agent_id = s.agent_id AND l.ts > s.deadline AND l.ts < s.shift_end)
                 AS came
        FROM rshifts s
        WHERE s.deadline >= (SELECT ts FROM ev ORDER BY seq LIMIT 1)
          AND s.deadline < s.shift_end
    ), by_roster AS (
        SELECT agent_id, shift_start, deadline AS raised_us,
               coalesce(came, shift_end) AS cleared_us,
               CASE WHEN came <= $now_us THEN (came - shift_start) / 1000000.0 END AS late_by_s,
               TRUE AS not_logged_in,
               CASE WHEN came IS NULL AND shift_end <= $now_us THEN TRUE END AS absent
        FROM judged
        WHERE coalesce(last_session_event, 'agent.logout') = 'agent.logout'
    )
    SELECT 'late_login:' || agent_id || ':' || (shift_start // 1000000) AS id,
           'late_login' AS kind, 'agent:' || agent_id AS subject, agent_id, raised_us,
           cleared_us, shift_start AS shift_start_us, late_by_s, not_logged_in, absent
    FROM (SELECT * FROM by_login UNION ALL SELECT * FROM by_roster)
    QUALIFY row_number() OVER (PARTITION BY agent_id, shift_start ORDER BY raised_us) = 1
    """,
    """
    CREATE OR REPLACE TEMP TABLE alerts_agent AS
    WITH logouts AS (
        SELECT o.agent_id, o.ts, t.active, l.applicable_end AS shift_end, r.early_logout_grace_s
        FROM sessions_ev o
        JOIN tl t ON t.agent_id = o.agent_id AND t.seq = o.seq AND t.rank = 7
        JOIN logins l ON l.agent_id = o.agent_id AND l.session = t.session
        JOIN trules r ON r.team = l.team
        WHERE o.type = 'agent.logout'
    ), relogins AS (
        SELECT l.agent_id, l.ts, count(*) AS logins_in_window,
               any_value(r.relogin_count) AS relogin_count
        FROM logins l
        JOIN trules r ON r.team = l.team
        JOIN logins p ON p.agent_id = l.agent_id AND p.ts <= l.ts
             AND p.ts > l.ts - CAST(round(r.relogin_window_s * 1000000) AS BIGINT)
        GROUP BY l.agent_id, l.ts, l.seq
    ), reasons AS (
        SELECT agent_id, ts, 'active_contact' AS reason, active AS active_contacts,
               NULL::BIGINT AS shift_end_us, NULL::BIGINT AS logins_in_window
        FROM logouts WHERE active > 0
        UNION ALL
        SELECT agent_id, ts, 'early_logout', NULL, shift_end, NULL
        FROM logouts
        WHERE ts < shift_end - CAST(round(early_logout_grace_s * 1000000) AS BIGINT)
        UNION ALL
        SELECT agent_id, ts, 'frequent_relogin', NULL, NULL, logins_in_window
        FROM relogins WHERE logins_in_window >= relogin_count
    )
    SELECT 'abnormal_logout:' || agent_id || ':' || (ts // 1000000) AS id,
           'abnormal_logout' AS kind, 'agent:' || agent_id AS subject, agent_id,
           ts AS raised_us, ts AS cleared_us, list_sort(list(reason)) AS reasons,
           max(active_contacts) AS active_contacts, max(shift_end_us) AS shift_end_us,
           max(logins_in_window) AS logins_in_window
    FROM reasons GROUP BY agent_id, ts
    UNION ALL BY NAME
    SELECT * FROM alerts_late_login
    UNION ALL BY NAME
    SELECT 'long_away:' || agent_id || ':' || (run_start // 1000000) AS id,
           'long_away' AS kind, 'agent:' || agent_id AS subject, agent_id,
           raised_us, run_end AS cleared_us, reason, limit_s
    FROM (
        SELECT r.agent_id, r.run_start, r.run_end, substr(r.label, 11) AS reason, m.limit_s,
               r.run_start + CAST(round(m.limit_s * 1000000) AS BIGINT) AS raised_us
        FROM runs r
        JOIN logins l ON l.agent_id = r.agent_id AND l.session = r.session
        JOIN tlimits m ON m.team = l.team AND m.reason = substr(r.label, 11)
        WHERE r.label LIKE 'not_ready:%'
    )
    WHERE run_end IS NULL OR run_end > raised_us
    """,
)

# Per-second queue alerts. The rolling 15-min counters `(s - 900, s]` only change at a
# second with answers/abandons or 900 s after one, so they are computed at those change
# points (a running sum of +n at the second, -n 900 s later): `queue_spans` holds one row
# per span `[sec, next_sec)` of whole seconds over which the counters, and so both
# conditions, are constant. For each span it also carries the last second before it
# where the condition was false / the clear rule held (`*_false_before`,
# `*_clear_before`; the second before a queue's first answer or abandon counts as false
# and clear).
QUEUE_SPANS = """
    CREATE OR REPLACE TEMP TABLE queue_spans AS
    WITH per_sec AS (
        SELECT queue, sec,
               count(*) FILTER (WHERE k = 'answered') AS answered,
               count(*) FILTER (WHERE k = 'answered_in_sl') AS answered_in_sl,
               count(*) FILTER (WHERE k = 'abandoned') AS abandoned,
               count(*) FILTER (WHERE k = 'short_abandoned') AS short_abandoned
        FROM facts
        WHERE queue IS NOT NULL AND sec <= $now
          AND k IN ('answered', 'answered_in_sl', 'abandoned', 'short_abandoned')
        GROUP BY queue, sec
    ), deltas AS (
        -- each answer/abandon enters the rolling window at its second and leaves 900 s later
        SELECT queue, sec, sum(answered) AS answered, sum(answered_in_sl) AS answered_in_sl,
               sum(abandoned) AS abandoned, sum(short_abandoned) AS short_abandoned
        FROM (
            SELECT * FROM per_sec
            UNION ALL
            SELECT queue, sec + 900, -answered, -answered_in_sl, -abandoned, -short_abandoned
            FROM per_sec WHERE sec + 900 <= $now
        )
        GROUP BY queue, sec
    ), rolling AS (
        SELECT queue, sec,
               sum(answered) OVER w AS answered,
               sum(answered_in_sl) OVER w AS answered_in_sl,
               sum(abandoned) OVER w AS abandoned,
               sum(short_abandoned) OVER w AS short_abandoned
        FROM deltas
        WINDOW w AS (PARTITION BY queue ORDER BY sec
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ), spans AS (
        SELECT queue, sec,
               coalesce(lead(sec) OVER (PARTITION BY queue ORDER BY sec), $now + 1) AS next_sec,
               min(sec) OVER (PARTITION BY queue) AS first_sec,
               (answered + abandoned - short_abandoned)::BIGINT AS contacts,
               answered_in_sl / nullif(answered + abandoned - short_abandoned, 0)
                 AS service_level,
               (abandoned - short_abandoned)
                 / nullif(answered + abandoned - short_abandoned, 0) AS abandon_rate
        FROM rolling
    ), conditions AS (
        SELECT s.*, r.sl_target, r.sl_hold_s, r.abandon_spike_rate, r.abandon_hold_s,
               coalesce(s.contacts >= r.sl_min_contacts AND s.service_level < r.sl_target,
                        FALSE) AS sl_cond,
               coalesce(s.contacts < r.sl_min_contacts
                        OR s.service_level > r.sl_target + r.sl_clear_margin, TRUE)
                 AS sl_clear,
               coalesce(s.contacts >= r.abandon_min_contacts
                        AND s.abandon_rate > r.abandon_spike_rate, FALSE) AS ab_cond
        FROM spans s JOIN qrules r USING (queue)
    )
    SELECT *,
           coalesce(max(CASE WHEN NOT sl_cond THEN next_sec - 1 END) OVER b, first_sec - 1)
             AS sl_false_before,
           coalesce(max(CASE WHEN sl_clear THEN next_sec - 1 END) OVER b, first_sec - 1)
             AS sl_clear_before,
           coalesce(max(CASE WHEN NOT ab_cond THEN next_sec - 1 END) OVER b, first_sec - 1)
             AS ab_false_before,
           NOT ab_cond AS ab_clear
    FROM conditions
    WINDOW b AS (PARTITION BY queue ORDER BY sec
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
"""

# One template per kind; names come from this fixed mapping, never from input.
HOLD_KINDS: dict[str, dict[str, str]] = {
    "sl_breach": {
        "prefix": "sl",
        "clear_before": "sl_clear_before",
        "hold": "sl_hold_s",
        "evidence": "service_level, sl_target AS target, contacts",
    },
    "abandon_spike": {
        "prefix": "ab",
        "clear_before": "ab_false_before",
        "hold": "abandon_hold_s",
        "evidence": "abandon_rate, abandon_spike_rate AS threshold, contacts",
    },
}

# Every whole second s of a span where the condition is true (`range()`), with: held =
# the condition was true on every second of [s - hold, s], i.e. the last false second lies
# more than `hold` before s. Inside such a span the last false and the last clearing
# second are those before the span. An episode is raised at the first held second after
# the last clearing second and cleared at the next clearing second (a clear span's start).
_HOLD_TEMPLATE = """
    CREATE OR REPLACE TEMP TABLE alerts_{kind} AS
    WITH seconds AS (
        SELECT queue, unnest(range(sec, next_sec)) AS s, {prefix}_false_before AS last_false,
               {clear_before} AS last_clear, {hold} AS hold_s, {evidence}
        FROM queue_spans WHERE {prefix}_cond
    ), raised AS (
        SELECT * FROM seconds WHERE s - last_false > hold_s
        QUALIFY row_number() OVER (PARTITION BY queue, last_clear ORDER BY s) = 1
    )
    SELECT '{kind}:' || r.queue || ':' || r.s AS id, '{kind}' AS kind,
           'queue:' || r.queue AS subject, NULL::VARCHAR AS agent_id,
           r.s * 1000000 AS raised_us,
           (SELECT min(c.sec) FROM queue_spans c
            WHERE c.queue = r.queue AND c.{prefix}_clear AND c.sec > r.s) * 1000000
             AS cleared_us,
           r.* EXCLUDE (queue, s, last_false, last_clear, hold_s)
    FROM raised r
"""


def hold_alert_sql(kind: str) -> str:
    """The CREATE statement of `alerts_<kind>` for one per-second queue alert kind."""
    return _HOLD_TEMPLATE.format(kind=kind, **HOLD_KINDS[kind])


ALL_ALERTS = """
    CREATE OR REPLACE TEMP TABLE alerts AS
    SELECT * FROM alerts_contact
    UNION ALL BY NAME SELECT * FROM alerts_wait
    UNION ALL BY NAME SELECT * FROM alerts_agent
    UNION ALL BY NAME SELECT * FROM alerts_sl_breach
    UNION ALL BY NAME SELECT * FROM alerts_abandon_spike
    UNION ALL BY NAME SELECT * FROM alerts_volume_spike  -- pipeline/reference/volume_sql.py
"""
