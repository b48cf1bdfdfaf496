"""Evidence kinds, validation phases, settings: the rules without I/O."""

from __future__ import annotations

from datetime import date

import pytest
from overstap_passport.domain.errors import InvalidInput
from overstap_passport.domain.evidence import EvidenceKind, EvidenceType, best_kind, kind_of
from overstap_passport.domain.onet import ONET_SKILLS
from overstap_passport.domain.validation import PriorStep, ValidationPhase, check_step, highest_level
from overstap_passport.settings import PassportSettings
from pydantic import ValidationError

TODAY = date(2025, 6, 1)
IDENT, D, A, C = (
    ValidationPhase.IDENTIFICATION,
    ValidationPhase.DOCUMENTATION,
    ValidationPhase.ASSESSMENT,
    ValidationPhase.CERTIFICATION,
)


@pytest.mark.parametrize(
    ("evidence_type", "kind"),
    [
        (EvidenceType.DIPLOMA, EvidenceKind.HARD),
        (EvidenceType.CERTIFICATE, EvidenceKind.HARD),
        (EvidenceType.REGISTRATION, EvidenceKind.HARD),
        (EvidenceType.WORK_EXPERIENCE, EvidenceKind.SEMI_HARD),
        (EvidenceType.TIMESHEET, EvidenceKind.SEMI_HARD),
        (EvidenceType.EMPLOYER_STATEMENT, EvidenceKind.SEMI_HARD),
        (EvidenceType.SELF_ASSESSMENT, EvidenceKind.SOFT),
    ],
)
def test_every_evidence_type_has_its_kind(evidence_type: EvidenceType, kind: EvidenceKind) -> None:
    assert kind_of(evidence_type) is kind


def test_best_kind() -> None:
    assert best_kind([]) is None
    assert best_kind([EvidenceKind.SOFT, EvidenceKind.SEMI_HARD]) is EvidenceKind.SEMI_HARD
    assert best_kind([EvidenceKind.HARD, EvidenceKind.SOFT]) is EvidenceKind.HARD


def test_validation_path_in_order() -> None:
    prior: list[PriorStep] = []
    for phase, kinds, by_owner in (
        (IDENT, [], True),
        (D, [EvidenceKind.SOFT], True),
        (A, [EvidenceKind.SEMI_HARD], False),
        (C, [EvidenceKind.HARD], False),
    ):
        check_step(phase, TODAY, TODAY, prior, kinds, by_owner)
        prior.append(PriorStep(phase, TODAY))
    assert highest_level(p.phase for p in prior) == 4
    assert highest_level([]) == 0


@pytest.mark.parametrize(
    ("phase", "prior", "kinds", "by_owner", "day", "message"),
    [
        (D, [], [EvidenceKind.SOFT], True, TODAY, "documentation needs identification first"),
        (A, [PriorStep(IDENT, TODAY)], [EvidenceKind.HARD], False, TODAY, "assessment needs documentation first"),
        (D, [PriorStep(IDENT, TODAY)], [], True, TODAY, "must name the evidence"),
        (A, [PriorStep(IDENT, TODAY), PriorStep(D, TODAY)], [EvidenceKind.HARD], True, TODAY, "someone other than"),
        (
            C,
            [PriorStep(IDENT, TODAY), PriorStep(D, TODAY), PriorStep(A, TODAY)],
            [EvidenceKind.SEMI_HARD],
            False,
            TODAY,
            "hard evidence",
        ),
        (IDENT, [], [], True, date(2025, 6, 2), "in the future"),
        (D, [PriorStep(IDENT, TODAY)], [EvidenceKind.SOFT], True, date(2025, 5, 1), "before the identification"),
    ],
)
def test_validation_rules(phase, prior, kinds, by_owner, day, message) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_step(phase, day, TODAY, prior, kinds, by_owner)


def test_thirty_five_onet_skills() -> None:
    assert len(ONET_SKILLS) == 35 and ONET_SKILLS["2.A.1.a"] == "Reading Comprehension"


def test_settings_embedded_default_and_production_refuses_development_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "KEYSTORE_URL", "ENVIRONMENT", "MASTER_KEY", "SIGNING_KEY", "PRINCIPAL_KEY"):
        monkeypatch.delenv(f"OVERSTAP_PASSPORT_{name}", raising=False)
    settings = PassportSettings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///") and "/var/passport.db" in settings.database_url
    assert settings.keystore_url != settings.database_url
    with pytest.raises(ValidationError, match="principal_key, master_key, signing_key"):
        PassportSettings(environment="production")
    key = "q" * 43 + "="
    monkeypatch.setenv("OVERSTAP_PASSPORT_MASTER_KEY", key)
    monkeypatch.setenv("OVERSTAP_PASSPORT_SIGNING_KEY", "r" * 43 + "=")
    monkeypatch.setenv("OVERSTAP_PASSPORT_PRINCIPAL_KEY", "a-real-secret")
    monkeypatch.setenv("OVERSTAP_PASSPORT_DATABASE_URL", "postgresql+asyncpg://p@db/passport")
    monkeypatch.setenv("OVERSTAP_PASSPORT_KEYSTORE_URL", "postgresql+asyncpg://p@keys/keystore")
    assert PassportSettings(environment="production").master_key.get_secret_value() == key
    with pytest.raises(ValidationError, match="32 bytes"):
        PassportSettings(master_key="c2hvcnQ=")
    with pytest.raises(ValidationError, match="sqlite\\+aiosqlite"):
        PassportSettings(database_url="mysql://x")
