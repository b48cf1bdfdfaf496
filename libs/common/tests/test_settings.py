"""A server that checks signed callers refuses its development secrets outside development and test."""

from __future__ import annotations

import pytest
from overstap_common.principal import DEVELOPMENT_KEY
from overstap_common.settings import CallerCheckingSettings
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict


class ExampleSettings(CallerCheckingSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_EXAMPLE_", extra="ignore")
    other_secret: SecretStr = SecretStr("public-default")

    def development_defaults(self) -> list[tuple[str, SecretStr, str]]:
        return [*super().development_defaults(), ("other_secret", self.other_secret, "public-default")]


def test_development_and_test_accept_the_development_defaults() -> None:
    for environment in ("development", "test"):
        assert ExampleSettings(environment=environment).principal_key.get_secret_value() == DEVELOPMENT_KEY


def test_production_names_every_default_left_and_its_variable() -> None:
    with pytest.raises(ValidationError) as refused:
        ExampleSettings(environment="production")
    message = str(refused.value)
    assert "principal_key, other_secret" in message
    assert "OVERSTAP_EXAMPLE_PRINCIPAL_KEY and OVERSTAP_EXAMPLE_OTHER_SECRET" in message
    with pytest.raises(ValidationError, match="OVERSTAP_EXAMPLE_OTHER_SECRET"):
        ExampleSettings(environment="production", principal_key=SecretStr("a-real-key"))
    real = ExampleSettings(environment="production", principal_key=SecretStr("k"), other_secret=SecretStr("s"))
    assert real.principal_max_age_seconds == 300
