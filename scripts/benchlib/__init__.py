"""Benchmark figures for callfire-soap; run through scripts/bench.py."""
