"""Benchmarks: run on purpose (python -m tests.benchmarks.NAME), never by pytest."""
