"""The Bytewax dataflow: it only wires sources, keys, state and sinks.

    source ─► parse ─► key "floor" ─► floor_state (merge partitions, FloorEngine) ─► sink

Every chunk carries its source partition's progress, so the floor step can put the
partitions back into arrival order before the engine (`pipeline.partition_merge`).

Run it with `wallboard run`, or `python -m bytewax.run "pipeline.flow:build_flow()"` with
`WALLBOARD_EVENTS` (file, or `-` for stdin), `WALLBOARD_CONFIG`, `WALLBOARD_SPEED` and
`REDIS_URL` in the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial

import bytewax.operators as op
from bytewax.dataflow import Dataflow
from bytewax.inputs import Source
from bytewax.outputs import FixedPartitionedSink, Sink

from pipeline.access.masking import CustomerMask
from pipeline.floor_logic import Clock, FloorLogic, Tick
from pipeline.parse import ParsedChunk, parse_source_chunk
from pipeline.redis_keys import DEFAULT_REDIS_URL
from pipeline.sinks import RedisStateSink
from pipeline.sources import Chunk, FileReplaySource, StdinSource
from schemas.config import Settings, load_settings

# The whole floor is one key: its KPIs roll up across queues, agents and teams, and a
# contact center's event rate (hundreds per second at most) fits one worker's core.
# Parsing, the costly part, runs on the worker that reads each source partition.
FLOOR_KEY = "floor"


@dataclass(frozen=True)
class FlowOptions:
    """How the flow keeps time: `event` clock (replay) or `wall` clock (live).

    `at_epoch`: ignore events after this Unix time and take the final snapshot there.
    `recovery`: whether the run has a recovery store. Bytewax 0.21 asks every stateful
    step for its snapshot at the end of each epoch even without one (and discards it);
    without recovery the floor state is then not pickled, which would cost ~0.5 s of the
    floor's core every epoch at 15 MB of state.
    """

    clock: Clock = "event"
    at_epoch: float | None = None
    recovery: bool = True


def _floor_key(_: ParsedChunk) -> str:
    return FLOOR_KEY


def _unkey(keyed: tuple[str, Tick]) -> Tick:
    return keyed[1]


def build_flow(
    settings: Settings | None = None,
    source: Source[Chunk] | None = None,
    sink: Sink[Tick] | Sink[tuple[str, Tick]] | None = None,
    options: FlowOptions | None = None,
) -> Dataflow:
    """Build the dataflow. With no arguments, everything comes from the environment."""
    if settings is None:
        settings = load_settings(os.environ.get("WALLBOARD_CONFIG"))
    if source is None:
        events = os.environ.get("WALLBOARD_EVENTS", "-")
        speed = float(os.environ.get("WALLBOARD_SPEED", "0"))
        source = StdinSource() if events == "-" else FileReplaySource(events, speed)
    if sink is None:
        sink = RedisStateSink(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL), settings)
    options = options or FlowOptions()
    # Fails at build time, naming the variable, when masking is required and no key is set.
    mask = CustomerMask.from_environment(required=settings.access.mask_required)

    flow = Dataflow("wallboard")
    chunks = op.input("events", flow, source)  # Chunk: [(seq, line)], partition progress
    parsed = op.map(
        "parse", chunks, partial(parse_source_chunk, at_epoch=options.at_epoch, mask=mask)
    )  # ParsedChunk: [ParsedEvent | DeadLetter], partition progress
    keyed = op.key_on("key_floor", parsed, _floor_key)  # ("floor", ParsedChunk)
    ticks = op.stateful(
        "floor_state",
        keyed,
        lambda resume: FloorLogic(
            settings, options.clock, options.at_epoch, resume, recovery=options.recovery
        ),
    )  # ("floor", Tick)
    if isinstance(sink, FixedPartitionedSink):
        # A partitioned sink (the Redis writer) keeps recovery state; it takes keyed ticks.
        keyed_sink: Sink[tuple[str, Tick]] = sink
        op.output("sink", ticks, keyed_sink)
    else:
        tick_sink: Sink[Tick] = sink  # type: ignore[assignment]
        op.output("sink", op.map("unkey", ticks, _unkey), tick_sink)  # Tick
    return flow
