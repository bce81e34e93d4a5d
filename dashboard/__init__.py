"""Dash dashboard: TV wallboard, team-lead drill-downs, alerts and each agent's own view.

It reads only Redis (`dashboard.data`), in the shapes of `schemas.snapshot`, and never
recomputes KPIs from events.
"""
