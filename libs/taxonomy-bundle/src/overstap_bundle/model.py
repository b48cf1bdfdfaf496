"""The in-memory shape of a taxonomy bundle.

Identifiers are stable and public:
- ESCO concepts (occupations, skills, skill groups, ISCO-08 groups) keep their ESCO URI,
  e.g. ``http://data.europa.eu/esco/occupation/…`` or ``http://data.europa.eu/esco/isco/C2654``.
- Concepts of other schemes are ``<scheme>:<code>``: ``onet:11-1011.00``, ``onet-skill:2.A.1.a``,
  ``soc2010:11-1011``, ``soc2018:11-1011``, ``brc2014:0634``.
- O*NET-SOC 2010 occupations, the ends of the crosswalks to O*NET-SOC 2019 and SOC 2010, are
  ``onet2010:11-1011.00`` (code and title only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

BUNDLE_FORMAT = 1

ESCO_OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
ESCO_ISCO_PREFIX = "http://data.europa.eu/esco/isco/C"


class ConceptType(StrEnum):
    OCCUPATION = "occupation"  # ESCO occupation
    SKILL = "skill"  # ESCO skill/competence (and language/transversal skills)
    KNOWLEDGE = "knowledge"  # ESCO knowledge
    SKILL_GROUP = "skill_group"  # ESCO skill hierarchy nodes and skill groups (incl. ISCED-F)
    ISCO_GROUP = "isco_group"  # ISCO-08 groups, levels 1-4 (ESCO URIs)
    ONET_OCCUPATION = "onet_occupation"  # O*NET-SOC 2019 occupation
    ONET_2010_OCCUPATION = "onet2010_occupation"  # O*NET-SOC 2010 occupation (crosswalk end, titles only)
    ONET_SKILL = "onet_skill"  # one of the 35 O*NET skills (content model element 2.A/2.B)
    SOC_2010 = "soc2010"  # US SOC 2010 occupation code
    SOC_2018 = "soc2018"  # US SOC 2018 code (the basis of O*NET-SOC 2019)
    BRC_GROUP = "brc_group"  # CBS BRC 2014 beroepsklasse / -segment / -groep


class MatchType(StrEnum):
    """SKOS mapping relations. ``Mapping(a, b, BROAD)`` reads "b is broader than a" (skos:broadMatch)."""

    EXACT = "exactMatch"
    CLOSE = "closeMatch"
    BROAD = "broadMatch"
    NARROW = "narrowMatch"
    RELATED = "relatedMatch"

    def inverse(self) -> MatchType:
        if self is MatchType.BROAD:
            return MatchType.NARROW
        if self is MatchType.NARROW:
            return MatchType.BROAD
        return self


class Relation(StrEnum):
    ESSENTIAL = "essential"
    OPTIONAL = "optional"


@dataclass(slots=True)
class LabelSet:
    """Labels of one concept in one language."""

    preferred: str
    alt: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()


@dataclass(slots=True)
class Concept:
    id: str
    type: ConceptType
    code: str | None = None
    labels: dict[str, LabelSet] = field(default_factory=dict)  # language code -> labels
    descriptions: dict[str, str] = field(default_factory=dict)  # language code -> text
    broader: tuple[str, ...] = ()  # ids of direct broader concepts in the concept's own hierarchy
    # Scheme-specific facts: skill_type, reuse_level (ESCO skills); isco_code (ESCO occupations);
    # job_zone (O*NET); level (ISCO/BRC/SOC depth); ...
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class OccupationSkill:
    occupation_id: str
    skill_id: str
    relation: Relation


@dataclass(slots=True, frozen=True)
class Mapping:
    """A typed link between concepts of two schemes, read as ``source <match> target``."""

    source_id: str
    target_id: str
    match: MatchType
    provenance: str  # short source key, described in the manifest's ``sources``


@dataclass(slots=True, frozen=True)
class OnetSkillRating:
    onet_id: str  # onet:<O*NET-SOC code>
    skill_id: str  # onet-skill:<element id>
    importance: float  # IM scale, 1..5
    level: float  # LV scale, 0..7


@dataclass(slots=True)
class TaxonomyBundle:
    version: str
    manifest: dict[str, Any]
    concepts: list[Concept]
    occupation_skills: list[OccupationSkill]
    mappings: list[Mapping]
    onet_skill_ratings: list[OnetSkillRating]
