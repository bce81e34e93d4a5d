"""The keyed stateful step: feeds events into `FloorEngine` and emits one `Tick` per tick.

The KPI math lives in `pipeline.engine`; this module only decides *when* to take a
snapshot (every `tick_s` of wall-clock time, and at end of input) and what `now` is:
the latest event time in replay mode, the wall clock in live mode. Before the engine, the
source partitions are merged back into arrival order (`pipeline.partition_merge`); parse
dead letters need no order and go straight to the output.

Short ticks (`tick_s` < 1 s) do not redo work that cannot have changed: a tick with no new
event at the same `now` second writes only the heartbeat (no snapshot), and the agent side
of the snapshot (agents, teams, site agent rollups) is built at most once per `now` second
while queues are rebuilt every tick. The final tick is always complete.
"""

from __future__ import annotations

import math
import pickle
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from bytewax.operators import StatefulLogic

from pipeline.engine import DeadLetter, EngineOutput, FloorEngine
from pipeline.engine.report import People
from pipeline.parse import Parsed, ParsedChunk, ParsedEvent
from pipeline.partition_merge import PartitionMerger
from pipeline.sources import PartitionProgress
from schemas.config import Settings
from schemas.snapshot import Heartbeat
from schemas.timefmt import format_ts

Clock = Literal["event", "wall"]


@dataclass
class Tick:
    """Everything the sinks write for one tick; `snapshot` is the §7 dict at `now`."""

    now: int
    snapshot: dict[str, Any]
    output: EngineOutput
    heartbeat: dict[str, Any]
    final: bool = False
    # Names this pipeline's state lineage (see `FloorState.run_id`); the sink scopes its
    # exactly-once markers by it.
    run_id: str = ""


def new_run_id() -> str:
    """A fresh run id: wall-clock milliseconds (UTC epoch) when the state began + 4 random hex."""
    return f"{math.floor(time.time() * 1000)}-{secrets.token_hex(2)}"


# The layout of the pickled `FloorState` (engine included). Bump it whenever a change
# makes older recovery snapshots unreadable or wrong, so that a resume refuses them with a
# clear message instead of failing on a missing attribute in the middle of the day.
STATE_VERSION = 4


# What `FloorLogic.snapshot` returns in a run without a recovery store.
NO_RECOVERY_SNAPSHOT = b""


class RecoveryStateError(RuntimeError):
    """A recovery snapshot this version cannot resume; the message says what to do."""


@dataclass
class FloorState:
    """What recovery persists: the engine plus the counters kept outside it.

    `run_id` is chosen once when the state is created and survives every resume from a
    recovery snapshot, so output replayed after a crash carries the same id as the first
    attempt (and a fresh run, with new state, gets a new one). `merger` holds events read
    from partitions that are ahead of others, not yet ingested.
    """

    engine: FloorEngine
    parse_dead_letters: int = 0
    pending_dead_letters: list[DeadLetter] = field(default_factory=list)
    run_id: str = field(default_factory=new_run_id)
    merger: PartitionMerger[ParsedEvent] = field(default_factory=PartitionMerger)
    version: int = STATE_VERSION

    def __setstate__(self, state: dict[str, Any]) -> None:
        version = state.get("version", 1)
        if version != STATE_VERSION:
            msg = (
                f"the recovery snapshot has state version {version}, this wallboard reads "
                f"version {STATE_VERSION}: start with a new --recovery-dir (today's KPIs are "
                "rebuilt by replaying today's events, see docs/operations.md)"
            )
            raise RecoveryStateError(msg)
        self.__dict__.update(state)


