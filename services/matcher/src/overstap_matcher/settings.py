"""Matcher service settings (env prefix OVERSTAP_MATCHER_)."""

from __future__ import annotations

from pathlib import Path

from overstap_common.principal import DEVELOPMENT_KEY
from overstap_common.settings import GrpcServerSettings
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict


class MatcherSettings(GrpcServerSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_MATCHER_", extra="ignore")

    grpc_port: int = Field(default=50053, ge=0, le=65535)
    # The taxonomy bundle the occupation index is built from; default: the shipped bundle.
    bundle_path: Path | None = None
    # Key shared with the gateway that signs the caller's identity (x-overstap-principal).
    principal_key: SecretStr = SecretStr(DEVELOPMENT_KEY)
    principal_max_age_seconds: float = Field(default=300, gt=0)
    # The vacancy service (vacancy index and its change feed) and the passport service (candidates).
    vacancy_target: str = "127.0.0.1:50054"
    passport_target: str = "127.0.0.1:50052"
    # How often the vacancy change feed is polled, in seconds.
    vacancy_poll_seconds: float = Field(default=1.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _no_development_key_in_production(self) -> MatcherSettings:
        if self.environment == "production" and self.principal_key.get_secret_value() == DEVELOPMENT_KEY:
            raise ValueError("OVERSTAP_MATCHER_PRINCIPAL_KEY must be set outside development")
        return self
