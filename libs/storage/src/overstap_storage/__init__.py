"""Relational storage plumbing of the Overstap services that own a database (passport, vacancy)."""
