"""Discrete-event simulation of one contact-center horizon, in whole epoch seconds.

Customers arrive (Poisson per 15-min slot, `staffing.ArrivalPlan`), wait in a FIFO queue
with a patience, and are routed to the longest-idle ready agent of a team serving the queue
(chat agents take up to 3 chats; the least-loaded first). Agents log in for their shift,
take their planned breaks when free, and log out at shift end once free. Injected anomalies
(`anomalies.InjectionPlan`) bend individual agents and contacts; every alert the spec's
rules would raise on what happened is written as a label, computed by those same rules.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from replay_data.agents import SLOT_S, Agent, PlannedBreak
from replay_data.anomalies import InjectionPlan
from replay_data.labels import Label, anomaly_label
from replay_data.profile import BURST_PATIENCE, QueueModel
from replay_data.staffing import ArrivalPlan
from schemas.config import Settings
from schemas.events import (
    CANONICAL_RANK,
    AgentLogin,
    AgentLogout,
    AgentState,
    ContactAbandoned,
    ContactAnswered,
    ContactEnded,
    ContactOffered,
    ContactSelfServed,
    ContactWrapupEnded,
    Disposition,
    Event,
    NotReadyReason,
    SurveyResponse,
)

SURVEY_RATE = 0.20
DROPPED_RATE = 0.005
SURVEY_SCORES = (1, 2, 3, 4)
SURVEY_WEIGHTS = (0.06, 0.12, 0.32, 0.50)

Action = Callable[[int], None]


@dataclass
class Contact:
    contact_id: str
    queue: str
    model: QueueModel
    offered: int
    patience_s: int
    customer_id: str
    parent_contact_id: str | None = None
    in_burst: bool = False
    answered: int | None = None
    abandoned: bool = False
    agent_id: str | None = None


@dataclass
class AgentRun:
    """An agent's live situation during the simulation."""

    agent: Agent
    login_at: int
    logout_at: int
    logged_in: bool = False
    working: set[str] = field(default_factory=set)  # answered, not wrapped up
    talking: set[str] = field(default_factory=set)  # answered, not ended
    free_since: int = 0
    on_break: bool = False
    breaks_due: deque[PlannedBreak] = field(default_factory=deque)
    on_free: Action | None = None  # what to do as soon as no contact is in progress
    logins: list[int] = field(default_factory=list)
    first_login_done: bool = False
    logout_when_talking: bool = False  # injected: log out in the middle of a call
    logout_when_talking_armed: bool = False  # shift over: log out during the next call

    @property
    def available(self) -> bool:
        return (
            self.logged_in
            and not self.on_break
            and self.on_free is None
            and not self.breaks_due
            and len(self.working) < self.agent.capacity
        )


@dataclass
class SimulationOutput:
    events: list[Event]  # in canonical order
    labels: list[Label]


