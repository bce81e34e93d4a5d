"""The report as one XLSX workbook (openpyxl): an `about` sheet, then one sheet per table
named by its key; row 1 the column labels in the report's language, then raw values
(ratios 0..1 shown as percentages, seconds as numbers), empty cells for none."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from pipeline.reports.tables import Report

NUMBER_FORMATS = {"ratio": "0.0%", "seconds": "0.0", "float": "0.00", "int": "0"}


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the workbook to `path` (its folder is created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "about"
    zh = report.lang == "zh"
    for label, value in (
        ("报告" if zh else "report", report.kind),
        ("期间" if zh else "period", report.period),
        ("上期" if zh else "previous period", report.previous),
        ("时区" if zh else "time zone", report.zone),
        ("队列" if zh else "queues", ", ".join(report.queues)),
        ("班组" if zh else "teams", ", ".join(report.teams)),
    ):
        about.append([label, value])
    for table in report.tables:
        sheet = book.create_sheet(table.key[:31])
        sheet.append([c.label(report.lang) for c in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        for index, column in enumerate(table.columns, start=1):
            for number, (cell,) in enumerate(
                sheet.iter_rows(min_row=2, min_col=index, max_col=index)
            ):
                number_format = NUMBER_FORMATS.get(table.kind(column, number))
                if number_format is not None:
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
    book.save(path)
    return path
