"""Evidence: what backs a skill, and how strong that is (hard > semi-hard > soft)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum


class EvidenceKind(IntEnum):
    """Strength of evidence; the integer order is the strength order."""

    SOFT = 1
    SEMI_HARD = 2
    HARD = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class EvidenceType(StrEnum):
    DIPLOMA = "diploma"
    CERTIFICATE = "certificate"
    REGISTRATION = "registration"  # e.g. BIG-register
    WORK_EXPERIENCE = "work_experience"
    TIMESHEET = "timesheet"
    EMPLOYER_STATEMENT = "employer_statement"
    SELF_ASSESSMENT = "self_assessment"


KIND_OF_TYPE: dict[EvidenceType, EvidenceKind] = {
    EvidenceType.DIPLOMA: EvidenceKind.HARD,
    EvidenceType.CERTIFICATE: EvidenceKind.HARD,
    EvidenceType.REGISTRATION: EvidenceKind.HARD,
    EvidenceType.WORK_EXPERIENCE: EvidenceKind.SEMI_HARD,
    EvidenceType.TIMESHEET: EvidenceKind.SEMI_HARD,
    EvidenceType.EMPLOYER_STATEMENT: EvidenceKind.SEMI_HARD,
    EvidenceType.SELF_ASSESSMENT: EvidenceKind.SOFT,
}

# Evidence types a diploma/certificate entry in the education section produces.
EDUCATION_EVIDENCE_TYPE = {"diploma": EvidenceType.DIPLOMA, "certificate": EvidenceType.CERTIFICATE}


def kind_of(evidence_type: EvidenceType) -> EvidenceKind:
    return KIND_OF_TYPE[evidence_type]


def best_kind(kinds: Iterable[EvidenceKind | int]) -> EvidenceKind | None:
    """The strongest kind among ``kinds``; None when there is no evidence."""
    best = max((int(k) for k in kinds), default=0)
    return EvidenceKind(best) if best else None
