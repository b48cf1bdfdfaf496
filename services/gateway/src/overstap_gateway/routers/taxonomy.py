"""/v1/taxonomy: concepts, label search, occupation profiles and crosswalk mappings (scope taxonomy:read)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from overstap.taxonomy.v1 import taxonomy_pb2 as pb

from overstap_gateway.dependencies import TaxonomyReader
from overstap_gateway.problems import Problem, ProblemError
from overstap_gateway.schemas.taxonomy import (
    Concept,
    ConceptBatchResponse,
    ConceptRef,
    ConceptResponse,
    ConceptType,
    Label,
    Language,
    MappedConcept,
    MappingResponse,
    MappingStep,
    OccupationLink,
    OccupationSkillsResponse,
    Scheme,
    SearchHit,
    SearchResponse,
    SkillLink,
    SkillOccupationsResponse,
    SkillRelation,
    match_type_name,
)

PROBLEM = {"model": Problem, "content": {"application/problem+json": {}}}
ERRORS = {code: PROBLEM for code in (400, 401, 403, 404, 422, 503, 504)}

router = APIRouter(prefix="/v1/taxonomy", tags=["taxonomy"], responses=ERRORS)

LanguageQuery = Annotated[Language, Query(description="Preferred label language; falls back to the other")]
ConceptId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=300,
        description="ESCO URI (URL-encoded or as is) or `<scheme>:<code>`, e.g. `isco08:2654`, `onet:15-1252.00`",
    ),
]


@router.get("/search", response_model=SearchResponse, summary="Search labels in Dutch and English")
async def search(
    caller: TaxonomyReader,
    q: Annotated[
        str, Query(min_length=1, max_length=200, description="Words to look for", examples=["kassamedewerker"])
    ],
    type: Annotated[list[ConceptType] | None, Query(description="Restrict to these concept types")] = None,
    language: LanguageQuery = Language.nl,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    cursor: Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page")] = None,
) -> SearchResponse:
    if not q.strip():
        raise ProblemError(400, "q must contain at least one letter or digit")
    reply = await caller.taxonomy.SearchConcepts(
        pb.SearchConceptsRequest(
            query=q,
            types=[t.to_pb() for t in type or ()],
            language=language.value,
            page_size=limit,
            page_token=cursor or "",
        )
    )
    return SearchResponse(
        bundle_version=reply.bundle_version,
        query=q,
        total=reply.total_size,
        items=[
            SearchHit(
                concept=ConceptRef.from_pb(h.concept),
                matched_label=Label.from_pb(h.matched_label),
                matched_label_kind=h.matched_label_kind,
                score=round(h.score, 4),
            )
            for h in reply.hits
        ],
        next_cursor=reply.next_page_token or None,
    )


@router.get("/concepts", response_model=ConceptBatchResponse, summary="Look up several concepts at once")
async def get_concepts(
    caller: TaxonomyReader,
    id: Annotated[list[str], Query(min_length=1, max_length=500, description="Concept ids or codes")],
    scheme: Annotated[Scheme | None, Query(description="Scheme of bare codes")] = None,
    language: LanguageQuery = Language.nl,
) -> ConceptBatchResponse:
    reply = await caller.taxonomy.GetConcepts(
        pb.GetConceptsRequest(ids=id, scheme=scheme.value if scheme else "", language=language.value)
    )
    return ConceptBatchResponse(
        bundle_version=reply.bundle_version,
        concepts=[Concept.from_pb(c) for c in reply.concepts],
        not_found=list(reply.not_found),
    )


@router.get("/concepts/{id:path}", response_model=ConceptResponse, summary="One concept by id or code")
async def get_concept(
    caller: TaxonomyReader,
    id: ConceptId,
    scheme: Annotated[Scheme | None, Query(description="Scheme of a bare code")] = None,
    language: LanguageQuery = Language.nl,
) -> ConceptResponse:
    reply = await caller.taxonomy.GetConcepts(
        pb.GetConceptsRequest(ids=[id], scheme=scheme.value if scheme else "", language=language.value)
    )
    if not reply.concepts:
        raise ProblemError(404, f"unknown concept: {id}")
    return ConceptResponse(bundle_version=reply.bundle_version, concept=Concept.from_pb(reply.concepts[0]))


@router.get(
    "/occupations/{id:path}/skills",
    response_model=OccupationSkillsResponse,
    summary="Essential and optional skills of an ESCO occupation",
)
async def occupation_skills(
    caller: TaxonomyReader,
    id: ConceptId,
    relation: Annotated[SkillRelation | None, Query(description="Only essential or only optional skills")] = None,
    language: LanguageQuery = Language.nl,
) -> OccupationSkillsResponse:
    reply = await caller.taxonomy.GetOccupationSkills(
        pb.GetOccupationSkillsRequest(
            occupation_id=id, language=language.value, relation=relation.to_pb() if relation else 0
        )
    )
    return OccupationSkillsResponse(
        bundle_version=reply.bundle_version,
        occupation=ConceptRef.from_pb(reply.occupation),
        skills=[
            SkillLink(skill=ConceptRef.from_pb(s.skill), relation=SkillRelation.from_pb(s.relation))
            for s in reply.skills
        ],
    )


@router.get(
    "/skills/{id:path}/occupations",
    response_model=SkillOccupationsResponse,
    summary="ESCO occupations that need a skill",
)
async def skill_occupations(
    caller: TaxonomyReader,
    id: ConceptId,
    relation: Annotated[SkillRelation | None, Query()] = None,
    language: LanguageQuery = Language.nl,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> SkillOccupationsResponse:
    reply = await caller.taxonomy.GetSkillOccupations(
        pb.GetSkillOccupationsRequest(
            skill_id=id,
            language=language.value,
            relation=relation.to_pb() if relation else 0,
            page_size=limit,
            page_token=cursor or "",
        )
    )
    return SkillOccupationsResponse(
        bundle_version=reply.bundle_version,
        skill=ConceptRef.from_pb(reply.skill),
        total=reply.total_size,
        items=[
            OccupationLink(occupation=ConceptRef.from_pb(o.occupation), relation=SkillRelation.from_pb(o.relation))
            for o in reply.occupations
        ],
        next_cursor=reply.next_page_token or None,
    )


@router.get("/mappings", response_model=MappingResponse, summary="Map a concept to another scheme")
async def mappings(
    caller: TaxonomyReader,
    id: Annotated[str, Query(min_length=1, max_length=300, description="Concept id or `<scheme>:<code>`")],
    target_scheme: Annotated[Scheme, Query(description="Scheme to map into")],
    language: LanguageQuery = Language.nl,
) -> MappingResponse:
    reply = await caller.taxonomy.MapConcept(
        pb.MapConceptRequest(id=id, target_scheme=target_scheme.value, language=language.value)
    )
    return MappingResponse(
        bundle_version=reply.bundle_version,
        source=ConceptRef.from_pb(reply.source),
        target_scheme=target_scheme,
        targets=[
            MappedConcept(
                concept=ConceptRef.from_pb(t.concept),
                match_type=match_type_name(t.match_type),
                path=[
                    MappingStep(
                        source_id=s.source_id,
                        target_id=s.target_id,
                        match_type=match_type_name(s.match_type),
                        provenance=s.provenance,
                    )
                    for s in t.path
                ],
            )
            for t in reply.targets
        ],
    )
