"""Shared runtime of the Overstap services."""
