"""TaxonomyService over gRPC (grpc.aio). Validates requests; bad input is INVALID_ARGUMENT, unknown ids NOT_FOUND."""

from __future__ import annotations

import base64
import binascii

import grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as pb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as pb_grpc
from overstap_bundle import ConceptType

from overstap_taxonomy.api.convert import (
    CONCEPT_TYPE_FROM_PB,
    MATCH_TYPE_TO_PB,
    RELATION_FROM_PB,
    RELATION_TO_PB,
    concept_pb,
    concept_ref,
    concept_ref_by_id,
    label_pb,
)
from overstap_taxonomy.domain.catalog import ResolvedLabel, UnknownConcept, UnknownScheme, resolve_language
from overstap_taxonomy.domain.taxonomy import Taxonomy

MAX_BATCH = 500
MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 100
MAX_SKILL_OCCUPATIONS_PAGE = 500


class InvalidRequest(ValueError):
    pass


def encode_page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_page_token(token: str) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        kind, _, value = raw.partition(":")
        offset = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidRequest("page_token is not a token this service issued") from exc
    if kind != "o" or offset < 0:
        raise InvalidRequest("page_token is not a token this service issued")
    return offset


def page_size(requested: int, default: int, maximum: int) -> int:
    if requested < 0 or requested > maximum:
        raise InvalidRequest(f"page_size must be between 1 and {maximum}")
    return requested or default


def language_of(request_language: str) -> str:
    try:
        return resolve_language(request_language or None)
    except ValueError as exc:
        raise InvalidRequest(str(exc)) from exc


