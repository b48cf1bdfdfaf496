"""Constraint and index names every Overstap database uses, so that migrations name them the same everywhere."""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def named_metadata() -> MetaData:
    """A fresh MetaData with the shared naming convention (one per database)."""
    return MetaData(naming_convention=NAMING_CONVENTION)
