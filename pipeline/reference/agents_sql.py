"""SQL: agent login/logout/state acceptance, the effective-state timeline and agent KPIs.

Timeline semantics (docs/kpi-semantics.md §4): events in canonical order `(ts, rank, seq)`;
effective state = `logged_out` unless logged in, else `busy` with a contact answered and not
ended, else `acw` with one ended and not wrapped up, else the latest explicit state since
login (`ready` or `not_ready:<reason>`; `not_ready` with reason `outbound` is an outbound
call and labelled `busy`: busy time, no long_away). Segments are `[ts, next ts)`; agent time is
clipped continuously to `[lo_us, now_us]` of each window. Times are epoch microseconds.

Timeline tables: `late` (seqs of late events), `aev`, `sessions_ev` (accepted logins and
logouts), `rshifts` (roster shifts with their late-login deadline and early-login window
start), `logins` (with the applicable shift's end, addendum 21), `states`,
`timeline_contacts`, `arows`, `tl` (one row per agent change point with its effective
`label`, `seg_end` and `run_id`), `runs`, `agent_now`.
KPI tables: `agent_time`, `agent_work`, `agent_flags`, `alist`, `agent_levels`,
`agent_kpis`, `agent_reasons`, `now_counts`.
"""

from __future__ import annotations

TIMELINE: tuple[str, ...] = (
    # Late events: more than lateness_s behind the newest ts of an earlier arrival.
    """
    CREATE OR REPLACE TEMP TABLE late AS
    SELECT seq FROM (
        SELECT seq, ts,
               max(ts) OVER (ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                 AS newest
        FROM ev
    )
    WHERE newest - ts > $lateness_us
    """,
    """
    CREATE OR REPLACE TEMP TABLE aev AS
    SELECT * FROM ev
    WHERE type IN ('agent.login', 'agent.logout', 'agent.state')
      AND seq NOT IN (SELECT seq FROM late)
    """,
    # Login/logout only toggle: accepted iff the type differs from the previous one.
    """
    CREATE OR REPLACE TEMP TABLE sessions_ev AS
    SELECT agent_id, type, ts, rank, seq, team, site, shift_start, shift_end FROM (
        SELECT *, lag(type) OVER (PARTITION BY agent_id ORDER BY ts, rank, seq) AS prev_type
        FROM aev WHERE type IN ('agent.login', 'agent.logout')
    )
    WHERE type <> coalesce(prev_type, 'agent.logout')
    """,
    # Roster shifts with the rules of their rostered team (addendum 21).
    """
    CREATE OR REPLACE TEMP TABLE rshifts AS
    SELECT s.agent_id, s.team, s.shift_start, s.shift_end,
           s.shift_start + CAST(round(r.late_login_grace_s * 1000000) AS BIGINT) AS deadline,
           s.shift_start - CAST(round(r.early_login_window_s * 1000000) AS BIGINT)
             AS window_start
    FROM roster s JOIN trules r USING (team)
    """,
    # A login's applicable shift: its own fields when it carries either, else the
    # earliest-starting roster shift with window_start <= ts < shift_end.
    """
    CREATE OR REPLACE TEMP TABLE logins AS
    WITH l AS (
        SELECT agent_id, ts, rank, seq, team, site, shift_start, shift_end,
               shift_start IS NOT NULL OR shift_end IS NOT NULL AS own_shift,
               row_number() OVER (PARTITION BY agent_id ORDER BY ts, rank, seq) AS session
        FROM sessions_ev WHERE type = 'agent.login'
    ), rostered AS (
        SELECT l.seq, arg_min(s.shift_end, s.shift_start) AS shift_end
        FROM l JOIN rshifts s ON s.agent_id = l.agent_id
             AND s.window_start <= l.ts AND l.ts < s.shift_end
        WHERE NOT l.own_shift
        GROUP BY l.seq
    )
    SELECT l.*, CASE WHEN l.own_shift THEN l.shift_end ELSE r.shift_end END AS applicable_end
    FROM l LEFT JOIN rostered r USING (seq)
    """,
    """
    CREATE OR REPLACE TEMP TABLE states AS
    SELECT agent_id, ts, rank, seq, label FROM (
        SELECT agent_id, type, ts, rank, seq,
               CASE WHEN state = 'ready' THEN 'ready'
                    WHEN reason = 'outbound' THEN 'busy'
                    ELSE 'not_ready:' || reason END AS label,
               last_value(CASE type WHEN 'agent.login' THEN 1 WHEN 'agent.logout' THEN 0 END
                          IGNORE NULLS) OVER (
                   PARTITION BY agent_id ORDER BY ts, rank, seq
                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS logged_in
        FROM (
            SELECT agent_id, type, ts, rank, seq, NULL AS state, NULL AS reason
            FROM sessions_ev
            UNION ALL
            SELECT agent_id, type, ts, rank, seq, state, reason
            FROM aev WHERE type = 'agent.state'
        )
    )
    WHERE type = 'agent.state' AND logged_in = 1
    """,
    # Contact work on the agent timeline (addenda 13, 15): a late answer does not make
    # the agent busy, and the later steps of such a contact do not apply either.
    """
    CREATE OR REPLACE TEMP TABLE timeline_contacts AS
    WITH flags AS (
        SELECT c.*,
               c.answered AND c.outcome_seq NOT IN (SELECT seq FROM late) AS a_ok,
               c.ended_seq IS NOT NULL AND c.ended_seq NOT IN (SELECT seq FROM late) AS e_ok,
               c.wrap_seq IS NOT NULL AND c.wrap_seq NOT IN (SELECT seq FROM late) AS w_ok
        FROM contacts c WHERE c.answered
    )
    SELECT agent_id, outcome_ts, outcome_seq, ended_ts, ended_seq, wrap_ts, wrap_seq,
           a_ok AS answer_on_time, a_ok AND e_ok AS end_on_time,
           a_ok AND e_ok AND w_ok AS wrap_on_time
    FROM flags
    """,
    """
    CREATE OR REPLACE TEMP TABLE arows AS
    SELECT agent_id, ts, rank, seq, 1 AS li_set, 'ready' AS expl, 0 AS d_active,
           0 AS d_pending
    FROM sessions_ev WHERE type = 'agent.login'
    UNION ALL
    SELECT agent_id, ts, rank, seq, 0, NULL, 0, 0 FROM sessions_ev WHERE type = 'agent.logout'
    UNION ALL
    SELECT agent_id, ts, rank, seq, NULL, label, 0, 0 FROM states
    UNION ALL
    SELECT agent_id, outcome_ts, 3, outcome_seq, NULL, NULL, 1, 0 FROM timeline_contacts
    WHERE answer_on_time
    UNION ALL
    SELECT agent_id, ended_ts, 4, ended_seq, NULL, NULL, -1, 1 FROM timeline_contacts
    WHERE end_on_time
    UNION ALL
    SELECT agent_id, wrap_ts, 5, wrap_seq, NULL, NULL, 0, -1 FROM timeline_contacts
    WHERE wrap_on_time
    """,
    # One sorted pass: running state after each change point (window w) and before it
    # (window p: the same order, one row less), so a state change needs no second pass.
    """
    CREATE OR REPLACE TEMP TABLE tl AS
    WITH running AS (
        SELECT agent_id, ts, rank, seq, li_set,
               -- accepted logins and logouts alternate, starting with a login
               count(li_set) OVER w % 2 AS logged_in,
               (count(li_set) OVER w - CASE WHEN li_set IS NULL THEN 0 ELSE 1 END) % 2
                 AS logged_in_before,
               last_value(expl IGNORE NULLS) OVER w AS expl,
               last_value(expl IGNORE NULLS) OVER p AS expl_before,
               sum(d_active) OVER w AS active,
               sum(d_active) OVER w - d_active AS active_before,
               sum(d_pending) OVER w AS pending,
               sum(d_pending) OVER w - d_pending AS pending_before,
               sum(CASE WHEN li_set = 1 THEN 1 ELSE 0 END) OVER w AS session,
               lead(ts) OVER w AS seg_end,
               row_number() OVER w AS position
        FROM arows
        WINDOW w AS (PARTITION BY agent_id ORDER BY ts, rank, seq
                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
               p AS (PARTITION BY agent_id ORDER BY ts, rank, seq
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
    ), labelled AS (
        SELECT *,
               CASE WHEN logged_in = 0 THEN 'logged_out'
                    WHEN active > 0 THEN 'busy'
                    WHEN pending > 0 THEN 'acw'
                    ELSE expl END AS label,
               CASE WHEN position = 1 THEN NULL
                    WHEN logged_in_before = 0 THEN 'logged_out'
                    WHEN active_before > 0 THEN 'busy'
                    WHEN pending_before > 0 THEN 'acw'
                    ELSE expl_before END AS label_before
        FROM running
    )
    SELECT * EXCLUDE (logged_in_before, expl_before, active_before, pending_before,
                      label_before),
           sum(CASE WHEN label IS DISTINCT FROM label_before THEN 1 ELSE 0 END) OVER (
               PARTITION BY agent_id ORDER BY ts, rank, seq
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_id
    FROM labelled
    """,
    # Maximal runs of one effective state; run_end is the start of the next run (NULL: open).
    """
    CREATE OR REPLACE TEMP TABLE runs AS
    SELECT *, lead(run_start) OVER (PARTITION BY agent_id ORDER BY run_id) AS run_end
    FROM (
        SELECT agent_id, run_id, any_value(label) AS label, min(ts) AS run_start,
               min(session) AS session
        FROM tl GROUP BY agent_id, run_id
    )
    """,
    # The state at now: the last change point at or before now (addendum 1).
    """
    CREATE OR REPLACE TEMP TABLE agent_now AS
    SELECT t.agent_id, t.label,
           CASE WHEN t.label = 'logged_out' AND t.session = 0 THEN NULL ELSE r.run_start END
             AS since_us,
           l.team, l.site
    FROM (
        SELECT * FROM tl WHERE ts <= $now_us
        QUALIFY row_number() OVER (PARTITION BY agent_id ORDER BY ts DESC, rank DESC, seq DESC)
                = 1
    ) t
    JOIN runs r ON r.agent_id = t.agent_id AND r.run_id = t.run_id
    LEFT JOIN (
        SELECT * FROM logins WHERE ts <= $now_us
        QUALIFY row_number() OVER (PARTITION BY agent_id ORDER BY ts DESC, rank DESC, seq DESC)
                = 1
    ) l ON l.agent_id = t.agent_id
    """,
)

