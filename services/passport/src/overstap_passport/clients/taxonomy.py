"""The taxonomy service as the passport needs it: is this an ESCO skill, which ESCO occupation is this code,
which skills does that occupation need. Known skills are cached (the taxonomy is read-only and versioned)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as tpb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as tpb_grpc
from overstap_common.grpc_client import create_channel

from overstap_passport.domain.errors import DependencyUnavailable, InvalidInput
from overstap_passport.domain.inputs import ESCO_OCCUPATION_PREFIX, ESCO_SKILL_PREFIX

SKILL_TYPES = (tpb.CONCEPT_TYPE_SKILL, tpb.CONCEPT_TYPE_KNOWLEDGE)
MAX_IDS_PER_CALL = 500
_CACHE_SIZE = 100_000
_STRENGTH = {
    tpb.MATCH_TYPE_EXACT: 0,
    tpb.MATCH_TYPE_CLOSE: 1,
    tpb.MATCH_TYPE_BROAD: 2,
    tpb.MATCH_TYPE_NARROW: 2,
    tpb.MATCH_TYPE_RELATED: 3,
}
_MATCH_NAMES = {0: "exact", 1: "close", 2: "broad/narrow", 3: "related"}
OCCUPATION_SCHEMES = ("isco08", "brc2014", "onet", "soc2010", "soc2018", "esco")


@dataclass(frozen=True, slots=True)
class SkillConcept:
    uri: str
    label: str


@dataclass(frozen=True, slots=True)
class OccupationConcept:
    uri: str
    label: str


@dataclass(frozen=True, slots=True)
class OccupationSkill:
    uri: str
    label: str
    essential: bool


class TaxonomyClient:
    def __init__(self, channel: grpc.aio.Channel, language: str = "nl") -> None:
        self.channel = channel
        self.stub = tpb_grpc.TaxonomyServiceStub(channel)
        self.language = language
        self._skills: OrderedDict[str, SkillConcept] = OrderedDict()

    @classmethod
    def connect(cls, target: str, deadline_seconds: float, language: str = "nl") -> TaxonomyClient:
        return cls(create_channel(target, deadline_seconds=deadline_seconds), language)

    async def close(self) -> None:
        await self.channel.close()

    @staticmethod
    def _unavailable(exc: grpc.aio.AioRpcError) -> DependencyUnavailable:
        return DependencyUnavailable(f"taxonomy service: {exc.code().name.lower()}: {exc.details()}")

    async def skills(self, uris: Iterable[str], fields: Mapping[str, str] | None = None) -> dict[str, SkillConcept]:
        """Every URI as an ESCO skill or knowledge concept; InvalidInput naming the first that is not one."""
        wanted = list(dict.fromkeys(uris))
        field_of = fields or {}
        missing = [u for u in wanted if u not in self._skills]
        for start in range(0, len(missing), MAX_IDS_PER_CALL):
            chunk = missing[start : start + MAX_IDS_PER_CALL]
            try:
                reply = await self.stub.GetConcepts(tpb.GetConceptsRequest(ids=chunk, language=self.language))
            except grpc.aio.AioRpcError as exc:
                raise self._unavailable(exc) from exc
            if reply.not_found:
                uri = reply.not_found[0]
                raise InvalidInput(
                    f"{uri!r} is not a known ESCO skill (taxonomy {reply.bundle_version})", field_of.get(uri)
                )
            for concept in reply.concepts:
                if concept.type not in SKILL_TYPES:
                    kind = tpb.ConceptType.Name(concept.type).removeprefix("CONCEPT_TYPE_").lower()
                    raise InvalidInput(f"{concept.id!r} is an ESCO {kind}, not a skill", field_of.get(concept.id))
                self._remember(SkillConcept(concept.id, concept.preferred_label.text))
        return {u: self._skills[u] for u in wanted}

    def _remember(self, concept: SkillConcept) -> None:
        self._skills[concept.uri] = concept
        if len(self._skills) > _CACHE_SIZE:
            self._skills.popitem(last=False)

    async def resolve_occupation(self, occupation: str, scheme: str, chosen: str) -> OccupationConcept:
        """The ESCO occupation for an ESCO URI or a code of another scheme (via the crosswalks)."""
        ref = occupation.strip()
        if scheme:
            if scheme not in OCCUPATION_SCHEMES:
                raise InvalidInput(f"unknown scheme {scheme!r}; known: {', '.join(OCCUPATION_SCHEMES)}", "scheme")
            if scheme != "esco" and not ref.startswith(f"{scheme}:"):
                ref = f"{scheme}:{ref}"
        if not ref:
            raise InvalidInput("is required", "occupation")
        if ref.startswith(ESCO_SKILL_PREFIX):
            raise InvalidInput(f"{ref!r} is an ESCO skill, not an occupation", "occupation")
        if ref.startswith(ESCO_OCCUPATION_PREFIX):
            concept = await self._concept(ref, "occupation")
            if concept.type != tpb.CONCEPT_TYPE_OCCUPATION:
                raise InvalidInput(f"{ref!r} is not an ESCO occupation", "occupation")
            if chosen and chosen != ref:
                raise InvalidInput(
                    "differs from occupation, which is already an ESCO occupation", "esco_occupation_uri"
                )
            return OccupationConcept(concept.id, concept.preferred_label.text)
        try:
            reply = await self.stub.MapConcept(
                tpb.MapConceptRequest(id=ref, target_scheme="esco", language=self.language)
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() == grpc.StatusCode.NOT_FOUND:
                raise InvalidInput(f"{ref!r} is not a code the taxonomy knows", "occupation") from exc
            if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise InvalidInput(f"{ref!r}: {exc.details()}", "occupation") from exc
            raise self._unavailable(exc) from exc
        targets = [t for t in reply.targets if t.concept.type == tpb.CONCEPT_TYPE_OCCUPATION]
        if not targets:
            raise InvalidInput(f"{ref!r} does not map to any ESCO occupation", "occupation")
        if chosen:
            for target in targets:
                if target.concept.id == chosen:
                    return OccupationConcept(target.concept.id, target.concept.label.text)
            raise InvalidInput(f"{chosen!r} is not one of the ESCO occupations {ref!r} maps to", "esco_occupation_uri")
        best = min(_STRENGTH.get(t.match_type, 3) for t in targets)
        top = [t for t in targets if _STRENGTH.get(t.match_type, 3) == best]
        if len(top) > 1:
            listed = ", ".join(f"{t.concept.id} ({t.concept.label.text})" for t in top[:10])
            more = f" and {len(top) - 10} more" if len(top) > 10 else ""
            raise InvalidInput(
                f"{ref!r} maps to {len(top)} ESCO occupations equally well ({_MATCH_NAMES[best]}); "
                f"choose one in esco_occupation_uri: {listed}{more}",
                "occupation",
            )
        return OccupationConcept(top[0].concept.id, top[0].concept.label.text)

    async def _concept(self, ref: str, field: str) -> tpb.Concept:
        try:
            reply = await self.stub.GetConcepts(tpb.GetConceptsRequest(ids=[ref], language=self.language))
        except grpc.aio.AioRpcError as exc:
            raise self._unavailable(exc) from exc
        if not reply.concepts:
            raise InvalidInput(f"{ref!r} is not known to the taxonomy ({reply.bundle_version})", field)
        return reply.concepts[0]

    async def occupation_skills(self, occupation_uri: str) -> list[OccupationSkill]:
        try:
            reply = await self.stub.GetOccupationSkills(
                tpb.GetOccupationSkillsRequest(occupation_id=occupation_uri, language=self.language)
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
                raise InvalidInput(f"{occupation_uri!r}: {exc.details()}", "occupation") from exc
            raise self._unavailable(exc) from exc
        result = []
        for link in reply.skills:
            skill = OccupationSkill(link.skill.id, link.skill.label.text, link.relation == tpb.SKILL_RELATION_ESSENTIAL)
            self._remember(SkillConcept(skill.uri, skill.label))
            result.append(skill)
        return result
