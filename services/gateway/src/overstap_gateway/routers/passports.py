"""/v1/passports: a person's skills passport, its skills, evidence, validations, work history, education,
self-profile, consents, audit trail, export and erasure.

The gateway checks the token and the route's scope (passport:read for reads, passport:write for changes); the
passport service decides ownership and consent on every call, from the signed principal the gateway attaches.
Versions: every passport response carries ``ETag: "<version>"``. PATCH needs ``If-Match`` with that ETag (428
without, 412 when the passport changed since); the other changes honour ``If-Match`` when it is sent. POSTs accept
``Idempotency-Key`` (see ``overstap_gateway.idempotency``). Responses are ``Cache-Control: no-store``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import grpc
from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from google.protobuf.field_mask_pb2 import FieldMask
from overstap.passport.v1 import passport_pb2 as pb

from overstap_gateway.conditional import IdempotencyKey, IfMatch, respond, version_from_if_match
from overstap_gateway.dependencies import PassportReader, PassportWriter
from overstap_gateway.idempotency import idempotent
from overstap_gateway.problems import Problem, ProblemError
from overstap_gateway.schemas.passports import (
    PASSPORT_ID_EXAMPLE,
    AddEducation,
    AddSkills,
    AddValidation,
    AddWorkHistory,
    AuditEntry,
    AuditPage,
    AuditVerification,
    ConfirmEvidence,
    Consent,
    ConsentList,
    CreatePassport,
    CredentialsExport,
    Education,
    EducationAdded,
    EntryRemoved,
    Evidence,
    EvidenceAdded,
    EvidenceConfirmed,
    EvidenceIn,
    EvidenceRemoved,
    GrantConsent,
    Passport,
    PassportExport,
    Purpose,
    SelfProfile,
    SelfProfileSet,
    SetSelfProfile,
    Skill,
    SkillsAdded,
    UpdatePassport,
    ValidationAdded,
    ValidationStep,
    Version,
    WorkHistoryAdded,
    WorkHistoryEntry,
    timestamp,
)

T = TypeVar("T")
PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {code: PROBLEM for code in (400, 401, 403, 404, 409, 413, 422, 503, 504)}
CONDITIONAL = {412: PROBLEM}
REQUIRED_CONDITION = {412: PROBLEM, 428: PROBLEM}

router = APIRouter(prefix="/v1/passports", tags=["passports"], responses=ERRORS)

PassportId = Annotated[uuid.UUID, Path(description="The passport's id", examples=[PASSPORT_ID_EXAMPLE])]
SkillUri = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        description="ESCO skill URI (as is or URL-encoded)",
        examples=["http://data.europa.eu/esco/skill/bdcac0c8-b77a-4640-9eaf-c0cf3efd1e23"],
    ),
]


def expected_version(if_match: str | None, required: bool = False) -> int:
    return version_from_if_match(if_match, "passport", required)


async def guarded(call: Awaitable[T], expected: int) -> T:
    """Await a passport call; a stale version answers 412 when the caller sent If-Match."""
    try:
        return await call
    except grpc.aio.AioRpcError as exc:
        if expected and exc.code() == grpc.StatusCode.ABORTED:
            raise ProblemError(412, exc.details() or "the passport changed since you read it") from None
        raise


def _id(value: uuid.UUID) -> str:
    return str(value)


# --- the passport ------------------------------------------------------------------------------------------------


@router.post(
    "",
    status_code=201,
    response_model=Passport,
    summary="Create your own passport (as a person)",
    responses={201: {"headers": {"ETag": {"schema": {"type": "string"}}, "Location": {"schema": {"type": "string"}}}}},
)
async def create_passport(
    request: Request,
    caller: PassportWriter,
    body: Annotated[CreatePassport | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    body = body or CreatePassport()

    async def run() -> Response:
        reply = await caller.passport.CreatePassport(
            pb.CreatePassportRequest(
                contact=body.contact.to_pb() if body.contact else None,
                wishes=body.wishes.to_pb() if body.wishes else None,
                languages=[x.to_pb() for x in body.languages],
            )
        )
        passport = Passport.from_pb(reply.passport)
        return respond(passport, 201, passport.version, f"{router.prefix}/{passport.id}")

    return await idempotent(request, caller.principal, run)


@router.get("/me", response_model=Passport, summary="Your own passport")
async def my_passport(caller: PassportReader) -> Response:
    reply = await caller.passport.GetPassport(pb.GetPassportRequest())
    return respond(Passport.from_pb(reply.passport), version=reply.passport.version)


@router.get(
    "/{id}",
    response_model=Passport,
    summary="Read a passport: the owner sees everything, others what their consent for `purpose` covers",
)
async def get_passport(
    caller: PassportReader,
    id: PassportId,
    purpose: Annotated[Purpose | None, Query(description="Why you read it; required for anyone but the owner")] = None,
) -> Response:
    reply = await caller.passport.GetPassport(
        pb.GetPassportRequest(passport_id=_id(id), purpose=purpose.value if purpose else "")
    )
    return respond(Passport.from_pb(reply.passport), version=reply.passport.version)


@router.patch(
    "/{id}",
    response_model=Passport,
    summary="Change contact details, wishes or languages (If-Match required)",
    responses=REQUIRED_CONDITION,
)
async def update_passport(
    caller: PassportWriter, id: PassportId, body: UpdatePassport, if_match: IfMatch = None
) -> Response:
    expected = expected_version(if_match, required=True)
    request = pb.UpdatePassportRequest(
        passport_id=_id(id), expected_version=expected, update_mask=FieldMask(paths=body.paths)
    )
    if body.contact is not None:
        request.contact.CopyFrom(body.contact.to_pb())
    if body.wishes is not None:
        request.wishes.CopyFrom(body.wishes.to_pb())
    if body.languages is not None:
        request.languages.extend(x.to_pb() for x in body.languages)
    reply = await guarded(caller.passport.UpdatePassport(request), expected)
    return respond(Passport.from_pb(reply.passport), version=reply.passport.version)


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    summary="Erase your passport: every record, and the key that protected it (irreversible)",
)
async def erase_passport(caller: PassportWriter, id: PassportId) -> Response:
    await caller.passport.ErasePassport(pb.ErasePassportRequest(passport_id=_id(id)))
    return respond(None)


# --- skills and evidence -----------------------------------------------------------------------------------------


@router.post(
    "/{id}/skills", status_code=201, response_model=SkillsAdded, summary="Add skills, each with evidence",
    responses=CONDITIONAL,
)  # fmt: skip
async def add_skills(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    body: AddSkills,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    expected = expected_version(if_match)

    async def run() -> Response:
        reply = await guarded(
            caller.passport.AddSkills(
                pb.AddSkillsRequest(
                    passport_id=_id(id),
                    expected_version=expected,
                    skills=[
                        pb.SkillInput(skill_uri=s.skill_uri, evidence=[e.to_pb() for e in s.evidence])
                        for s in body.skills
                    ],
                )
            ),
            expected,
        )
        model = SkillsAdded(skills=[Skill.from_pb(s) for s in reply.skills], version=reply.version)
        return respond(model, 201, reply.version)

    return await idempotent(request, caller.principal, run)


@router.delete(
    "/{id}/skills/{skill_uri:path}",
    response_model=Version,
    summary="Remove a skill with its evidence and validations",
    responses=CONDITIONAL,
)
async def remove_skill(
    caller: PassportWriter, id: PassportId, skill_uri: SkillUri, if_match: IfMatch = None
) -> Response:
    expected = expected_version(if_match)
    reply = await guarded(
        caller.passport.RemoveSkill(
            pb.RemoveSkillRequest(passport_id=_id(id), skill_uri=skill_uri, expected_version=expected)
        ),
        expected,
    )
    return respond(Version(version=reply.version), version=reply.version)


@router.post(
    "/{id}/skills/{skill_uri:path}/evidence",
    status_code=201,
    response_model=EvidenceAdded,
    summary="Add a piece of evidence to a skill in the passport",
    responses=CONDITIONAL,
)
async def add_evidence(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    skill_uri: SkillUri,
    evidence: EvidenceIn,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    expected = expected_version(if_match)

    async def run() -> Response:
        reply = await guarded(
            caller.passport.AddEvidence(
                pb.AddEvidenceRequest(
                    passport_id=_id(id), skill_uri=skill_uri, evidence=evidence.to_pb(), expected_version=expected
                )
            ),
            expected,
        )
        model = EvidenceAdded(
            evidence=Evidence.from_pb(reply.evidence), skill=Skill.from_pb(reply.skill), version=reply.version
        )
        return respond(model, 201, reply.version)

    return await idempotent(request, caller.principal, run)


@router.delete(
    "/{id}/evidence/{evidence_id}",
    response_model=EvidenceRemoved,
    summary="Remove a piece of evidence (a skill left without evidence goes too)",
    responses=CONDITIONAL,
)
async def remove_evidence(
    caller: PassportWriter, id: PassportId, evidence_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    expected = expected_version(if_match)
    reply = await guarded(
        caller.passport.RemoveEvidence(
            pb.RemoveEvidenceRequest(passport_id=_id(id), evidence_id=str(evidence_id), expected_version=expected)
        ),
        expected,
    )
    return respond(EvidenceRemoved(version=reply.version, skill_removed=reply.skill_removed), version=reply.version)


@router.post(
    "/{id}/evidence/confirmations",
    response_model=EvidenceConfirmed,
    summary='Confirm derived ("aangemeten") evidence (owner only)',
    responses=CONDITIONAL,
)
async def confirm_evidence(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    body: ConfirmEvidence,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    expected = expected_version(if_match)

    async def run() -> Response:
        reply = await guarded(
            caller.passport.ConfirmDerivedEvidence(
                pb.ConfirmDerivedEvidenceRequest(
                    passport_id=_id(id), evidence_ids=[str(e) for e in body.evidence_ids], expected_version=expected
                )
            ),
            expected,
        )
        model = EvidenceConfirmed(evidence=[Evidence.from_pb(e) for e in reply.evidence], version=reply.version)
        return respond(model, version=reply.version)

    return await idempotent(request, caller.principal, run)


@router.post(
    "/{id}/skills/{skill_uri:path}/validations",
    status_code=201,
    response_model=ValidationAdded,
    summary="Record a validation step (identificatie → documentatie → beoordeling → certificering)",
    responses=CONDITIONAL,
)
async def add_validation(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    skill_uri: SkillUri,
    step: AddValidation,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    expected = expected_version(if_match)

    async def run() -> Response:
        reply = await guarded(
            caller.passport.AddValidationStep(
                pb.AddValidationStepRequest(
                    passport_id=_id(id),
                    skill_uri=skill_uri,
                    phase=step.phase.to_pb(),
                    evidence_ids=[str(e) for e in step.evidence_ids],
                    performed_on=step.performed_on.isoformat() if step.performed_on else "",
                    note=step.note,
                    expected_version=expected,
                )
            ),
            expected,
        )
        model = ValidationAdded(
            step=ValidationStep.from_pb(reply.step), skill=Skill.from_pb(reply.skill), version=reply.version
        )
        return respond(model, 201, reply.version)

    return await idempotent(request, caller.principal, run)


# --- work history, education, self-profile -----------------------------------------------------------------------


@router.post(
    "/{id}/work-history",
    status_code=201,
    response_model=WorkHistoryAdded,
    summary='Add an occupation to the work history; its ESCO skills are added as derived ("aangemeten") evidence',
    responses=CONDITIONAL,
)
async def add_work_history(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    body: AddWorkHistory,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    expected = expected_version(if_match)

    async def run() -> Response:
        reply = await guarded(
            caller.passport.AddWorkHistory(
                pb.AddWorkHistoryRequest(
                    passport_id=_id(id),
                    occupation=body.occupation,
                    scheme=body.scheme.value if body.scheme else "",
                    esco_occupation_uri=body.esco_occupation_uri or "",
                    start_date=body.start_date.isoformat(),
                    end_date=body.end_date.isoformat() if body.end_date else "",
                    employer=body.employer,
                    expected_version=expected,
                )
            ),
            expected,
        )
        model = WorkHistoryAdded(
            entry=WorkHistoryEntry.from_pb(reply.entry),
            derived_skills=[Skill.from_pb(s) for s in reply.derived_skills],
            version=reply.version,
        )
        return respond(model, 201, reply.version)

    return await idempotent(request, caller.principal, run)


@router.delete(
    "/{id}/work-history/{entry_id}",
    response_model=EntryRemoved,
    summary="Remove a work history entry and the evidence derived from it",
    responses=CONDITIONAL,
)
async def remove_work_history(
    caller: PassportWriter, id: PassportId, entry_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    expected = expected_version(if_match)
    reply = await guarded(
        caller.passport.RemoveWorkHistory(
            pb.RemoveWorkHistoryRequest(passport_id=_id(id), entry_id=str(entry_id), expected_version=expected)
        ),
        expected,
    )
    model = EntryRemoved(version=reply.version, removed_evidence_count=reply.removed_evidence_count)
    return respond(model, version=reply.version)


@router.post(
    "/{id}/education",
    status_code=201,
    response_model=EducationAdded,
    summary="Add a diploma or certificate; it becomes hard evidence for the skills it proves",
    responses=CONDITIONAL,
)
async def add_education(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    body: AddEducation,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    expected = expected_version(if_match)

    async def run() -> Response:
        reply = await guarded(
            caller.passport.AddEducation(
                pb.AddEducationRequest(
                    passport_id=_id(id),
                    kind=body.kind.to_pb(),
                    title=body.title,
                    level=body.level or 0,
                    institution=body.institution,
                    issued_on=body.issued_on.isoformat() if body.issued_on else "",
                    valid_until=body.valid_until.isoformat() if body.valid_until else "",
                    reference=body.reference,
                    skill_uris=body.skill_uris,
                    expected_version=expected,
                )
            ),
            expected,
        )
        model = EducationAdded(
            education=Education.from_pb(reply.education),
            skills=[Skill.from_pb(s) for s in reply.skills],
            version=reply.version,
        )
        return respond(model, 201, reply.version)

    return await idempotent(request, caller.principal, run)


@router.delete(
    "/{id}/education/{education_id}",
    response_model=EntryRemoved,
    summary="Remove a diploma or certificate and the evidence it provided",
    responses=CONDITIONAL,
)
async def remove_education(
    caller: PassportWriter, id: PassportId, education_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    expected = expected_version(if_match)
    reply = await guarded(
        caller.passport.RemoveEducation(
            pb.RemoveEducationRequest(passport_id=_id(id), education_id=str(education_id), expected_version=expected)
        ),
        expected,
    )
    model = EntryRemoved(version=reply.version, removed_evidence_count=reply.removed_evidence_count)
    return respond(model, version=reply.version)


@router.put(
    "/{id}/self-profile",
    response_model=SelfProfileSet,
    summary="Set the O*NET self-profile (35 skills rated 0..7); an empty list clears it",
    responses=CONDITIONAL,
)
async def set_self_profile(
    caller: PassportWriter, id: PassportId, body: SetSelfProfile, if_match: IfMatch = None
) -> Response:
    expected = expected_version(if_match)
    reply = await guarded(
        caller.passport.SetSelfProfile(
            pb.SetSelfProfileRequest(
                passport_id=_id(id),
                ratings=[pb.OnetSkillRating(element_id=r.element_id, level=r.level) for r in body.ratings],
                expected_version=expected,
            )
        ),
        expected,
    )
    model = SelfProfileSet(self_profile=SelfProfile.from_pb(reply.self_profile), version=reply.version)
    return respond(model, version=reply.version)


# --- consents ----------------------------------------------------------------------------------------------------


@router.post(
    "/{id}/consents",
    status_code=201,
    response_model=Consent,
    summary="Grant a party access to parts of your passport for a purpose (owner only)",
)
async def grant_consent(
    request: Request,
    caller: PassportWriter,
    id: PassportId,
    body: GrantConsent,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def run() -> Response:
        message = pb.GrantConsentRequest(
            passport_id=_id(id),
            grantee=body.grantee,
            purpose=body.purpose.value,
            parts=[p.to_pb() for p in body.parts],
        )
        if body.valid_from is not None:
            message.valid_from.CopyFrom(timestamp(body.valid_from))
        if body.valid_to is not None:
            message.valid_to.CopyFrom(timestamp(body.valid_to))
        reply = await caller.passport.GrantConsent(message)
        consent = Consent.from_pb(reply.consent)
        return respond(consent, 201, location=f"{router.prefix}/{id}/consents/{consent.id}")

    return await idempotent(request, caller.principal, run)


@router.get("/{id}/consents", response_model=ConsentList, summary="Every consent of your passport (owner only)")
async def list_consents(caller: PassportReader, id: PassportId) -> Response:
    reply = await caller.passport.ListConsents(pb.ListConsentsRequest(passport_id=_id(id)))
    return respond(ConsentList(consents=[Consent.from_pb(c) for c in reply.consents]))


@router.delete(
    "/{id}/consents/{consent_id}",
    response_model=Consent,
    summary="Withdraw a consent: it stops being in force at once (owner only)",
)
async def withdraw_consent(caller: PassportWriter, id: PassportId, consent_id: uuid.UUID) -> Response:
    reply = await caller.passport.WithdrawConsent(
        pb.WithdrawConsentRequest(passport_id=_id(id), consent_id=str(consent_id))
    )
    return respond(Consent.from_pb(reply.consent))


# --- audit, export -----------------------------------------------------------------------------------------------


@router.get("/{id}/audit", response_model=AuditPage, summary="Who saw or changed what, oldest first (owner only)")
async def list_audit(
    caller: PassportReader,
    id: PassportId,
    limit: Annotated[int, Query(ge=1, le=500, description="Entries per page")] = 100,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> Response:
    reply = await caller.passport.ListAuditEntries(
        pb.ListAuditEntriesRequest(passport_id=_id(id), page_size=limit, page_token=cursor or "")
    )
    page = AuditPage(entries=[AuditEntry.from_pb(e) for e in reply.entries], next_cursor=reply.next_page_token or None)
    return respond(page)


@router.get(
    "/{id}/audit/verify",
    response_model=AuditVerification,
    summary="Recompute the audit trail's hash chain (owner only)",
)
async def verify_audit(caller: PassportReader, id: PassportId) -> Response:
    reply = await caller.passport.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=_id(id)))
    return respond(
        AuditVerification(
            valid=reply.valid,
            entry_count=reply.entry_count,
            first_invalid_seq=reply.first_invalid_seq or None,
            reason=reply.reason or None,
            head_hash=reply.head_hash,
        )
    )


@router.get(
    "/{id}/export",
    response_model=PassportExport,
    summary="Everything the passport holds, with consents and audit trail, as JSON (owner only)",
)
async def export_passport(caller: PassportReader, id: PassportId) -> Response:
    reply = await caller.passport.ExportPassport(pb.ExportPassportRequest(passport_id=_id(id)))
    return respond(PassportExport(passport=json.loads(reply.passport_json), issuer_did=reply.issuer_did))


@router.get(
    "/{id}/export/credentials",
    response_model=CredentialsExport,
    summary="The skills as signed W3C VC 2.0 / Open Badges 3.0 credentials (owner only)",
)
async def export_credentials(caller: PassportReader, id: PassportId) -> Response:
    reply = await caller.passport.ExportPassport(pb.ExportPassportRequest(passport_id=_id(id)))
    return respond(
        CredentialsExport(issuer_did=reply.issuer_did, credentials=[json.loads(c) for c in reply.credentials_json])
    )
