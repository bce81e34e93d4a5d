"""Manager reports (day, week, month) from the Parquet archive (issue #19).

`period` names the days a report covers; `gather` reads the numbers with DuckDB over the
day partitions; `causes` explains each interval that missed its service-level target;
`tables` lays the report out as titled tables; `html`, `xlsx` and `csv_out` write it.
"""
