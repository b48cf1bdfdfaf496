"""Every service that checks the gateway's signed callers refuses the development principal key in production
(one rule, ``overstap_common.settings.CallerCheckingSettings``)."""

from __future__ import annotations

import pytest
from overstap_common.settings import CallerCheckingSettings
from overstap_extractor.settings import VacancySettings
from overstap_matcher.settings import MatcherSettings
from overstap_passport.settings import PassportSettings
from pydantic import ValidationError


@pytest.mark.parametrize(
    ("settings", "prefix"),
    [
        (MatcherSettings, "OVERSTAP_MATCHER_"),
        (VacancySettings, "OVERSTAP_VACANCY_"),
        (PassportSettings, "OVERSTAP_PASSPORT_"),
    ],
)
def test_each_service_refuses_the_development_principal_key_in_production(
    monkeypatch: pytest.MonkeyPatch, settings: type[CallerCheckingSettings], prefix: str
) -> None:
    monkeypatch.delenv(f"{prefix}PRINCIPAL_KEY", raising=False)
    with pytest.raises(ValidationError, match=f"{prefix}PRINCIPAL_KEY"):
        settings(environment="production")
