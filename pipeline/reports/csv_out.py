"""One CSV file per report table: `<out>/<table key>.csv`, UTF-8 with a BOM (so Excel reads
the Chinese text), a header of column keys, raw values (ratios 0..1, seconds), empty = none.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from pipeline.reports.tables import Report


def cell(value: Any) -> str:
    """A value as CSV text: floats at full precision (`repr`), None empty."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(report: Report, out_dir: Path) -> list[Path]:
    """Write every table; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in report.tables:
        path = out_dir / f"{table.key}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.key for c in table.columns])
            writer.writerows([cell(v) for v in row] for row in table.rows)
        written.append(path)
    return written
