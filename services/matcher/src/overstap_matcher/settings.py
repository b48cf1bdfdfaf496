"""Matcher service settings (env prefix OVERSTAP_MATCHER_)."""

from __future__ import annotations

from pathlib import Path

from overstap_common.settings import CallerCheckingSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class MatcherSettings(CallerCheckingSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_MATCHER_", extra="ignore")

    grpc_port: int = Field(default=50053, ge=0, le=65535)
    # The taxonomy bundle the occupation index is built from; default: the shipped bundle.
    bundle_path: Path | None = None
    # The vacancy service (vacancy index and its change feed) and the passport service (candidates).
    vacancy_target: str = "127.0.0.1:50054"
    passport_target: str = "127.0.0.1:50052"
    # How often the vacancy change feed is polled, in seconds.
    vacancy_poll_seconds: float = Field(default=1.0, gt=0, le=3600)
