"""The schema: migrations match the tables, keep their own version table and run twice without harm
(SQLite and a real PostgreSQL); settings refuse what must not reach production."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from overstap_common.principal import DEVELOPMENT_KEY
from overstap_extractor.settings import VAR_DIR, VacancySettings
from overstap_extractor.storage.migrations import VERSION_TABLE, current_revision, upgrade
from overstap_extractor.storage.tables import Base
from overstap_storage.database import create_engine
from pydantic import ValidationError
from sqlalchemy import inspect, text

from .vacancy_harness import database_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_migrations_match_the_tables(request: pytest.FixtureRequest, backend: str) -> None:
    async with database_url(request, backend) as url:
        engine = create_engine(url, application_name="overstap-vacancy-tests")
        try:
            await upgrade(engine)
            await upgrade(engine)  # again: nothing to do
            assert await current_revision(engine) == "0001"

            def differences(connection: Any) -> list[Any]:
                context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE,
                                                                       "compare_type": True})  # fmt: skip
                return compare_metadata(context, Base.metadata)

            def tables(connection: Any) -> set[str]:
                return set(inspect(connection).get_table_names())

            async with engine.connect() as connection:
                assert await connection.run_sync(differences) == []
                assert await connection.run_sync(tables) == {
                    "vacancies", "vacancy_skills", "vacancy_change_counter", VERSION_TABLE,
                }  # fmt: skip
                counter = await connection.execute(text("SELECT id, value FROM vacancy_change_counter"))
                assert [tuple(r) for r in counter] == [(1, 0)]
        finally:
            await engine.dispose()


def test_settings_defaults_are_embedded() -> None:
    settings = VacancySettings()
    assert settings.grpc_port == 50054
    assert settings.database_url == f"sqlite+aiosqlite:///{VAR_DIR / 'vacancy.db'}"
    assert VAR_DIR.name == "var" and (VAR_DIR.parent / "services").is_dir()


def test_settings_refuse_the_development_key_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OVERSTAP_VACANCY_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="OVERSTAP_VACANCY_PRINCIPAL_KEY"):
        VacancySettings()
    monkeypatch.setenv("OVERSTAP_VACANCY_PRINCIPAL_KEY", "a-real-secret-from-the-deployment")
    assert VacancySettings().principal_key.get_secret_value() != DEVELOPMENT_KEY


@pytest.mark.parametrize(
    "fields", [{"database_url": "postgresql://x/y"}, {"default_language": "de"}, {"extraction_threshold": 1.5}]
)
def test_settings_refuse_bad_values(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        VacancySettings(**fields)
