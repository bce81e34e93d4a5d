"""Subcommands of the `wallboard` console script, one module each (see `pipeline.cli`)."""
