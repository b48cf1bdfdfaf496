"""Scratch PostgreSQL databases: fresh, empty ones for a test run or a benchmark, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg


@asynccontextmanager
async def fresh_databases(server_url: str, *prefixes: str) -> AsyncIterator[list[str]]:
    """One new database per prefix (``<prefix>_<random>``) on the server of ``server_url`` (a
    ``postgresql+asyncpg://`` URL); yields their URLs in the same order and drops them on exit, closing any
    connection still open."""
    suffix = uuid.uuid4().hex[:10]
    names = [f"{prefix}_{suffix}" for prefix in prefixes]
    admin_dsn = server_url.replace("postgresql+asyncpg://", "postgresql://")
    admin = await asyncpg.connect(admin_dsn)
    try:
        for name in names:
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = server_url.rpartition("/")[0]
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            for name in names:
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
