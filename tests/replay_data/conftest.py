"""Simulated days shared by the replay-data tests: one full sample day, generated once."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from replay_data.day import GeneratedDay, generate_day
from schemas.config import Settings, load_settings
from tests.conftest import SAMPLE_CONFIG

SAMPLE_SEED = 20260302
SAMPLE_START = datetime(2026, 3, 2, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="session")
def sample_settings() -> Settings:
    return load_settings(SAMPLE_CONFIG)


@pytest.fixture(scope="session")
def sample_day_timed(sample_settings: Settings) -> tuple[GeneratedDay, float]:
    began = time.monotonic()
    day = generate_day(sample_settings, 300, 24, SAMPLE_SEED, SAMPLE_START)
    return day, time.monotonic() - began


@pytest.fixture(scope="session")
def sample_day(sample_day_timed: tuple[GeneratedDay, float]) -> GeneratedDay:
    return sample_day_timed[0]
