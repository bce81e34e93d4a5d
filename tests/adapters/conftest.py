"""Fixtures for the adapter tests: the sample configuration with importer settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.helpers import ASTERISK_IMPORTER, CDR_IMPORTER, SAMPLE_CONFIG


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """The shipped sample configuration plus an `[importers]` section."""
    path = tmp_path / "config.toml"
    path.write_text(
        SAMPLE_CONFIG.read_text(encoding="utf-8") + ASTERISK_IMPORTER + CDR_IMPORTER,
        encoding="utf-8",
    )
    return path
