"""Domain records <-> protobuf messages."""

from __future__ import annotations

from datetime import UTC, date, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from overstap.passport.v1 import passport_pb2 as pb

from overstap_passport.application.passports import EvidenceInput, SkillInput, SkillSetRecord
from overstap_passport.domain.audit import AuditRecord
from overstap_passport.domain.consent import ConsentRecord
from overstap_passport.domain.errors import InvalidInput
from overstap_passport.domain.evidence import EvidenceType
from overstap_passport.domain.model import (
    Actor,
    Contact,
    EducationRecord,
    EvidenceRecord,
    Language,
    PassportView,
    SelfProfile,
    SkillRecord,
    ValidationRecord,
    Wishes,
    WorkHistoryRecord,
)
from overstap_passport.domain.onet import ONET_SKILLS

EVIDENCE_TYPE_FROM_PB = {
    pb.EVIDENCE_TYPE_DIPLOMA: EvidenceType.DIPLOMA,
    pb.EVIDENCE_TYPE_CERTIFICATE: EvidenceType.CERTIFICATE,
    pb.EVIDENCE_TYPE_REGISTRATION: EvidenceType.REGISTRATION,
    pb.EVIDENCE_TYPE_WORK_EXPERIENCE: EvidenceType.WORK_EXPERIENCE,
    pb.EVIDENCE_TYPE_TIMESHEET: EvidenceType.TIMESHEET,
    pb.EVIDENCE_TYPE_EMPLOYER_STATEMENT: EvidenceType.EMPLOYER_STATEMENT,
    pb.EVIDENCE_TYPE_SELF_ASSESSMENT: EvidenceType.SELF_ASSESSMENT,
}
EVIDENCE_TYPE_TO_PB = {v: k for k, v in EVIDENCE_TYPE_FROM_PB.items()}
EDUCATION_KIND_FROM_PB = {pb.EDUCATION_KIND_DIPLOMA: "diploma", pb.EDUCATION_KIND_CERTIFICATE: "certificate"}
EDUCATION_KIND_TO_PB = {v: k for k, v in EDUCATION_KIND_FROM_PB.items()}
OUTCOME_TO_PB = {"allowed": pb.AUDIT_OUTCOME_ALLOWED, "denied": pb.AUDIT_OUTCOME_DENIED}


