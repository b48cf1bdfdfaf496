"""ESCO download content as bundle concepts and occupation-skill relations, with labels in extra languages."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from overstap_bundle import Concept, ConceptType, OccupationSkill, Relation

from overstap_taxonomy.importer.esco import EscoContent, EscoRecord, HierarchyNode
from overstap_taxonomy.importer.labels import label_set
from overstap_taxonomy.importer.overlay import LabelOverlay

KNOWLEDGE_SKILL_TYPE = "knowledge"
ISCED_F_SEGMENT = "/isced-f/"


@dataclass(slots=True)
class EscoConcepts:
    concepts: dict[str, Concept]
    occupation_skills: list[OccupationSkill]
    unmatched: Counter[str] = field(default_factory=Counter)


def _concept(record: EscoRecord, kind: ConceptType, language: str, code: str | None = None) -> Concept:
    return Concept(
        id=record.uri,
        type=kind,
        code=code,
        labels={language: label_set(record.preferred, record.alt, record.hidden)},
        descriptions={language: record.description} if record.description else {},
    )


def isco_code(value: str) -> str:
    """The ISCO-08 code from an ``iscoGroup`` cell, which holds a code ("2654") or a URI (".../isco/C2654")."""
    value = value.strip()
    return value.rsplit("/C", 1)[-1] if "/" in value else value


def occupation_concept(record: EscoRecord, language: str) -> Concept:
    concept = _concept(record, ConceptType.OCCUPATION, language, record.code or None)
    if record.isco_group:
        concept.attributes["isco_code"] = isco_code(record.isco_group)
    return concept


def skill_concept(record: EscoRecord, language: str, collections: Sequence[str]) -> Concept:
    kind = ConceptType.KNOWLEDGE if record.skill_type == KNOWLEDGE_SKILL_TYPE else ConceptType.SKILL
    concept = _concept(record, kind, language)
    concept.attributes["skill_type"] = record.skill_type
    concept.attributes["reuse_level"] = record.reuse_level
    if collections:
        concept.attributes["collections"] = sorted(collections)
    return concept


def isco_concept(record: EscoRecord, language: str) -> Concept:
    concept = _concept(record, ConceptType.ISCO_GROUP, language, record.code or None)
    concept.attributes.update({"code": record.code, "level": len(record.code)})
    return concept


def skill_group_code(uri: str, *codes: str) -> str | None:
    """The first code given, else for ISCED-F fields the code in the URI (".../isced-f/0613" -> "0613")."""
    for code in codes:
        if code:
            return code
    return uri.rsplit("/", 1)[-1] if ISCED_F_SEGMENT in uri else None


def skill_group_concept(record: EscoRecord | None, node: HierarchyNode | None, language: str) -> Concept:
    """A skill group from skillGroups_<lang> and/or a node of skillsHierarchy_<lang>."""
    if record is None:
        assert node is not None
        record = EscoRecord(uri=node.uri, preferred=node.label, description=node.description, code=node.code)
    code = skill_group_code(record.uri, record.code, node.code if node else "")
    concept = _concept(record, ConceptType.SKILL_GROUP, language, code)
    if node is not None:
        concept.attributes["level"] = node.level
    return concept


def _collections_by_skill(content: EscoContent) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for name, records in content.collections.items():
        for uri in records:
            out[uri].append(name)
    return out


def _all_concepts(content: EscoContent) -> dict[str, Concept]:
    lang = content.language
    in_collections = _collections_by_skill(content)
    concepts: dict[str, Concept] = {}
    for uri in sorted(set(content.skill_groups) | set(content.hierarchy)):
        concepts[uri] = skill_group_concept(content.skill_groups.get(uri), content.hierarchy.get(uri), lang)
    for record in content.isco_groups.values():
        concepts[record.uri] = isco_concept(record, lang)
    for record in content.skills.values():
        concepts[record.uri] = skill_concept(record, lang, in_collections.get(record.uri, ()))
    for record in content.occupations.values():
        concepts[record.uri] = occupation_concept(record, lang)
    return concepts


def _broader_links(content: EscoContent) -> Iterable[tuple[str, str]]:
    yield from content.occupation_broader
    yield from content.skill_broader
    for node in content.hierarchy.values():
        if node.parent:
            yield node.uri, node.parent


def _set_broader(concepts: dict[str, Concept], links: Iterable[tuple[str, str]], unmatched: Counter[str]) -> None:
    broader: dict[str, set[str]] = defaultdict(set)
    for child, parent in links:
        if child in concepts and parent in concepts:
            broader[child].add(parent)
        else:
            unmatched["esco broader relations with an unknown concept"] += 1
    for child, parents in broader.items():
        concepts[child].broader = tuple(sorted(parents))


def _relations(content: EscoContent, concepts: dict[str, Concept], unmatched: Counter[str]) -> list[OccupationSkill]:
    """Every occupation-skill row of the download, kept even when one end has no concept (counted)."""
    out: list[OccupationSkill] = []
    seen: set[tuple[str, str]] = set()
    for row in content.occupation_skills:
        try:
            relation = Relation(row.relation)
        except ValueError:
            unmatched[f"esco occupation-skill rows with relation type {row.relation!r}"] += 1
            continue
        if (row.occupation, row.skill) in seen:
            unmatched["esco duplicate occupation-skill rows"] += 1
            continue
        seen.add((row.occupation, row.skill))
        if row.occupation not in concepts:
            unmatched["esco occupation-skill rows whose occupation is not in the occupations table"] += 1
        if row.skill not in concepts:
            unmatched["esco occupation-skill rows whose skill is not in the skills table"] += 1
        out.append(OccupationSkill(row.occupation, row.skill, relation))
    return out


def apply_overlay(concepts: dict[str, Concept], overlay: LabelOverlay) -> None:
    """Add the overlay's labels and descriptions (another language) to the concepts it covers."""
    for concept_id, concept in concepts.items():
        labels = overlay.label_set(concept_id)
        if labels is not None:
            concept.labels[overlay.language] = labels
        description = overlay.descriptions.get(concept_id)
        if description:
            concept.descriptions[overlay.language] = description


def esco_concepts(content: EscoContent) -> EscoConcepts:
    """Concepts (labels in the download's language), broader links and occupation-skill relations."""
    unmatched: Counter[str] = Counter()
    concepts = _all_concepts(content)
    _set_broader(concepts, _broader_links(content), unmatched)
    relations = _relations(content, concepts, unmatched)
    return EscoConcepts(concepts, relations, unmatched)
