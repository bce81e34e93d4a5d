"""The report as one self-contained HTML file: inline CSS (with an A4 print stylesheet) and
charts drawn as inline SVG, so it opens offline and prints; no script, no external file.

Charts: service level, ASA and abandon rate as heatmaps (local days × intervals, selected
queues together), and contacts offered vs forecast per interval. Every table of the report
follows, values formatted for reading (ratios as %, seconds with one decimal).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from pipeline.reports.tables import ColumnKind, Report, Table

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",Arial,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:22px 0 6px;border-bottom:1px solid #ccc}
p.meta,p.note{color:#555;font-size:12px;margin:2px 0 8px}
table{border-collapse:collapse;font-size:11px;margin-bottom:8px}
th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f0f3f7} td.text{text-align:left}
td.missed{background:#fde2e1} td.met{background:#e3f4e1}
svg{display:block;margin:4px 0 10px} svg text{font-size:9px;fill:#333}
@page{size:A4 portrait;margin:12mm}
@media print{body{margin:0;font-size:10px} h2{break-after:avoid} table,svg{break-inside:avoid}
 svg{max-width:100%;height:auto} th{background:#eee!important;-webkit-print-color-adjust:exact}
 td.missed,td.met,rect{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""

TEXT = {
    "zh": {"title": "联络中心{kind}报告", "day": "日", "week": "周", "month": "月",
           "period": "期间", "previous": "上期", "zone": "时区", "queues": "队列",
           "sl": "服务水平", "asa": "平均应答时间(秒)", "abandon": "放弃率",
           "volume": "进线量与预测（所选队列合计，每时段）", "actual": "实际", "forecast": "预测",
           "none": "无数据", "legend": "绿 = 好，红 = 差，灰 = 无接通/放弃"},
    "en": {"title": "Contact center {kind} report", "day": "daily", "week": "weekly",
           "month": "monthly", "period": "Period", "previous": "previous", "zone": "time zone",
           "queues": "queues", "sl": "Service level", "asa": "ASA (s)",
           "abandon": "Abandon rate", "volume": "Offered vs forecast (selected queues, per "
           "interval)", "actual": "actual", "forecast": "forecast", "none": "no data",
           "legend": "green = good, red = bad, grey = nothing answered or abandoned"},
}


def fmt(value: Any, kind: ColumnKind) -> str:
    """A cell for reading: ratios as percent, seconds/floats with decimals, none as a dash."""
    if value is None:
        return "–"
    if kind == "ratio":
        return f"{value * 100:.1f}%"
    if kind == "seconds":
        return f"{value:.1f}"
    if kind == "float":
        return f"{value:.2f}"
    if kind == "int":
        return f"{value:.0f}"
    return str(value)


def _table(table: Table, lang: str) -> str:
    head = "".join(f"<th>{escape(c.label(lang))}</th>" for c in table.columns)
    body = []
    for number, row in enumerate(table.rows):
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            css = "text" if column.kind == "text" else ""
            if column.key == "status" and value:
                css = str(value)
            cells.append(f'<td class="{css}">{escape(fmt(value, table.kind(column, number)))}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    note = f'<p class="note">{escape(table.note(lang))}</p>' if table.note(lang) else ""
    return (f'<h2 id="{table.key}">{escape(table.title(lang))}</h2>{note}'
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def _colour(share: float) -> str:
    """Green (share 1) → amber → red (share 0)."""
    share = min(max(share, 0.0), 1.0)
    red = int(220 - 150 * share)
    green = int(70 + 130 * share)
    return f"rgb({red},{green},80)"


def heatmap_svg(rows: list[dict[str, Any]], key: str, title: str, *, good_high: bool,
                scale: float, legend: str = "") -> str:
    """Days (rows) × intervals (columns) coloured by `key`; `scale` is the value that is
    fully good (good_high) or fully bad; empty cells stay grey."""
    days = sorted({r["day"] for r in rows})
    slots = sorted({r["interval"] for r in rows})
    if not days:
        return ""
    cell_w, cell_h, left, top = max(6, min(24, 720 // max(len(slots), 1))), 14, 70, 24
    width = max(left + cell_w * len(slots) + 10, 560)  # room for the legend
    height = top + cell_h * len(days) + 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}"><text x="0" y="12" '
             f'style="font-size:11px;font-weight:bold">{escape(title)}</text>'
             f'<text x="{left + 160}" y="12">{escape(legend)}</text>']
    index = {(r["day"], r["interval"]): r[key] for r in rows}
    for j, slot in enumerate(slots):
        if j % max(1, len(slots) // 12) == 0:
            parts.append(f'<text x="{left + j * cell_w}" y="{height - 6}">{slot}</text>')
    for i, day in enumerate(days):
        y = top + i * cell_h
        parts.append(f'<text x="0" y="{y + 10}">{day}</text>')
        for j, slot in enumerate(slots):
            value = index.get((day, slot))
            if value is None:
                fill, label = "#e6e6e6", "–"
            else:
                share = value / scale if scale else 0.0
                fill = _colour(share if good_high else 1 - share)
                label = f"{value:.3g}"
            parts.append(f'<rect x="{left + j * cell_w}" y="{y}" width="{cell_w - 1}" '
                         f'height="{cell_h - 1}" fill="{fill}"><title>{day} {slot}: {label}'
                         f"</title></rect>")
    parts.append("</svg>")
    return "".join(parts)


def volume_svg(rows: list[dict[str, Any]], words: dict[str, str]) -> str:
    """Offered (bars) and forecast (line) per interval start over the selected queues."""
    totals: dict[str, list[float]] = {}
    for r in rows:
        cell = totals.setdefault(r["start"], [0.0, 0.0])
        cell[0] += r["offered"] or 0
        cell[1] += r["forecast"] or 0.0
    if not totals:
        return ""
    starts = sorted(totals)
    peak = max(max(v) for v in totals.values()) or 1.0
    width, height, left, top = 760, 180, 36, 20
    step = (width - left - 10) / len(starts)
    scale = (height - top - 24) / peak
    base = height - 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img"><text x="0" y="12" style="font-size:11px;font-weight:bold">'
             f'{escape(words["volume"])}</text>'
             f'<text x="{width - 170}" y="12" fill="#4a78b5">■ {words["actual"]}</text>'
             f'<text x="{width - 90}" y="12">— {words["forecast"]}</text>'
             f'<text x="0" y="{top + 8}">{peak:.0f}</text><text x="0" y="{base}">0</text>']
    points = []
    for i, start in enumerate(starts):
        actual, predicted = totals[start]
        x = left + i * step
        parts.append(f'<rect x="{x:.1f}" y="{base - actual * scale:.1f}" '
                     f'width="{max(step - 0.5, 0.5):.1f}" height="{actual * scale:.1f}" '
                     f'fill="#4a78b5"><title>{start}: {actual:.0f} / {predicted:.1f}'
                     f"</title></rect>")
        points.append(f"{x + step / 2:.1f},{base - predicted * scale:.1f}")
    parts.append(f'<polyline fill="none" stroke="#222" stroke-width="1" '
                 f'points="{" ".join(points)}"/>')
    parts.append(f'<text x="{left}" y="{height - 4}">{starts[0]}</text>'
                 f'<text x="{width - 110}" y="{height - 4}">{starts[-1]}</text></svg>')
    return "".join(parts)


def render_html(report: Report) -> str:
    """The whole document as text."""
    words = TEXT["zh" if report.lang == "zh" else "en"]
    heat = report.table("heatmap").records()
    charts = [
        heatmap_svg(heat, "service_level", words["sl"], good_high=True, scale=1.0,
                    legend=words["legend"]),
        heatmap_svg(heat, "asa_s", words["asa"], good_high=False,
                    scale=max([r["asa_s"] or 0.0 for r in heat] + [1.0])),
        heatmap_svg(heat, "abandon_rate", words["abandon"], good_high=False,
                    scale=max([r["abandon_rate"] or 0.0 for r in heat] + [0.2])),
        volume_svg(report.table("intervals").records(), words),
    ]
    title = words["title"].format(kind=words[report.kind])
    meta = (f'{words["period"]}: {escape(report.period)} · {words["previous"]}: '
            f'{escape(report.previous)} · {words["zone"]}: {escape(report.zone)} · '
            f'{words["queues"]}: {escape(", ".join(report.queues) or words["none"])}')
    sections = "".join(_table(t, report.lang) for t in report.tables)
    lang = "zh-CN" if report.lang == "zh" else "en"
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f"<title>{escape(title)} {escape(report.period)}</title><style>{CSS}</style></head>"
            f'<body><h1>{escape(title)}</h1><p class="meta">{meta}</p>'
            f'{"".join(charts)}{sections}</body></html>')


def write_html(report: Report, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
