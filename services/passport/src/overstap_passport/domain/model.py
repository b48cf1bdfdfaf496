"""The passport as the domain sees it: plain records, and the view a caller is allowed to see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from overstap_passport.domain.consent import ALL_PARTS, Part, expand
from overstap_passport.domain.evidence import EvidenceKind, EvidenceType, best_kind
from overstap_passport.domain.validation import highest_level


@dataclass(frozen=True, slots=True)
class Actor:
    subject: str
    organisation: str = ""
    role: str = "person"

    @property
    def party(self) -> str:
        return self.organisation or self.subject


@dataclass(slots=True)
class Contact:
    name: str = ""
    email: str = ""
    phone: str = ""

    def is_empty(self) -> bool:
        return not (self.name or self.email or self.phone)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email, "phone": self.phone}


@dataclass(slots=True)
class Wishes:
    desired_occupations: list[str] = field(default_factory=list)
    desired_fields: list[str] = field(default_factory=list)
    min_hours_per_week: int = 0
    max_hours_per_week: int = 0
    region: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "desired_occupations": list(self.desired_occupations),
            "desired_fields": list(self.desired_fields),
            "min_hours_per_week": self.min_hours_per_week,
            "max_hours_per_week": self.max_hours_per_week,
            "region": self.region,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> Wishes:
        data = data or {}
        return cls(
            list(data.get("desired_occupations", []) or []),  # type: ignore[call-overload]
            list(data.get("desired_fields", []) or []),  # type: ignore[call-overload]
            int(data.get("min_hours_per_week", 0) or 0),  # type: ignore[call-overload]
            int(data.get("max_hours_per_week", 0) or 0),  # type: ignore[call-overload]
            str(data.get("region", "") or ""),
        )


@dataclass(frozen=True, slots=True)
class Language:
    language: str
    level: str


@dataclass(slots=True)
class SelfProfile:
    ratings: dict[str, int] = field(default_factory=dict)  # O*NET element id -> level 0..7
    rated_at: datetime | None = None


@dataclass(slots=True)
class EvidenceRecord:
    id: str
    skill_id: str
    type: EvidenceType
    kind: EvidenceKind
    source: str
    reference: str
    issued_on: date | None
    valid_until: date | None
    added_by: Actor
    added_at: datetime
    derived: bool = False
    confirmed: bool = False
    work_history_id: str = ""
    education_id: str = ""
    derived_from: str = ""
    note: str = ""


@dataclass(slots=True)
class ValidationRecord:
    id: str
    skill_id: str
    phase: int
    actor: Actor
    performed_on: date
    recorded_at: datetime
    evidence_ids: list[str]
    note: str = ""


@dataclass(slots=True)
class SkillRecord:
    id: str
    uri: str
    label: str
    added_at: datetime
    evidence: list[EvidenceRecord] = field(default_factory=list)
    validations: list[ValidationRecord] = field(default_factory=list)

    @property
    def best_kind(self) -> EvidenceKind | None:
        return best_kind(e.kind for e in self.evidence)

    @property
    def validation_level(self) -> int:
        return highest_level(v.phase for v in self.validations)

    @property
    def unconfirmed(self) -> bool:
        return bool(self.evidence) and all(e.derived and not e.confirmed for e in self.evidence)


@dataclass(slots=True)
class WorkHistoryRecord:
    id: str
    occupation: str
    esco_occupation_uri: str
    occupation_label: str
    start_date: date
    end_date: date | None
    employer: str
    added_at: datetime
    derived_skill_count: int = 0


@dataclass(slots=True)
class EducationRecord:
    id: str
    kind: str  # diploma | certificate
    title: str
    level: int
    institution: str
    issued_on: date | None
    valid_until: date | None
    reference: str
    skill_uris: list[str]
    added_at: datetime


@dataclass(slots=True)
class PassportRecord:
    id: str
    owner_subject: str
    version: int
    created_at: datetime
    updated_at: datetime
    contact: Contact | None
    wishes: Wishes
    languages: list[Language]
    self_profile: SelfProfile
    audit_head_seq: int = 0
    audit_head_hash: str = ""


@dataclass(slots=True)
class PassportView:
    """What one caller may see of a passport; lists are empty for parts outside ``parts``."""

    passport: PassportRecord
    parts: frozenset[Part]
    owner: bool
    skills: list[SkillRecord] = field(default_factory=list)
    work_history: list[WorkHistoryRecord] = field(default_factory=list)
    education: list[EducationRecord] = field(default_factory=list)

    @property
    def shows_evidence(self) -> bool:
        return Part.EVIDENCE in self.parts


def owner_parts() -> frozenset[Part]:
    return ALL_PARTS


def visible_parts(granted: frozenset[Part]) -> frozenset[Part]:
    return expand(granted)
