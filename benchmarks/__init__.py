"""Benchmarks of rulegen against other fake-data tools (see BENCHMARKS.md and run.py)."""
