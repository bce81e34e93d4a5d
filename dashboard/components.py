"""Small layout builders shared by the pages (no data access, no callbacks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dash_table, dcc, html

from dashboard.i18n import Lang, t


def with_lang(href: str, lang: Lang) -> str:
    """Keep the chosen language when following a link (zh is the default)."""
    return f"{href}?lang=en" if lang == "en" else href


def page_header(title: str, lang: Lang) -> list[Any]:
    """Title bar with navigation (the stale banner is the app shell's, see
    `dashboard.watchdog`)."""
    nav = [
        dcc.Link(t("wallboard", lang), href=with_lang("/wallboard", lang)),
        dcc.Link(t("alerts", lang), href=with_lang("/alerts", lang)),
    ]
    return [
        html.Header(
            className="page-header",
            children=[html.H1(title), html.Nav(nav, className="page-nav")],
        ),
    ]


def table(
    table_id: str,
    columns: Sequence[dict[str, Any]],
    *,
    sortable: bool = False,
    page_size: int = 50,
    **kwargs: Any,
) -> Any:
    """A dark DataTable; colours and fonts come from `assets/` CSS."""
    return dash_table.DataTable(  # type: ignore[attr-defined]
        id=table_id,
        columns=list(columns),
        data=[],
        sort_action="native" if sortable else "none",
        page_action="native",
        page_size=page_size,
        markdown_options={"link_target": "_self"},
        cell_selectable=False,
        **kwargs,
    )


def column(name: str, col_id: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "id": col_id, **extra}


def strip_table(rows: Sequence[dict[str, str]], fields: Sequence[str], lang: Lang) -> html.Table:
    """The staffing strip as a plain table: the gap cell coloured by `gap_status`, the
    current interval's row marked `current`."""
    head = html.Thead(html.Tr([html.Th(t(field, lang)) for field in fields]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(row[field], className=f"gap status-{row['gap_status']}"
                            if field == "gap" else None)
                    for field in fields
                ],
                className="current" if row["current"] else None,
            )
            for row in rows
        ]
    )
    return html.Table([head, body], className="staffing-strip")
