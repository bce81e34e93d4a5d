"""History beyond Redis: closed intervals archived to Parquet, and the reads over them.

`archiver.Archiver` copies `<prefix>:intervals` into `<archive-dir>/day=YYYY-MM-DD/<kind>.parquet`;
`query` answers the dashboard's 7/30-day questions with parameterised DuckDB SQL.
"""
