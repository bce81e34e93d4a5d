"""kpi-spec §2 "Gaps are normal" and the duplicate rule, in both engines, hand-worked.

Gaps of 2, 3 and 40 days count every event; a lone event 20 h or 3 years ahead is a dead
letter with its reason and every good event counts, and so is a replay's very first event
3 years ahead, 20 h ahead or 3 years behind the events after it; an event id seen again within
`dedupe_window_s` (7,200 s) of event time is a duplicate, farther apart it is a new event.
The stream engine (FloorEngine, as the dataflow drives it) and the DuckDB reference decide
each of these with their own code, and must print the same snapshot.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import orjson

from pipeline.compare import snapshot_differences
from pipeline.engine import FloorEngine
from pipeline.floor_logic import Clock, FloorLogic, Tick
from pipeline.parse import Parsed, ParsedChunk, ParsedEvent
from pipeline.reference import reference_snapshots
from pipeline.reference.database import ReferenceDatabase
from pipeline.reference.windows import instant
from pipeline.runner import feed_engine
from pipeline.sources import PartitionProgress
from schemas.config import Settings
from schemas.events import parse_event
from tests.engine.helpers import T0, answered, offered, sample_settings

DAY = 86400
# Monday 2026-03-02 09:00 in Asia/Shanghai (the sample configuration's zone).
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LONE_JUMP = "ts: a lone time jump of more than 3600 s, not confirmed by the events that follow"


def line(event_id: str, kind: str, at_s: float, **fields: object) -> bytes:
    moment = (START + timedelta(seconds=at_s)).astimezone(
        datetime.fromisoformat("2026-03-02T00:00:00+08:00").tzinfo
    )
    return orjson.dumps({"event_id": event_id, "type": kind, "ts": moment.isoformat(), **fields})


def call(cid: str, at_s: float, *, answered_after: float | None = 20) -> list[bytes]:
    """A voice contact offered to claims_report at `at_s`: answered (by a2) or abandoned."""
    offered = line(f"{cid}-o", "contact.offered", at_s, contact_id=cid, channel="voice",
                   queue="claims_report")  # fmt: skip
    if answered_after is None:
        return [offered, line(f"{cid}-x", "contact.abandoned", at_s + 30, contact_id=cid)]
    return [offered, line(f"{cid}-a", "contact.answered", at_s + answered_after, contact_id=cid,
                          agent_id="a2")]  # fmt: skip


def day_of_calls(prefix: str, day_s: float, calls: int = 3) -> list[bytes]:
    """`calls` contacts, 10 minutes apart from `day_s` (seconds after START); the last one
    abandoned, the others answered."""
    out: list[bytes] = []
    for n in range(calls):
        last = n == calls - 1
        out += call(f"{prefix}{n}", day_s + 600 * n, answered_after=None if last else 20)
    return out


def stream_engine(lines: list[bytes], settings: Settings) -> FloorEngine:
    engine = FloorEngine(settings)
    feed_engine(engine, lines)
    return engine


def reference_refusals_and_counts(
    lines: list[bytes], at: datetime, settings: Settings
) -> tuple[dict[int, str], tuple[int, int, int]]:
    """The reference's time-check refusals as of `at` (every line included), and the
    (offered, answered, abandoned) contacts it accepted."""
    db = ReferenceDatabase(lines, settings)
    try:
        db.compute(instant(at, settings))
        [row] = db.rows(
            "SELECT count(*) AS offered, count(*) FILTER (WHERE answered) AS answered, "
            "count(*) FILTER (WHERE NOT answered) AS abandoned FROM contacts"
        )
        return db.refused_time, (row["offered"], row["answered"], row["abandoned"])
    finally:
        db.close()


def day_counts(snapshot: dict[str, object]) -> tuple[int, int, int]:
    day = snapshot["queues"]["claims_report"]["day"]  # type: ignore[index]
    return day["offered"], day["answered"], day["abandoned"]


def at_s(seconds: float) -> datetime:
    return START + timedelta(seconds=seconds)


def test_gaps_of_two_three_and_forty_days_count_every_event() -> None:
    settings = sample_settings()
    days = [0, 2, 5, 45]  # gaps of 2, 3 and 40 days
    batches = [day_of_calls(f"d{n}-", day * DAY) for n, day in enumerate(days)]
    lines = [ln for batch in batches for ln in batch]
    mornings = [at_s(day * DAY + 3 * 3600) for day in days]
    references = reference_snapshots(lines, mornings, settings)
    engine = FloorEngine(settings)
    seq = 0
    for batch, morning, reference in zip(batches, mornings, references, strict=True):
        for text in batch:
            engine.ingest(parse_event(text), seq)
            seq += 1
        if morning == mornings[-1]:
            engine.finish()

        stream = engine.snapshot(math.floor(morning.timestamp()))

        assert day_counts(stream) == day_counts(reference) == (3, 2, 1), morning
    assert snapshot_differences(references[-1], stream) == []
    assert engine.drain().dead_letters == []
    assert reference_refusals_and_counts(lines, mornings[-1], settings) == ({}, (12, 8, 4))


def test_a_lone_event_20_hours_ahead_is_refused_and_every_good_event_counts() -> None:
    settings = sample_settings()
    # Six calls from 09:00; between the second and the third, one offered stamped 20 h
    # ahead (seq 4): the next event (seq 5, 09:20:00) is 70,800 s before it.
    wrong = line("wrong-o", "contact.offered", 20 * 3600, contact_id="wrong", channel="voice",
                 queue="claims_report")  # fmt: skip
    lines = [*day_of_calls("g", 0, calls=2), wrong, *day_of_calls("h", 1200, calls=4)]

    engine = stream_engine(lines, settings)
    refused, accepted = reference_refusals_and_counts(lines, at_s(20 * 3600), settings)

    reason = f"{LONE_JUMP} (the next one is 70800 s earlier)"
    assert [(d.seq, d.reason) for d in engine.drain().dead_letters] == [(4, reason)]
    assert engine.stats.refused_time_total == 1
    assert refused == {4: reason}
    assert day_counts(engine.snapshot(math.floor(at_s(3 * 3600).timestamp()))) == (6, 4, 2)
    assert accepted == (6, 4, 2)


def test_a_lone_event_three_years_ahead_among_good_events_is_refused() -> None:
    settings = sample_settings()
    three_years = 3 * 365 * DAY
    login = line("wrong-login", "agent.login", three_years, agent_id="a9", team="bj_claims_a",
                 site="beijing")  # fmt: skip
    lines = [*day_of_calls("g", 0, calls=2), login, *day_of_calls("h", 1200, calls=4)]

    engine = stream_engine(lines, settings)
    refused, accepted = reference_refusals_and_counts(lines, at_s(three_years), settings)

    reason = f"{LONE_JUMP} (the next one is {three_years - 1200} s earlier)"
    assert [(d.seq, d.reason) for d in engine.drain().dead_letters] == [(4, reason)]
    assert refused == {4: reason}
    snapshot = engine.snapshot(math.floor(at_s(3 * 3600).timestamp()))
    assert day_counts(snapshot) == accepted == (6, 4, 2)
    assert "a9" not in snapshot["agents"]  # type: ignore[operator]


LONE_FIRST = "ts: a lone first event time, not confirmed by the 3 events that follow"


def first_event_wrong_by(offset_s: float) -> None:
    """A replay whose very first event (a login of a9) is stamped `offset_s` from the good
    events after it (four calls from 09:00, the last abandoned): it is a dead letter in
    both engines, every good event counts, and a9 never logs in."""
    settings = sample_settings()
    login = line("wrong-login", "agent.login", offset_s, agent_id="a9", team="bj_claims_a",
                 site="beijing")  # fmt: skip
    lines = [login, *day_of_calls("h", 0, calls=4)]

    engine = stream_engine(lines, settings)
    refused, accepted = reference_refusals_and_counts(lines, at_s(max(offset_s, DAY)), settings)

    reason = f"{LONE_FIRST} (the next one is {offset_s:.0f} s earlier)"
    assert [(d.seq, d.reason) for d in engine.drain().dead_letters] == [(0, reason)]
    assert engine.stats.refused_time_total == 1
    assert refused == {0: reason}
    snapshot = engine.snapshot(math.floor(at_s(3 * 3600).timestamp()))
    assert day_counts(snapshot) == accepted == (4, 3, 1)
    assert "a9" not in snapshot["agents"]  # type: ignore[operator]


def test_a_first_event_three_years_ahead_is_refused_and_every_good_event_counts() -> None:
    first_event_wrong_by(3 * 365 * DAY)


def test_a_first_event_20_hours_ahead_is_refused_and_every_good_event_counts() -> None:
    first_event_wrong_by(20 * 3600)


def test_a_first_event_three_years_before_the_rest_is_a_gap_and_every_event_counts() -> None:
    # As after any event, a gap after the first one is normal (kpi-spec §2): nothing is
    # refused; the login counts where it stands, three years back.
    settings = sample_settings()
    login = line("old-login", "agent.login", -3 * 365 * DAY, agent_id="a9",
                 team="bj_claims_a", site="beijing")  # fmt: skip
    lines = [login, *day_of_calls("h", 0, calls=4)]

    engine = stream_engine(lines, settings)
    refused, accepted = reference_refusals_and_counts(lines, at_s(DAY), settings)

    assert engine.drain().dead_letters == []
    assert (engine.stats.refused_time_total, refused) == (0, {})
    snapshot = engine.snapshot(math.floor(at_s(3 * 3600).timestamp()))
    assert day_counts(snapshot) == accepted == (4, 3, 1)


def test_a_jump_confirmed_by_the_events_after_it_is_a_gap_not_an_outlier() -> None:
    settings = sample_settings()
    # Three events follow the jump, none more than 3,600 s before it: accepted.
    lines = [*day_of_calls("g", 0, calls=2), *day_of_calls("h", 20 * 3600, calls=2)]
    at = at_s(21 * 3600)

    engine = stream_engine(lines, settings)
    [reference] = reference_snapshots(lines, [at], settings)

    assert engine.drain().dead_letters == []
    stream = engine.snapshot(math.floor(at.timestamp()))
    assert day_counts(stream) == day_counts(reference) == (2, 1, 1)
    assert snapshot_differences(reference, stream) == []


def test_an_unconfirmed_jump_at_the_end_of_input_is_accepted() -> None:
    settings = sample_settings()
    lines = [*day_of_calls("g", 0, calls=2), *call("next-day", DAY)]
    at = at_s(DAY + 60)

    engine = stream_engine(lines, settings)
    [reference] = reference_snapshots(lines, [at], settings)

    assert engine.drain().dead_letters == []
    assert day_counts(engine.snapshot(math.floor(at.timestamp()))) == (1, 1, 0)
    assert day_counts(reference) == (1, 1, 0)


def login_line(event_id: str, at_s: float) -> bytes:
    return line(event_id, "agent.login", at_s, agent_id="a1", team="bj_claims_a", site="beijing")


def duplicate_verdicts(seconds_apart: float) -> tuple[str, str, int]:
    """An agent logs in, out 60 s later, and a login with the *same* event_id comes
    `seconds_apart` after the first: the
    agent's state at the end in both engines, and the stream's duplicate count (calls
    in between keep the event time moving)."""
    settings = sample_settings()
    lines = [
        login_line("login-1", 0),
        line("logout-1", "agent.logout", 60, agent_id="a1"),
        *[ln for n in range(int(seconds_apart // 1800)) for ln in call(f"k{n}", 120 + 1800 * n)],
        login_line("login-1", seconds_apart),
        *call("last", seconds_apart + 60),
    ]
    end = at_s(seconds_apart + 120)
    engine = FloorEngine(settings)
    feed_engine(engine, lines, end.timestamp())
    stream = engine.snapshot(math.floor(end.timestamp()))
    [reference] = reference_snapshots(lines, [end], settings)
    assert snapshot_differences(reference, stream) == []
    agents_stream = stream["agents"]
    agents_reference = reference["agents"]
    return (
        agents_stream["a1"]["state"],  # type: ignore[index]
        agents_reference["a1"]["state"],  # type: ignore[index]
        engine.stats.duplicates_total,
    )


def test_the_same_event_id_three_hours_apart_is_two_events_in_both_engines() -> None:
    assert duplicate_verdicts(3 * 3600) == ("ready", "ready", 0)


def test_the_same_event_id_just_inside_the_window_is_a_duplicate_in_both_engines() -> None:
    assert duplicate_verdicts(7200) == ("logged_out", "logged_out", 1)


def test_the_same_event_id_just_outside_the_window_is_a_new_event_in_both_engines() -> None:
    assert duplicate_verdicts(7201) == ("ready", "ready", 0)


def floor_run(clock_mode: Clock, chunks: list[ParsedChunk], wall: float) -> Tick:
    """The floor step (merge, gate, engine) over `chunks` in the order given; the final tick."""
    logic = FloorLogic(sample_settings(), clock_mode, None, None, wall_clock=lambda: wall)
    for chunk in chunks:
        logic.on_item(chunk)
    [final] = logic.on_eof()[0]
    return final


def test_live_a_lone_event_20_hours_ahead_of_the_wall_clock_is_refused() -> None:
    # Live (`--clock wall`), max_future_s 86,400: 20 h ahead is below it, but it is a jump
    # from the wall clock, and the next event (at the wall clock) contradicts it.
    events = [offered("c1", 0), offered("c2", 10), offered("wrong", 20 * 3600),
              answered("c1", 30, "a1"), offered("c3", 40)]  # fmt: skip
    items: list[Parsed] = [ParsedEvent(seq, event) for seq, event in enumerate(events)]

    final = floor_run("wall", [ParsedChunk(items, PartitionProgress(0, 1, 4))], T0 + 60)

    reason = f"{LONE_JUMP} (the next one is {20 * 3600 - 30} s earlier)"
    assert [(d.seq, d.reason) for d in final.output.dead_letters] == [(2, reason)]
    assert final.heartbeat["events_refused_time"] == 1
    day = final.snapshot["queues"]["claims_report"]["day"]
    assert (day["offered"], day["answered"]) == (3, 1)


def test_the_gate_judges_the_merged_arrival_order_whatever_partition_is_read_first() -> None:
    # Partition 0 holds seqs 0, 1, 3 and 4; partition 1 the lone event 20 h ahead (seq 2).
    good = [offered("c1", 0), offered("c2", 10), answered("c1", 30, "a1"), offered("c3", 40)]
    first = ParsedChunk([ParsedEvent(s, e) for s, e in zip((0, 1, 3, 4), good, strict=True)],
                        PartitionProgress(0, 2, 4))  # fmt: skip
    second = ParsedChunk([ParsedEvent(2, offered("wrong", 20 * 3600))], PartitionProgress(1, 2, 4))

    finals = [floor_run("event", order, T0) for order in ([first, second], [second, first])]

    reason = f"{LONE_JUMP} (the next one is {20 * 3600 - 30} s earlier)"
    for final in finals:
        assert [(d.seq, d.reason) for d in final.output.dead_letters] == [(2, reason)]
    assert finals[0].snapshot == finals[1].snapshot
