"""Alembic environment for the vacancy database.

Run with a connection (the service at start), online with an async URL (through :func:`alembic_config`), or
offline (``--sql``): see ``overstap_storage.alembic_env``.
"""

from __future__ import annotations

from overstap_storage.alembic_env import run_migrations

from overstap_extractor.storage.migrations import VERSION_TABLE
from overstap_extractor.storage.tables import Base

run_migrations(Base.metadata, VERSION_TABLE)
