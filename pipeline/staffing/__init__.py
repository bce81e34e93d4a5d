"""Workforce planning for clause 7.3: Erlang C/A staffing, volume forecast, roster, plan.

Modules: `erlang` (queueing formulas), `forecast` (Polars volume/AHT forecast),
`history` (interval history from an event file via DuckDB), `roster` (schedules,
absenteeism, utilization against paid time), `plan` (required vs scheduled vs staffed).
"""
