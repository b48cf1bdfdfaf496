"""PassportService over gRPC (grpc.aio).

Every call: decode the signed principal from the metadata (UNAUTHENTICATED when missing, forged or expired), hand
the request to the application, map its errors to status codes. No business rule lives here.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import grpc
from overstap.passport.v1 import passport_pb2 as pb
from overstap.passport.v1 import passport_pb2_grpc as pb_grpc
from overstap_common.principal import InvalidPrincipal, Principal, decode_principal
from sqlalchemy.exc import IntegrityError, OperationalError

from overstap_passport.api import convert
from overstap_passport.application.passports import PassportService
from overstap_passport.crypto.envelope import DataKeyMissing
from overstap_passport.domain import errors

log = logging.getLogger("overstap.passport.api")

STATUS: dict[type[errors.PassportError], grpc.StatusCode] = {
    errors.InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AccessDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.StaleVersion: grpc.StatusCode.ABORTED,
    errors.AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    errors.FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    errors.DependencyUnavailable: grpc.StatusCode.UNAVAILABLE,
}

Request = TypeVar("Request")
Response = TypeVar("Response")
Handler = Callable[[Any, Request, grpc.aio.ServicerContext], Awaitable[Response]]


def status_for(exc: BaseException) -> tuple[grpc.StatusCode, str] | None:
    if isinstance(exc, errors.PassportError):
        return STATUS.get(type(exc), grpc.StatusCode.INVALID_ARGUMENT), str(exc)
    if isinstance(exc, DataKeyMissing):
        return grpc.StatusCode.NOT_FOUND, "the passport has been erased"
    if isinstance(exc, IntegrityError | asyncpg.IntegrityConstraintViolationError):
        return (
            grpc.StatusCode.ABORTED,
            "a concurrent change conflicted with this one; read the passport again and retry",
        )
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return grpc.StatusCode.UNAVAILABLE, "the passport store is busy; retry"
    return None


def handled(method: Handler[Request, Response]) -> Handler[Request, Response]:
    @functools.wraps(method)
    async def wrapper(self: Any, request: Request, context: grpc.aio.ServicerContext) -> Response:
        try:
            return await method(self, request, context)
        except (
            errors.PassportError, DataKeyMissing, IntegrityError, OperationalError,
            asyncpg.IntegrityConstraintViolationError,
        ) as exc:  # fmt: skip
            mapped = status_for(exc)
            if mapped is None:
                raise
            log.info("request refused", extra={"rpc": method.__name__, "code": mapped[0].name})
            await context.abort(*mapped)
            raise  # unreachable: abort raises

    return wrapper


class PassportServicer(pb_grpc.PassportServiceServicer):
    def __init__(self, service: PassportService, principal_key: str, principal_max_age: float = 300) -> None:
        self.service = service
        self._key = principal_key
        self._max_age = principal_max_age

    def _principal(self, context: grpc.aio.ServicerContext) -> Principal:
        try:
            return decode_principal(context.invocation_metadata(), self._key, max_age=self._max_age)
        except InvalidPrincipal as exc:
            raise errors.Unauthenticated(str(exc)) from None

    def _now(self):  # type: ignore[no-untyped-def]
        return self.service._now()

    @handled
    async def CreatePassport(self, request: pb.CreatePassportRequest, context: Any) -> pb.CreatePassportResponse:
        view = await self.service.create_passport(
            self._principal(context), convert.contact_in(request.contact), convert.wishes_in(request.wishes),
            convert.languages_in(list(request.languages)),
        )  # fmt: skip
        return pb.CreatePassportResponse(passport=convert.passport_pb(view))

    @handled
    async def GetPassport(self, request: pb.GetPassportRequest, context: Any) -> pb.GetPassportResponse:
        return await self.service.render_passport(
            self._principal(context), request.passport_id, request.purpose, convert.get_passport_response
        )

    @handled
    async def UpdatePassport(self, request: pb.UpdatePassportRequest, context: Any) -> pb.UpdatePassportResponse:
        view = await self.service.update_passport(
            self._principal(context), request.passport_id, request.expected_version, list(request.update_mask.paths),
            convert.contact_in(request.contact), convert.wishes_in(request.wishes),
            convert.languages_in(list(request.languages)),
        )  # fmt: skip
        return pb.UpdatePassportResponse(passport=convert.passport_pb(view))

    @handled
    async def AddSkills(self, request: pb.AddSkillsRequest, context: Any) -> pb.AddSkillsResponse:
        skills, version = await self.service.add_skills(
            self._principal(context), request.passport_id, request.expected_version,
            convert.skills_in(list(request.skills)),
        )  # fmt: skip
        return pb.AddSkillsResponse(skills=[convert.skill_pb(s) for s in skills], version=version)

    @handled
    async def RemoveSkill(self, request: pb.RemoveSkillRequest, context: Any) -> pb.RemoveSkillResponse:
        version = await self.service.remove_skill(
            self._principal(context), request.passport_id, request.skill_uri, request.expected_version
        )
        return pb.RemoveSkillResponse(version=version)

    @handled
    async def AddEvidence(self, request: pb.AddEvidenceRequest, context: Any) -> pb.AddEvidenceResponse:
        skill, evidence_id, version = await self.service.add_evidence(
            self._principal(context), request.passport_id, request.skill_uri, convert.evidence_in(request.evidence),
            request.expected_version,
        )  # fmt: skip
        piece = next(e for e in skill.evidence if e.id == evidence_id)
        return pb.AddEvidenceResponse(
            evidence=convert.evidence_pb(piece), skill=convert.skill_pb(skill), version=version
        )

    @handled
    async def RemoveEvidence(self, request: pb.RemoveEvidenceRequest, context: Any) -> pb.RemoveEvidenceResponse:
        version, removed = await self.service.remove_evidence(
            self._principal(context), request.passport_id, request.evidence_id, request.expected_version
        )
        return pb.RemoveEvidenceResponse(version=version, skill_removed=removed)

    @handled
    async def ConfirmDerivedEvidence(
        self, request: pb.ConfirmDerivedEvidenceRequest, context: Any
    ) -> pb.ConfirmDerivedEvidenceResponse:
        skills, ids, version = await self.service.confirm_derived(
            self._principal(context), request.passport_id, list(request.evidence_ids), request.expected_version
        )
        wanted = set(ids)
        pieces = [convert.evidence_pb(e) for s in skills for e in s.evidence if e.id in wanted]
        return pb.ConfirmDerivedEvidenceResponse(evidence=pieces, version=version)

    @handled
    async def AddValidationStep(
        self, request: pb.AddValidationStepRequest, context: Any
    ) -> pb.AddValidationStepResponse:
        skill, step_id, version = await self.service.add_validation_step(
            self._principal(context), request.passport_id, request.skill_uri, request.phase,
            list(request.evidence_ids), request.performed_on, request.note, request.expected_version,
        )  # fmt: skip
        step = next(v for v in skill.validations if v.id == step_id)
        return pb.AddValidationStepResponse(
            step=convert.validation_pb(step), skill=convert.skill_pb(skill), version=version
        )

    @handled
    async def AddWorkHistory(self, request: pb.AddWorkHistoryRequest, context: Any) -> pb.AddWorkHistoryResponse:
        entry, skills, version = await self.service.add_work_history(
            self._principal(context), request.passport_id, request.occupation, request.scheme,
            request.esco_occupation_uri, request.start_date, request.end_date, request.employer,
            request.expected_version,
        )  # fmt: skip
        return pb.AddWorkHistoryResponse(
            entry=convert.work_history_pb(entry), derived_skills=[convert.skill_pb(s) for s in skills], version=version
        )

    @handled
    async def RemoveWorkHistory(
        self, request: pb.RemoveWorkHistoryRequest, context: Any
    ) -> pb.RemoveWorkHistoryResponse:
        version, removed = await self.service.remove_work_history(
            self._principal(context), request.passport_id, request.entry_id, request.expected_version
        )
        return pb.RemoveWorkHistoryResponse(version=version, removed_evidence_count=removed)

    @handled
    async def AddEducation(self, request: pb.AddEducationRequest, context: Any) -> pb.AddEducationResponse:
        kind = convert.EDUCATION_KIND_FROM_PB.get(request.kind, "")
        entry, skills, version = await self.service.add_education(
            self._principal(context), request.passport_id, kind, request.title, request.level, request.institution,
            request.issued_on, request.valid_until, request.reference, list(request.skill_uris),
            request.expected_version,
        )  # fmt: skip
        return pb.AddEducationResponse(
            education=convert.education_pb(entry), skills=[convert.skill_pb(s) for s in skills], version=version
        )

    @handled
    async def RemoveEducation(self, request: pb.RemoveEducationRequest, context: Any) -> pb.RemoveEducationResponse:
        version, removed = await self.service.remove_education(
            self._principal(context), request.passport_id, request.education_id, request.expected_version
        )
        return pb.RemoveEducationResponse(version=version, removed_evidence_count=removed)

    @handled
    async def SetSelfProfile(self, request: pb.SetSelfProfileRequest, context: Any) -> pb.SetSelfProfileResponse:
        profile, version = await self.service.set_self_profile(
            self._principal(context), request.passport_id, [(r.element_id, r.level) for r in request.ratings],
            request.expected_version,
        )  # fmt: skip
        return pb.SetSelfProfileResponse(self_profile=convert.self_profile_pb(profile), version=version)

    @handled
    async def GrantConsent(self, request: pb.GrantConsentRequest, context: Any) -> pb.GrantConsentResponse:
        principal = self._principal(context)
        consent = await self.service.grant_consent(
            principal, request.passport_id, request.grantee, request.purpose, list(request.parts),
            convert.from_ts(request, "valid_from"), convert.from_ts(request, "valid_to"),
        )  # fmt: skip
        return pb.GrantConsentResponse(consent=convert.consent_pb(consent, self._now()))

    @handled
    async def WithdrawConsent(self, request: pb.WithdrawConsentRequest, context: Any) -> pb.WithdrawConsentResponse:
        consent = await self.service.withdraw_consent(self._principal(context), request.passport_id, request.consent_id)
        return pb.WithdrawConsentResponse(consent=convert.consent_pb(consent, self._now()))

    @handled
    async def ListConsents(self, request: pb.ListConsentsRequest, context: Any) -> pb.ListConsentsResponse:
        consents = await self.service.list_consents(self._principal(context), request.passport_id)
        now = self._now()
        return pb.ListConsentsResponse(consents=[convert.consent_pb(c, now) for c in consents])

    @handled
    async def ListAuditEntries(self, request: pb.ListAuditEntriesRequest, context: Any) -> pb.ListAuditEntriesResponse:
        entries, token = await self.service.list_audit(
            self._principal(context), request.passport_id, request.page_size, request.page_token
        )
        return pb.ListAuditEntriesResponse(entries=[convert.audit_pb(e) for e in entries], next_page_token=token)

    @handled
    async def VerifyAuditTrail(self, request: pb.VerifyAuditTrailRequest, context: Any) -> pb.VerifyAuditTrailResponse:
        verdict = await self.service.verify_audit(self._principal(context), request.passport_id)
        return pb.VerifyAuditTrailResponse(
            valid=verdict.valid, entry_count=verdict.entry_count, first_invalid_seq=verdict.first_invalid_seq,
            reason=verdict.reason, head_hash=verdict.head_hash,
        )  # fmt: skip

    @handled
    async def ExportPassport(self, request: pb.ExportPassportRequest, context: Any) -> pb.ExportPassportResponse:
        import json

        result = await self.service.export(self._principal(context), request.passport_id)
        return pb.ExportPassportResponse(
            passport_json=result.passport_json,
            credentials_json=[json.dumps(c, ensure_ascii=False) for c in result.credentials],
            issuer_did=result.issuer_did,
        )

    @handled
    async def ErasePassport(self, request: pb.ErasePassportRequest, context: Any) -> pb.ErasePassportResponse:
        deleted = await self.service.erase(self._principal(context), request.passport_id)
        return pb.ErasePassportResponse(deleted_rows=deleted)

    @handled
    async def GetSkillSet(self, request: pb.GetSkillSetRequest, context: Any) -> pb.GetSkillSetResponse:
        skill_set = await self.service.skill_set(self._principal(context), request.passport_id)
        return pb.GetSkillSetResponse(skill_set=convert.skill_set_pb(skill_set))

    async def ListCandidateSkillSets(
        self, request: pb.ListCandidateSkillSetsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ListCandidateSkillSetsResponse]:
        try:
            principal = self._principal(context)
            pages = self.service.candidate_pages(
                principal, request.page_size, request.page_token, request.max_passports
            )
            async for page in pages:
                yield pb.ListCandidateSkillSetsResponse(
                    skill_sets=[convert.skill_set_pb(s) for s in page.skill_sets], next_page_token=page.next_token
                )
        except (errors.PassportError, DataKeyMissing, IntegrityError, OperationalError) as exc:
            mapped = status_for(exc)
            if mapped is None:
                raise
            await context.abort(*mapped)

    @handled
    async def CheckCandidateConsents(
        self, request: pb.CheckCandidateConsentsRequest, context: Any
    ) -> pb.CheckCandidateConsentsResponse:
        ids = await self.service.check_candidates(self._principal(context), list(request.passport_ids))
        return pb.CheckCandidateConsentsResponse(passport_ids=ids)
