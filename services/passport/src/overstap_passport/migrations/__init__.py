"""Alembic migrations of the passport database (versions/) and of the key store (keystore_versions/).

The service runs ``upgrade head`` on both at start (see :func:`upgrade`); ``overstap passport migrate`` does the
same by hand. env.py works with the async URLs (asyncpg, aiosqlite) and with a connection handed to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent
Target = Literal["passport", "keystore"]
VERSION_TABLES: dict[str, str] = {"passport": "alembic_version", "keystore": "alembic_version_keystore"}
_LOCATIONS: dict[str, str] = {"passport": "versions", "keystore": "keystore_versions"}
_ADVISORY_LOCK = {"passport": 0x0757A9_0001, "keystore": 0x0757A9_0002}


def alembic_config(url: str, target: Target = "passport") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS_DIR / _LOCATIONS[target]))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["target"] = target
    return config


def _upgrade_sync(connection: Any, url: str, target: Target, revision: str) -> None:
    config = alembic_config(url, target)
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(engine: AsyncEngine, target: Target = "passport", revision: str = "head") -> None:
    """``alembic upgrade`` on ``engine``; on PostgreSQL under an advisory lock, so replicas can start together."""
    url = engine.url.render_as_string(hide_password=False)
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK[target]})
        await connection.run_sync(_upgrade_sync, url, target, revision)


async def current_revision(engine: AsyncEngine, target: Target = "passport") -> str | None:
    from alembic.runtime.migration import MigrationContext

    def read(connection: Any) -> str | None:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLES[target]})
        return context.get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(read)
