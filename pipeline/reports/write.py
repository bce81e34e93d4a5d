"""Write a report in the chosen formats under one folder, with one naming rule:
`report-<kind>-<first day>-<lang>.html|.xlsx` and `…-csv/<section>.csv`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.reports.csv_out import write_csv
from pipeline.reports.html import write_html
from pipeline.reports.period import Period
from pipeline.reports.tables import Report
from pipeline.reports.xlsx import write_xlsx

FORMATS: tuple[str, ...] = ("html", "xlsx", "csv")


def stem(period: Period, lang: str) -> str:
    return f"report-{period.kind}-{period.first.isoformat()}-{lang}"


def write_report(
    report: Report, period: Period, out: Path, formats: Sequence[str]
) -> list[Path]:
    """Write `report` (of `period`) into `out`; returns the files, HTML first."""
    name = stem(period, report.lang)
    written: list[Path] = []
    if "html" in formats:
        written.append(write_html(report, out / f"{name}.html"))
    if "xlsx" in formats:
        written.append(write_xlsx(report, out / f"{name}.xlsx"))
    if "csv" in formats:
        written += write_csv(report, out / f"{name}-csv")
    return written
