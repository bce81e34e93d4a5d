"""Why an interval missed its service-level target: volume above forecast, handle time above
plan, or fewer agents than required (issue #19, clause 7.2.2 a). Method: `docs/reports.md`.

Agents required are Erlang C agents on the phone for the queue's `sl_target` within
`sl_threshold_s` at `[staffing] max_occupancy` (chat: AHT ÷ concurrency), the same
requirement as the staffing plan, for an interval of `interval_s` seconds:

    R(F, h0)  forecast volume, planned AHT   (what the plan required)
    R(V, h0)  actual volume,   planned AHT
    R(F, h)   forecast volume, actual AHT
    R(V, h)   actual volume,   actual AHT    (what the interval really required)

With S the average agents available (ready, busy or after-call work) in the interval, the
shortfall R(V, h) − S splits exactly into
    volume   = ½[(R(V, h0) − R(F, h0)) + (R(V, h) − R(F, h))]
    handling = ½[(R(F, h) − R(F, h0)) + (R(V, h) − R(V, h0))]
    staffing = R(F, h0) − S
(volume + handling = R(V, h) − R(F, h0), symmetric in the order of the two effects). The
causes named are the positive parts, each with its share of their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.staffing.requirement import ServiceGoal, Workload, required_staff
from schemas.config import Settings


@dataclass(frozen=True)
class IntervalFacts:
    """What the archive and the forecast say of one interval of one queue.

    `forecast` and `actual` are contacts offered; `planned_aht_s` / `actual_aht_s` seconds
    (None: unknown; the other one is used); `available` average agents on the phone (None:
    not in the archive); `service_level` and `target` ratios 0..1.
    """

    queue: str
    start: datetime  # aware, local
    interval_s: int
    service_level: float
    target: float
    forecast: float
    actual: float
    planned_aht_s: float | None
    actual_aht_s: float | None
    available: float | None
    forecast_known: bool = True  # False: `forecast` and `planned_aht_s` are the actuals


@dataclass(frozen=True)
class Decomposition:
    """Agents required in the four cases, and the shortfall's parts (agents, signed)."""

    facts: IntervalFacts
    required_plan: int  # R(F, h0)
    required_volume: int  # R(V, h0)
    required_handling: int  # R(F, h)
    required_actual: int  # R(V, h)
    volume: float
    handling: float
    staffing: float | None  # None without staffed agents

    @property
    def shortfall(self) -> float | None:
        """R(V, h) − S (agents; ≤ 0: enough agents were available); None without S."""
        if self.facts.available is None:
            return None
        return self.required_actual - self.facts.available

    def shares(self) -> dict[str, float]:
        """cause → share (0..1) of the positive parts, largest first; empty when none."""
        parts = {"volume": self.volume, "handling": self.handling}
        if self.staffing is not None:
            parts["staffing"] = self.staffing
        positive = {k: v for k, v in parts.items() if v > 1e-9}
        total = sum(positive.values())
        ordered = sorted(positive.items(), key=lambda kv: (-kv[1], kv[0]))
        return {k: v / total for k, v in ordered}


def agents_required(
    queue: str, contacts: float, aht_s: float | None, interval_s: float, settings: Settings
) -> int:
    """Erlang C agents on the phone for the queue's goal (0 without contacts or AHT)."""
    if contacts <= 0 or aht_s is None or aht_s <= 0:
        return 0
    rules = settings.queue_rules(queue)
    staffing = settings.staffing.queue_staffing(queue, rules.channel)
    workload = Workload(contacts, interval_s, aht_s, staffing.concurrency or 1.0)
    goal = ServiceGoal(rules.sl_target, rules.sl_threshold_s, staffing.max_occupancy or 1.0)
    return required_staff(workload, goal).agents


