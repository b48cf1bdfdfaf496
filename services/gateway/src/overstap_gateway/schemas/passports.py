"""Skills passports as JSON: request bodies (strict: unknown fields are refused) and responses.

Enumerations are English codes; where a code is shown to people, a Dutch label sits next to it (``*_label``).
Skill and occupation labels are the taxonomy's Dutch preferred labels, stored with the passport.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from google.protobuf.timestamp_pb2 import Timestamp
from overstap.passport.v1 import passport_pb2 as pb
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

PASSPORT_ID_EXAMPLE = "3f1c8a52-6a0e-4d8e-9a55-2a7f0c1e9b44"
CASHIER = "http://data.europa.eu/esco/occupation/2b871272-bd61-4206-bd1a-0b96d7023098"
PROCESS_PAYMENTS = "http://data.europa.eu/esco/skill/bdcac0c8-b77a-4640-9eaf-c0cf3efd1e23"

Text = Annotated[str, StringConstraints(max_length=200)]
Note = Annotated[str, StringConstraints(max_length=2000)]
Uri = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- enumerations ------------------------------------------------------------------------------------------------


class EvidenceType(StrEnum):
    diploma = "diploma"
    certificate = "certificate"
    registration = "registration"
    work_experience = "work_experience"
    timesheet = "timesheet"
    employer_statement = "employer_statement"
    self_assessment = "self_assessment"

    def to_pb(self) -> int:
        return pb.EvidenceType.Value("EVIDENCE_TYPE_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> EvidenceType | None:
        return None if not value else cls(pb.EvidenceType.Name(value).removeprefix("EVIDENCE_TYPE_").lower())

    @property
    def label(self) -> str:
        return EVIDENCE_TYPE_LABELS[self]


EVIDENCE_TYPE_LABELS = {
    EvidenceType.diploma: "diploma",
    EvidenceType.certificate: "certificaat",
    EvidenceType.registration: "registratie (bijv. BIG-register)",
    EvidenceType.work_experience: "werkervaring",
    EvidenceType.timesheet: "urenregistratie",
    EvidenceType.employer_statement: "werkgeversverklaring",
    EvidenceType.self_assessment: "zelfbeoordeling",
}


class EvidenceKind(StrEnum):
    soft = "soft"
    semi_hard = "semi_hard"
    hard = "hard"

    @classmethod
    def from_pb(cls, value: int) -> EvidenceKind | None:
        return None if not value else cls(pb.EvidenceKind.Name(value).removeprefix("EVIDENCE_KIND_").lower())

    @property
    def label(self) -> str:
        return {"soft": "zacht bewijs", "semi_hard": "semi-hard bewijs", "hard": "hard bewijs"}[self.value]


class ValidationPhase(StrEnum):
    identification = "identification"
    documentation = "documentation"
    assessment = "assessment"
    certification = "certification"

    def to_pb(self) -> int:
        return pb.ValidationPhase.Value("VALIDATION_PHASE_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> ValidationPhase | None:
        return None if not value else cls(pb.ValidationPhase.Name(value).removeprefix("VALIDATION_PHASE_").lower())

    @property
    def label(self) -> str:
        return {
            "identification": "identificatie",
            "documentation": "documentatie",
            "assessment": "beoordeling",
            "certification": "certificering",
        }[self.value]


class ConsentPart(StrEnum):
    skills = "skills"
    evidence = "evidence"
    wishes = "wishes"
    contact = "contact"

    def to_pb(self) -> int:
        return pb.ConsentPart.Value("CONSENT_PART_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> ConsentPart:
        return cls(pb.ConsentPart.Name(value).removeprefix("CONSENT_PART_").lower())

    @property
    def label(self) -> str:
        return {
            "skills": "vaardigheden",
            "evidence": "bewijs en werkervaring",
            "wishes": "wensen en talen",
            "contact": "contactgegevens",
        }[self.value]


class Purpose(StrEnum):
    matching = "matching"
    coaching = "coaching"
    vacancy_candidates = "vacancy-candidates"
    validation = "validation"

    @property
    def label(self) -> str:
        return {
            "matching": "matchen op beroepen en vacatures",
            "coaching": "begeleiding",
            "vacancy-candidates": "vindbaar als kandidaat voor vacatures",
            "validation": "validatie van vaardigheden (EVC)",
        }[self.value]


class EducationKind(StrEnum):
    diploma = "diploma"
    certificate = "certificate"

    def to_pb(self) -> int:
        return pb.EducationKind.Value("EDUCATION_KIND_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> EducationKind | None:
        return None if not value else cls(pb.EducationKind.Name(value).removeprefix("EDUCATION_KIND_").lower())

    @property
    def label(self) -> str:
        return {"diploma": "diploma", "certificate": "certificaat"}[self.value]


class CefrLevel(StrEnum):
    A1 = "A1"
    A2 = "A2"
    B1 = "B1"
    B2 = "B2"
    C1 = "C1"
    C2 = "C2"
    native = "native"


class OccupationScheme(StrEnum):
    isco08 = "isco08"
    brc2014 = "brc2014"
    onet = "onet"
    soc2010 = "soc2010"
    soc2018 = "soc2018"


# --- conversions -------------------------------------------------------------------------------------------------


def _when(message: Any, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    stamp: Timestamp = getattr(message, name)
    return stamp.ToDatetime(tzinfo=UTC)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


# --- request bodies ----------------------------------------------------------------------------------------------


class ContactIn(Strict):
    name: Text = Field(default="", examples=["Sanne de Vries"])
    email: Annotated[str, StringConstraints(max_length=254)] = Field(default="", examples=["sanne@example.nl"])
    phone: Annotated[str, StringConstraints(max_length=32)] = Field(default="", examples=["+31 6 12345678"])

    def to_pb(self) -> pb.Contact:
        return pb.Contact(name=self.name, email=self.email, phone=self.phone)


class WishesIn(Strict):
    desired_occupations: list[Uri] = Field(default_factory=list, max_length=20, examples=[["winkelmedewerker"]])
    desired_fields: list[Text] = Field(default_factory=list, max_length=20, examples=[["detailhandel"]])
    min_hours_per_week: int | None = Field(default=None, ge=0, le=80, examples=[24])
    max_hours_per_week: int | None = Field(default=None, ge=0, le=80, examples=[32])
    region: Text = Field(default="", examples=["Utrecht en omgeving"])

    def to_pb(self) -> pb.Wishes:
        return pb.Wishes(
            desired_occupations=self.desired_occupations,
            desired_fields=self.desired_fields,
            min_hours_per_week=self.min_hours_per_week or 0,
            max_hours_per_week=self.max_hours_per_week or 0,
            region=self.region,
        )


class LanguageSkillIn(Strict):
    language: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z]{2,3}$")] = Field(
        description="ISO 639-1 code", examples=["nl"]
    )
    level: CefrLevel = Field(description="CEFR level, or native", examples=["native"])

    def to_pb(self) -> pb.LanguageSkill:
        return pb.LanguageSkill(language=self.language, level=self.level.value)


class CreatePassport(Strict):
    """Your own passport: contact details, wishes and languages (all optional; skills come later)."""

    contact: ContactIn | None = None
    wishes: WishesIn | None = None
    languages: list[LanguageSkillIn] = Field(default_factory=list, max_length=20)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contact": {"name": "Sanne de Vries", "email": "sanne@example.nl"},
                    "wishes": {"desired_fields": ["detailhandel"], "region": "Utrecht en omgeving"},
                    "languages": [{"language": "nl", "level": "native"}, {"language": "en", "level": "B2"}],
                }
            ]
        },
    )


class UpdatePassport(Strict):
    """Each part you send replaces that part as a whole; parts you leave out stay as they are."""

    contact: ContactIn | None = None
    wishes: WishesIn | None = None
    languages: list[LanguageSkillIn] | None = Field(default=None, max_length=20)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"wishes": {"min_hours_per_week": 24, "max_hours_per_week": 32}}]},
    )

    @model_validator(mode="after")
    def _something(self) -> UpdatePassport:
        if not self.model_fields_set & {"contact", "wishes", "languages"}:
            raise ValueError("send at least one of: contact, wishes, languages")
        for name in self.model_fields_set:
            if getattr(self, name) is None:
                raise ValueError(f"{name} may not be null; send an empty value to clear it")
        return self

    @property
    def paths(self) -> list[str]:
        return sorted(self.model_fields_set)


class EvidenceIn(Strict):
    type: EvidenceType = Field(examples=["employer_statement"])
    source: Text = Field(default="", description="Issuer, employer or register", examples=["Albert Heijn"])
    reference: Text = Field(default="", description="Document or registration number", examples=[""])
    issued_on: date | None = Field(default=None, description="Default: today; not in the future")
    valid_until: date | None = None
    note: Note = ""

    def to_pb(self) -> pb.EvidenceInput:
        return pb.EvidenceInput(
            type=self.type.to_pb(),
            source=self.source,
            reference=self.reference,
            issued_on=self.issued_on.isoformat() if self.issued_on else "",
            valid_until=self.valid_until.isoformat() if self.valid_until else "",
            note=self.note,
        )


class SkillIn(Strict):
    skill_uri: Uri = Field(examples=[PROCESS_PAYMENTS])
    evidence: list[EvidenceIn] = Field(min_length=1, max_length=20)


class AddSkills(Strict):
    skills: list[SkillIn] = Field(min_length=1, max_length=500)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "self_assessment"}]}]},
            ]
        },
    )


class ConfirmEvidence(Strict):
    """Derived ("aangemeten") evidence the owner confirms."""

    evidence_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class AddValidation(Strict):
    phase: ValidationPhase = Field(examples=["identification"])
    evidence_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    performed_on: date | None = Field(default=None, description="Default: today")
    note: Note = ""


class AddWorkHistory(Strict):
    occupation: Uri = Field(
        description="ESCO occupation URI, or a code of another scheme (`isco08:5230`, `brc2014:0333`, "
        "`onet:41-2011.00`)",
        examples=[CASHIER],
    )
    scheme: OccupationScheme | None = Field(default=None, description="Scheme of a bare code in `occupation`")
    esco_occupation_uri: Uri | None = Field(
        default=None, description="When the code maps to several ESCO occupations: the one you mean"
    )
    start_date: date = Field(examples=["2016-03-01"])
    end_date: date | None = Field(default=None, description="Empty while current", examples=["2023-08-31"])
    employer: Text = Field(default="", examples=["Albert Heijn"])


class AddEducation(Strict):
    kind: EducationKind = Field(examples=["diploma"])
    title: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["MBO Verkoopmedewerker (niveau 2)"]
    )
    level: int | None = Field(default=None, ge=1, le=8, description="EQF/NLQF level", examples=[2])
    institution: Text = Field(default="", examples=["ROC Midden Nederland"])
    issued_on: date | None = None
    valid_until: date | None = None
    reference: Text = Field(default="", description="Diploma or certificate number")
    skill_uris: list[Uri] = Field(default_factory=list, max_length=200, description="ESCO skills it proves")


class OnetRatingIn(Strict):
    element_id: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(examples=["2.A.1.a"])
    level: int = Field(ge=0, le=7, examples=[4])


class SetSelfProfile(Strict):
    """The 35 O*NET skills (basic and cross-functional), each rated 0..7; an empty list clears the profile."""

    ratings: list[OnetRatingIn] = Field(max_length=35)


class GrantConsent(Strict):
    grantee: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description='The party: an organisation id, or "*" (any party; only for vacancy-candidates)',
        examples=["uwv"],
    )
    purpose: Purpose = Field(examples=["matching"])
    parts: list[ConsentPart] = Field(min_length=1, max_length=4, examples=[["skills"]])
    valid_from: AwareDatetime | None = Field(default=None, description="Default: now")
    valid_to: AwareDatetime | None = Field(default=None, description="Default: until withdrawn")


# --- responses ---------------------------------------------------------------------------------------------------


class Actor(BaseModel):
    subject: str
    organisation: str | None = None
    role: str

    @classmethod
    def from_pb(cls, a: pb.Actor) -> Actor:
        return cls(subject=a.subject, organisation=a.organisation or None, role=a.role)


class Contact(BaseModel):
    name: str
    email: str
    phone: str


class Wishes(BaseModel):
    desired_occupations: list[str]
    desired_fields: list[str]
    min_hours_per_week: int | None
    max_hours_per_week: int | None
    region: str


class LanguageSkill(BaseModel):
    language: str
    level: str


class Evidence(BaseModel):
    id: str
    type: EvidenceType | None
    type_label: str | None = Field(description="Dutch label of the type")
    kind: EvidenceKind | None
    kind_label: str | None = Field(description="Dutch label of the kind")
    source: str
    reference: str
    issued_on: date | None
    valid_until: date | None
    added_by: Actor
    added_at: datetime | None
    derived: bool = Field(description='Derived from a work history occupation ("aangemeten")')
    confirmed: bool
    derived_from: str | None = None
    work_history_id: str | None = None
    education_id: str | None = None
    note: str

    @classmethod
    def from_pb(cls, e: pb.Evidence) -> Evidence:
        etype, kind = EvidenceType.from_pb(e.type), EvidenceKind.from_pb(e.kind)
        return cls(
            id=e.id,
            type=etype,
            type_label=etype.label if etype else None,
            kind=kind,
            kind_label=("aangemeten (afgeleid uit werkervaring)" if e.derived else kind.label) if kind else None,
            source=e.source,
            reference=e.reference,
            issued_on=_day(e.issued_on),
            valid_until=_day(e.valid_until),
            added_by=Actor.from_pb(e.added_by),
            added_at=_when(e, "added_at"),
            derived=e.derived,
            confirmed=e.confirmed,
            derived_from=e.derived_from or None,
            work_history_id=e.work_history_id or None,
            education_id=e.education_id or None,
            note=e.note,
        )


class ValidationStep(BaseModel):
    id: str
    phase: ValidationPhase | None
    phase_label: str | None
    actor: Actor
    performed_on: date | None
    recorded_at: datetime | None
    evidence_ids: list[str]
    note: str

    @classmethod
    def from_pb(cls, v: pb.ValidationStep) -> ValidationStep:
        phase = ValidationPhase.from_pb(v.phase)
        return cls(
            id=v.id,
            phase=phase,
            phase_label=phase.label if phase else None,
            actor=Actor.from_pb(v.actor),
            performed_on=_day(v.performed_on),
            recorded_at=_when(v, "recorded_at"),
            evidence_ids=list(v.evidence_ids),
            note=v.note,
        )


class Skill(BaseModel):
    skill_uri: str = Field(examples=[PROCESS_PAYMENTS])
    label: str = Field(description="Dutch preferred label from the taxonomy", examples=["betalingen verwerken"])
    best_evidence_kind: EvidenceKind | None
    best_evidence_kind_label: str | None
    validation_level: ValidationPhase | None = Field(description="Highest validation phase reached")
    validation_level_label: str | None
    unconfirmed: bool = Field(description="Every piece of evidence is derived and not yet confirmed")
    added_at: datetime | None
    evidence: list[Evidence] | None = Field(default=None, description="Only in views that include evidence")
    validations: list[ValidationStep] | None = None

    @classmethod
    def from_pb(cls, s: pb.Skill, with_evidence: bool = True) -> Skill:
        kind, level = EvidenceKind.from_pb(s.best_evidence_kind), ValidationPhase.from_pb(s.validation_level)
        return cls(
            skill_uri=s.skill_uri,
            label=s.label,
            best_evidence_kind=kind,
            best_evidence_kind_label=kind.label if kind else None,
            validation_level=level,
            validation_level_label=level.label if level else "niet gevalideerd",
            unconfirmed=s.unconfirmed,
            added_at=_when(s, "added_at"),
            evidence=[Evidence.from_pb(e) for e in s.evidence] if with_evidence else None,
            validations=[ValidationStep.from_pb(v) for v in s.validations] if with_evidence else None,
        )


class WorkHistoryEntry(BaseModel):
    id: str
    occupation: str = Field(description="As given: an ESCO URI or a code")
    esco_occupation_uri: str = Field(examples=[CASHIER])
    occupation_label: str = Field(description="Dutch preferred label", examples=["kassamedewerker"])
    start_date: date | None
    end_date: date | None
    employer: str
    derived_skill_count: int
    added_at: datetime | None

    @classmethod
    def from_pb(cls, w: pb.WorkHistoryEntry) -> WorkHistoryEntry:
        return cls(
            id=w.id,
            occupation=w.occupation,
            esco_occupation_uri=w.esco_occupation_uri,
            occupation_label=w.occupation_label,
            start_date=_day(w.start_date),
            end_date=_day(w.end_date),
            employer=w.employer,
            derived_skill_count=w.derived_skill_count,
            added_at=_when(w, "added_at"),
        )


class Education(BaseModel):
    id: str
    kind: EducationKind | None
    kind_label: str | None
    title: str
    level: int | None
    institution: str
    issued_on: date | None
    valid_until: date | None
    reference: str
    skill_uris: list[str]
    added_at: datetime | None

    @classmethod
    def from_pb(cls, d: pb.Education) -> Education:
        kind = EducationKind.from_pb(d.kind)
        return cls(
            id=d.id,
            kind=kind,
            kind_label=kind.label if kind else None,
            title=d.title,
            level=d.level or None,
            institution=d.institution,
            issued_on=_day(d.issued_on),
            valid_until=_day(d.valid_until),
            reference=d.reference,
            skill_uris=list(d.skill_uris),
            added_at=_when(d, "added_at"),
        )


class OnetRating(BaseModel):
    element_id: str = Field(examples=["2.A.1.a"])
    name: str = Field(examples=["Reading Comprehension"])
    level: int


class SelfProfile(BaseModel):
    ratings: list[OnetRating]
    rated_at: datetime | None

    @classmethod
    def from_pb(cls, p: pb.SelfProfile) -> SelfProfile:
        return cls(
            ratings=[OnetRating(element_id=r.element_id, name=r.name, level=r.level) for r in p.ratings],
            rated_at=_when(p, "rated_at"),
        )


class Passport(BaseModel):
    """A skills passport as the caller may see it: everything for the owner, the consented parts for others."""

    id: str = Field(examples=[PASSPORT_ID_EXAMPLE])
    version: int = Field(description="Also the ETag; send it back in If-Match when changing the passport")
    owner_subject: str | None = Field(default=None, description="Only in the owner's view")
    created_at: datetime | None
    updated_at: datetime | None
    parts: list[ConsentPart] = Field(description="The parts this view contains")
    contact: Contact | None = None
    wishes: Wishes | None = None
    languages: list[LanguageSkill] | None = None
    skills: list[Skill] | None = None
    work_history: list[WorkHistoryEntry] | None = None
    education: list[Education] | None = None
    self_profile: SelfProfile | None = None

    @classmethod
    def from_pb(cls, p: pb.Passport) -> Passport:
        parts = {ConsentPart.from_pb(x) for x in p.parts}
        evidence = ConsentPart.evidence in parts
        skills = ConsentPart.skills in parts or evidence
        w = p.wishes
        return cls(
            id=p.id,
            version=p.version,
            owner_subject=p.owner_subject or None,
            created_at=_when(p, "created_at"),
            updated_at=_when(p, "updated_at"),
            parts=sorted(parts, key=list(ConsentPart).index),
            contact=Contact(name=p.contact.name, email=p.contact.email, phone=p.contact.phone)
            if ConsentPart.contact in parts
            else None,
            wishes=Wishes(
                desired_occupations=list(w.desired_occupations),
                desired_fields=list(w.desired_fields),
                min_hours_per_week=w.min_hours_per_week or None,
                max_hours_per_week=w.max_hours_per_week or None,
                region=w.region,
            )
            if ConsentPart.wishes in parts
            else None,
            languages=[LanguageSkill(language=x.language, level=x.level) for x in p.languages]
            if ConsentPart.wishes in parts
            else None,
            skills=[Skill.from_pb(s, evidence) for s in p.skills] if skills else None,
            work_history=[WorkHistoryEntry.from_pb(x) for x in p.work_history] if evidence else None,
            education=[Education.from_pb(x) for x in p.education] if evidence else None,
            self_profile=SelfProfile.from_pb(p.self_profile) if skills else None,
        )


class SkillsAdded(BaseModel):
    skills: list[Skill]
    version: int


class Version(BaseModel):
    version: int = Field(description="The passport's version after the change (also the ETag)")


class EvidenceRemoved(Version):
    skill_removed: bool = Field(description="The skill had no evidence left and was removed too")


class EntryRemoved(Version):
    removed_evidence_count: int


class EvidenceAdded(Version):
    evidence: Evidence
    skill: Skill


class EvidenceConfirmed(Version):
    evidence: list[Evidence]


class ValidationAdded(Version):
    step: ValidationStep
    skill: Skill


class WorkHistoryAdded(Version):
    entry: WorkHistoryEntry
    derived_skills: list[Skill] = Field(description='Skills that received derived ("aangemeten") evidence')


class EducationAdded(Version):
    education: Education
    skills: list[Skill]


class SelfProfileSet(Version):
    self_profile: SelfProfile


class Consent(BaseModel):
    id: str
    passport_id: str
    grantee: str = Field(examples=["uwv"])
    purpose: Purpose
    purpose_label: str = Field(description="Dutch label of the purpose")
    parts: list[ConsentPart]
    parts_labels: list[str] = Field(description="Dutch labels of the parts")
    valid_from: datetime | None
    valid_to: datetime | None
    granted_at: datetime | None
    withdrawn_at: datetime | None
    in_force: bool

    @classmethod
    def from_pb(cls, c: pb.Consent) -> Consent:
        purpose = Purpose(c.purpose)
        parts = [ConsentPart.from_pb(x) for x in c.parts]
        return cls(
            id=c.id,
            passport_id=c.passport_id,
            grantee=c.grantee,
            purpose=purpose,
            purpose_label=purpose.label,
            parts=parts,
            parts_labels=[p.label for p in parts],
            valid_from=_when(c, "valid_from"),
            valid_to=_when(c, "valid_to"),
            granted_at=_when(c, "granted_at"),
            withdrawn_at=_when(c, "withdrawn_at"),
            in_force=c.in_force,
        )


class ConsentList(BaseModel):
    consents: list[Consent]


class AuditEntry(BaseModel):
    seq: int
    at: datetime | None
    actor: Actor
    action: str = Field(examples=["passport.read"])
    purpose: str | None
    outcome: str = Field(examples=["allowed"])
    outcome_label: str = Field(examples=["toegestaan"])
    consent_id: str | None
    details: dict[str, Any] = Field(description="Non-personal details: ids, URIs, parts, reasons")
    prev_hash: str
    hash: str

    @classmethod
    def from_pb(cls, e: pb.AuditEntry) -> AuditEntry:
        outcome = pb.AuditOutcome.Name(e.outcome).removeprefix("AUDIT_OUTCOME_").lower()
        try:
            details = json.loads(e.details_json) if e.details_json else {}
        except ValueError:
            details = {}
        return cls(
            seq=e.seq,
            at=_when(e, "at"),
            actor=Actor.from_pb(e.actor),
            action=e.action,
            purpose=e.purpose or None,
            outcome=outcome,
            outcome_label={"allowed": "toegestaan", "denied": "geweigerd"}.get(outcome, outcome),
            consent_id=e.consent_id or None,
            details=details if isinstance(details, dict) else {"value": details},
            prev_hash=e.prev_hash,
            hash=e.hash,
        )


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class AuditVerification(BaseModel):
    valid: bool
    entry_count: int
    first_invalid_seq: int | None = Field(description="The first entry that does not verify; null when valid")
    reason: str | None
    head_hash: str


class PassportExport(BaseModel):
    """The whole passport, its consents and audit trail, as one JSON document (your right of access/portability)."""

    passport: dict[str, Any]
    issuer_did: str


class CredentialsExport(BaseModel):
    """One signed W3C VC 2.0 / Open Badges 3.0 credential per skill (eddsa-jcs-2022)."""

    issuer_did: str = Field(examples=["did:key:z6Mk..."])
    credentials: list[dict[str, Any]]