KPIS: tuple[str, ...] = (
    # Time in each effective state per window, clipped to [lo_us, now_us].
    """
    CREATE OR REPLACE TEMP TABLE agent_time AS
    SELECT agent_id, w, label, sum(dur) AS dur_us FROM (
        SELECT t.agent_id, win.w, t.label,
               greatest(0, least(coalesce(t.seg_end, $now_us), $now_us)
                           - greatest(t.ts, win.lo_us)) AS dur
        FROM tl t CROSS JOIN win
        WHERE t.label <> 'logged_out' AND t.ts < $now_us
    )
    WHERE dur > 0
    GROUP BY agent_id, w, label
    """,
    """
    CREATE OR REPLACE TEMP TABLE agent_work AS
    SELECT c.agent_id, win.w, count(*) AS handled, sum(c.handle_s) AS handle_sum
    FROM contacts c JOIN win ON c.wrap_ts // 1000000 >= win.lo_sec
    WHERE c.wrap_ts IS NOT NULL AND c.wrap_ts // 1000000 <= $now
    GROUP BY c.agent_id, win.w
    """,
    """
    CREATE OR REPLACE TEMP TABLE agent_flags AS
    SELECT a.agent_id, win.w,
           count(*) FILTER (WHERE a.kind = 'ultra_short_contact') AS ultra_short,
           count(*) FILTER (WHERE a.kind = 'ultra_long_contact') AS ultra_long
    FROM alerts a JOIN win ON a.raised_us // 1000000 >= win.lo_sec
    WHERE a.kind IN ('ultra_short_contact', 'ultra_long_contact') AND a.raised_us <= $now_us
    GROUP BY a.agent_id, win.w
    """,
    # Listed agents: logged in at now, or logged-in time or handled contacts in any window.
    """
    CREATE OR REPLACE TEMP TABLE alist AS
    SELECT DISTINCT agent_id FROM (
        SELECT agent_id FROM agent_now WHERE label <> 'logged_out'
        UNION ALL SELECT agent_id FROM agent_time
        UNION ALL SELECT agent_id FROM agent_work
    )
    """,
    # Agent rows tagged with every rollup level they belong to (agent, team, site).
    """
    CREATE OR REPLACE TEMP TABLE agent_levels AS
    SELECT l.agent_id, 'agent' AS level, l.agent_id AS key FROM alist l
    UNION ALL
    SELECT l.agent_id, 'team', n.team FROM alist l JOIN agent_now n USING (agent_id)
    WHERE n.team IS NOT NULL
    UNION ALL
    SELECT l.agent_id, 'site', n.site FROM alist l JOIN agent_now n USING (agent_id)
    WHERE n.site IS NOT NULL
    """,
    """
    CREATE OR REPLACE TEMP TABLE agent_kpis AS
    WITH ent AS (
        SELECT DISTINCT level, key FROM agent_levels
    ), t AS (
        SELECT g.level, g.key, a.w,
               sum(a.dur_us) AS logged_in_us,
               sum(a.dur_us) FILTER (WHERE a.label = 'busy') AS busy_us,
               sum(a.dur_us) FILTER (WHERE a.label = 'acw') AS acw_us,
               sum(a.dur_us) FILTER (WHERE a.label = 'ready') AS ready_us,
               sum(a.dur_us) FILTER (WHERE a.label LIKE 'not_ready:%') AS not_ready_us
        FROM agent_levels g JOIN agent_time a USING (agent_id)
        GROUP BY g.level, g.key, a.w
    ), h AS (
        SELECT g.level, g.key, k.w, sum(k.handled) AS handled, sum(k.handle_sum) AS handle_sum
        FROM agent_levels g JOIN agent_work k USING (agent_id)
        GROUP BY g.level, g.key, k.w
    ), f AS (
        SELECT g.level, g.key, k.w, sum(k.ultra_short) AS ultra_short,
               sum(k.ultra_long) AS ultra_long
        FROM agent_levels g JOIN agent_flags k USING (agent_id)
        GROUP BY g.level, g.key, k.w
    ), s AS (
        SELECT e.level, e.key, win.w,
               coalesce(t.logged_in_us, 0) / 1000000.0 AS logged_in_s,
               coalesce(t.busy_us, 0) / 1000000.0 AS busy_s,
               coalesce(t.acw_us, 0) / 1000000.0 AS acw_s,
               coalesce(t.ready_us, 0) / 1000000.0 AS ready_s,
               coalesce(t.not_ready_us, 0) / 1000000.0 AS not_ready_s,
               coalesce(h.handled, 0)::BIGINT AS handled,
               h.handle_sum,
               coalesce(f.ultra_short, 0)::BIGINT AS ultra_short,
               coalesce(f.ultra_long, 0)::BIGINT AS ultra_long
        FROM ent e CROSS JOIN win
        LEFT JOIN t ON t.level = e.level AND t.key = e.key AND t.w = win.w
        LEFT JOIN h ON h.level = e.level AND h.key = e.key AND h.w = win.w
        LEFT JOIN f ON f.level = e.level AND f.key = e.key AND f.w = win.w
    )
    SELECT level, key, w, logged_in_s, busy_s, acw_s, ready_s, not_ready_s,
           (busy_s + acw_s + ready_s) / nullif(logged_in_s, 0) AS utilization,
           (busy_s + acw_s) / nullif(busy_s + acw_s + ready_s, 0) AS occupancy,
           handled,
           handle_sum / nullif(handled, 0) AS aht_s,
           ultra_short, ultra_long
    FROM s
    """,
    """
    CREATE OR REPLACE TEMP TABLE agent_reasons AS
    SELECT g.level, g.key, a.w, substr(a.label, 11) AS reason,
           sum(a.dur_us) / 1000000.0 AS seconds
    FROM agent_levels g JOIN agent_time a USING (agent_id)
    WHERE a.label LIKE 'not_ready:%'
    GROUP BY g.level, g.key, a.w, a.label
    """,
    # Now-counts of logged-in agents per team and site (and per queue via `serves`).
    """
    CREATE OR REPLACE TEMP TABLE now_counts AS
    SELECT level, key,
           count(*) FILTER (WHERE label <> 'logged_out') AS staffed,
           count(*) FILTER (WHERE label = 'ready') AS ready,
           count(*) FILTER (WHERE label = 'busy') AS busy,
           count(*) FILTER (WHERE label = 'acw') AS acw,
           count(*) FILTER (WHERE label LIKE 'not_ready:%') AS not_ready
    FROM (
        SELECT 'team' AS level, team AS key, label FROM agent_now WHERE team IS NOT NULL
        UNION ALL
        SELECT 'site', site, label FROM agent_now WHERE site IS NOT NULL
        UNION ALL
        SELECT 'queue', s.queue, n.label FROM agent_now n JOIN serves s ON s.team = n.team
    )
    GROUP BY level, key
    """,
)
