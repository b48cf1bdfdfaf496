"""Adapters between the matcher domain and the outside world (taxonomy bundle, raw downloads)."""
