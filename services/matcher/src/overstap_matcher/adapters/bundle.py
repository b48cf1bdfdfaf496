"""Build the matcher index from a taxonomy bundle (the official data path)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from overstap_bundle import ConceptType, TaxonomyBundle

from overstap_matcher.domain.index import MatcherIndex, TaxonomyData, build_index
from overstap_matcher.domain.model import IndexConfig
from overstap_matcher.domain.proximity import ONET_PREFIX, OnetData

ESCO_ISCO_PREFIX = "http://data.europa.eu/esco/isco/C"
_SKILL_TYPES = (ConceptType.SKILL, ConceptType.KNOWLEDGE)


def index_from_bundle(
    bundle: TaxonomyBundle,
    config: IndexConfig | None = None,
    *,
    crosswalk_provenances: Collection[str] | None = None,
    label_language: str = "en",
) -> MatcherIndex:
    """The matcher index of a bundle. ``crosswalk_provenances`` restricts the ESCO<->O*NET mappings used (all
    mappings between an ESCO occupation and an ``onet:`` occupation when None)."""
    return build_index(taxonomy_data_from_bundle(bundle, crosswalk_provenances, label_language), config)


def taxonomy_data_from_bundle(
    bundle: TaxonomyBundle, crosswalk_provenances: Collection[str] | None = None, label_language: str = "en"
) -> TaxonomyData:
    by_type: dict[ConceptType, list] = defaultdict(list)
    for c in bundle.concepts:
        by_type[c.type].append(c)
    occupations = [c.id for c in by_type[ConceptType.OCCUPATION]]
    skills = [c.id for t in _SKILL_TYPES for c in by_type[t]]
    known = set(skills)
    skills += sorted({r.skill_id for r in bundle.occupation_skills} - known)
    hierarchy = [*by_type[ConceptType.SKILL], *by_type[ConceptType.KNOWLEDGE], *by_type[ConceptType.SKILL_GROUP]]
    return TaxonomyData(
        occupations=occupations,
        skills=skills,
        demands=[(r.occupation_id, r.skill_id, r.relation.value) for r in bundle.occupation_skills],
        skill_broader={c.id: tuple(c.broader) for c in hierarchy if c.broader},
        group_ids=frozenset(c.id for c in by_type[ConceptType.SKILL_GROUP]),
        isco_codes={c.id: code for c in by_type[ConceptType.OCCUPATION] if (code := _isco_code(c))},
        onet=_onet_data(bundle, set(occupations), crosswalk_provenances),
        labels={
            c.id: c.labels[label_language].preferred
            for c in bundle.concepts
            if label_language in c.labels and c.type is not ConceptType.ONET_SKILL
        },
    )


def _isco_code(concept) -> str:
    code = concept.attributes.get("isco_code")
    if code is not None:
        text = str(code).strip()
        return text.zfill(4) if text.isdigit() else text
    for b in concept.broader:
        if b.startswith(ESCO_ISCO_PREFIX) and len(b) - len(ESCO_ISCO_PREFIX) == 4:
            return b[len(ESCO_ISCO_PREFIX) :]
    return ""


def _onet_data(bundle: TaxonomyBundle, occupations: set[str], provenances: Collection[str] | None) -> OnetData:
    links: dict[str, set[str]] = defaultdict(set)
    for m in bundle.mappings:
        if provenances is not None and m.provenance not in provenances:
            continue
        if m.source_id in occupations and m.target_id.startswith(ONET_PREFIX):
            links[m.source_id].add(m.target_id)
        elif m.target_id in occupations and m.source_id.startswith(ONET_PREFIX):
            links[m.target_id].add(m.source_id)
    ratings: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    for r in bundle.onet_skill_ratings:
        ratings[r.onet_id][r.skill_id] = (r.importance, r.level)
    elements = sorted({e for per in ratings.values() for e in per})
    profiles = {
        code: [per.get(e, (0.0, 0.0))[0] for e in elements] + [per.get(e, (0.0, 0.0))[1] for e in elements]
        for code, per in ratings.items()
    }
    zones = {
        c.id: int(c.attributes["job_zone"])
        for c in bundle.concepts
        if c.type is ConceptType.ONET_OCCUPATION and c.attributes.get("job_zone") is not None
    }
    return OnetData(links={k: sorted(v) for k, v in links.items()}, profiles=profiles, job_zones=zones)


def occupations_with_label(bundle: TaxonomyBundle, language: str = "nl") -> frozenset[str]:
    """ESCO occupations that have a preferred label in ``language`` (for the "Dutch label only" filter)."""
    return frozenset(c.id for c in bundle.concepts if c.type is ConceptType.OCCUPATION and language in c.labels)
