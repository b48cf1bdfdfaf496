"""Taxonomy service: one skills language for Overstap."""
