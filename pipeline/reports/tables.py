"""The report as titled tables: what every output format writes, cell for cell.

Values are raw: counts int, ratios floats 0..1, durations seconds (float), interval starts
local `YYYY-MM-DD HH:MM` text, None for "no value". Titles and column labels exist in zh
and en; `Report.lang` picks one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ColumnKind = Literal["text", "int", "ratio", "seconds", "float", "row"]


@dataclass(frozen=True)
class Column:
    """A table column; kind "row" means the row's own kind (`Table.row_kinds`) applies."""

    key: str
    zh: str
    en: str
    kind: ColumnKind = "text"

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass
class Table:
    """One section's table; `key` names its CSV file and XLSX sheet."""

    key: str
    zh: str
    en: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    note_zh: str = ""
    note_en: str = ""
    row_kinds: list[ColumnKind] = field(default_factory=list)  # for columns of kind "row"

    def title(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def note(self, lang: str) -> str:
        return self.note_zh if lang == "zh" else self.note_en

    def kind(self, column: Column, row: int) -> ColumnKind:
        """How to show the cell of `column` in row `row` (0-based)."""
        if column.kind == "row":
            return self.row_kinds[row] if row < len(self.row_kinds) else "float"
        return column.kind

    def records(self) -> list[dict[str, Any]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass
class Report:
    """A day, week or month report: its header facts and its tables, in section order."""

    kind: str
    period: str
    previous: str
    lang: str
    zone: str
    queues: list[str]
    teams: list[str]
    tables: list[Table]

    def table(self, key: str) -> Table:
        for table in self.tables:
            if table.key == key:
                return table
        msg = f"no table {key!r} in the report"
        raise KeyError(msg)
