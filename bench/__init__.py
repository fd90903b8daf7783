"""Benchmarks: `make bench` (python -m bench). Each reports figures and ratios against a
baseline measured in the same run, never fixed thresholds inside the test suite."""
