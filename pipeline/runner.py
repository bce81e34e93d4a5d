"""Running the dataflow in this process: one or more workers, optional recovery."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.run import cli_main
from bytewax.testing import run_main

from pipeline.access.masking import CustomerMask
from pipeline.engine import DeadLetter, FloorEngine
from pipeline.floor_logic import Tick
from pipeline.flow import FlowOptions, build_flow
from pipeline.parse import ParsedEvent, parse_chunk
from pipeline.sinks import TickListSink
from pipeline.sources import FileReplaySource
from schemas.config import Settings

# Bytewax snapshots state (and the sources' positions) at the end of every epoch; after a
# crash it resumes from the last epoch all workers completed and replays the input since.
# Shorter epochs mean less to replay but more snapshot writes (see docs/operations.md).
EPOCH_INTERVAL = timedelta(seconds=2)


def recovery_config(directory: str | Path | None, partitions: int = 1) -> RecoveryConfig | None:
    """Bytewax recovery in `directory`, creating its partitions on first use."""
    if directory is None:
        return None
    path = Path(directory)
    if not any(path.glob("part-*.sqlite3")):
        path.mkdir(parents=True, exist_ok=True)
        init_db_dir(path, partitions)
    return RecoveryConfig(path)


def run_flow(  # noqa: PLR0913 - Bytewax's own execution knobs
    flow: object,
    workers: int = 1,
    recovery: RecoveryConfig | None = None,
    *,
    epoch_interval: timedelta = EPOCH_INTERVAL,
    process_id: int | None = None,
    addresses: list[str] | None = None,
) -> None:
    """Run `flow` here: `workers` threads, or as process `process_id` of a Bytewax cluster
    whose processes listen on `addresses` (`host:port`, one per process, same list and
    order everywhere)."""
    if process_id is not None:
        cli_main(
            flow,
            workers_per_process=workers,
            process_id=process_id,
            addresses=addresses,
            epoch_interval=epoch_interval,
            recovery_config=recovery,
        )
    elif workers == 1:
        run_main(flow, epoch_interval=epoch_interval, recovery_config=recovery)
    else:
        cli_main(
            flow,
            workers_per_process=workers,
            epoch_interval=epoch_interval,
            recovery_config=recovery,
        )


def stream_snapshot(
    events: str | Path, at: datetime, settings: Settings, workers: int = 1
) -> dict[str, object]:
    """The §7 snapshot as of `at`, computed by the real dataflow over an event file."""
    return stream_run(events, at, settings, workers)[0]


def stream_run(
    events: str | Path, at: datetime, settings: Settings, workers: int = 1
) -> tuple[dict[str, object], list[DeadLetter]]:
    """`stream_snapshot`, and every dead letter of the run (parse and engine) in tick order."""
    ticks: list[Tick] = []
    flow = build_flow(
        settings,
        FileReplaySource(events, speed=0),
        TickListSink(ticks),
        FlowOptions(clock="event", at_epoch=at.timestamp(), recovery=False),
    )
    run_flow(flow, workers=workers)
    finals = [t for t in ticks if t.final]
    if len(finals) != 1:
        msg = f"expected one final tick, got {len(finals)}"
        raise RuntimeError(msg)
    return finals[0].snapshot, [letter for t in ticks for letter in t.output.dead_letters]


def feed_engine(
    engine: FloorEngine, lines: Iterable[bytes], at_epoch: float | None = None
) -> list[DeadLetter]:
    """Parse and mask `lines` as the dataflow does, ingest them in order and `finish()`.

    Returns the lines refused by the parse step (the engine keeps its own dead letters).
    """
    mask = CustomerMask.from_environment(required=engine.settings.access.mask_required)
    refused: list[DeadLetter] = []
    for item in parse_chunk(list(enumerate(lines)), at_epoch=at_epoch, mask=mask):
        if isinstance(item, ParsedEvent):
            engine.ingest(item.event, item.seq)
        else:
            refused.append(item)
    engine.finish()
    return refused


def engine_snapshot(lines: Iterable[bytes], at: datetime, settings: Settings) -> dict[str, object]:
    """The same as `stream_snapshot`, driving `FloorEngine` directly without Bytewax.

    Handy for property tests and profiling; the dataflow must give the same answer.
    """
    engine = FloorEngine(settings)
    feed_engine(engine, lines, at.timestamp())
    return engine.snapshot(math.floor(at.timestamp()))
