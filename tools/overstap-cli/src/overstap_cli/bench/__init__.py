"""Benchmarks behind `overstap bench ...`: each prints its figures and ends with one JSON line."""
