"""Bad input mixed into a clean log never crashes the flow: every bad line becomes a dead
letter with a reason, and the KPIs equal those of the clean lines alone (DuckDB reference).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from pipeline.compare import snapshot_differences
from pipeline.floor_logic import Tick
from pipeline.flow import FlowOptions, build_flow
from pipeline.reference import reference_snapshot
from pipeline.runner import run_flow
from pipeline.sinks import TickListSink
from pipeline.sources import FileReplaySource, event_epoch
from schemas.config import Settings
from tests.pipeline.eventlogs import START, generate

SETTINGS = Settings(interval_min=30)
LOG_MINUTES = 40
BAD_KINDS = (
    "random_bytes",
    "truncated",
    "wrong_type",
    "huge_field",
    "huge_line",
    "unknown_type",
    "naive_ts",
    "unknown_contact",
)


def _bad_line(  # noqa: PLR0913, PLR0917
    kind: str, rng: random.Random, clean: list[bytes], n: int, noise: bytes, near: float
) -> bytes:
    """One bad line of `kind`; `n` makes ids unique, `noise` feeds the random bytes, `near`
    is the event time (epoch s) around its arrival."""
    body = dict(orjson.loads(rng.choice(clean)))
    if kind == "random_bytes":
        return b"#" + noise.replace(b"\n", b" ")
    if kind == "truncated":
        line = orjson.dumps(body)
        return line[: rng.randrange(1, len(line) - 1)]
    if kind == "wrong_type":
        field = rng.choice(("ts", "type"))
        body[field] = rng.choice((12345, None, [1], {"a": 1}, True))
    elif kind == "huge_field":
        body["agent_id" if "agent_id" in body else "contact_id"] = "x" * 5000
    elif kind == "huge_line":
        body["note"] = "x" * 70_000
    elif kind == "unknown_type":
        body["type"] = rng.choice(("contact.teleported", "agent.dance", "", "CONTACT.OFFERED"))
    elif kind == "naive_ts":
        body["ts"] = datetime.fromisoformat(body["ts"]).replace(tzinfo=None).isoformat()
    elif kind == "unknown_contact":
        # Valid and on time where it arrives (a far-ahead ts would move the watermark and
        # make clean events late), so it reaches the engine and is refused there.
        ts = datetime.fromtimestamp(near, tz=START.tzinfo)
        body = {
            "type": "contact.answered",
            "ts": ts.isoformat(),
            "contact_id": f"ghost-{n}",
            "agent_id": "a0",
        }
    body["event_id"] = f"bad-{n}"
    return orjson.dumps(body)


def _run(path: Path, at: datetime | None) -> list[Tick]:
    ticks: list[Tick] = []
    flow = build_flow(
        SETTINGS,
        FileReplaySource(path),
        TickListSink(ticks),
        FlowOptions(clock="event", at_epoch=None if at is None else at.timestamp()),
    )
    run_flow(flow)
    return ticks


@hyp_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    kinds=st.lists(st.sampled_from(BAD_KINDS), min_size=1, max_size=25),
    noise=st.lists(st.binary(min_size=1, max_size=300), min_size=25, max_size=25),
)
def test_bad_lines_are_dead_letters_and_kpis_equal_the_clean_log(
    seed: int, kinds: list[str], noise: list[bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    rng = random.Random(seed)
    log = generate(seed=seed, agents=3, contacts=25, minutes=LOG_MINUTES, noise=0)
    lines = list(log.lines)
    bad_at: dict[int, str] = {}
    for n, kind in enumerate(kinds):
        at = rng.randrange(len(lines) + 1)
        before = [t for t in map(event_epoch, lines[:at]) if t is not None]
        near = min(before[-1] if before else START.timestamp(), log.end.timestamp())
        lines.insert(at, _bad_line(kind, rng, log.lines, n, noise[n], near))
        bad_at = {i + (i >= at): k for i, k in bad_at.items()} | {at: kind}
    path = tmp_path_factory.mktemp("fuzz") / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")

    ticks = _run(path, log.end)
    [final] = [t for t in ticks if t.final]
    letters = {d.seq: d.reason for t in ticks for d in t.output.dead_letters}
    missing = {seq: kind for seq, kind in bad_at.items() if not letters.get(seq)}
    assert missing == {}
    assert final.heartbeat["dead_letters_total"] == len(letters)
    clean = reference_snapshot(log.lines, log.end, SETTINGS)
    assert snapshot_differences(final.snapshot, clean) == []


def test_events_from_the_far_future_or_past_are_dead_letters(tmp_path: Path) -> None:
    log = generate(seed=3, agents=2, contacts=10, minutes=30, noise=0)
    body = dict(orjson.loads(log.lines[len(log.lines) // 2]))
    # Two days ahead is enough to show it: every later event is then late. (Years ahead,
    # the engine would also write a history point for every minute in between.)
    future = dict(body, event_id="future", ts=(START + timedelta(days=2)).isoformat())
    past = dict(body, event_id="past", ts=(START - timedelta(days=400)).isoformat())
    middle = len(log.lines) // 2
    lines = [*log.lines[:middle], orjson.dumps(future), orjson.dumps(past), *log.lines[middle:]]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    ticks = _run(path, None)  # a replay: `now` is the newest event time
    [final] = [t for t in ticks if t.final]
    letters = {d.seq for t in ticks for d in t.output.dead_letters}
    assert {middle, middle + 1} <= letters
    # `now` is the newest accepted event time: the refused ones did not move it.
    clean = reference_snapshot(log.lines, datetime.fromtimestamp(final.now, tz=UTC), SETTINGS)
    assert snapshot_differences(final.snapshot, clean) == []
