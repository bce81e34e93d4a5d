"""`FloorEngine`: one contact center's KPI state, fed event by event (engine-free).

Times are Unix epoch seconds internally (each event's `ts` is converted once). The
watermark is the newest event time seen minus `lateness_s`; agent transitions and alerts
are decided (made final) up to the watermark, while counters are current to the newest
event. `snapshot(now)` renders the §7 JSON at a whole epoch second.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from datetime import datetime
from typing import Any

from pipeline.engine.agents import CONTACT_WORK_RANK, AgentTimeline, Transition, step
from pipeline.engine.alerts import AlertBook, epoch_id
from pipeline.engine.bounds import EntityBounds
from pipeline.engine.calendar import LocalCalendar
from pipeline.engine.contacts import Candidate, Contact, apply_accepted, is_settled, judge
from pipeline.engine.counters import QUEUE_FIELDS, A, Q, WindowedCounters
from pipeline.engine.queue_alerts import (
    R_ABANDONED,
    R_ANSWERED,
    R_IN_SL,
    R_SHORT,
    QueueRates,
    WaitBreach,
)
from pipeline.engine.report import (
    People,
    build_people,
    build_snapshot,
    history_points,
    interval_records,
)
from pipeline.engine.rules import RulesCache
from pipeline.engine.shifts import SHIFT_END, ShiftBook, ShiftCheck, load_shift_book
from pipeline.engine.team_history import TeamLedger
from pipeline.engine.time_gate import EventTimeGate
from pipeline.engine.types import (
    AlertTransition,
    DeadLetter,
    EngineOutput,
    EngineStats,
    TimelineRecord,
)
from pipeline.engine.volume_spike import VolumeSpike, elapsed_since, load_forecast
from pipeline.engine.waiting import WaitingLine
from schemas.config import Settings
from schemas.events import CANONICAL_RANK, ContactSelfServed, Event, event_to_json
from schemas.timefmt import format_ts

INF = float("inf")
HOUSEKEEPING_EVERY_S = 10  # event-time seconds; snapshots decide on every tick anyway
EVICT_EVERY_S = 300
# History points and interval records cover at most this much event time before the decided
# second after a gap (a day: overnight gaps keep every minute).
HISTORY_CATCHUP_S = 86400
# Rolling windows reach back 3600 s; keep a margin for late arrivals and history minutes.
KEEP_SECONDS = 3600 + 120


class FloorEngine:
    """KPI and alert state of the whole floor; picklable (plain containers only)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rules = RulesCache(settings)
        self.calendar = LocalCalendar(settings.timezone, settings.interval_min)
        self.lateness_s = float(settings.lateness_s)
        self.alerts = AlertBook(settings.timezone, {k: v for k, v in settings.severities.items()})
        self.time_gate: EventTimeGate[tuple[Event, int]] = EventTimeGate(
            settings.time_jump_s,
            settings.dedupe_window_s,
            settings.time_jump_confirm,
            settings.max_future_s,
        )
        # Caps on distinct queues, agents, teams and sites ([limits]).
        self.bounds = EntityBounds(settings)
        # Dedupe: event id -> ts of its latest arrival, and arrival order for eviction.
        self.seen: dict[str, float] = {}
        self.seen_order: deque[tuple[float, str]] = deque()
        # Contacts and what depends on them.
        self.contacts: dict[str, Contact] = {}
        self.expiry: list[tuple[float, int, str]] = []
        # Per queue: offered contacts and when they left, for in_queue / longest_wait_s.
        self.in_queue: dict[str, WaitingLine] = {}
        self.queue_counters: dict[tuple[str | None, str], WindowedCounters] = {}
        self.rates: dict[str, QueueRates] = {}
        self.wait_breaches: dict[str, WaitBreach] = {}
        # volume_spike: forecast contacts per queue and interval start, and the trackers.
        self.forecast = load_forecast(settings)
        self.volume: dict[str, VolumeSpike] = {}
        self.ultra_long_timers: list[tuple[float, str]] = []
        # Agents.
        self.agents: dict[str, AgentTimeline] = {}
        # Rostered shifts ([staffing] roster, read once here): applicable shift of a login
        # without shift fields, and the roster's late_login checks (addendum 21).
        self.shifts: ShiftBook | None = load_shift_book(settings, self.rules)
        # Decided time and counters summed per team, for the per-minute team history.
        self.team_ledger = TeamLedger()
        # (ts, agent_id) of every pending agent transition, to find agents with work to decide.
        self.agent_due: list[tuple[float, str]] = []
        self.long_away_timers: list[tuple[float, str, float, str, float]] = []
        # Progress.
        self.latest: float | None = None
        self.first_ts: float | None = None
        self.finished = False
        self.decided_second: int | None = None
        # Everything with ts < decided_limit (<= when decided_inclusive) has been decided.
        self.decided_limit = -INF
        self.decided_inclusive = False
        self.history_minute: int | None = None
        self.next_housekeeping = -math.inf
        self.next_eviction = -math.inf
        self.out = EngineOutput()
        self.events_total = 0
        self.duplicates_total = 0
        self.dead_letters_total = 0
        self.late_total = 0
        self.refused_time_total = 0

    # ------------------------------------------------------------------ input
    @property
    def watermark(self) -> float:
        if self.finished:
            return INF
        return -INF if self.latest is None else self.latest - self.lateness_s

    def ingest(self, event: Event, seq: int) -> None:
        """Gate the event time (`time_gate`: may hold it, or release events it held), then
        dedupe by event_id, validate in context, update state. Order-insensitive within
        the lateness."""
        self.events_total += 1
        self._admit_all(self.time_gate.offer(event.ts.timestamp(), (event, seq)))

    def _admit_all(self, verdicts: list[tuple[tuple[Event, int], str | None]]) -> None:
        for (event, seq), refused in verdicts:
            if refused is None:
                self._admit(event, seq)
            else:
                self.refused_time_total += 1
                self._dead(event, seq, refused)

    def _admit(self, event: Event, seq: int) -> None:
        ts = event.ts.timestamp()
        event_id = event.event_id
        # A duplicate: the same id arrived before at most `dedupe_window_s` away in event
        # time (docs/kpi-semantics.md "Duplicates"); its latest arrival is what counts.
        previous = self.seen.get(event_id)
        self.seen[event_id] = ts
        self.seen_order.append((ts, event_id))
        if previous is not None and abs(ts - previous) <= self.settings.dedupe_window_s:
            self.duplicates_total += 1
            return
        beyond_cap = self.bounds.refuse(event)
        if beyond_cap is not None:
            self._dead(event, seq, beyond_cap)
            return
        late = ts < self.watermark
        if late:
            self.late_total += 1
        if self.latest is None or ts > self.latest:
            self.latest = ts
        if self.first_ts is None:
            self.first_ts = ts
        kind = event.type
        if kind.startswith("agent."):
            if late:
                self._dead(event, seq, "late")
            else:
                self._agent_event(event, seq, ts)
        elif kind == "contact.offered":
            self._offered(event, seq, ts)
        elif isinstance(event, ContactSelfServed):
            self._count(event.queue, event.channel, ts, ((Q["self_served"], 1),))
        else:
            self._candidate(event, seq, ts)
        if not self.finished and self.watermark >= self.next_housekeeping:
            self._housekeep()

    def _dead(self, event: Event, seq: int, reason: str) -> None:
        self.dead_letters_total += 1
        self.out.dead_letters.append(DeadLetter(reason, seq, event_to_json(event).decode()))

    def _count(
        self, queue: str | None, channel: str, ts: float, deltas: tuple[tuple[int, float], ...]
    ) -> None:
        key = (queue, channel)
        counters = self.queue_counters.get(key)
        if counters is None:
            counters = self.queue_counters[key] = WindowedCounters(len(QUEUE_FIELDS))
        counters.add(math.floor(ts), self.calendar.day_start(ts), deltas)

    # --------------------------------------------------------------- contacts
    def _offered(self, event: Any, seq: int, ts: float) -> None:
        cid = event.contact_id
        contact = self.contacts.get(cid)
        if contact is not None and contact.offered_ts is not None:
            self._dead(event, seq, f"contact.offered: contact {cid} was already offered")
            return
        if contact is None:
            contact = self.contacts[cid] = Contact(cid)
        queue, channel = event.queue, event.channel
        contact.queue, contact.channel, contact.offered_ts = queue, channel, ts
        contact.last_ts = max(contact.last_ts, ts)
        self._count(queue, channel, ts, ((Q["offered"], 1),))
        line = self.in_queue.get(queue)
        if line is None:
            line = self.in_queue[queue] = WaitingLine()
        line.offered(cid, ts)
        rules = self.rules.queue(queue, channel)
        breach = self.wait_breaches.get(queue)
        if breach is None:
            hold = self.rules.queue_own(queue).wait_clear_hold_s
            breach = self.wait_breaches[queue] = WaitBreach(queue, hold)
        breach.offered(ts + rules.wait_breach_s, cid, rules.wait_breach_s)
        if queue in self.forecast:
            self._volume_offered(queue, event.ts, seq, ts)
        self._resolve(contact)

    def _decided(self, ts: float) -> bool:
        """Whether time `ts` (epoch s) has already been decided (see `decided_limit`)."""
        return ts < self.decided_limit or (self.decided_inclusive and ts == self.decided_limit)

    def _volume_offered(self, queue: str, moment: datetime, seq: int, ts: float) -> None:
        tracker = self.volume.get(queue)
        if tracker is None:
            tracker = self.volume[queue] = VolumeSpike(queue)
        start = self.calendar.interval_start(ts)
        tracker.offered((ts, seq, start, elapsed_since(moment, start)), self._decided(ts))

    def _candidate(self, event: Any, seq: int, ts: float) -> None:
        cid = event.contact_id
        contact = self.contacts.get(cid)
        if contact is None:
            contact = self.contacts[cid] = Contact(cid, last_ts=ts)
        cand = Candidate(seq, ts, event.type, getattr(event, "agent_id", None), event)
        verdict, reason = judge(contact, cand, self.settings.survey_window_s)
        if verdict == "wait":
            contact.waiting.append(cand)
            heapq.heappush(self.expiry, (ts, seq, cid))
        elif verdict == "reject":
            self._dead(event, seq, reason)
        else:
            self._accept(contact, cand)
            self._resolve(contact)

    def _resolve(self, contact: Contact) -> None:
        """Judge waiting candidates in arrival order until nothing changes."""
        survey_window = self.settings.survey_window_s
        progress = True
        while progress and contact.waiting:
            progress = False
            for cand in contact.waiting:
                verdict, reason = judge(contact, cand, survey_window)
                if verdict == "wait":
                    continue
                contact.waiting.remove(cand)
                if verdict == "reject":
                    self._dead(cand.event, cand.seq, reason)
                else:
                    self._accept(contact, cand)
                progress = True
                break

    def _accept(self, contact: Contact, cand: Candidate) -> None:
        apply_accepted(contact, cand)
        kind, ts = cand.type, cand.ts
        queue, channel = contact.queue, contact.channel
        assert queue is not None and channel is not None and contact.offered_ts is not None
        rules = self.rules.queue(queue, channel)  # type: ignore[arg-type]
        cid = contact.contact_id
        if kind in ("contact.answered", "contact.abandoned"):
            wait = ts - contact.offered_ts
            in_sl = wait <= rules.sl_threshold_s
            rates = self.rates.get(queue)
            if rates is None:
                rates = self.rates[queue] = QueueRates(queue)
            if kind == "contact.answered":
                self._count(
                    queue,
                    channel,
                    ts,
                    (
                        (Q["answered"], 1),
                        (Q["wait_answered_sum"], wait),
                        (Q["answered_in_sl"], in_sl),
                    ),
                )
                rates.add(math.floor(ts), R_ANSWERED, R_IN_SL if in_sl else None)
                self._agent_work(contact, cand, "answered")
                heapq.heappush(self.ultra_long_timers, (ts + rules.ultra_long_s, cid))
            else:
                short = wait < rules.short_abandon_s
                self._count(
                    queue,
                    channel,
                    ts,
                    (
                        (Q["abandoned"], 1),
                        (Q["short_abandoned"], short),
                        (Q["abandoned_in_sl"], in_sl),
                        (Q["wait_abandoned_sum"], wait),
                    ),
                )
                rates.add(math.floor(ts), R_ABANDONED, R_SHORT if short else None)
            line = self.in_queue.get(queue)
            if line is not None:
                line.left(cid, ts)
            self.wait_breaches[queue].outcome(cid, ts)
        elif kind == "contact.ended":
            transferred = cand.event.disposition == "transferred"
            self._count(queue, channel, ts, ((Q["ended"], 1), (Q["transferred"], transferred)))
            self._agent_work(contact, cand, "ended")
            self._contact_end_alerts(contact, rules.ultra_short_s, rules.ultra_long_s)
        elif kind == "contact.wrapup_ended":
            assert contact.outcome_ts is not None and contact.ended_ts is not None
            handle = ts - contact.outcome_ts
            self._count(queue, channel, ts, ((Q["handled"], 1), (Q["handle_sum"], handle)))
            agent = self._agent(cand.agent_id or "")
            self._agent_counts(agent, ts, ((A["handled"], 1), (A["handle_sum"], handle)))
            self._agent_work(contact, cand, "wrapup")
            zone = self.calendar.zone
            self.out.timeline.append(
                TimelineRecord(
                    agent.agent_id,
                    contact.outcome_ts,
                    "contact",
                    {
                        "contact_id": cid,
                        "queue": queue,
                        "answered": format_ts(contact.outcome_ts, zone),
                        "ended": format_ts(contact.ended_ts, zone),
                        "wrapup": format_ts(ts, zone),
                        "handle_s": handle,
                    },
                )
            )
        else:
            satisfied = cand.event.score >= 3
            self._count(queue, channel, ts, ((Q["surveys"], 1), (Q["satisfied"], satisfied)))

    def _contact_end_alerts(
        self, contact: Contact, ultra_short_s: float | None, ultra_long_s: float
    ) -> None:
        assert contact.outcome_ts is not None and contact.ended_ts is not None
        agent_id = contact.agent_id or ""
        conversation = contact.ended_ts - contact.outcome_ts
        cid = contact.contact_id
        if ultra_short_s is not None and conversation < ultra_short_s:
            raised = self.alerts.raise_alert(
                f"ultra_short_contact:{cid}",
                "ultra_short_contact",
                f"agent:{agent_id}",
                contact.ended_ts,
                {
                    "contact_id": cid,
                    "queue": contact.queue,
                    "conversation_s": conversation,
                    "threshold_s": float(ultra_short_s),
                },
                cleared_at=contact.ended_ts,
            )
            if raised is not None:
                self._agent_count(agent_id, contact.ended_ts, A["ultra_short"])
        if conversation > ultra_long_s:
            self._raise_ultra_long(contact, ultra_long_s)
        alert_id = f"ultra_long_contact:{cid}"
        if contact.ultra_long_raised:
            self.alerts.clear(alert_id, contact.ended_ts)

    def _raise_ultra_long(self, contact: Contact, ultra_long_s: float) -> None:
        if contact.ultra_long_raised:
            return
        assert contact.outcome_ts is not None
        contact.ultra_long_raised = True
        raised_at = contact.outcome_ts + ultra_long_s
        self.alerts.raise_alert(
            f"ultra_long_contact:{contact.contact_id}",
            "ultra_long_contact",
            f"agent:{contact.agent_id}",
            raised_at,
            {
                "contact_id": contact.contact_id,
                "queue": contact.queue,
                "threshold_s": float(ultra_long_s),
            },
        )
        self._agent_count(contact.agent_id or "", raised_at, A["ultra_long"])

    def _agent_count(self, agent_id: str, ts: float, index: int) -> None:
        self._agent_counts(self._agent(agent_id), ts, ((index, 1),))

    def _agent_counts(
        self, agent: AgentTimeline, ts: float, deltas: tuple[tuple[int, float], ...]
    ) -> None:
        second, day = math.floor(ts), self.calendar.day_start(ts)
        agent.counters.add(second, day, deltas)
        self.team_ledger.add_counts(agent.core.team, second, day, deltas)

    # ----------------------------------------------------------------- agents
    def _agent(self, agent_id: str) -> AgentTimeline:
        agent = self.agents.get(agent_id)
        if agent is None:
            agent = self.agents[agent_id] = AgentTimeline(agent_id)
        return agent

    def _agent_event(self, event: Any, seq: int, ts: float) -> None:
        kind = event.type
        data: tuple[Any, ...]
        if kind == "agent.login":
            short = "login"
            data = (event.team, event.site, *self._applicable_shift(event, ts))
        elif kind == "agent.logout":
            short, data = "logout", ()
        else:
            short, data = "state", (event.state, event.reason)
        agent = self._agent(event.agent_id)
        agent.add((ts, CANONICAL_RANK[kind], seq, short, data, event))
        heapq.heappush(self.agent_due, (ts, agent.agent_id))

    def _applicable_shift(self, event: Any, ts: float) -> tuple[float | None, float | None, bool]:
        """(shift_start, shift_end, from the login's own fields) of a login: its own fields
        when it carries either, else the roster shift it falls into (addendum 21)."""
        if event.shift_start is not None or event.shift_end is not None:
            return (
                None if event.shift_start is None else event.shift_start.timestamp(),
                None if event.shift_end is None else event.shift_end.timestamp(),
                True,
            )
        shift = None if self.shifts is None else self.shifts.applicable(event.agent_id, ts)
        if shift is None:
            return None, None, False
        return shift.start, shift.end, False

    def _agent_work(self, contact: Contact, cand: Candidate, kind: str) -> None:
        decided = self._decided(cand.ts)
        if kind == "answered" and decided:
            # The answer came after the agent's timeline was decided past it (addendum 13).
            contact.work_untracked = True
        if contact.work_untracked or decided:
            return
        agent = self._agent(contact.agent_id or "")
        agent.add((cand.ts, CONTACT_WORK_RANK[kind], cand.seq, kind, (), None))
        heapq.heappush(self.agent_due, (cand.ts, agent.agent_id))

    def _finalize_agent(self, agent: AgentTimeline, limit: float, inclusive: bool) -> None:
        core = agent.core
        agent_id = agent.agent_id
        shifts = self.shifts
        for tr in agent.take_final(limit, inclusive):
            if shifts is not None:
                for check in shifts.take_before(agent_id, tr[0]):
                    self._shift_check(agent_id, check)
            before_state, before_reason, before_since = core.state, core.reason, core.since
            closed: list[tuple[float, float, str, str | None]] = []
            team_before = core.team
            reason = step(core, agent_id, tr, closed)
            if reason:
                self._dead(tr[5], tr[2], reason)
                continue
            if core.team != team_before:
                # History counts an agent's kept time and counters in its current team.
                self.team_ledger.move(
                    team_before,
                    core.team,
                    agent.segments,
                    agent.counters.seconds,
                    self.calendar.day_start,
                )
            for segment in closed:
                agent.close_segment(segment, self.calendar)
                self.team_ledger.add_segment(core.team, segment)
            ts, kind = tr[0], tr[3]
            if kind == "login":
                self._login_alerts(agent, tr)
            elif kind == "logout":
                self._logout_alerts(agent, ts)
            changed = (core.state, core.reason) != (before_state, before_reason)
            if not changed:
                continue
            self.out.timeline.append(
                TimelineRecord(agent_id, ts, "state", {"state": core.state, "reason": core.reason})
            )
            team_rules = self.rules.team(core.team)
            if before_state == "not_ready" and before_since is not None and before_reason:
                limit_s = team_rules.long_away_s.get(before_reason)  # type: ignore[call-overload]
                if limit_s is not None and ts - before_since > limit_s:
                    alert_id = self._raise_long_away(agent_id, before_since, before_reason, limit_s)
                    self.alerts.clear(alert_id, ts)
            if core.state == "not_ready" and core.reason:
                limit_s = team_rules.long_away_s.get(core.reason)  # type: ignore[call-overload]
                if limit_s is not None:
                    heapq.heappush(
                        self.long_away_timers,
                        (ts + limit_s, agent_id, ts, core.reason, float(limit_s)),
                    )

    def _raise_long_away(self, agent_id: str, start: float, reason: str, limit_s: float) -> str:
        alert_id = f"long_away:{agent_id}:{epoch_id(start)}"
        self.alerts.raise_alert(
            alert_id,
            "long_away",
            f"agent:{agent_id}",
            start + limit_s,
            {"reason": reason, "limit_s": float(limit_s)},
        )
        return alert_id

    def _login_alerts(self, agent: AgentTimeline, tr: Transition) -> None:
        ts = tr[0]
        _team, _site, shift_start, _shift_end, own_shift = tr[4]
        core = agent.core
        rules = self.rules.team(core.team)
        agent_id = agent.agent_id
        zone = self.calendar.zone
        if self.shifts is not None:
            # The agent came: every raised roster late_login of theirs ends here.
            for shift in self.shifts.open.pop(agent_id, []):
                self._clear_late_login(shift.agent_id, shift.start, ts, late_by_s=ts - shift.start)
        if own_shift and shift_start is not None and shift_start not in agent.shift_starts:
            agent.shift_starts.add(shift_start)
            if ts > shift_start + rules.late_login_grace_s:
                self.alerts.raise_alert(
                    f"late_login:{agent_id}:{epoch_id(shift_start)}",
                    "late_login",
                    f"agent:{agent_id}",
                    ts,
                    {"shift_start": format_ts(shift_start, zone), "late_by_s": ts - shift_start},
                    cleared_at=ts,
                )
        window = rules.relogin_window_s
        agent.logins = [t for t in agent.logins if t > ts - window]
        agent.logins.append(ts)
        if len(agent.logins) >= rules.relogin_count:
            self.alerts.raise_alert(
                f"abnormal_logout:{agent_id}:{epoch_id(ts)}",
                "abnormal_logout",
                f"agent:{agent_id}",
                ts,
                {"reasons": ["frequent_relogin"], "logins_in_window": len(agent.logins)},
                cleared_at=ts,
            )

    def _shift_check(self, agent_id: str, check: ShiftCheck) -> None:
        """Run one roster check once the agent's transitions before it are final."""
        at, kind, _start, shift = check
        assert self.shifts is not None
        if kind == SHIFT_END:
            opened = self.shifts.open.get(agent_id, [])
            if shift in opened:
                opened.remove(shift)
                self._clear_late_login(agent_id, shift.start, at, absent=True)
            return
        # The input says nothing about who was logged in before it began.
        if self.first_ts is None or at < self.first_ts:
            return
        agent = self.agents.get(agent_id)
        if agent is not None and agent.core.logged_in:
            return
        raised = self.alerts.raise_alert(
            f"late_login:{agent_id}:{epoch_id(shift.start)}",
            "late_login",
            f"agent:{agent_id}",
            at,
            {"shift_start": format_ts(shift.start, self.calendar.zone), "not_logged_in": True},
        )
        if raised is not None:
            self.shifts.open.setdefault(agent_id, []).append(shift)

    def _clear_late_login(self, agent_id: str, shift_start: float, at: float, **extra: Any) -> None:
        """Clear a roster late_login at `at`, adding `extra` to its evidence."""
        alert_id = f"late_login:{agent_id}:{epoch_id(shift_start)}"
        record = self.alerts.alerts.get(alert_id)
        if record is None or record.cleared_at is not None:
            return
        # A new dict: the exported "raised" transition holds the old one.
        record.evidence = {**record.evidence, **extra}
        self.alerts.clear(alert_id, at)

    def _logout_alerts(self, agent: AgentTimeline, ts: float) -> None:
        core = agent.core
        rules = self.rules.team(core.team)
        reasons: list[str] = []
        evidence: dict[str, Any] = {}
        if core.active > 0:
            reasons.append("active_contact")
            evidence["active_contacts"] = core.active
        if core.shift_end is not None and ts < core.shift_end - rules.early_logout_grace_s:
            reasons.append("early_logout")
            evidence["shift_end"] = format_ts(core.shift_end, self.calendar.zone)
        if not reasons:
            return
        evidence["reasons"] = sorted(reasons)
        agent_id = agent.agent_id
        self.alerts.raise_alert(
            f"abnormal_logout:{agent_id}:{epoch_id(ts)}",
            "abnormal_logout",
            f"agent:{agent_id}",
            ts,
            evidence,
            cleared_at=ts,
        )

    # -------------------------------------------------------------- deciding
    def _housekeep(self) -> None:
        watermark = self.watermark
        self._decide(watermark, False, math.floor(watermark) - 1)
        self.next_housekeeping = math.floor(watermark) + HOUSEKEEPING_EVERY_S

    def _decide(self, limit: float, inclusive: bool, last_second: int) -> None:
        """Make final everything whose time is known: `< limit` (`<= limit` if inclusive);
        per-second rules and history up to whole second `last_second`."""

        def known(t: float) -> bool:
            return t < limit or (inclusive and t <= limit)

        if limit > self.decided_limit or (limit == self.decided_limit and inclusive):
            self.decided_limit, self.decided_inclusive = limit, inclusive
        self._expire_candidates(known)
        due = self.agent_due
        ready: set[str] = set()
        while due and known(due[0][0]):
            ready.add(heapq.heappop(due)[1])
        for agent_id in sorted(ready):
            self._finalize_agent(self.agents[agent_id], limit, inclusive)
        if self.shifts is not None:
            for agent_id, check in self.shifts.take_known(known):
                self._shift_check(agent_id, check)
        timers = self.long_away_timers
        while timers and known(timers[0][0]):
            _deadline, agent_id, start, reason, limit_s = heapq.heappop(timers)
            core = self.agents[agent_id].core
            if core.state == "not_ready" and core.since == start and core.reason == reason:
                self._raise_long_away(agent_id, start, reason, limit_s)
        long_timers = self.ultra_long_timers
        while long_timers and known(long_timers[0][0]):
            deadline, cid = heapq.heappop(long_timers)
            contact = self.contacts.get(cid)
            if contact is not None and contact.ended_ts is None and contact.outcome_ts is not None:
                self._raise_ultra_long(contact, deadline - contact.outcome_ts)
        for queue in sorted(self.wait_breaches):
            self.wait_breaches[queue].decide(limit, inclusive, self.contacts, self.alerts)
        interval_s = self.calendar.interval_s
        for queue in sorted(self.volume):
            self.volume[queue].decide(
                limit,
                inclusive,
                interval_s,
                self.rules.queue_own(queue),
                self.forecast[queue],
                self.alerts,
            )
        if self.decided_second is None or last_second > self.decided_second:
            for queue in sorted(self.rates):
                self.rates[queue].sweep(last_second, self.rules.queue_own(queue), self.alerts)
            self._history(last_second)
            self.decided_second = last_second
        if limit >= self.next_eviction and limit != INF:
            self._evict(limit)
            self.next_eviction = limit + EVICT_EVERY_S

    def _expire_candidates(self, known: Any) -> None:
        expiry = self.expiry
        while expiry and known(expiry[0][0]):
            _ts, seq, cid = heapq.heappop(expiry)
            contact = self.contacts.get(cid)
            if contact is None:
                continue
            for cand in contact.waiting:
                if cand.seq == seq:
                    contact.waiting.remove(cand)
                    _verdict, reason = judge(contact, cand, self.settings.survey_window_s)
                    self._dead(cand.event, seq, reason)
                    break
            if contact.offered_ts is None and not contact.waiting:
                del self.contacts[cid]

    def _history(self, last_second: int) -> None:
        if self.first_ts is None:
            return
        if self.history_minute is None:
            # The first whole minute at or after the first event, minus one step.
            self.history_minute = math.ceil(self.first_ts / 60) * 60 - 60
        minute = self.history_minute + 60
        # After a long gap in event time (kpi-spec §2: a closed weekend, a quiet month) the
        # minutes are caught up for at most HISTORY_CATCHUP_S: nothing happened before.
        minute = max(minute, math.ceil((last_second - HISTORY_CATCHUP_S) / 60) * 60)
        while minute <= last_second:
            self.out.history.extend(history_points(self, minute))
            if self.calendar.interval_start(minute) == minute:
                self.out.intervals.extend(interval_records(self, minute))
            self.history_minute = minute
            minute += 60

    def _evict(self, limit: float) -> None:
        keep_from = math.floor(limit) - KEEP_SECONDS
        keep_day = self.calendar.day_start(limit) - 86400
        for counters in self.queue_counters.values():
            counters.evict(keep_from, keep_day)
        for rates in self.rates.values():
            rates.evict(keep_from)
        for agent in self.agents.values():
            agent.evict(keep_from, keep_day)
        self.team_ledger.evict(keep_from, keep_day)
        # An id's latest arrival matters while a later event may come within the window of
        # it; the gate refuses events more than one window before the newest, so two back.
        dedupe_from = limit - 2 * self.settings.dedupe_window_s
        seen_order = self.seen_order
        while seen_order and seen_order[0][0] < dedupe_from:
            _ts, event_id = seen_order.popleft()
            if self.seen.get(event_id, INF) < dedupe_from:
                del self.seen[event_id]
        contact_from = limit - max(self.settings.dedupe_window_s, self.settings.survey_window_s)
        for cid in [
            c.contact_id
            for c in self.contacts.values()
            if c.last_ts < contact_from and is_settled(c)
        ]:
            del self.contacts[cid]
        for line in self.in_queue.values():
            line.evict(limit - 60)
        self.alerts.evict(keep_day)

    # ---------------------------------------------------------------- output
    def snapshot(self, now: int) -> dict[str, Any]:
        """The §7 snapshot at whole epoch second `now`; decides up to min(watermark, now)."""
        return self.snapshot_reusing(now, None)[0]

    def snapshot_reusing(self, now: int, people: People | None) -> tuple[dict[str, Any], People]:
        """Like `snapshot`, but the agent side (agents, teams, site agent rollups) is taken
        from `people` when given (built at an earlier tick) instead of being rebuilt.
        Returns the snapshot and the agent side it used."""
        self._decide_for_snapshot(now)
        if people is None:
            people = build_people(self, now)
        return build_snapshot(self, now, people), people

    def _decide_for_snapshot(self, now: int) -> None:
        watermark = self.watermark
        if self.latest is None:
            pass
        elif self.finished or now < watermark:
            last_second = now if self.finished else min(now, math.floor(watermark) - 1)
            self._decide(now, True, last_second)
        else:
            self._decide(watermark, False, math.floor(watermark) - 1)

    def finish(self) -> None:
        """End of input: nothing more will arrive; events the time gate holds are decided
        and everything pending becomes final."""
        self._admit_all(self.time_gate.flush())
        self.finished = True

    def drain(self) -> EngineOutput:
        """Everything produced since the last drain."""
        out = self.out
        out.alert_transitions.extend(
            AlertTransition("raised" if kind == "raised" else "cleared", alert)
            for kind, alert in self.alerts.transitions
        )
        self.alerts.transitions = []
        self.out = EngineOutput()
        return out

    @property
    def stats(self) -> EngineStats:
        return EngineStats(
            events_total=self.events_total,
            duplicates_total=self.duplicates_total,
            dead_letters_total=self.dead_letters_total,
            late_total=self.late_total,
            refused_time_total=self.refused_time_total,
            last_event_ts=self.latest,
            watermark=None if self.latest is None else self.latest - self.lateness_s,
            entities_refused=dict(self.bounds.refused),
        )
