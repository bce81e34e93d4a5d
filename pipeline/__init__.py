"""The stream engine: sources, the Bytewax dataflow, KPI and anomaly logic, sinks."""
