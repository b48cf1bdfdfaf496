"""Engines and the unit of work on real databases: SQLite files and a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from overstap_storage.database import create_engine, is_sqlite, session_factory
from overstap_storage.naming import named_metadata
from overstap_storage.scratch import fresh_databases
from overstap_storage.unit_of_work import UnitOfWork
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.schema import CreateIndex, CreateTable

metadata = MetaData()
notes = Table("notes", metadata, Column("id", Integer, primary_key=True), Column("body", String(50)))


class NoteUnit(UnitOfWork):
    """A unit of work as a service writes one: its "repository" is bound to the session."""

    def bind(self, session: AsyncSession) -> None:
        self.bound_to = session
        self.in_transaction_at_bind = session.in_transaction()


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('storage') / 'nested' / 'db.sqlite'}"
        async for e in _engine(url):
            yield e
        return
    async with fresh_databases(request.getfixturevalue("postgres_url"), "overstap_storage_test") as (url,):
        async for e in _engine(url):
            yield e


async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(url, application_name="overstap-storage-tests", pool_size=2, pre_ping=True)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield engine
    finally:
        await engine.dispose()


async def _count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(notes))).scalar_one())


async def test_committed_work_persists_and_the_unit_binds_inside_the_transaction(engine: AsyncEngine) -> None:
    async with NoteUnit(session_factory(engine)) as unit:
        assert unit.bound_to is unit.session and unit.in_transaction_at_bind
        await unit.session.execute(notes.insert().values(body="kept"))
        await unit.commit()
    assert await _count(engine) == 1


async def test_leaving_without_commit_rolls_back(engine: AsyncEngine) -> None:
    async with NoteUnit(session_factory(engine)) as unit:
        await unit.session.execute(notes.insert().values(body="dropped"))
    assert await _count(engine) == 0


async def test_an_error_inside_rolls_back_and_propagates(engine: AsyncEngine) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with NoteUnit(session_factory(engine)) as unit:
            await unit.session.execute(notes.insert().values(body="dropped"))
            raise RuntimeError("boom")
    assert await _count(engine) == 0


async def test_engine_settings_reach_the_database(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        if is_sqlite(str(engine.url)):
            assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one() == "wal"
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar_one() == 1
        else:
            name = (await connection.execute(text("SELECT current_setting('application_name')"))).scalar_one()
            assert name == "overstap-storage-tests"


def test_is_sqlite() -> None:
    assert is_sqlite("sqlite+aiosqlite:///x.db")
    assert not is_sqlite("postgresql+asyncpg://postgres@127.0.0.1/postgres")


def test_named_metadata_names_constraints_the_same_way_everywhere() -> None:
    shared = named_metadata()
    assert shared is not named_metadata()  # one per database
    parent = Table("parent", shared, Column("id", Integer, primary_key=True))
    child = Table(
        "child", shared, Column("id", Integer, primary_key=True), Column("parent_id", ForeignKey(parent.c.id)),
        Column("a", String(5)), Column("b", String(5)), UniqueConstraint("a", "b"), Index(None, "a"),
    )  # fmt: skip
    ddl = str(CreateTable(child))
    assert "CONSTRAINT pk_child PRIMARY KEY" in ddl
    assert "CONSTRAINT fk_child_parent_id_parent FOREIGN KEY" in ddl
    assert "CONSTRAINT uq_child_a_b UNIQUE" in ddl
    assert "ix_child_a" in str(CreateIndex(next(iter(child.indexes))))


async def test_fresh_databases_exist_inside_and_are_dropped_after_an_error(postgres_url: str) -> None:
    async def names() -> set[str]:
        engine = create_engine(postgres_url, application_name="overstap-storage-tests")
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(text("SELECT datname FROM pg_database"))
                return {row[0] for row in rows}
        finally:
            await engine.dispose()

    with pytest.raises(RuntimeError, match="inside"):
        async with fresh_databases(postgres_url, "overstap_scratch_a", "overstap_scratch_b") as urls:
            created = [url.rpartition("/")[2] for url in urls]
            assert created[0].startswith("overstap_scratch_a_") and created[1].startswith("overstap_scratch_b_")
            assert set(created) <= await names()
            raise RuntimeError("inside")
    assert not set(created) & await names()
