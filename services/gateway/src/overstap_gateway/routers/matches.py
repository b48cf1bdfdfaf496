"""/v1/matches and /v1/passports/{id}/matches: transition occupations for a person, explained."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Response
from overstap.passport.v1 import passport_pb2 as ppb

from overstap_gateway.dependencies import MatchReader, PassportMatchReader
from overstap_gateway.problems import Problem
from overstap_gateway.schemas.matches import (
    EvidenceLevel,
    MatchFilters,
    OccupationMatchRequest,
    OccupationMatchResponse,
    OfferedSkill,
    ProfileMatchRequest,
    ProfileMatchResponse,
    occupation_match_response,
)
from overstap_gateway.schemas.taxonomy import Language

PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS = {400: PROBLEM, 401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 422: PROBLEM, 503: PROBLEM, 504: PROBLEM}

router = APIRouter(tags=["matches"], responses=ERRORS)


def _json(body: dict[str, Any]) -> Response:
    """Serialise a ready-made body once (the route's response_model documents its shape)."""
    return Response(orjson.dumps(body), media_type="application/json")


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
    return _json(occupation_match_response(reply))


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
    isco_major_group: Annotated[list[str] | None, Query(max_length=10)] = None,
    job_zone: Annotated[list[int] | None, Query(max_length=5)] = None,
    dutch_label_only: bool = False,
    min_score: Annotated[float, Query(ge=0, le=1)] = 0.0,
) -> Response:
    request = ppb.GetSkillSetRequest(passport_id="" if passport_id == "me" else passport_id)
    skill_set = (await caller.passport.GetSkillSet(request)).skill_set
    query = OccupationMatchRequest(
        skills=[
            OfferedSkill(id=s.skill_uri, evidence=PASSPORT_EVIDENCE.get(s.best_evidence_kind, EvidenceLevel.soft))
            for s in skill_set.skills
        ],
        occupations=list(getattr(skill_set, "occupations", [])),
        filters=MatchFilters(
            isco_major_groups=isco_major_group or [],
            job_zones=job_zone or [],
            dutch_label_only=dutch_label_only,
            min_score=min_score,
        ),
        limit=limit,
        language=language,
    )
    if not query.skills and not query.occupations:
        return _json({"bundle_version": "", "items": []})
    reply = await caller.matcher.MatchOccupations(query.to_pb())
    return _json(occupation_match_response(reply))
