"""/v1/matches and /v1/passports/{id}/matches: transition occupations for a person, explained."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response
from overstap.matcher.v1 import matcher_pb2 as mpb
from overstap.passport.v1 import passport_pb2 as ppb
from pydantic import Field, StringConstraints

from overstap_gateway.dependencies import CandidateSearcher, MatchReader, PassportMatchReader
from overstap_gateway.problems import Problem
from overstap_gateway.schemas.matches import (
    EXPLAIN_DESCRIPTION,
    CandidateResponse,
    EvidenceLevel,
    Explain,
    MatchFilters,
    OccupationMatchRequest,
    OccupationMatchResponse,
    OfferedSkill,
    ProfileMatchRequest,
    ProfileMatchResponse,
    VacancyMatchResponse,
    candidate_response,
    occupation_match_response,
    vacancy_match_response,
)
from overstap_gateway.schemas.taxonomy import Language

PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM, 503: PROBLEM, 504: PROBLEM}

router = APIRouter(tags=["matches"], responses=ERRORS)


def _json(body: dict[str, Any]) -> Response:
    """Serialise a ready-made body once (the route's response_model documents its shape)."""
    return Response(orjson.dumps(body), media_type="application/json")


IscoMajorGroup = Annotated[str, StringConstraints(pattern=r"^[0-9]$")]
JobZone = Annotated[int, Field(ge=1, le=5)]
ExplainQuery = Annotated[Explain, Query(description=EXPLAIN_DESCRIPTION)]

PASSPORT_EVIDENCE = {
    ppb.EVIDENCE_KIND_SOFT: EvidenceLevel.soft,
    ppb.EVIDENCE_KIND_SEMI_HARD: EvidenceLevel.semi_hard,
    ppb.EVIDENCE_KIND_HARD: EvidenceLevel.hard,
}


@router.post(
    "/v1/matches/occupations",
    response_model=OccupationMatchResponse,
    summary="Transition occupations for a skill set and/or work history",
)
async def match_occupations(body: OccupationMatchRequest, caller: MatchReader) -> Response:
    reply = await caller.matcher.MatchOccupations(body.to_pb())
    return _json(occupation_match_response(reply, body.language))


@router.post(
    "/v1/matches/onet-profile",
    response_model=ProfileMatchResponse,
    summary="De Paskamer mode: occupations for self-rated levels on the 35 O*NET skills",
)
async def match_onet_profile(body: ProfileMatchRequest, caller: MatchReader) -> ProfileMatchResponse:
    reply = await caller.matcher.MatchOnetProfile(body.to_pb())
    return ProfileMatchResponse.from_pb(reply)


@router.get(
    "/v1/passports/{passport_id}/matches/occupations",
    response_model=OccupationMatchResponse,
    summary="Transition occupations for the skills in a passport (consent `matching` when not the owner)",
)
async def passport_matches(
    caller: PassportMatchReader,
    passport_id: Annotated[str, Path(min_length=1, max_length=100, description="Passport id, or `me`")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    language: Language = Language.nl,
    isco_major_group: Annotated[list[IscoMajorGroup] | None, Query(max_length=10)] = None,
    job_zone: Annotated[list[JobZone] | None, Query(max_length=5)] = None,
    dutch_label_only: bool = False,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    explain: ExplainQuery = Explain.top,
) -> Response:
    query = await _passport_query(
        caller, passport_id, limit, language, isco_major_group, job_zone, dutch_label_only, min_score, explain
    )
    if query is None:
        return _json({"bundle_version": "", "items": []})
    reply = await caller.matcher.MatchOccupations(query.to_pb())
    return _json(occupation_match_response(reply, language))


async def _passport_query(
    caller: Any,
    passport_id: str,
    limit: int,
    language: Language,
    isco_major_group: list[str] | None,
    job_zone: list[int] | None,
    dutch_label_only: bool,
    min_score: float,
    explain: Explain,
) -> OccupationMatchRequest | None:
    """A match query from the skills in a passport (the passport service checks ownership or consent);
    None when the passport holds no skills yet."""
    request = ppb.GetSkillSetRequest(passport_id="" if passport_id == "me" else passport_id)
    skill_set = (await caller.passport.GetSkillSet(request)).skill_set
    query = OccupationMatchRequest(
        skills=[
            OfferedSkill(id=s.skill_uri, evidence=PASSPORT_EVIDENCE.get(s.best_evidence_kind, EvidenceLevel.soft))
            for s in skill_set.skills
        ],
        occupations=list(skill_set.occupation_uris),
        filters=MatchFilters(
            isco_major_groups=isco_major_group or [],
            job_zones=job_zone or [],
            dutch_label_only=dutch_label_only,
            min_score=min_score,
        ),
        limit=limit,
        language=language,
        explain=explain,
    )
    return query if query.skills or query.occupations else None


@router.post(
    "/v1/matches/vacancies",
    response_model=VacancyMatchResponse,
    summary="Vacancies for a skill set and/or work history, honouring each vacancy's evidence rules",
)
async def match_vacancies(body: OccupationMatchRequest, caller: MatchReader) -> Response:
    reply = await caller.matcher.MatchVacancies(_vacancy_request(body))
    return _json(vacancy_match_response(reply, body.language))


@router.get(
    "/v1/passports/{passport_id}/matches/vacancies",
    response_model=VacancyMatchResponse,
    summary="Vacancies for the skills in a passport (consent `matching` when not the owner)",
)
async def passport_vacancy_matches(
    caller: PassportMatchReader,
    passport_id: Annotated[str, Path(min_length=1, max_length=100, description="Passport id, or `me`")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    language: Language = Language.nl,
    isco_major_group: Annotated[list[IscoMajorGroup] | None, Query(max_length=10)] = None,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    explain: ExplainQuery = Explain.top,
) -> Response:
    query = await _passport_query(
        caller, passport_id, limit, language, isco_major_group, None, False, min_score, explain
    )
    if query is None:
        return _json({"bundle_version": "", "indexed_vacancies": 0, "items": []})
    reply = await caller.matcher.MatchVacancies(_vacancy_request(query))
    return _json(vacancy_match_response(reply, language))


@router.get(
    "/v1/vacancies/{vacancy_id}/candidates",
    response_model=CandidateResponse,
    summary="Candidates for one of your vacancies: only persons who consented to `vacancy-candidates` for you",
)
async def vacancy_candidates(
    caller: CandidateSearcher,
    vacancy_id: Annotated[str, Path(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
    language: Language = Language.nl,
    explain: ExplainQuery = Explain.top,
) -> Response:
    request = mpb.FindCandidatesRequest(
        vacancy_id=vacancy_id,
        limit=limit,
        min_score=min_score,
        language=language.value,
        list_limit=explain.list_limit(),
    )
    reply = await caller.matcher.FindCandidates(request)
    return _json(candidate_response(reply, language))


def _vacancy_request(body: OccupationMatchRequest) -> mpb.MatchVacanciesRequest:
    occupations = body.to_pb()
    return mpb.MatchVacanciesRequest(
        skills=occupations.skills,
        occupations=occupations.occupations,
        filters=mpb.Filters(isco_major_groups=body.filters.isco_major_groups, min_score=body.filters.min_score),
        limit=body.limit,
        language=body.language.value,
        list_limit=body.explain.list_limit(),
    )
