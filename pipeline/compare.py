"""Comparing two snapshots: exact for everything but floats, which may differ by `tol`."""

from __future__ import annotations

import math
from typing import Any


def snapshot_differences(a: Any, b: Any, tol: float = 1e-9, path: str = "") -> list[str]:
    """Paths where `a` and `b` differ; floats compare with relative/absolute tolerance."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[str] = []
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.append(f"{where}: only in {'second' if key not in a else 'first'}")
                continue
            out.extend(snapshot_differences(a[key], b[key], tol, where))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items vs {len(b)}"]
        out = []
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            out.extend(snapshot_differences(x, y, tol, f"{path}[{index}]"))
        return out
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        if isinstance(a, float) or isinstance(b, float):
            if math.isclose(a, b, rel_tol=tol, abs_tol=tol):
                return []
            return [f"{path}: {a!r} != {b!r}"]
    if a != b or type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    return []
