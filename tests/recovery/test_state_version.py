"""Recovery snapshots: another state layout is refused with a clear message, and a run
without a recovery store does not pickle the floor at every epoch."""

from __future__ import annotations

import pickle
import sys
import types
from dataclasses import replace

import pytest

from pipeline.engine import FloorEngine
from pipeline.floor_logic import STATE_VERSION, FloorLogic, FloorState, RecoveryStateError
from schemas.config import load_settings
from tests.conftest import SAMPLE_CONFIG


def test_a_snapshot_of_the_current_version_resumes_with_its_run_id() -> None:
    settings = load_settings(SAMPLE_CONFIG)
    state = FloorState(FloorEngine(settings), run_id="1-abcd")
    logic = FloorLogic(settings, "event", None, pickle.dumps(state))
    assert (logic.state.run_id, logic.state.version) == ("1-abcd", STATE_VERSION)


def test_an_older_snapshot_is_refused_naming_both_versions() -> None:
    settings = load_settings(SAMPLE_CONFIG)
    old = replace(FloorState(FloorEngine(settings)), version=1)
    with pytest.raises(RecoveryStateError) as refused:
        FloorLogic(settings, "event", None, pickle.dumps(old))
    assert str(refused.value).startswith(
        "the recovery snapshot has state version 1, this wallboard reads version 4: "
        "start with a new --recovery-dir"
    )


def test_without_a_recovery_store_the_floor_is_not_pickled_each_epoch() -> None:
    settings = load_settings(SAMPLE_CONFIG)
    assert FloorLogic(settings, "wall", None, None, recovery=False).snapshot() == b""
    kept = FloorLogic(settings, "wall", None, None).snapshot()
    assert isinstance(pickle.loads(kept), FloorState)


def test_a_snapshot_naming_a_class_that_no_longer_exists_is_refused_clearly() -> None:
    gone = types.ModuleType("schemas_gone_module")

    class Old:
        pass

    Old.__module__, Old.__qualname__ = gone.__name__, "Old"
    gone.Old = Old  # type: ignore[attr-defined]
    sys.modules[gone.__name__] = gone
    try:
        data = pickle.dumps(Old())
    finally:
        del sys.modules[gone.__name__]
    with pytest.raises(RecoveryStateError) as refused:
        FloorLogic(load_settings(SAMPLE_CONFIG), "event", None, data)
    assert str(refused.value) == (
        "the recovery snapshot was written by another wallboard version (No module named "
        "'schemas_gone_module'): start with a new --recovery-dir (see docs/operations.md)"
    )
