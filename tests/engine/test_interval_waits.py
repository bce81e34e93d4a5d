"""The waiting-time sums of closed-interval records (observed patience inputs): each
answer's and abandon's wait, in the interval of its outcome, rolled up like the counts."""

from __future__ import annotations

from pipeline.engine import IntervalRecord
from tests.engine.helpers import T0, abandoned, answered, login, offered, run

# T0 is 09:00 local: the 09:00–09:15 interval closes at T0 + 900.
EVENTS = [
    login("a1", 0),
    offered("c1", 10),
    answered("c1", 40, "a1"),  # waited 30 s
    offered("c2", 20),
    abandoned("c2", 65),  # 45 s
    offered("c4", 100),
    answered("c4", 899.5, "a1"),  # 799.5 s, in the interval's last second
    offered("c3", 850),
    abandoned("c3", 905),  # 55 s, abandoned in the next interval
    offered("c5", 30, queue="complaints"),
    abandoned("c5", 32),  # 2 s: a short abandon is still an abandon
    offered("c6", 50, queue="chat_claims", channel="chat"),
    answered("c6", 62.25, "a1"),  # 12.25 s
]


def _records() -> list[IntervalRecord]:
    """Every record up to 09:30 (a snapshot at 09:31 decides both intervals)."""
    engine, _snapshot = run(EVENTS, now_offset=1860)
    return engine.drain().intervals


def _waits(
    records: list[IntervalRecord], start: int
) -> dict[tuple[str, str], tuple[float | None, float | None]]:
    return {
        (r.kind, r.entity_id): (r.answered_wait_s, r.abandoned_wait_s)
        for r in records
        if r.interval_start == start and r.kind not in {"team", "agent"}
    }


def test_interval_records_sum_the_waits_of_their_answers_and_abandons() -> None:
    records = _records()
    assert _waits(records, T0) == {
        ("all", ""): (841.75, 47.0),
        ("queue", "claims_report"): (829.5, 45.0),
        ("queue", "complaints"): (0.0, 2.0),
        ("queue", "chat_claims"): (12.25, 0.0),
        ("queue", "policy_service"): (0.0, 0.0),
        ("queue", "new_policy_callback"): (0.0, 0.0),
        ("queue", "chat_service"): (0.0, 0.0),
        ("channel", "voice"): (829.5, 47.0),
        ("channel", "chat"): (12.25, 0.0),
        ("site", "beijing"): (829.5, 45.0),
        ("site", "chengdu"): (12.25, 2.0),
    }
    assert _waits(records, T0 + 900)[("queue", "claims_report")] == (0.0, 55.0)
    assert _waits(records, T0 + 900)[("all", "")] == (0.0, 55.0)


def test_the_sums_match_the_counts_and_stay_out_of_the_kpis_and_agent_records() -> None:
    records = _records()
    [claims] = [
        r for r in records
        if (r.kind, r.entity_id, r.interval_start) == ("queue", "claims_report", T0)
    ]
    # asa_s × answered is the answered sum; the §3 keys gain nothing.
    assert (claims.kpis["answered"], claims.kpis["asa_s"], claims.kpis["abandoned"]) == (
        2, 414.75, 1)
    assert not {"answered_wait_s", "abandoned_wait_s", "wait_abandoned_sum"} & set(claims.kpis)
    people = [r for r in records if r.kind in {"team", "agent"}]
    assert people
    assert {(r.answered_wait_s, r.abandoned_wait_s) for r in people} == {(None, None)}
