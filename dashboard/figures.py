"""Pure figure builders: view-model series in, Plotly figures (or Patches) out.

Ratios are plotted as percentages; times are RFC 3339 strings plotted as dates in the
offset they carry (the configured zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

import plotly.graph_objects as go
from dash import Patch
from plotly.subplots import make_subplots

from dashboard.data import TimelineEntry
from dashboard.format import parse_optional_ts, plot_text
from dashboard.history_views import DailySeries, ProfileSeries
from dashboard.i18n import Lang, state_label, t
from dashboard.views import HistorySeries

DARK = "#0b1220"
GRID = "#24324a"
TEXT = "#d7e1f0"
STATE_COLOURS = {
    "ready": "#2fbf71",
    "busy": "#3b82f6",
    "acw": "#a78bfa",
    "not_ready": "#f59e0b",
    "logged_out": "#6b7280",
}
# Trace order of the queue history figure (one subplot row each).
HISTORY_TRACES: tuple[str, ...] = ("service_level", "offered", "in_queue", "abandon_rate")
CHART_POINTS = 1440  # the queue charts' window: 24 h of per-minute points
CHART_TRIM_BY_PATCH_MAX = 60  # more points to drop in one tick: send the whole figure


def _percent(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None else v * 100 for v in values]


def _history_columns(series: HistorySeries) -> dict[str, list[float | None]]:
    return {
        "service_level": _percent(series.service_level),
        "offered": [None if v is None else float(v) for v in series.offered],
        "in_queue": [None if v is None else float(v) for v in series.in_queue],
        "abandon_rate": _percent(series.abandon_rate),
    }


def queue_history_figure(series: HistorySeries, sl_target: float, lang: Lang) -> go.Figure:
    """Four stacked per-minute charts (SL %, offered, in queue, abandon %) sharing time."""
    titles = [
        t("service_level", lang) + " (15m, %)",
        t("offered", lang) + " (15m)",
        t("in_queue", lang),
        t("abandon_rate", lang) + " (15m, %)",
    ]
    fig = make_subplots(rows=4, cols=1, shared_xaxes=True, subplot_titles=titles,
                        vertical_spacing=0.06)
    columns = _history_columns(series)
    colours = ("#2fbf71", "#3b82f6", "#f59e0b", "#ef4444")
    for row, (name, colour) in enumerate(zip(HISTORY_TRACES, colours, strict=True), start=1):
        fig.add_trace(
            go.Scatter(x=list(series.ts), y=columns[name], mode="lines", name=titles[row - 1],
                       line={"color": colour, "width": 2}, connectgaps=False),
            row=row, col=1,
        )
    fig.add_hline(y=sl_target * 100, line_dash="dash", line_color="#ef4444", row=1, col=1)
    fig.update_layout(
        template="plotly_dark", paper_bgcolor=DARK, plot_bgcolor=DARK,
        font={"color": TEXT, "size": 14}, showlegend=False, height=760,
        margin={"l": 60, "r": 20, "t": 40, "b": 40}, uirevision="queue-history",
    )
    fig.update_xaxes(gridcolor=GRID)
    fig.update_yaxes(gridcolor=GRID, rangemode="tozero")
    return fig


def extend_queue_history(series: HistorySeries, drop: int = 0) -> Patch:
    """A Patch appending new points to the figure of `queue_history_figure` and deleting
    its `drop` oldest points, so a page left open for days keeps a bounded figure.

    Patch has no slice deletion: each dropped point is one delete of index 0 per array,
    fine for the one or few points a tick drops (see `CHART_TRIM_BY_PATCH_MAX`).
    """
    patch = Patch()
    columns = _history_columns(series)
    for index, name in enumerate(HISTORY_TRACES):
        trace = patch["data"][index]
        trace["x"].extend(list(series.ts))
        trace["y"].extend(columns[name])
        for _ in range(drop):
            del trace["x"][0]
            del trace["y"][0]
    return patch


def agent_timeline_figure(
    entries: Sequence[TimelineEntry], now: datetime, zone: tzinfo, lang: Lang
) -> go.Figure:
    """Today's states as coloured bars (each state lasts until the next) and contacts as
    markers on a second row, in `zone`."""
    fig = go.Figure()
    parsed = [(parse_optional_ts(e.ts), e.data) for e in entries if e.kind == "state"]
    states = [(moment, data) for moment, data in parsed if moment is not None]
    for index, (start, data) in enumerate(states):
        end = states[index + 1][0] if index + 1 < len(states) else now
        state = str(data.get("state", "logged_out"))
        label = plot_text(state_label(state, data.get("reason"), lang))
        fig.add_trace(go.Scatter(
            x=[start.astimezone(zone), end.astimezone(zone)], y=[t("state", lang)] * 2,
            mode="lines", line={"color": STATE_COLOURS.get(state, "#6b7280"), "width": 28},
            name=label, hovertext=label, hoverinfo="text+x", showlegend=False,
        ))
    contacts = [(parse_optional_ts(e.ts), e.data) for e in entries if e.kind == "contact"]
    placed = [(m, d) for m, d in contacts if m is not None]
    xs = [m.astimezone(zone) for m, _ in placed]
    texts = [plot_text(f"{d.get('contact_id', '')} {d.get('queue', '')}") for _, d in placed]
    fig.add_trace(go.Scatter(
        x=xs, y=[t("contact", lang)] * len(xs), mode="markers", text=texts,
        marker={"color": "#e5e7eb", "size": 10, "symbol": "diamond"}, showlegend=False,
        hoverinfo="text+x",
    ))
    fig.update_layout(
        template="plotly_dark", paper_bgcolor=DARK, plot_bgcolor=DARK,
        font={"color": TEXT, "size": 14}, height=240,
        margin={"l": 80, "r": 20, "t": 20, "b": 40}, uirevision="agent-timeline",
    )
    fig.update_xaxes(gridcolor=GRID)
    return fig


def queue_days_figure(series: DailySeries, sl_target: float, lang: Lang) -> go.Figure:
    """Daily offered as bars and the day's service level (%, right axis) as a line with
    the target dashed; days without archive data are gaps."""
    offered = [None if v is None else float(v) for v in series.offered]
    return _bars_and_sl(list(series.days), offered, series.service_level,
                        sl_target=sl_target, bar_name=t("offered", lang), lang=lang,
                        revision="queue-days")


def queue_profile_figure(series: ProfileSeries, sl_target: float, lang: Lang) -> go.Figure:
    """The typical day: offered per day by interval (bars) and its service level (%)."""
    return _bars_and_sl(list(series.slots), list(series.offered_per_day),
                        series.service_level, sl_target=sl_target,
                        bar_name=t("offered_per_day", lang), lang=lang,
                        revision="queue-profile")


def _bars_and_sl(
    x: list[str],
    bars: Sequence[float | None],
    service_level: Sequence[float | None],
    *,
    sl_target: float,
    bar_name: str,
    lang: Lang,
    revision: str,
) -> go.Figure:
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(x=x, y=list(bars), name=bar_name, marker={"color": "#3b82f6"}),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(x=x, y=_percent(service_level),
                   name=t("service_level", lang) + " (%)", mode="lines+markers",
                   line={"color": "#2fbf71", "width": 2}, connectgaps=False),
        secondary_y=True,
    )
    fig.add_hline(y=sl_target * 100, line_dash="dash", line_color="#ef4444", secondary_y=True)
    fig.update_layout(
        template="plotly_dark", paper_bgcolor=DARK, plot_bgcolor=DARK,
        font={"color": TEXT, "size": 14}, height=320, bargap=0.25,
        legend={"orientation": "h", "y": 1.12},
        margin={"l": 60, "r": 60, "t": 40, "b": 40}, uirevision=revision,
    )
    fig.update_xaxes(gridcolor=GRID, type="category")
    fig.update_yaxes(gridcolor=GRID, rangemode="tozero", secondary_y=False)
    fig.update_yaxes(range=[0, 100], tickmode="linear", tick0=0, dtick=20, showgrid=False,
                     secondary_y=True)
    return fig
