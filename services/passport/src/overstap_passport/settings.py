"""Passport service settings (env prefix OVERSTAP_PASSPORT_).

With no configuration the service runs embedded: SQLite files under var/ at the repository root, development
keys. ``postgresql+asyncpg://`` URLs switch to PostgreSQL. Outside development and test, the development keys are
refused: set OVERSTAP_PASSPORT_PRINCIPAL_KEY, _MASTER_KEY and _SIGNING_KEY from the deployment's secrets.
"""

from __future__ import annotations

from overstap_common.settings import VAR_DIR, CallerCheckingSettings
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from overstap_passport.crypto.envelope import decode_key

# Development keys: public, so refused outside development/test. (base64 of 32 bytes each)
DEVELOPMENT_MASTER_KEY = "b3ZlcnN0YXAtZGV2LW1hc3Rlci1rZXktbm90LXNlY3I="
DEVELOPMENT_SIGNING_KEY = "b3ZlcnN0YXAtZGV2LXNpZ25pbmcta2V5LW5vdC1zZWM="


class PassportSettings(CallerCheckingSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_PASSPORT_", extra="ignore")

    grpc_port: int = Field(default=50052, ge=0, le=65535)
    grpc_max_message_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    # Passport data. sqlite+aiosqlite:///path or postgresql+asyncpg://user@host/db
    database_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'passport.db'}"
    # Key store for the wrapped per-person data keys: a different database, left out of the data backups (or
    # kept for a short time only), so that erasing a person's key makes every backup of their fields unreadable.
    keystore_url: str = f"sqlite+aiosqlite:///{VAR_DIR / 'passport-keys.db'}"
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # Connections of the PostgreSQL hot-path pool opened at start (up to db_pool_size): a burst right after start
    # then does not wait for connection set-up; the rest open on demand.
    db_pool_min_size: int = Field(default=2, ge=0, le=200)
    db_echo: bool = False
    # Run `alembic upgrade head` on both databases at start.
    migrate_on_start: bool = True
    # Taxonomy service (validates ESCO URIs, maps occupations, gives occupations' skills).
    taxonomy_target: str = "127.0.0.1:50051"
    taxonomy_deadline_seconds: float = Field(default=2.0, gt=0)
    # Key-encryption key for the per-person data keys: base64 of 32 random bytes, with an id for rotation.
    master_key: SecretStr = SecretStr(DEVELOPMENT_MASTER_KEY)
    master_key_id: str = "dev-1"
    # Ed25519 private key seed (base64 of 32 bytes) that signs exported credentials.
    signing_key: SecretStr = SecretStr(DEVELOPMENT_SIGNING_KEY)
    issuer_name: str = "Overstap (development)"
    # Rendered passport views kept in memory, keyed by version (0 turns the cache off).
    view_cache_size: int = Field(default=256, ge=0, le=100_000)
    # Unwrapped per-person data keys kept in memory (erasure evicts at once; 0 seconds turns the cache off).
    key_cache_seconds: float = Field(default=60.0, ge=0, le=3600)
    key_cache_size: int = Field(default=10_000, ge=0, le=1_000_000)
    # On PostgreSQL: reads, AddEvidence, AddSkills and UpdatePassport on raw asyncpg, in one or two statements
    # (storage/pgfast.py); false: every call through the SQLAlchemy repositories.
    pg_hot_path: bool = True
    # Language of skill and occupation labels stored with the passport.
    label_language: str = "nl"

    @field_validator("master_key", "signing_key")
    @classmethod
    def _key_shape(cls, value: SecretStr) -> SecretStr:
        decode_key(value.get_secret_value(), "key")
        return value

    @field_validator("database_url", "keystore_url")
    @classmethod
    def _async_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        return value

    def development_defaults(self) -> list[tuple[str, SecretStr, str]]:
        return [
            *super().development_defaults(),
            ("master_key", self.master_key, DEVELOPMENT_MASTER_KEY),
            ("signing_key", self.signing_key, DEVELOPMENT_SIGNING_KEY),
        ]

    @model_validator(mode="after")
    def _separate_keystore_in_production(self) -> PassportSettings:
        if self.environment in ("development", "test"):
            return self
        if self.database_url == self.keystore_url:
            raise ValueError("keystore_url must be a different database from database_url outside development")
        return self
