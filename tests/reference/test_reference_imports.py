"""The reference imports nothing from the engine and no project name its docstring does not
list as shared: the grep of issue #14, run over every `pipeline/reference/*.py`."""

from __future__ import annotations

import ast
import re

import pipeline.reference
from tests.conftest import REPO

REFERENCE = REPO / "pipeline" / "reference"
PROJECT_PACKAGES = ("pipeline", "schemas", "dashboard", "replay_data", "tests")
FORBIDDEN = (
    "pipeline.engine",
    "pipeline.floor_logic",
    "schemas.plausibility",
    "pipeline.staffing.roster",
    "pipeline.staffing.forecast_file",
)


def _allowed() -> set[str]:
    """Dotted names in the docstring's list items ("- `schemas.x.Name`, ...: why")."""
    doc = pipeline.reference.__doc__ or ""
    shared = doc.split("What it still shares", 1)[1]
    items = [line for line in shared.splitlines() if line.startswith("- ")]
    return {
        name
        for item in items
        for name in re.findall(r"`([a-z_.]+\.[A-Za-z_]+)`", item.split(":")[0])
    }


def _project_imports() -> list[tuple[str, str]]:
    """(file, dotted name) for every import of a project module outside the reference."""
    found = []
    for path in sorted(REFERENCE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path.name}: relative import"
                module = node.module or ""
                names = [f"{module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                module = node.names[0].name
                names = [alias.name for alias in node.names]
            else:
                continue
            if module == "pipeline.reference" or module.startswith("pipeline.reference."):
                continue
            found.extend(
                (path.name, name) for name in names if name.split(".")[0] in PROJECT_PACKAGES
            )
    return found


def test_the_docstring_lists_what_is_shared() -> None:
    assert _allowed() == {
        "schemas.config.Settings",
        "schemas.events.parse_event",
        "schemas.events.InvalidEvent",
        "schemas.snapshot.Snapshot",
        "schemas.snapshot.QueueKpis",
        "schemas.snapshot.AgentKpis",
        "schemas.timefmt.format_ts",
    }


def test_the_reference_imports_no_engine_code_and_only_the_listed_shared_names() -> None:
    imports = _project_imports()
    assert imports, "the scan found no imports at all"
    forbidden = [(f, n) for f, n in imports if n.startswith(FORBIDDEN)]
    assert forbidden == []
    unlisted = [(f, n) for f, n in imports if n not in _allowed()]
    assert unlisted == []