class FloorLogic(StatefulLogic[ParsedChunk, Tick, bytes]):
    """One contact center's state. Snapshot for recovery is a pickle (immutable bytes).

    Takes parsed source chunks; a plain list is one in-order feed (benchmarks, tests).
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        at_epoch: float | None,
        resume: bytes | None,
        wall_clock: Callable[[], float] = time.time,
        *,
        recovery: bool = True,
    ) -> None:
        self.settings = settings
        self.recovery = recovery
        self.clock = clock
        self.at_epoch = at_epoch
        self.wall_clock = wall_clock
        if resume is None:
            merger: PartitionMerger[ParsedEvent] = PartitionMerger(settings.partition_idle_s)
            self.state: FloorState = FloorState(FloorEngine(settings), merger=merger)
        else:
            try:
                self.state = pickle.loads(resume)  # noqa: S301 - our own recovery store
            except (ModuleNotFoundError, AttributeError) as error:
                # Written by a version whose classes moved (e.g. schemas.plausibility).
                msg = (
                    f"the recovery snapshot was written by another wallboard version ({error}): "
                    "start with a new --recovery-dir (see docs/operations.md)"
                )
                raise RecoveryStateError(msg) from error
            self.state.merger.restart(self.wall_clock(), settings.partition_idle_s)
        if clock == "wall":
            self.state.engine.time_gate.follow_wall_clock(self.wall_clock)
        self._next_tick = self.wall_clock() + settings.tick_s
        self._events_at_last_tick = self.state.engine.stats.events_total
        self._last_tick_wall = self.wall_clock()
        # The agent side of the last snapshot, and the `now` of the last snapshot taken.
        self._people: People | None = None
        self._snapshot_now: int | None = None

    def on_item(self, value: ParsedChunk | list[Parsed]) -> tuple[list[Tick], bool]:
        items = value if isinstance(value, list) else value.items
        events: list[ParsedEvent] = []
        for item in items:
            if isinstance(item, ParsedEvent):
                events.append(item)
            else:
                self.state.parse_dead_letters += 1
                self.state.pending_dead_letters.append(item)
        if isinstance(value, list):
            progress = PartitionProgress(seq=max((e.seq for e in events), default=-1))
        else:
            progress = value.progress
        self._ingest(self.state.merger.offer(progress, events, self.wall_clock()))
        return [], StatefulLogic.RETAIN

    def _ingest(self, events: list[ParsedEvent]) -> None:
        ingest = self.state.engine.ingest
        for item in events:
            ingest(item.event, item.seq)

    def _now(self) -> int | None:
        if self.clock == "wall":
            return math.floor(self.wall_clock())
        last = self.state.engine.stats.last_event_ts
        return None if last is None else math.floor(last)

    def _tick(self, now: int | None, final: bool) -> list[Tick]:
        wall = self.wall_clock()
        engine = self.state.engine
        stats = engine.stats
        snapshot: dict[str, Any] = {}
        if now is not None and not (not final and self._unchanged_since_last(now)):
            short = self.settings.tick_s < 1
            people = self._people
            reuse = people if short and not final and people and people.now == now else None
            snapshot, self._people = engine.snapshot_reusing(now, reuse)
            self._snapshot_now = now
        output = engine.drain()
        if self.state.pending_dead_letters:
            output.dead_letters = self.state.pending_dead_letters + output.dead_letters
            self.state.pending_dead_letters = []
        stats = engine.stats
        elapsed = max(wall - self._last_tick_wall, 1e-6)
        zone = self.settings.zone
        heartbeat = Heartbeat(
            processed_at=format_ts(wall, zone),
            last_event_ts=None
            if stats.last_event_ts is None
            else format_ts(stats.last_event_ts, zone),
            watermark_ts=(
                None
                if stats.watermark is None or math.isinf(stats.watermark)
                else format_ts(stats.watermark, zone)
            ),
            lag_s=None if stats.last_event_ts is None else round(wall - stats.last_event_ts, 3),
            events_total=stats.events_total,
            events_per_s=round((stats.events_total - self._events_at_last_tick) / elapsed, 1),
            dead_letters_total=stats.dead_letters_total + self.state.parse_dead_letters,
            duplicates_total=stats.duplicates_total,
            late_total=stats.late_total,
            events_refused_time=stats.refused_time_total,
            reorder_buffered=len(self.state.merger),
            entities_refused=stats.entities_refused,
        ).model_dump()
        self._events_at_last_tick = stats.events_total
        self._last_tick_wall = wall
        return [
            Tick(
                now=now or 0,
                snapshot=snapshot,
                output=output,
                heartbeat=heartbeat,
                final=final,
                run_id=self.state.run_id,
            )
        ]

    def _unchanged_since_last(self, now: int) -> bool:
        """A short tick with no event since the last tick at the same `now` second: the
        decided state cannot have moved, so the last snapshot still stands."""
        return (
            self.settings.tick_s < 1
            and now == self._snapshot_now
            and self.state.engine.stats.events_total == self._events_at_last_tick
        )

    def on_notify(self) -> tuple[list[Tick], bool]:
        self._next_tick = self.wall_clock() + self.settings.tick_s
        # A partition may have gone idle since the last item: stop waiting for it.
        self._ingest(self.state.merger.release(self.wall_clock()))
        return self._tick(self._now(), final=False), StatefulLogic.RETAIN

    def on_eof(self) -> tuple[list[Tick], bool]:
        self._ingest(self.state.merger.flush())
        self.state.engine.finish()
        now = math.floor(self.at_epoch) if self.at_epoch is not None else self._now()
        return self._tick(now, final=True), StatefulLogic.RETAIN

    def notify_at(self) -> datetime | None:
        return datetime.fromtimestamp(self._next_tick, tz=UTC)

    def snapshot(self) -> bytes:
        if not self.recovery:
            # Nobody keeps it (see `FlowOptions.recovery`): skip pickling the floor.
            return NO_RECOVERY_SNAPSHOT
        return pickle.dumps(self.state, protocol=pickle.HIGHEST_PROTOCOL)
