"""Alembic environment for the passport database and the key store (chosen by config.attributes["target"]).

Works three ways: with a connection passed in ``config.attributes["connection"]`` (the service at start), online
with an async URL (``overstap passport migrate``), or offline (``--sql``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from overstap_passport.migrations import VERSION_TABLES
from overstap_passport.storage.models import Base, KeystoreBase

config = context.config
target = config.attributes.get("target", config.get_main_option("target") or "passport")
target_metadata = KeystoreBase.metadata if target == "keystore" else Base.metadata
version_table = VERSION_TABLES[target]


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Any) -> None:
    _configure(connection)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        version_table=version_table,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = async_engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())


if context.is_offline_mode():
    run_offline()
else:
    run_online()
