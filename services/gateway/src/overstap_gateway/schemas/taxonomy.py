"""Taxonomy resources as JSON."""

from __future__ import annotations

from enum import StrEnum

from overstap.taxonomy.v1 import taxonomy_pb2 as pb
from pydantic import BaseModel, Field

OCCUPATION_EXAMPLE = "http://data.europa.eu/esco/occupation/96cb7af5-dd0c-4e4a-9a38-f4b2a96d4ebf"


class ConceptType(StrEnum):
    occupation = "occupation"
    skill = "skill"
    knowledge = "knowledge"
    skill_group = "skill_group"
    isco_group = "isco_group"
    onet_occupation = "onet_occupation"
    onet_2010_occupation = "onet_2010_occupation"
    onet_skill = "onet_skill"
    soc_2010 = "soc_2010"
    soc_2018 = "soc_2018"
    brc_group = "brc_group"

    def to_pb(self) -> int:
        return pb.ConceptType.Value("CONCEPT_TYPE_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> ConceptType:
        return cls(pb.ConceptType.Name(value).removeprefix("CONCEPT_TYPE_").lower())


class SkillRelation(StrEnum):
    essential = "essential"
    optional = "optional"

    def to_pb(self) -> int:
        return pb.SkillRelation.Value("SKILL_RELATION_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> SkillRelation:
        return cls(pb.SkillRelation.Name(value).removeprefix("SKILL_RELATION_").lower())


def match_type_name(value: int) -> str:
    word = pb.MatchType.Name(value).removeprefix("MATCH_TYPE_").lower()
    return f"{word}Match"


class Scheme(StrEnum):
    esco = "esco"
    isco08 = "isco08"
    onet = "onet"
    onet2010 = "onet2010"
    onet_skill = "onet-skill"
    soc2010 = "soc2010"
    soc2018 = "soc2018"
    brc2014 = "brc2014"


class Language(StrEnum):
    nl = "nl"
    en = "en"


class Label(BaseModel):
    text: str
    language: str = Field(description="The language the label is in: the requested one, or the fallback")

    @classmethod
    def from_pb(cls, label: pb.Label) -> Label:
        return cls(text=label.text, language=label.language)


class ConceptRef(BaseModel):
    id: str = Field(examples=[OCCUPATION_EXAMPLE])
    type: ConceptType
    code: str | None = None
    label: Label

    @classmethod
    def from_pb(cls, ref: pb.ConceptRef) -> ConceptRef:
        return cls(id=ref.id, type=ConceptType.from_pb(ref.type), code=ref.code or None, label=Label.from_pb(ref.label))


class Concept(BaseModel):
    id: str = Field(examples=[OCCUPATION_EXAMPLE])
    type: ConceptType
    code: str | None = None
    preferred_label: Label
    alternative_labels: list[Label] = []
    description: Label | None = None
    broader: list[ConceptRef] = []
    narrower: list[ConceptRef] = []
    attributes: dict[str, str] = {}
    languages: list[str] = Field(default=[], description="Languages with a preferred label for this concept")

    @classmethod
    def from_pb(cls, c: pb.Concept) -> Concept:
        return cls(
            id=c.id,
            type=ConceptType.from_pb(c.type),
            code=c.code or None,
            preferred_label=Label.from_pb(c.preferred_label),
            alternative_labels=[Label.from_pb(x) for x in c.alternative_labels],
            description=Label.from_pb(c.description) if c.HasField("description") else None,
            broader=[ConceptRef.from_pb(x) for x in c.broader],
            narrower=[ConceptRef.from_pb(x) for x in c.narrower],
            attributes=dict(c.attributes),
            languages=list(c.languages),
        )


class ConceptResponse(BaseModel):
    bundle_version: str
    concept: Concept


class ConceptBatchResponse(BaseModel):
    bundle_version: str
    concepts: list[Concept]
    not_found: list[str]


class SearchHit(BaseModel):
    concept: ConceptRef
    matched_label: Label
    matched_label_kind: str = Field(examples=["preferred"], description="preferred, alternative or hidden")
    score: float


class SearchResponse(BaseModel):
    bundle_version: str
    query: str
    total: int
    items: list[SearchHit]
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` to get the next page")


class SkillLink(BaseModel):
    skill: ConceptRef
    relation: SkillRelation


class OccupationSkillsResponse(BaseModel):
    bundle_version: str
    occupation: ConceptRef
    skills: list[SkillLink]


class OccupationLink(BaseModel):
    occupation: ConceptRef
    relation: SkillRelation


class SkillOccupationsResponse(BaseModel):
    bundle_version: str
    skill: ConceptRef
    total: int
    items: list[OccupationLink]
    next_cursor: str | None = None


class MappingStep(BaseModel):
    source_id: str
    target_id: str
    match_type: str = Field(examples=["broadMatch"], description="SKOS mapping relation")
    provenance: str = Field(description="The crosswalk this step comes from")


class MappedConcept(BaseModel):
    concept: ConceptRef
    match_type: str = Field(examples=["exactMatch"], description="Weakest SKOS relation along the path")
    path: list[MappingStep]


class MappingResponse(BaseModel):
    bundle_version: str
    source: ConceptRef
    target_scheme: Scheme
    targets: list[MappedConcept]
