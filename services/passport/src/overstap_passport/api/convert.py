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
    """Sub-messages that many pieces of one passport share (actors, instants, days), built once per rendering.

    Messages are built from plain dicts: upb turns a nested dict into a message in C, about twice as fast as
    constructing every sub-message in Python (a 200-skill passport has ~600 of them)."""

    __slots__ = ("actors", "stamps", "days")

    def __init__(self) -> None:
        self.actors: dict[Actor, dict[str, str]] = {}
        self.stamps: dict[datetime, dict[str, int]] = {}
        self.days: dict[date, str] = {}

    def actor(self, actor: Actor) -> dict[str, str]:
        found = self.actors.get(actor)
        if found is None:
            found = self.actors[actor] = {
                "subject": actor.subject, "organisation": actor.organisation, "role": actor.role
            }  # fmt: skip
        return found

    def stamp(self, moment: datetime) -> dict[str, int]:
        found = self.stamps.get(moment)
        if found is None:
            aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
            found = self.stamps[moment] = {"seconds": int(aware.timestamp()), "nanos": aware.microsecond * 1000}
        return found

    def day(self, value: date) -> str:
        found = self.days.get(value)
        if found is None:
            found = self.days[value] = value.isoformat()
        return found


def _evidence_dict(e: EvidenceRecord, shared: _Shared) -> dict[str, object]:
    d: dict[str, object] = {
        "id": e.id, "type": EVIDENCE_TYPE_TO_PB[e.type], "kind": int(e.kind), "source": e.source,
        "added_by": shared.actor(e.added_by), "added_at": shared.stamp(e.added_at),
    }  # fmt: skip
    if e.reference:
        d["reference"] = e.reference
    if e.issued_on:
        d["issued_on"] = shared.day(e.issued_on)
    if e.valid_until:
        d["valid_until"] = shared.day(e.valid_until)
    if e.derived:
        d["derived"] = True
        d["confirmed"] = e.confirmed
        d["derived_from"] = e.derived_from
    if e.work_history_id:
        d["work_history_id"] = e.work_history_id
    if e.education_id:
        d["education_id"] = e.education_id
    if e.note:
        d["note"] = e.note
    return d


def _validation_dict(v: ValidationRecord, shared: _Shared) -> dict[str, object]:
    return {
        "id": v.id, "phase": v.phase, "actor": shared.actor(v.actor), "performed_on": shared.day(v.performed_on),
        "recorded_at": shared.stamp(v.recorded_at), "evidence_ids": v.evidence_ids, "note": v.note,
    }  # fmt: skip


def _skill_dict(s: SkillRecord, with_evidence: bool, shared: _Shared) -> dict[str, object]:
    """One pass over the evidence: strength, confirmation and (with evidence) the evidence's own dicts."""
    best = 0
    unconfirmed = bool(s.evidence)
    pieces: list[dict[str, object]] = []
    actors, stamps, days, types = shared.actors, shared.stamps, shared.days, EVIDENCE_TYPE_TO_PB
    for e in s.evidence:
        kind = int(e.kind)
        if kind > best:
            best = kind
        if unconfirmed and not (e.derived and not e.confirmed):
            unconfirmed = False
        if not with_evidence:
            continue
        actor = actors.get(e.added_by) or shared.actor(e.added_by)
        stamp = stamps.get(e.added_at) or shared.stamp(e.added_at)
        d: dict[str, object] = {
            "id": e.id, "type": types[e.type], "kind": kind, "source": e.source, "added_by": actor, "added_at": stamp
        }  # fmt: skip
        if e.reference:
            d["reference"] = e.reference
        if e.issued_on:
            d["issued_on"] = days.get(e.issued_on) or shared.day(e.issued_on)
        if e.valid_until:
            d["valid_until"] = days.get(e.valid_until) or shared.day(e.valid_until)
        if e.derived:
            d["derived"] = True
            d["confirmed"] = e.confirmed
            d["derived_from"] = e.derived_from
        if e.work_history_id:
            d["work_history_id"] = e.work_history_id
        if e.education_id:
            d["education_id"] = e.education_id
        if e.note:
            d["note"] = e.note
        pieces.append(d)
    level = 0
    for v in s.validations:
        if v.phase > level:
            level = int(v.phase)
    message: dict[str, object] = {
        "skill_uri": s.uri, "label": s.label, "best_evidence_kind": best, "validation_level": level,
        "added_at": stamps.get(s.added_at) or shared.stamp(s.added_at), "unconfirmed": unconfirmed,
    }  # fmt: skip
    if pieces:
        message["evidence"] = pieces
    if with_evidence and s.validations:
        message["validations"] = [_validation_dict(v, shared) for v in s.validations]
    return message


def evidence_pb(e: EvidenceRecord, shared: _Shared | None = None) -> pb.Evidence:
    return pb.Evidence(**_evidence_dict(e, shared or _Shared()))


def validation_pb(v: ValidationRecord, shared: _Shared | None = None) -> pb.ValidationStep:
    return pb.ValidationStep(**_validation_dict(v, shared or _Shared()))


def skill_pb(s: SkillRecord, with_evidence: bool = True, shared: _Shared | None = None) -> pb.Skill:
    return pb.Skill(**_skill_dict(s, with_evidence, shared or _Shared()))


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
    return pb.Passport(**passport_dict(view))


def get_passport_response(view: PassportView) -> pb.GetPassportResponse:
    """The whole response in one conversion (wrapping a built Passport would copy its ~70 KB once more)."""
    return pb.GetPassportResponse(passport=passport_dict(view))


def passport_dict(view: PassportView) -> dict[str, object]:
    """The Passport message of ``view`` as the nested dict upb builds it from."""
    p = view.passport
    w = p.wishes
    shared = _Shared()
    evidence = view.shows_evidence
    message: dict[str, object] = {
        "id": p.id, "owner_subject": p.owner_subject if view.owner else "", "version": p.version,
        "created_at": shared.stamp(p.created_at), "updated_at": shared.stamp(p.updated_at),
        "languages": [{"language": x.language, "level": x.level} for x in p.languages],
        "self_profile": self_profile_pb(p.self_profile), "parts": sorted(int(x) for x in view.parts),
        "wishes": {
            "desired_occupations": w.desired_occupations, "desired_fields": w.desired_fields,
            "min_hours_per_week": w.min_hours_per_week, "max_hours_per_week": w.max_hours_per_week,
            "region": w.region,
        },
        "skills": [_skill_dict(s, evidence, shared) for s in view.skills],
        "work_history": [work_history_pb(x) for x in view.work_history],
        "education": [education_pb(d) for d in view.education],
    }  # fmt: skip
    if p.contact is not None:
        message["contact"] = {"name": p.contact.name, "email": p.contact.email, "phone": p.contact.phone}
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
        occupation_uris=s.occupation_uris,
    )