class DaySimulator:
    """Runs the simulation once; `run()` returns the events and the anomaly labels."""

    def __init__(
        self,
        *,
        settings: Settings,
        roster: list[Agent],
        plan: ArrivalPlan,
        injections: InjectionPlan,
        start: int,
        end: int,
        rng: random.Random,
    ) -> None:
        self.settings = settings
        self.zone: ZoneInfo = settings.zone
        self.plan = plan
        self.injections = injections
        self.start = start
        self.end = end
        self.rng = rng
        self.heap: list[tuple[int, int, Action]] = []
        self.order = itertools.count()
        self.emitted: list[tuple[int, int, int, str, dict[str, object]]] = []
        self.event_numbers = itertools.count(1)
        self.contact_numbers = itertools.count(1)
        self.labels: list[Label] = []
        self.contacts: dict[str, Contact] = {}
        self.waiting: dict[str, deque[Contact]] = {q: deque() for q in plan.models}
        self.runs: dict[str, AgentRun] = {}
        self.serving: dict[str, list[AgentRun]] = {q: [] for q in plan.models}
        self.contact_triggers = sorted(injections.contact_triggers)
        for agent in roster:
            run = AgentRun(
                agent=agent,
                login_at=injections.login_at.get(
                    agent.agent_id, agent.shift_start - self._early_login(agent)
                ),
                logout_at=injections.logout_at.get(
                    agent.agent_id, agent.shift_end - rng.randint(0, 60)
                ),
            )
            self.runs[agent.agent_id] = run
            for queue in agent.queues:
                if queue in self.serving:
                    self.serving[queue].append(run)

    # -- infrastructure -------------------------------------------------------------------

    def _early_login(self, agent: Agent) -> int:
        if agent.shift_start <= self.start:
            return 0
        return min(self.rng.randint(0, 180), agent.shift_start - self.start)

    def at(self, when: int, action: Action) -> None:
        heapq.heappush(self.heap, (when, next(self.order), action))

    def ts(self, when: int) -> datetime:
        return datetime.fromtimestamp(when, tz=self.zone)

    def emit(self, when: int, event_type: str, **fields: object) -> None:
        """Record an event; ids are given in canonical order when the run is over."""
        number = next(self.event_numbers)
        self.emitted.append((when, CANONICAL_RANK[event_type], number, event_type, fields))

    def _build_events(self) -> list[Event]:
        self.emitted.sort(key=lambda item: (item[0], item[1], item[2]))
        events: list[Event] = []
        for index, (when, _, _, event_type, fields) in enumerate(self.emitted, start=1):
            events.append(_EVENT_CLASSES[event_type](
                event_id=f"ev{index:08d}", ts=self.ts(when), type=event_type, **fields
            ))
        return events

    def new_contact_id(self) -> str:
        return f"ct{next(self.contact_numbers):08d}"

    def run(self) -> SimulationOutput:
        self._schedule_arrivals()
        for run in self.runs.values():
            self.at(run.login_at, self._login_action(run))
        while self.heap:
            when, _, action = heapq.heappop(self.heap)
            action(when)
        return SimulationOutput(events=self._build_events(), labels=self.labels)

    # -- arrivals -------------------------------------------------------------------------

    def _schedule_arrivals(self) -> None:
        burst = self.injections.burst
        for queue, model in self.plan.models.items():
            expected = self.plan.expected_offered[queue]
            for slot, mean in zip(self.plan.slot_starts, expected, strict=True):
                slot_end = min(slot + SLOT_S, self.end)
                for when in self._poisson_times(slot, slot_end, mean):
                    self._plan_offer(queue, model, when)
                for when in self._poisson_times(slot, slot_end, mean * model.self_service_ratio):
                    self.at(when, self._self_service_action(queue, model))
                if burst is not None and burst.queue == queue:
                    lo, hi = max(slot, burst.start), min(slot_end, burst.end)
                    if lo < hi:
                        extra = mean * (burst.multiplier - 1) * (hi - lo) / SLOT_S
                        for when in self._poisson_times(lo, hi, extra):
                            self._plan_offer(queue, model, when)

    def _self_service_action(self, queue: str, model: QueueModel) -> Action:
        def resolve(now: int) -> None:
            self.emit(now, "contact.self_served", contact_id=self.new_contact_id(),
                      channel=model.channel, queue=queue)

        return resolve

    def _poisson_times(self, begin: int, finish: int, mean: float) -> list[int]:
        """Arrival seconds of a Poisson process with `mean` arrivals over [begin, finish)."""
        if mean <= 0 or finish <= begin:
            return []
        rate = mean / (finish - begin)
        times: list[int] = []
        moment = float(begin)
        while True:
            moment += self.rng.expovariate(rate)
            if moment >= finish:
                return times
            times.append(int(moment))

    def _plan_offer(
        self, queue: str, model: QueueModel, when: int, parent: Contact | None = None
    ) -> None:
        burst = self.injections.burst
        in_burst = (
            burst is not None and burst.queue == queue and burst.start <= when < burst.end
        )
        patience = (BURST_PATIENCE if in_burst else model.patience).draw(self.rng)
        contact = Contact(
            contact_id="",  # numbered when offered, so ids follow time
            queue=queue,
            model=model,
            offered=when,
            patience_s=patience,
            customer_id=parent.customer_id if parent else f"cu{self.rng.randint(1, 9_999_999):07d}",
            parent_contact_id=parent.contact_id if parent else None,
            in_burst=in_burst,
        )
        self.at(when, lambda now: self._offer(contact, now))

    def _offer(self, contact: Contact, now: int) -> None:
        contact.contact_id = self.new_contact_id()
        self.contacts[contact.contact_id] = contact
        fields: dict[str, object] = {
            "contact_id": contact.contact_id,
            "channel": contact.model.channel,
            "queue": contact.queue,
            "customer_id": contact.customer_id,
        }
        if contact.parent_contact_id:
            fields["parent_contact_id"] = contact.parent_contact_id
        self.emit(now, "contact.offered", **fields)
        self.waiting[contact.queue].append(contact)
        self.at(now + contact.patience_s, lambda t: self._patience_over(contact, t))
        self._route_contact(contact.queue, now)

    def _patience_over(self, contact: Contact, now: int) -> None:
        if contact.answered is None and not contact.abandoned:
            contact.abandoned = True
            self.emit(now, "contact.abandoned", contact_id=contact.contact_id)

    # -- routing --------------------------------------------------------------------------

    def _head(self, queue: str) -> Contact | None:
        line = self.waiting[queue]
        while line and (line[0].answered is not None or line[0].abandoned):
            line.popleft()
        return line[0] if line else None

    def _route_contact(self, queue: str, now: int) -> None:
        while self._head(queue) is not None:
            candidates = [r for r in self.serving[queue] if r.available]
            if not candidates:
                return
            chosen = min(
                candidates, key=lambda r: (len(r.working), r.free_since, r.agent.agent_id)
            )
            self._answer(chosen, self.waiting[queue].popleft(), now)

    def _agent_free(self, run: AgentRun, now: int) -> None:
        """The agent may take more work: run its pending action, break, or next contacts."""
        if not run.logged_in:
            return
        if run.on_free is not None and not run.working and not run.on_break:
            action, run.on_free = run.on_free, None
            action(now)
            return
        if run.breaks_due and not run.working and not run.on_break:
            self._start_break(run, run.breaks_due.popleft(), now)
            return
        while run.available:
            heads = [(c.offered, c.contact_id, c) for q in run.agent.queues
                     if q in self.waiting and (c := self._head(q)) is not None]
            if not heads:
                return
            contact = min(heads, key=lambda h: (h[0], h[1]))[2]
            self.waiting[contact.queue].popleft()
            self._answer(run, contact, now)

    # -- contact lifecycle -----------------------------------------------------------------

    def _answer(self, run: AgentRun, contact: Contact, now: int) -> None:
        agent_id = run.agent.agent_id
        contact.answered = now
        contact.agent_id = agent_id
        run.working.add(contact.contact_id)
        run.talking.add(contact.contact_id)
        self.emit(now, "contact.answered", contact_id=contact.contact_id, agent_id=agent_id)
        model = contact.model
        conversation = model.conversation.draw(self.rng)
        acw = model.acw.draw(self.rng)
        trigger = self._take_trigger(model, contact, now)
        if trigger == "ultra_short":
            conversation, acw = self.rng.randint(2, 8), self.rng.randint(5, 20)
        elif trigger == "ultra_long":
            rules = self.settings.queue_rules(contact.queue, model.channel)
            conversation = int(rules.ultra_long_s) + self.rng.randint(120, 900)
        hold = 0
        if model.channel == "voice" and trigger is None and self.rng.random() < model.hold_ratio:
            hold = self.rng.randint(10, max(10, min(120, conversation // 3)))
        self._check_contact_rules(run, contact, now, conversation)
        self.at(now + conversation, lambda t: self._end(run, contact, hold, acw, t))
        if run.logout_when_talking_armed:
            run.logout_when_talking_armed = False
            self.at(now + min(conversation // 2, self.rng.randint(15, 45)),
                    lambda t: self._logout(run, t, "shift end"))

    def _take_trigger(self, model: QueueModel, contact: Contact, now: int) -> str | None:
        if contact.in_burst:
            return None
        for index, (when, kind, channel) in enumerate(self.contact_triggers):
            if when > now:
                return None
            if channel == model.channel:
                del self.contact_triggers[index]
                return kind
        return None

    def _check_contact_rules(
        self, run: AgentRun, contact: Contact, now: int, conversation: int
    ) -> None:
        rules = self.settings.queue_rules(contact.queue, contact.model.channel)
        subject = f"agent:{run.agent.agent_id}"
        if rules.ultra_short_s is not None and conversation < rules.ultra_short_s:
            self.labels.append(anomaly_label(
                "ultra_short_contact", subject, now + conversation, self.zone,
                contact_id=contact.contact_id, queue=contact.queue,
                conversation_s=conversation, threshold_s=rules.ultra_short_s,
            ))
        if conversation > rules.ultra_long_s:
            self.labels.append(anomaly_label(
                "ultra_long_contact", subject, now + int(rules.ultra_long_s), self.zone,
                contact_id=contact.contact_id, queue=contact.queue,
                conversation_s=conversation, threshold_s=rules.ultra_long_s,
            ))

    def _end(self, run: AgentRun, contact: Contact, hold: int, acw: int, now: int) -> None:
        model = contact.model
        disposition: Disposition = "completed"
        draw = self.rng.random()
        target = model.transfer_to
        if target in self.plan.models and draw < model.transfer_ratio and self._open(target, now):
            disposition = "transferred"
        elif model.channel == "voice" and draw > 1 - DROPPED_RATE:
            disposition = "dropped"
        fields: dict[str, object] = {
            "contact_id": contact.contact_id,
            "agent_id": run.agent.agent_id,
            "disposition": disposition,
        }
        if hold:
            fields["hold_s"] = float(hold)
        self.emit(now, "contact.ended", **fields)
        run.talking.discard(contact.contact_id)
        if disposition == "transferred" and target is not None:
            self._plan_offer(target, self.plan.models[target], now + self.rng.randint(1, 4),
                             parent=contact)
        self.at(now + acw, lambda t: self._wrapup(run, contact, t))

    def _open(self, queue: str, now: int) -> bool:
        """Whether `queue` takes contacts at `now` (a transfer needs an open target)."""
        local = self.ts(now)
        return self.plan.models[queue].shape(local.hour + local.minute / 60) > 0

    def _wrapup(self, run: AgentRun, contact: Contact, now: int) -> None:
        agent_id = run.agent.agent_id
        self.emit(now, "contact.wrapup_ended", contact_id=contact.contact_id, agent_id=agent_id)
        if self.rng.random() < SURVEY_RATE:
            score = self.rng.choices(SURVEY_SCORES, SURVEY_WEIGHTS)[0]
            self.emit(now + self.rng.randint(60, 600), "survey.response",
                      contact_id=contact.contact_id, score=score)
        run.working.discard(contact.contact_id)
        if not run.working:
            run.free_since = now
        self._agent_free(run, now)

    # -- agent lifecycle ----------------------------------------------------------------------

    def _login(self, run: AgentRun, now: int) -> None:
        agent = run.agent
        self.emit(now, "agent.login", agent_id=agent.agent_id, team=agent.team, site=agent.site,
                  shift_start=self.ts(agent.shift_start), shift_end=self.ts(agent.shift_end))
        run.logged_in = True
        run.free_since = now
        rules = self.settings.team_rules(agent.team)
        subject = f"agent:{agent.agent_id}"
        run.logins.append(now)
        in_window = [t for t in run.logins if t > now - rules.relogin_window_s]
        if len(in_window) >= rules.relogin_count:
            self.labels.append(anomaly_label(
                "abnormal_logout", subject, now, self.zone,
                reasons=["frequent_relogin"], logins_in_window=len(in_window),
            ))
        if not run.first_login_done:
            run.first_login_done = True
            late_by = now - agent.shift_start
            if late_by > rules.late_login_grace_s:
                self.labels.append(anomaly_label(
                    "late_login", subject, now, self.zone,
                    shift_start=self.ts(agent.shift_start).isoformat(), late_by_s=late_by,
                ))
            for pause in agent.breaks:
                if pause.start >= now:
                    self.at(pause.start, self._break_action(run, pause))
            self.at(max(run.logout_at, now + 60), lambda t: self._logout_due(run, t))
            relogin = self.injections.relogin_at.get(agent.agent_id)
            if relogin is not None:
                self.at(relogin, lambda t: self._relogin_due(run, t))
            if agent.agent_id in self.injections.logout_mid_call:
                run.logout_when_talking = True
        self._agent_free(run, now)

    def _login_action(self, run: AgentRun) -> Action:
        return lambda now: self._login(run, now)

    def _break_action(self, run: AgentRun, pause: PlannedBreak) -> Action:
        return lambda now: self._break_due(run, pause, now)

    def _logout_due(self, run: AgentRun, now: int) -> None:
        run.breaks_due.clear()
        if run.logout_when_talking:
            if run.talking:
                self._logout(run, now, "shift end")
            else:
                run.logout_when_talking_armed = True
                # Nothing to take within half an hour: leave normally instead.
                self.at(now + 1800, lambda t: self._fallback_logout(run, t))
            return
        run.on_free = lambda t: self._logout(run, t, "shift end")
        self._agent_free(run, now)

    def _fallback_logout(self, run: AgentRun, now: int) -> None:
        if run.logged_in and run.logout_when_talking_armed:
            run.logout_when_talking_armed = False
            run.on_free = lambda t: self._logout(run, t, "shift end")
            self._agent_free(run, now)

    def _relogin_due(self, run: AgentRun, now: int) -> None:
        """Softphone trouble: log out, back in and not ready, three times within minutes."""
        if run.logged_in and run.on_free is None:
            run.on_free = lambda t: self._relogin_cycle(run, t, 3)
            self._agent_free(run, now)

    def _relogin_cycle(self, run: AgentRun, now: int, remaining: int) -> None:
        self._logout(run, now, "softphone restart")
        back = now + self.rng.randint(60, 150)
        self.at(back, lambda t: self._relogin_back(run, t, remaining - 1))

    def _relogin_back(self, run: AgentRun, now: int, remaining: int) -> None:
        if remaining == 0:
            self._login(run, now)
            return
        run.on_break = True  # keeps contacts away until the next restart
        self._login(run, now)
        self.emit(now, "agent.state", agent_id=run.agent.agent_id, state="not_ready",
                  reason="system")
        self.at(now + self.rng.randint(60, 120), lambda t: self._relogin_cycle(run, t, remaining))

    def _logout(self, run: AgentRun, now: int, reason: str) -> None:
        if not run.logged_in:
            return
        agent = run.agent
        self.emit(now, "agent.logout", agent_id=agent.agent_id, reason=reason)
        run.logged_in = False
        run.on_free = None
        run.on_break = False
        rules = self.settings.team_rules(agent.team)
        reasons = []
        details: dict[str, object] = {}
        if run.talking:
            reasons.append("active_contact")
            details["active_contacts"] = sorted(run.talking)
        if now < agent.shift_end - rules.early_logout_grace_s:
            reasons.append("early_logout")
            details["shift_end"] = self.ts(agent.shift_end).isoformat()
        if reasons:
            self.labels.append(anomaly_label(
                "abnormal_logout", f"agent:{agent.agent_id}", now, self.zone,
                reasons=sorted(reasons), **details,
            ))

    def _break_due(self, run: AgentRun, pause: PlannedBreak, now: int) -> None:
        if not run.logged_in or now >= run.logout_at:
            return
        run.breaks_due.append(pause)
        self._agent_free(run, now)

    def _start_break(self, run: AgentRun, pause: PlannedBreak, now: int) -> None:
        agent = run.agent
        duration = pause.duration_s
        if now + duration > run.logout_at - 300:
            # Too late in the shift for this break now: skip it.
            self._agent_free(run, now)
            return
        reason: NotReadyReason = pause.reason
        run.on_break = True
        self.emit(now, "agent.state", agent_id=agent.agent_id, state="not_ready", reason=reason)
        limit = self.settings.team_rules(agent.team).long_away_s.get(reason)
        if limit is not None and duration > limit:
            self.labels.append(anomaly_label(
                "long_away", f"agent:{agent.agent_id}", now + int(limit), self.zone,
                reason=reason, limit_s=limit, started_at=self.ts(now).isoformat(),
                away_s=duration,
            ))
        self.at(now + duration, lambda t: self._end_break(run, t))

    def _end_break(self, run: AgentRun, now: int) -> None:
        if not run.logged_in or not run.on_break:
            return
        run.on_break = False
        self.emit(now, "agent.state", agent_id=run.agent.agent_id, state="ready")
        run.free_since = now
        self._agent_free(run, now)
        for queue in run.agent.queues:
            if queue in self.waiting:
                self._route_contact(queue, now)


_EVENT_CLASSES: dict[str, type] = {
    "contact.offered": ContactOffered,
    "contact.answered": ContactAnswered,
    "contact.abandoned": ContactAbandoned,
    "contact.ended": ContactEnded,
    "contact.wrapup_ended": ContactWrapupEnded,
    "contact.self_served": ContactSelfServed,
    "agent.login": AgentLogin,
    "agent.logout": AgentLogout,
    "agent.state": AgentState,
    "survey.response": SurveyResponse,
}
