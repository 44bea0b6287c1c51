"""Benchmarks: scripts that measure speed and size against the project's targets (not tests).

Run them all with ``python -m benchmarks.run_all`` from the repository root.
"""
