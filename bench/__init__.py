"""Benchmarks: `make bench` prints every figure beside its baseline from the same run."""
