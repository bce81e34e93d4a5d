"""The two formulas every KPI reader shares: a ratio and the service level (kpi-spec §3).

Used by the engine's KPIs and queue alerts, the archive's queries and the dashboard's
history views, so the formula is written once. The DuckDB reference writes its own in SQL,
on purpose (`pipeline/reference/`). Ratios are 0..1 (or any quotient) and None on an
empty denominator; inputs are counts (or sums of seconds).
"""

from __future__ import annotations


def ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, None when the denominator is 0."""
    return numerator / denominator if denominator else None


def service_level(
    answered_in_sl: float, answered: float, abandoned: float, short_abandoned: float
) -> float | None:
    """Answered within the threshold / (answered + abandoned − short abandoned), 0..1;
    None when no contact counts (kpi-spec §3)."""
    return ratio(answered_in_sl, answered + abandoned - short_abandoned)
