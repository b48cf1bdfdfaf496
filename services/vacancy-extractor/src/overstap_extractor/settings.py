"""Vacancy-extractor service settings (env prefix OVERSTAP_VACANCY_).

With no configuration the service runs embedded: a SQLite file under var/ at the repository root, the shipped
model artifact and taxonomy bundle, the development principal key. ``postgresql+asyncpg://`` URLs switch to
PostgreSQL. Outside development and test the development principal key is refused: set
OVERSTAP_VACANCY_PRINCIPAL_KEY.
"""

from __future__ import annotations

from pathlib import Path

from overstap_common.settings import VAR_DIR, CallerCheckingSettings
from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict


class VacancySettings(CallerCheckingSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_VACANCY_", extra="ignore")

    grpc_port: int = Field(default=50054, ge=0, le=65535)
    # Ads are at most 1 MiB; answers carry the text once more plus spans: 4 MiB leaves room for both.
    grpc_max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=2 * 1024 * 1024)
    # Vacancy data. sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'vacancy.db'}"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_echo: bool = False
    # Run `alembic upgrade head` at start.
    migrate_on_start: bool = True
    # The taxonomy bundle (skills to validate, occupations to guess); default: the shipped bundle.
    bundle_path: Path | None = None
    # The classifier artifact; default: the one shipped in the package.
    model_path: Path | None = None
    # Probability a skill needs to be reported; None: the model's calibrated threshold.
    extraction_threshold: float | None = Field(default=None, gt=0, lt=1)
    # Language used when a text is too short to tell Dutch from English.
    default_language: str = "nl"
    # Occupations guessed per ad by default (ExtractSkills max_occupations 0, and stored vacancies).
    occupation_limit: int = Field(default=5, ge=0, le=20)
    # Extractions allowed to wait for the model thread before RESOURCE_EXHAUSTED.
    max_pending_extractions: int = Field(default=32, ge=1, le=10_000)

    @field_validator("database_url")
    @classmethod
    def _async_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("nl", "en"):
            raise ValueError("must be nl or en")
        return value
