"""Domain objects to protobuf messages and back."""

from __future__ import annotations

from overstap.taxonomy.v1 import taxonomy_pb2 as pb
from overstap_bundle import Concept, ConceptType, MatchType, Relation

from overstap_taxonomy.domain.catalog import Catalog, ResolvedLabel

CONCEPT_TYPE_TO_PB = {t: pb.ConceptType.Value(f"CONCEPT_TYPE_{t.name}") for t in ConceptType}
CONCEPT_TYPE_FROM_PB = {v: k for k, v in CONCEPT_TYPE_TO_PB.items()}
MATCH_TYPE_TO_PB = {m: pb.MatchType.Value(f"MATCH_TYPE_{m.name}") for m in MatchType}
RELATION_TO_PB = {r: pb.SkillRelation.Value(f"SKILL_RELATION_{r.name}") for r in Relation}
RELATION_FROM_PB = {v: k for k, v in RELATION_TO_PB.items()}


def label_pb(label: ResolvedLabel | None) -> pb.Label | None:
    return pb.Label(text=label.text, language=label.language) if label else None


def concept_ref(catalog: Catalog, concept: Concept, language: str) -> pb.ConceptRef:
    return pb.ConceptRef(
        id=concept.id,
        type=CONCEPT_TYPE_TO_PB[concept.type],
        code=concept.code or "",
        label=label_pb(catalog.label(concept, language)),
    )


def concept_ref_by_id(catalog: Catalog, concept_id: str, language: str) -> pb.ConceptRef:
    return concept_ref(catalog, catalog.concepts[concept_id], language)


def concept_pb(catalog: Catalog, concept: Concept, language: str) -> pb.Concept:
    return pb.Concept(
        id=concept.id,
        type=CONCEPT_TYPE_TO_PB[concept.type],
        code=concept.code or "",
        preferred_label=label_pb(catalog.label(concept, language)),
        alternative_labels=[label_pb(label) for label in catalog.alternative_labels(concept, language)],
        description=label_pb(catalog.description(concept, language)),
        broader=[concept_ref_by_id(catalog, b, language) for b in concept.broader if b in catalog.concepts],
        narrower=[concept_ref_by_id(catalog, n, language) for n in catalog.narrower.get(concept.id, ())],
        attributes={k: str(v) for k, v in concept.attributes.items()},
        languages=sorted(concept.labels),
    )