def decompose(facts: IntervalFacts, settings: Settings) -> Decomposition:
    """The decomposition of the module docstring for one interval."""
    planned = facts.planned_aht_s if facts.planned_aht_s is not None else facts.actual_aht_s
    actual = facts.actual_aht_s if facts.actual_aht_s is not None else planned

    def required(contacts: float, aht: float | None) -> int:
        return agents_required(facts.queue, contacts, aht, facts.interval_s, settings)

    r_fh0 = required(facts.forecast, planned)
    r_vh0 = required(facts.actual, planned)
    r_fh = required(facts.forecast, actual)
    r_vh = required(facts.actual, actual)
    return Decomposition(
        facts=facts,
        required_plan=r_fh0,
        required_volume=r_vh0,
        required_handling=r_fh,
        required_actual=r_vh,
        volume=((r_vh0 - r_fh0) + (r_vh - r_fh)) / 2,
        handling=((r_fh - r_fh0) + (r_vh - r_vh0)) / 2,
        staffing=None if facts.available is None else r_fh0 - facts.available,
    )


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _detail(cause: str, d: Decomposition, lang: str) -> str:
    f = d.facts
    if cause == "volume":
        if lang == "zh":
            return f"来话量高于预测（实际 {f.actual:.0f}，预测 {f.forecast:.1f}）"
        return f"volume above forecast ({f.actual:.0f} contacts vs {f.forecast:.1f} forecast)"
    if cause == "handling":
        planned = f.planned_aht_s or 0.0
        actual = f.actual_aht_s or 0.0
        if lang == "zh":
            return f"处理时长高于计划（实际 {actual:.0f} 秒，计划 {planned:.0f} 秒）"
        return f"handle time above plan ({actual:.0f} s vs {planned:.0f} s planned)"
    available = f.available or 0.0
    if not f.forecast_known:
        if lang == "zh":
            return f"在岗坐席少于需求（在岗 {available:.1f}，需 {d.required_plan}；无预测）"
        return (f"fewer agents than required ({available:.1f} available vs "
                f"{d.required_plan} required; no forecast)")
    if lang == "zh":
        return f"在岗坐席少于计划需求（在岗 {available:.1f}，计划需 {d.required_plan}）"
    return f"fewer agents than required ({available:.1f} available vs {d.required_plan} planned)"


def sentence(d: Decomposition, lang: str) -> str:
    """One plain sentence (zh or en) naming the causes of the miss and their shares."""
    f = d.facts
    when = f.start.strftime("%Y-%m-%d %H:%M")
    shares = d.shares()
    share_word = " 占 " if lang == "zh" else " "
    parts = [f"{_detail(c, d, lang)}{share_word}{_pct(s)}" for c, s in shares.items()]
    shortfall = d.shortfall
    if lang == "zh":
        head = (f"{when} {f.queue}：服务水平 {_pct(f.service_level)}，"
                f"低于目标 {_pct(f.target)}")
        if shortfall is None:
            tail = "；坐席在岗数据不在归档中"
            if not parts:
                return f"{head}；来话量与处理时长均未超出计划{tail}，无法据此解释。"
            return (f"{head}；所需坐席由 {d.required_plan} 增至 {d.required_actual}："
                    f"{'，'.join(parts)}{tail}。")
        if shortfall <= 0:
            return (f"{head}；在岗坐席 {f.available:.1f} 已满足按实际来话量与处理时长所需的 "
                    f"{d.required_actual} 名，未达标不能归因于来话量、处理时长或人手。")
        return (f"{head}；缺 {shortfall:.1f} 名坐席（在岗 {f.available:.1f}，"
                f"需 {d.required_actual}）：{'，'.join(parts)}。")
    head = (f"{when} {f.queue}: service level {_pct(f.service_level)} "
            f"missed the {_pct(f.target)} target")
    if shortfall is None:
        tail = "; staffed agents are not in the archive"
        if not parts:
            return f"{head}; volume and handle time were within plan{tail}, so it is unexplained."
        return (f"{head}; agents required rose from {d.required_plan} to {d.required_actual}: "
                f"{', '.join(parts)}{tail}.")
    if shortfall <= 0:
        return (f"{head} although the {f.available:.1f} agents available covered the "
                f"{d.required_actual} required at the actual volume and handle time: not "
                f"explained by volume, handle time or headcount.")
    return (f"{head}; {shortfall:.1f} agents short ({f.available:.1f} available, "
            f"{d.required_actual} required): {', '.join(parts)}.")
