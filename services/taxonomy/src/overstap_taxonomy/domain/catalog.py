"""The catalogue: every concept of the bundle by id and by code, with its relations and labels."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from overstap_bundle import Concept, ConceptType, Relation, TaxonomyBundle

DEFAULT_LANGUAGE = "nl"
SUPPORTED_LANGUAGES = ("nl", "en")

# Schemes that a bare code may be given in, and how their ids are formed.
SCHEME_PREFIXES: dict[str, str] = {
    "isco08": "http://data.europa.eu/esco/isco/C",
    "onet": "onet:",
    "onet2010": "onet2010:",
    "onet-skill": "onet-skill:",
    "soc2010": "soc2010:",
    "soc2018": "soc2018:",
    "brc2014": "brc2014:",
}

SCHEME_OF_TYPE: dict[ConceptType, str] = {
    ConceptType.OCCUPATION: "esco",
    ConceptType.SKILL: "esco",
    ConceptType.KNOWLEDGE: "esco",
    ConceptType.SKILL_GROUP: "esco",
    ConceptType.ISCO_GROUP: "isco08",
    ConceptType.ONET_OCCUPATION: "onet",
    ConceptType.ONET_2010_OCCUPATION: "onet2010",
    ConceptType.ONET_SKILL: "onet-skill",
    ConceptType.SOC_2010: "soc2010",
    ConceptType.SOC_2018: "soc2018",
    ConceptType.BRC_GROUP: "brc2014",
}
SCHEMES = frozenset(SCHEME_OF_TYPE.values())


class UnknownConcept(LookupError):
    """No concept has this id or code."""


class UnknownScheme(ValueError):
    """The scheme name is not one of SCHEMES."""


@dataclass(frozen=True, slots=True)
class ResolvedLabel:
    text: str
    language: str


def resolve_language(requested: str | None) -> str:
    lang = (requested or DEFAULT_LANGUAGE).strip().lower()
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(SUPPORTED_LANGUAGES)}, not {requested!r}")
    return lang


def _fallback_order(language: str) -> list[str]:
    return [language, *(lang for lang in SUPPORTED_LANGUAGES if lang != language)]


class Catalog:
    """Read-only view of a bundle, indexed for lookups; built once at start."""

    def __init__(self, bundle: TaxonomyBundle) -> None:
        self.version = bundle.version
        self.manifest = bundle.manifest
        self.concepts: dict[str, Concept] = {c.id: c for c in bundle.concepts}
        self.narrower: dict[str, list[str]] = defaultdict(list)
        for concept in bundle.concepts:
            for parent in concept.broader:
                self.narrower[parent].append(concept.id)
        self._by_code: dict[tuple[str, str], str] = {}
        for concept in bundle.concepts:
            if concept.code:
                self._by_code.setdefault((SCHEME_OF_TYPE[concept.type], concept.code), concept.id)
        self.occupation_skills: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
        self.skill_occupations: dict[str, list[tuple[str, Relation]]] = defaultdict(list)
        for rel in bundle.occupation_skills:
            if rel.occupation_id not in self.concepts or rel.skill_id not in self.concepts:
                continue  # a relation to a concept the release no longer has (one ESCO v1.1.1 occupation)
            self.occupation_skills[rel.occupation_id].append((rel.skill_id, rel.relation))
            self.skill_occupations[rel.skill_id].append((rel.occupation_id, rel.relation))
        for links in (*self.occupation_skills.values(), *self.skill_occupations.values()):
            links.sort(key=lambda link: (link[1] != Relation.ESSENTIAL, link[0]))

    def __len__(self) -> int:
        return len(self.concepts)

    def resolve_id(self, ref: str, scheme: str | None = None) -> str:
        """Turn an id, a `<scheme>:<code>` reference or a bare code (with ``scheme``) into a concept id."""
        ref = ref.strip()
        if scheme:
            if scheme not in SCHEMES:
                raise UnknownScheme(f"unknown scheme {scheme!r}; known: {', '.join(sorted(SCHEMES))}")
            found = self._by_code.get((scheme, ref))
            if found:
                return found
        if ref in self.concepts:
            return ref
        prefix, sep, code = ref.partition(":")
        if sep and prefix in SCHEMES and not ref.startswith("http"):
            found = self._by_code.get((prefix, code))
            if found:
                return found
        raise UnknownConcept(ref)

    def get(self, ref: str, scheme: str | None = None) -> Concept:
        return self.concepts[self.resolve_id(ref, scheme)]

    def label(self, concept: Concept, language: str) -> ResolvedLabel:
        for lang in _fallback_order(language):
            labels = concept.labels.get(lang)
            if labels:
                return ResolvedLabel(labels.preferred, lang)
        return ResolvedLabel(concept.code or concept.id, "")

    def alternative_labels(self, concept: Concept, language: str) -> list[ResolvedLabel]:
        for lang in _fallback_order(language):
            labels = concept.labels.get(lang)
            if labels and labels.alt:
                return [ResolvedLabel(text, lang) for text in labels.alt]
        return []

    def description(self, concept: Concept, language: str) -> ResolvedLabel | None:
        for lang in _fallback_order(language):
            text = concept.descriptions.get(lang)
            if text:
                return ResolvedLabel(text, lang)
        return None

    def skills_of(self, occupation_id: str, relation: Relation | None = None) -> list[tuple[str, Relation]]:
        concept = self.get(occupation_id)
        if concept.type is not ConceptType.OCCUPATION:
            raise UnknownConcept(f"{occupation_id} is not an ESCO occupation")
        links = self.occupation_skills.get(concept.id, [])
        return [link for link in links if relation is None or link[1] is relation]

    def occupations_needing(self, skill_id: str, relation: Relation | None = None) -> list[tuple[str, Relation]]:
        concept = self.get(skill_id)
        if concept.type not in (ConceptType.SKILL, ConceptType.KNOWLEDGE):
            raise UnknownConcept(f"{skill_id} is not an ESCO skill or knowledge concept")
        links = self.skill_occupations.get(concept.id, [])
        return [link for link in links if relation is None or link[1] is relation]
