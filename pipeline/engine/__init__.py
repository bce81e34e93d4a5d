"""The pure-Python stream engine: KPI state and anomaly rules (no Bytewax inside).

`FloorEngine` implements docs/kpi-semantics.md (and its addenda); the dataflow wraps it.
"""

from pipeline.engine.floor import FloorEngine
from pipeline.engine.kpis import agent_kpis, queue_kpis
from pipeline.engine.types import (
    AlertTransition,
    DeadLetter,
    EngineOutput,
    EngineStats,
    HistoryPoint,
    IntervalRecord,
    TimelineRecord,
)

__all__ = [
    "AlertTransition",
    "DeadLetter",
    "EngineOutput",
    "EngineStats",
    "FloorEngine",
    "HistoryPoint",
    "IntervalRecord",
    "TimelineRecord",
    "agent_kpis",
    "queue_kpis",
]