class TaxonomyServicer(pb_grpc.TaxonomyServiceServicer):
    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.catalog = taxonomy.catalog

    async def _abort_for(self, context: grpc.aio.ServicerContext, exc: Exception) -> None:
        if isinstance(exc, UnknownConcept):
            await context.abort(grpc.StatusCode.NOT_FOUND, f"unknown concept: {exc.args[0]}")
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))

    async def GetConcepts(
        self, request: pb.GetConceptsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetConceptsResponse:
        try:
            language = language_of(request.language)
            if not request.ids:
                raise InvalidRequest("ids must name at least one concept")
            if len(request.ids) > MAX_BATCH:
                raise InvalidRequest(f"at most {MAX_BATCH} ids per request")
            concepts, not_found = [], []
            for ref in request.ids:
                try:
                    concept = self.catalog.get(ref, request.scheme or None)
                except UnknownConcept:
                    not_found.append(ref)
                    continue
                concepts.append(concept_pb(self.catalog, concept, language))
        except (InvalidRequest, UnknownScheme) as exc:
            await self._abort_for(context, exc)
            raise
        return pb.GetConceptsResponse(concepts=concepts, not_found=not_found, bundle_version=self.taxonomy.version)

    async def SearchConcepts(
        self, request: pb.SearchConceptsRequest, context: grpc.aio.ServicerContext
    ) -> pb.SearchConceptsResponse:
        try:
            language = language_of(request.language)
            query = request.query.strip()
            if not query:
                raise InvalidRequest("query must not be empty")
            if len(query) > MAX_QUERY_LENGTH:
                raise InvalidRequest(f"query must be at most {MAX_QUERY_LENGTH} characters")
            types = [self._concept_type(t) for t in request.types]
            size = page_size(request.page_size, 10, MAX_PAGE_SIZE)
            offset = decode_page_token(request.page_token)
        except InvalidRequest as exc:
            await self._abort_for(context, exc)
            raise
        page = self.taxonomy.search_index.search(query, types=types, offset=offset, limit=size)
        hits = [
            pb.SearchHit(
                concept=concept_ref_by_id(self.catalog, hit.concept_id, language),
                matched_label=label_pb(ResolvedLabel(hit.label, hit.language)),
                matched_label_kind=hit.kind,
                score=hit.score,
            )
            for hit in page.hits
        ]
        next_offset = offset + len(hits)
        return pb.SearchConceptsResponse(
            hits=hits,
            next_page_token=encode_page_token(next_offset) if next_offset < page.total else "",
            total_size=page.total,
            bundle_version=self.taxonomy.version,
        )

    @staticmethod
    def _concept_type(value: int) -> ConceptType:
        if value not in CONCEPT_TYPE_FROM_PB:
            raise InvalidRequest(f"unknown concept type {value}")
        return CONCEPT_TYPE_FROM_PB[value]

    @staticmethod
    def _relation(value: int):  # type: ignore[no-untyped-def]
        if value == pb.SKILL_RELATION_UNSPECIFIED:
            return None
        if value not in RELATION_FROM_PB:
            raise InvalidRequest(f"unknown skill relation {value}")
        return RELATION_FROM_PB[value]

    async def GetOccupationSkills(
        self, request: pb.GetOccupationSkillsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetOccupationSkillsResponse:
        try:
            language = language_of(request.language)
            relation = self._relation(request.relation)
            occupation = self.catalog.get(request.occupation_id)
            links = self.catalog.skills_of(occupation.id, relation)
        except (InvalidRequest, UnknownConcept) as exc:
            await self._abort_for(context, exc)
            raise
        return pb.GetOccupationSkillsResponse(
            occupation=concept_ref(self.catalog, occupation, language),
            skills=[
                pb.SkillLink(skill=concept_ref_by_id(self.catalog, sid, language), relation=RELATION_TO_PB[rel])
                for sid, rel in links
            ],
            bundle_version=self.taxonomy.version,
        )

    async def GetSkillOccupations(
        self, request: pb.GetSkillOccupationsRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetSkillOccupationsResponse:
        try:
            language = language_of(request.language)
            relation = self._relation(request.relation)
            size = page_size(request.page_size, 50, MAX_SKILL_OCCUPATIONS_PAGE)
            offset = decode_page_token(request.page_token)
            skill = self.catalog.get(request.skill_id)
            links = self.catalog.occupations_needing(skill.id, relation)
        except (InvalidRequest, UnknownConcept) as exc:
            await self._abort_for(context, exc)
            raise
        page = links[offset : offset + size]
        next_offset = offset + len(page)
        return pb.GetSkillOccupationsResponse(
            skill=concept_ref(self.catalog, skill, language),
            occupations=[
                pb.OccupationLink(
                    occupation=concept_ref_by_id(self.catalog, oid, language), relation=RELATION_TO_PB[rel]
                )
                for oid, rel in page
            ],
            next_page_token=encode_page_token(next_offset) if next_offset < len(links) else "",
            total_size=len(links),
            bundle_version=self.taxonomy.version,
        )

    async def MapConcept(
        self, request: pb.MapConceptRequest, context: grpc.aio.ServicerContext
    ) -> pb.MapConceptResponse:
        try:
            language = language_of(request.language)
            if not request.target_scheme:
                raise InvalidRequest("target_scheme is required")
            source = self.catalog.get(request.id)
            targets = self.taxonomy.crosswalks.map(source.id, request.target_scheme)
        except (InvalidRequest, UnknownConcept, UnknownScheme) as exc:
            await self._abort_for(context, exc)
            raise
        return pb.MapConceptResponse(
            source=concept_ref(self.catalog, source, language),
            targets=[
                pb.MappedConcept(
                    concept=concept_ref_by_id(self.catalog, t.concept_id, language),
                    match_type=MATCH_TYPE_TO_PB[t.match],
                    path=[
                        pb.MappingStep(
                            source_id=s.source_id,
                            target_id=s.target_id,
                            match_type=MATCH_TYPE_TO_PB[s.match],
                            provenance=s.provenance,
                        )
                        for s in t.path
                    ],
                )
                for t in targets
            ],
            bundle_version=self.taxonomy.version,
        )

    async def GetBundleInfo(
        self, request: pb.GetBundleInfoRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetBundleInfoResponse:
        manifest = self.catalog.manifest
        sources = manifest.get("sources", {})
        counts = manifest.get("counts", {})
        return pb.GetBundleInfoResponse(
            bundle_version=self.taxonomy.version,
            sources=[
                pb.SourceInfo(
                    key=key,
                    description=str(info.get("description", "")),
                    licence=str(info.get("licence", "")),
                    sha256=str(info.get("sha256", "")),
                )
                for key, info in sorted(sources.items())
            ],
            counts={k: int(v) for k, v in counts.items() if isinstance(v, int)},
        )