def ts(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Timestamp(seconds=int(moment.timestamp()), nanos=moment.microsecond * 1000)


def from_ts(message: pb.GrantConsentRequest, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidInput("is not a valid timestamp", field) from None


def day(value: date | None) -> str:
    return value.isoformat() if value else ""


def actor_pb(actor: Actor) -> pb.Actor:
    return pb.Actor(subject=actor.subject, organisation=actor.organisation, role=actor.role)


def contact_in(message: pb.Contact) -> Contact:
    return Contact(message.name, message.email, message.phone)


def wishes_in(message: pb.Wishes) -> Wishes:
    return Wishes(
        list(message.desired_occupations), list(message.desired_fields), message.min_hours_per_week,
        message.max_hours_per_week, message.region,
    )  # fmt: skip


def languages_in(items: list[pb.LanguageSkill]) -> list[Language]:
    return [Language(x.language, x.level) for x in items]


def evidence_in(message: pb.EvidenceInput) -> EvidenceInput:
    return EvidenceInput(
        EVIDENCE_TYPE_FROM_PB.get(message.type), message.source, message.reference, message.issued_on,
        message.valid_until, message.note,
    )  # fmt: skip


def skills_in(items: list[pb.SkillInput]) -> list[SkillInput]:
    return [SkillInput(s.skill_uri, [evidence_in(e) for e in s.evidence]) for s in items]


class _Shared:
    """Sub-messages that many pieces of one passport share (actors, instants), built once per rendering."""

    __slots__ = ("actors", "stamps")

    def __init__(self) -> None:
        self.actors: dict[Actor, pb.Actor] = {}
        self.stamps: dict[datetime, Timestamp] = {}

    def actor(self, actor: Actor) -> pb.Actor:
        message = self.actors.get(actor)
        if message is None:
            message = self.actors[actor] = actor_pb(actor)
        return message

    def stamp(self, moment: datetime) -> Timestamp:
        message = self.stamps.get(moment)
        if message is None:
            message = self.stamps[moment] = ts(moment)  # type: ignore[assignment]
        return message


def evidence_pb(e: EvidenceRecord, shared: _Shared | None = None) -> pb.Evidence:
    shared = shared or _Shared()
    message = pb.Evidence(
        id=e.id, type=EVIDENCE_TYPE_TO_PB[e.type], kind=int(e.kind), source=e.source,
        added_by=shared.actor(e.added_by), added_at=shared.stamp(e.added_at),
    )  # fmt: skip
    if e.reference:
        message.reference = e.reference
    if e.issued_on:
        message.issued_on = e.issued_on.isoformat()
    if e.valid_until:
        message.valid_until = e.valid_until.isoformat()
    if e.derived:
        message.derived = True
        message.confirmed = e.confirmed
        message.derived_from = e.derived_from
    if e.work_history_id:
        message.work_history_id = e.work_history_id
    if e.education_id:
        message.education_id = e.education_id
    if e.note:
        message.note = e.note
    return message


def validation_pb(v: ValidationRecord, shared: _Shared | None = None) -> pb.ValidationStep:
    shared = shared or _Shared()
    return pb.ValidationStep(
        id=v.id, phase=v.phase, actor=shared.actor(v.actor), performed_on=v.performed_on.isoformat(),
        recorded_at=shared.stamp(v.recorded_at), evidence_ids=v.evidence_ids, note=v.note,
    )  # fmt: skip


def skill_pb(s: SkillRecord, with_evidence: bool = True, shared: _Shared | None = None) -> pb.Skill:
    shared = shared or _Shared()
    best = s.best_kind
    message = pb.Skill(
        skill_uri=s.uri, label=s.label, best_evidence_kind=int(best) if best else 0,
        validation_level=s.validation_level, added_at=shared.stamp(s.added_at), unconfirmed=s.unconfirmed,
    )  # fmt: skip
    if with_evidence:
        message.evidence.extend([evidence_pb(e, shared) for e in s.evidence])
        if s.validations:
            message.validations.extend([validation_pb(v, shared) for v in s.validations])
    return message


def work_history_pb(w: WorkHistoryRecord) -> pb.WorkHistoryEntry:
    return pb.WorkHistoryEntry(
        id=w.id, occupation=w.occupation, esco_occupation_uri=w.esco_occupation_uri,
        occupation_label=w.occupation_label, start_date=w.start_date.isoformat(), end_date=day(w.end_date),
        employer=w.employer, derived_skill_count=w.derived_skill_count, added_at=ts(w.added_at),
    )  # fmt: skip


def education_pb(d: EducationRecord) -> pb.Education:
    return pb.Education(
        id=d.id, kind=EDUCATION_KIND_TO_PB.get(d.kind, 0), title=d.title, level=d.level, institution=d.institution,
        issued_on=day(d.issued_on), valid_until=day(d.valid_until), reference=d.reference, skill_uris=d.skill_uris,
        added_at=ts(d.added_at),
    )  # fmt: skip


def self_profile_pb(profile: SelfProfile) -> pb.SelfProfile:
    return pb.SelfProfile(
        ratings=[
            pb.OnetSkillRating(element_id=k, name=ONET_SKILLS.get(k, ""), level=v)
            for k, v in sorted(profile.ratings.items())
        ],
        rated_at=ts(profile.rated_at),
    )


def passport_pb(view: PassportView) -> pb.Passport:
    p = view.passport
    message = pb.Passport(
        id=p.id, owner_subject=p.owner_subject if view.owner else "", version=p.version,
        created_at=ts(p.created_at), updated_at=ts(p.updated_at),
        languages=[pb.LanguageSkill(language=x.language, level=x.level) for x in p.languages],
        self_profile=self_profile_pb(p.self_profile), parts=sorted(int(x) for x in view.parts),
    )  # fmt: skip
    if p.contact is not None:
        message.contact.CopyFrom(pb.Contact(name=p.contact.name, email=p.contact.email, phone=p.contact.phone))
    w = p.wishes
    message.wishes.CopyFrom(
        pb.Wishes(
            desired_occupations=w.desired_occupations,
            desired_fields=w.desired_fields,
            min_hours_per_week=w.min_hours_per_week,
            max_hours_per_week=w.max_hours_per_week,
            region=w.region,
        )  # fmt: skip
    )
    evidence = view.shows_evidence
    shared = _Shared()
    message.skills.extend([skill_pb(s, evidence, shared) for s in view.skills])
    message.work_history.extend(work_history_pb(w) for w in view.work_history)
    message.education.extend(education_pb(d) for d in view.education)
    return message


def consent_pb(c: ConsentRecord, now: datetime) -> pb.Consent:
    return pb.Consent(
        id=c.id, passport_id=c.passport_id, grantee=c.grantee, purpose=c.purpose.value,
        parts=sorted(int(x) for x in c.parts), valid_from=ts(c.valid_from), valid_to=ts(c.valid_to),
        granted_at=ts(c.granted_at), withdrawn_at=ts(c.withdrawn_at), in_force=c.in_force(now),
    )  # fmt: skip


def audit_pb(e: AuditRecord) -> pb.AuditEntry:
    return pb.AuditEntry(
        seq=e.seq, at=ts(e.at),
        actor=pb.Actor(subject=e.actor_subject, organisation=e.actor_organisation, role=e.actor_role),
        action=e.action, purpose=e.purpose, outcome=OUTCOME_TO_PB.get(e.outcome, 0), consent_id=e.consent_id,
        details_json=e.details_json, prev_hash=e.prev_hash, hash=e.hash,
    )  # fmt: skip


def skill_set_pb(s: SkillSetRecord) -> pb.SkillSet:
    return pb.SkillSet(
        passport_id=s.passport_id,
        version=s.version,
        skills=[
            pb.SkillSetEntry(skill_uri=uri, best_evidence_kind=kind, validation_level=level, unconfirmed=unconfirmed)
            for uri, kind, level, unconfirmed in s.skills
        ],
    )
