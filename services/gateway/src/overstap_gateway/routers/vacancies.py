"""/v1/vacancies: skills from an ad's text, and a job board's vacancies with the skills they demand.

``POST /v1/vacancies/extract`` reads an ad and stores nothing (scope vacancy:read: the vacancy service's read scope,
which it checks itself; a person or coach token with it may use it too). The other routes are a job board's: the
job board is the caller's organisation, the token's role must be ``organisation`` (client credentials), and it
sees and changes only its own vacancies; another job board's vacancy is 404, as if it did not exist. Scopes:
vacancy:write to create, replace, edit skills and delete; vacancy:read to read and list.

Versions: every single-vacancy response carries ``ETag: "<version>"``. PATCH needs ``If-Match`` (428 without, 412
when the vacancy changed since); POST and DELETE honour it when sent. POST accepts ``Idempotency-Key`` (and is
idempotent by content anyway: the same content again changes nothing). Responses are ``Cache-Control: no-store``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import grpc
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from overstap.vacancy.v1 import vacancy_pb2 as pb

from overstap_gateway.conditional import IdempotencyKey, IfMatch, respond, version_from_if_match
from overstap_gateway.dependencies import Caller, VacancyReader, VacancyWriter
from overstap_gateway.idempotency import idempotent
from overstap_gateway.problems import Problem, ProblemError
from overstap_gateway.schemas.vacancies import (
    VACANCY_ID_EXAMPLE,
    Extraction,
    ExtractRequest,
    UpdateSkills,
    UpsertVacancy,
    Vacancy,
    VacancyPage,
    VacancyUpserted,
)

T = TypeVar("T")
PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS: dict[int | str, dict[str, Any]] = {code: PROBLEM for code in (400, 401, 403, 404, 409, 413, 422, 429, 503, 504)}
CONDITIONAL = {412: PROBLEM}
REQUIRED_CONDITION = {412: PROBLEM, 428: PROBLEM}
VERSIONED = {"headers": {"ETag": {"schema": {"type": "string"}, "description": 'The version, e.g. `"3"`'}}}

router = APIRouter(prefix="/v1/vacancies", tags=["vacancies"], responses=ERRORS)

VacancyId = Annotated[uuid.UUID, Path(description="The vacancy's id", examples=[VACANCY_ID_EXAMPLE])]


def expected_version(if_match: str | None, required: bool = False) -> int:
    return version_from_if_match(if_match, "vacancy", required)


def job_board(caller: Caller) -> Caller:
    """Vacancies belong to job boards: organisations calling with client credentials."""
    principal = caller.principal
    if principal.role != "organisation" or not principal.organisation:
        raise ProblemError(
            403,
            "vacancies belong to job boards: call with your organisation's client-credentials token "
            "(role organisation, with org)",
        )
    return caller


def deadline(request: Request, extraction: bool = False) -> float:
    settings = request.app.state.settings
    return float(settings.vacancy_extraction_deadline_seconds if extraction else settings.grpc_deadline_seconds)


async def call(reply: Awaitable[T], expected: int = 0) -> T:
    """Await a vacancy call: a stale version answers 412 when the caller sent If-Match; a full extraction queue
    429 with Retry-After."""
    try:
        return await reply
    except grpc.aio.AioRpcError as exc:
        if expected and exc.code() == grpc.StatusCode.ABORTED:
            raise ProblemError(412, exc.details() or "the vacancy changed since you read it") from None
        if exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED:
            detail = exc.details() or "the skill extractor is busy; retry shortly"
            raise ProblemError(429, detail, {"Retry-After": "1"}) from None
        raise


def _id(value: uuid.UUID) -> str:
    return str(value)


def _location(vacancy_id: str) -> str:
    return f"{router.prefix}/{vacancy_id}"


# --- extraction --------------------------------------------------------------------------------------------------


@router.post(
    "/extract",
    response_model=Extraction,
    summary="Read an ad (plain text or HTML, Dutch or English): the ESCO skills it demands, with confidence, text "
    "spans and required or a plus, and its most likely ESCO occupations. Nothing is stored",
)
async def extract_skills(request: Request, caller: VacancyReader, body: ExtractRequest) -> Response:
    reply = await call(caller.vacancy.ExtractSkills(body.to_pb(), timeout=deadline(request, extraction=True)))
    return respond(Extraction.from_pb(reply))


# --- the job board's vacancies -----------------------------------------------------------------------------------


@router.post(
    "",
    response_model=VacancyUpserted,
    status_code=200,
    summary="Create or replace your vacancy with this external_id (201 created; 200 replaced or unchanged)",
    responses={
        200: {**VERSIONED, "description": "Replaced, or unchanged (the same content again)"},
        201: {
            "model": VacancyUpserted,
            "description": "Created",
            "headers": {**VERSIONED["headers"], "Location": {"schema": {"type": "string"}}},
        },
        **CONDITIONAL,
    },
)
async def upsert_vacancy(
    request: Request,
    caller: VacancyWriter,
    body: UpsertVacancy,
    if_match: IfMatch = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    job_board(caller)
    expected = expected_version(if_match)

    async def run() -> Response:
        try:
            reply = await call(
                caller.vacancy.UpsertVacancy(body.to_pb(expected), timeout=deadline(request, extraction=True)),
                expected,
            )
        except grpc.aio.AioRpcError as exc:
            if expected and exc.code() == grpc.StatusCode.NOT_FOUND:  # If-Match on a vacancy that does not exist
                raise ProblemError(412, exc.details() or "no such vacancy to replace") from None
            raise
        model = VacancyUpserted(vacancy=Vacancy.from_pb(reply.vacancy), created=reply.created, changed=reply.changed)
        return respond(model, 201 if reply.created else 200, reply.vacancy.version, _location(reply.vacancy.vacancy_id))

    return await idempotent(request, caller.principal, run)


@router.get("", response_model=VacancyPage, summary="Your vacancies, newest first (without text and mentions)")
async def list_vacancies(
    request: Request,
    caller: VacancyReader,
    limit: Annotated[int, Query(ge=1, le=100, description="Vacancies per page")] = 20,
    cursor: Annotated[str | None, Query(max_length=500, description="`next_cursor` of the previous page")] = None,
    include_expired: Annotated[bool, Query(description="Also list expired vacancies")] = False,
    external_id: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Only the vacancy with this external_id of yours")
    ] = None,
) -> Response:
    job_board(caller)
    timeout = deadline(request)
    if external_id is not None:
        try:
            found = await call(
                caller.vacancy.GetVacancy(pb.GetVacancyRequest(external_id=external_id), timeout=timeout)
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.NOT_FOUND:
                raise
            return respond(VacancyPage(items=[], next_cursor=None))
        items = [] if found.vacancy.expired and not include_expired else [Vacancy.from_pb(found.vacancy, full=False)]
        return respond(VacancyPage(items=items, next_cursor=None))
    reply = await call(
        caller.vacancy.ListVacancies(
            pb.ListVacanciesRequest(page_size=limit, page_token=cursor or "", include_expired=include_expired),
            timeout=timeout,
        )
    )
    page = VacancyPage(
        items=[Vacancy.from_pb(v, full=False) for v in reply.vacancies], next_cursor=reply.next_page_token or None
    )
    return respond(page)


@router.get(
    "/{id}",
    response_model=Vacancy,
    summary="One of your vacancies, with its text and where each skill is mentioned",
    responses={200: VERSIONED},
)
async def get_vacancy(request: Request, caller: VacancyReader, id: VacancyId) -> Response:
    job_board(caller)
    reply = await call(caller.vacancy.GetVacancy(pb.GetVacancyRequest(vacancy_id=_id(id)), timeout=deadline(request)))
    return respond(Vacancy.from_pb(reply.vacancy), version=reply.vacancy.version)


@router.patch(
    "/{id}/skills",
    response_model=Vacancy,
    summary="Confirm, remove or add skills, set required and min_evidence (If-Match required)",
    responses={200: VERSIONED, **REQUIRED_CONDITION},
)
async def update_skills(
    request: Request, caller: VacancyWriter, id: VacancyId, body: UpdateSkills, if_match: IfMatch = None
) -> Response:
    job_board(caller)
    expected = expected_version(if_match, required=True)
    reply = await call(
        caller.vacancy.UpdateVacancySkills(
            pb.UpdateVacancySkillsRequest(
                vacancy_id=_id(id), expected_version=expected, edits=[e.to_pb() for e in body.edits]
            ),
            timeout=deadline(request),
        ),
        expected,
    )
    return respond(Vacancy.from_pb(reply.vacancy), version=reply.vacancy.version)


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    summary="Delete one of your vacancies (matching drops it)",
    responses=CONDITIONAL,
)
async def delete_vacancy(request: Request, caller: VacancyWriter, id: VacancyId, if_match: IfMatch = None) -> Response:
    job_board(caller)
    expected = expected_version(if_match)
    await call(
        caller.vacancy.DeleteVacancy(
            pb.DeleteVacancyRequest(vacancy_id=_id(id), expected_version=expected), timeout=deadline(request)
        ),
        expected,
    )
    return respond(None)
