"""Domain records <-> protobuf messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from overstap.passport.v1 import passport_pb2 as pb

from overstap_passport.application.passports import EvidenceInput, SkillInput, SkillSetRecord, ViewChange
from overstap_passport.domain.audit import AuditRecord
from overstap_passport.domain.consent import ALL_PARTS, ConsentRecord, Part
from overstap_passport.domain.errors import InvalidInput
from overstap_passport.domain.evidence import EvidenceType
from overstap_passport.domain.model import (
    Actor,
    Contact,
    EducationRecord,
    EvidenceRecord,
    Language,
    PassportRecord,
    PassportView,
    SelfProfile,
    SkillRecord,
    ValidationRecord,
    Wishes,
    WorkHistoryRecord,
)
from overstap_passport.domain.onet import ONET_SKILLS
from overstap_passport.storage.pgfast import PassportRows, by_added

Decrypt = Callable[[str, bytes | None], str] | None

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


class _PassportResponse:
    """Renders GetPassportResponse: from a view, or (the PostgreSQL hot path) straight from the rows of one read.

    The whole response in one conversion (wrapping a built Passport would copy its ~70 KB once more)."""

    def __call__(self, view: PassportView) -> pb.GetPassportResponse:
        return pb.GetPassportResponse(passport=passport_dict(view))

    def from_rows(
        self, passport: PassportRecord, rows: PassportRows, parts: frozenset[Part], owner: bool, decrypt: Decrypt
    ) -> pb.GetPassportResponse:
        return pb.GetPassportResponse(passport=passport_dict_from_rows(passport, rows, parts, owner, decrypt))

    def patched(self, response: pb.GetPassportResponse, change: ViewChange) -> pb.GetPassportResponse | None:
        """The owner's full view after ``change``, from ``response``, the owner's full view just before it (left
        as it is: it may be on its way to a client); None when that cannot be told from ``response`` alone."""
        passport = response.passport
        shared = _Shared()
        replaced: dict[int, pb.Skill] = {}
        added: list[pb.Skill] = []
        if change.skills:
            where = {s.skill_uri: i for i, s in enumerate(passport.skills)}
            last = passport.skills[-1].added_at if passport.skills else None
            for record in change.skills:
                skill = pb.Skill(**_skill_dict(record, True, shared))
                links = {e.work_history_id for e in skill.evidence if e.work_history_id}
                i = where.get(record.uri)
                if i is not None:
                    if links != {e.work_history_id for e in passport.skills[i].evidence if e.work_history_id}:
                        return None  # would change a work-history entry's count of derived skills
                    replaced[i] = skill
                else:
                    # the view orders skills by (added_at, id), and ids are not in the response: a new skill must
                    # come strictly later than every skill there was (``change.skills`` lists new ones in order)
                    if links or (last is not None and (last.seconds, last.nanos) >= _instant(skill.added_at)):
                        return None
                    added.append(skill)
        fresh = pb.GetPassportResponse()
        fresh.CopyFrom(response)
        target = fresh.passport
        if change.passport is not None:
            head = _passport_head(change.passport, ALL_PARTS, True, shared)
            for name in (*head, "contact"):
                target.ClearField(name)
            target.MergeFrom(pb.Passport(**head))
        else:
            target.version = change.version
            target.updated_at.CopyFrom(Timestamp(**shared.stamp(change.updated_at)))
        for i, skill in replaced.items():
            target.skills[i].CopyFrom(skill)
        target.skills.extend(added)
        return fresh


def _instant(stamp: Timestamp) -> tuple[int, int]:
    return stamp.seconds, stamp.nanos


get_passport_response = _PassportResponse()


def _passport_head(p: PassportRecord, parts: frozenset[Part], owner: bool, shared: _Shared) -> dict[str, object]:
    """The Passport message without skills, work history and education."""
    w = p.wishes
    message: dict[str, object] = {
        "id": p.id, "owner_subject": p.owner_subject if owner else "", "version": p.version,
        "created_at": shared.stamp(p.created_at), "updated_at": shared.stamp(p.updated_at),
        "languages": [{"language": x.language, "level": x.level} for x in p.languages],
        "self_profile": self_profile_pb(p.self_profile), "parts": sorted(int(x) for x in parts),
        "wishes": {
            "desired_occupations": w.desired_occupations, "desired_fields": w.desired_fields,
            "min_hours_per_week": w.min_hours_per_week, "max_hours_per_week": w.max_hours_per_week,
            "region": w.region,
        },
    }  # fmt: skip
    if p.contact is not None:
        message["contact"] = {"name": p.contact.name, "email": p.contact.email, "phone": p.contact.phone}
    return message


def passport_dict(view: PassportView) -> dict[str, object]:
    """The Passport message of ``view`` as the nested dict upb builds it from."""
    shared = _Shared()
    evidence = view.shows_evidence
    message = _passport_head(view.passport, view.parts, view.owner, shared)
    message["skills"] = [_skill_dict(s, evidence, shared) for s in view.skills]
    message["work_history"] = [work_history_pb(x) for x in view.work_history]
    message["education"] = [education_pb(d) for d in view.education]
    return message


# --- straight from the rows of a hot-path read ------------------------------------------------------------------
#
# What ``passport_dict`` makes of the view that ``PassportService._fast_view`` builds from the same rows, without
# the records in between: for a 200-skill passport (~600 rows) the records and their conversion were about half of
# the service's time for a read that is not cached (the first read after any change). Evidence rows are in
# ``pgfast._EVIDENCE_ROW`` order (columns 1..18), steps in ``pgfast._STEP_ROW`` order. tests/test_hot_path.py
# checks that both give the same bytes for every kind of view.

_TYPE_TO_PB = {t.value: n for t, n in EVIDENCE_TYPE_TO_PB.items()}  # stored type (text) -> proto enum


def passport_dict_from_rows(
    passport: PassportRecord, rows: PassportRows, parts: frozenset[Part], owner: bool, decrypt: Decrypt
) -> dict[str, object]:
    """The Passport message ``passport_dict`` renders for the view of ``rows`` with ``parts``; ``passport``: the
    record of the passport row (contact decrypted, parts applied); ``decrypt``: the person's, when the evidence
    part is shown."""
    shared = _Shared()
    evidence = Part.EVIDENCE in parts
    message = _passport_head(passport, parts, owner, shared)
    derived: dict[str, set[str]] = {}
    if Part.SKILLS in parts:
        message["skills"] = _skills_from_rows(rows, evidence, decrypt, shared, derived)
    if evidence:
        work_history = rows.work_history()
        for entry in work_history:
            entry.derived_skill_count = len(derived.get(entry.id, ()))
        message["work_history"] = [work_history_pb(x) for x in work_history]
        message["education"] = [education_pb(d) for d in rows.education(decrypt)]
    return message


def _skills_from_rows(
    rows: PassportRows, with_evidence: bool, decrypt: Decrypt, shared: _Shared, derived: dict[str, set[str]]
) -> list[dict[str, object]]:
    """The Skill messages of ``rows`` (what ``_skill_dict`` makes of ``PassportRows.skills``), in the order the
    skills were added; ``derived`` gets, per work-history entry, the skills with evidence derived from it."""
    stamps, stamp, days, day_of = shared.stamps, shared.stamp, shared.days, shared.day
    actors: dict[tuple[str, str, str], dict[str, str]] = {}
    messages: list[dict[str, object]] = []
    by_id: dict[str, dict[str, Any]] = {}
    for r in by_added(rows.skill_rows):
        at = r[12]
        message: dict[str, Any] = {
            "skill_uri": r[2], "label": r[3], "best_evidence_kind": 0, "validation_level": 0,
            "added_at": stamps.get(at) or stamp(at), "unconfirmed": None,  # None: no evidence (yet)
        }  # fmt: skip
        messages.append(message)
        by_id[r[1]] = message
    if with_evidence:
        types = _TYPE_TO_PB
        for r in by_added(rows.evidence_rows):
            (_, eid, skill_id, etype, kind, source, reference_ct, issued_on, valid_until, subject, organisation,
             role, added_at, is_derived, confirmed, work_history_id, education_id, derived_from,
             note) = r[:19]  # fmt: skip
            message = by_id.get(skill_id)
            if message is None:
                continue
            actor = actors.get((subject, organisation, role))
            if actor is None:
                actor = actors[(subject, organisation, role)] = {
                    "subject": subject, "organisation": organisation or "", "role": role or "person"
                }  # fmt: skip
            piece: dict[str, object] = {
                "id": eid, "type": types[etype], "kind": kind, "source": source, "added_by": actor,
                "added_at": stamps.get(added_at) or stamp(added_at),
            }  # fmt: skip
            if reference_ct is not None and decrypt is not None:
                reference = decrypt("evidence.reference", reference_ct)
                if reference:
                    piece["reference"] = reference
            if issued_on:
                piece["issued_on"] = days.get(issued_on) or day_of(issued_on)
            if valid_until:
                piece["valid_until"] = days.get(valid_until) or day_of(valid_until)
            if is_derived:
                piece["derived"] = True
                piece["confirmed"] = bool(confirmed)
                piece["derived_from"] = derived_from or ""
            if work_history_id:
                piece["work_history_id"] = work_history_id
                derived.setdefault(work_history_id, set()).add(skill_id)
            if education_id:
                piece["education_id"] = education_id
            if note:
                piece["note"] = note
            if kind > message["best_evidence_kind"]:
                message["best_evidence_kind"] = kind
            pending = bool(is_derived and not confirmed)
            unconfirmed = message["unconfirmed"]
            message["unconfirmed"] = pending if unconfirmed is None else unconfirmed and pending
            pieces = message.get("evidence")
            if pieces is None:
                message["evidence"] = [piece]
            else:
                pieces.append(piece)
        for r in by_added(rows.step_rows):
            message = by_id.get(r[2])
            if message is None:
                continue
            phase = int(r[4])
            if phase > message["validation_level"]:
                message["validation_level"] = phase
            actor = actors.get((r[9], r[10], r[11]))
            if actor is None:
                actor = actors[(r[9], r[10], r[11])] = {
                    "subject": r[9], "organisation": r[10] or "", "role": r[11] or "person"
                }  # fmt: skip
            step = {
                "id": r[1], "phase": phase, "actor": actor, "performed_on": day_of(r[7]),
                "recorded_at": stamps.get(r[12]) or stamp(r[12]), "evidence_ids": list(json.loads(r[17]) or []),
                "note": r[18] or "",
            }  # fmt: skip
            steps = message.get("validations")
            if steps is None:
                message["validations"] = [step]
            else:
                steps.append(step)
    else:  # kinds and phases only (a view without the evidence part)
        for r in rows.evidence_rows:
            message = by_id.get(r[2])
            if message is None:
                continue
            kind = r[4]
            if kind > message["best_evidence_kind"]:
                message["best_evidence_kind"] = kind
            pending = bool(r[13] and not r[14])
            unconfirmed = message["unconfirmed"]
            message["unconfirmed"] = pending if unconfirmed is None else unconfirmed and pending
        for r in rows.step_rows:
            message = by_id.get(r[2])
            if message is not None and int(r[4]) > message["validation_level"]:
                message["validation_level"] = int(r[4])
    for message in messages:
        if message["unconfirmed"] is None:
            message["unconfirmed"] = False
    return messages


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
