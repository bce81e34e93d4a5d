"""Adapters that turn real telephony logs into our events (`kpi-spec.md` §1).

One module per source: `asterisk` (queue_log lines), `cdr_csv` (a call-detail-record CSV
with a column mapping from `[importers.cdr]`), `bank_1999` (the Anonymous Bank data of
August 1999). They share `records` (the event and dead-letter records), `lines` (reading
and tailing files) and `writer` (validated JSON Lines output).
"""
