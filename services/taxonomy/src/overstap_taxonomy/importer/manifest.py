"""The bundle's manifest: format, source versions, sources, counts, label coverage, unmatched rows, and the
deterministic version string."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from collections.abc import Mapping as MappingType
from typing import Any

from overstap_bundle import BUNDLE_FORMAT, Concept, ConceptType, TaxonomyBundle
from overstap_bundle.io import content_digest

LANGUAGES = ("en", "nl")
DIGEST_LENGTH = 10
COVERAGE_GROUPS: dict[str, tuple[ConceptType, ...]] = {
    "occupations": (ConceptType.OCCUPATION,),
    "skills": (ConceptType.SKILL, ConceptType.KNOWLEDGE),
    "isco_groups": (ConceptType.ISCO_GROUP,),
    "skill_groups": (ConceptType.SKILL_GROUP,),
    "onet_occupations": (ConceptType.ONET_OCCUPATION,),
    "brc_groups": (ConceptType.BRC_GROUP,),
}


def counts(bundle: TaxonomyBundle) -> dict[str, int]:
    """Flat name -> number (the taxonomy service reports these as they are)."""
    out: dict[str, int] = {"concepts": len(bundle.concepts)}
    for kind, n in Counter(c.type.value for c in bundle.concepts).items():
        out[f"concepts.{kind}"] = n
    out["broader_links"] = sum(len(c.broader) for c in bundle.concepts)
    out["occupation_skills"] = len(bundle.occupation_skills)
    for relation, n in Counter(r.relation.value for r in bundle.occupation_skills).items():
        out[f"occupation_skills.{relation}"] = n
    out["mappings"] = len(bundle.mappings)
    for provenance, n in Counter(m.provenance for m in bundle.mappings).items():
        out[f"mappings.{provenance}"] = n
    out["onet_skill_ratings"] = len(bundle.onet_skill_ratings)
    return dict(sorted(out.items()))


def match_counts(bundle: TaxonomyBundle) -> dict[str, dict[str, int]]:
    """Mappings per provenance and match type."""
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for m in bundle.mappings:
        out[m.provenance][m.match.value] += 1
    return {p: dict(sorted(c.items())) for p, c in sorted(out.items())}


def _coverage(concepts: list[Concept]) -> dict[str, Any]:
    entry: dict[str, Any] = {"total": len(concepts)}
    for lang in LANGUAGES:
        entry[lang] = {
            "preferred": sum(1 for c in concepts if lang in c.labels),
            "with_alt": sum(1 for c in concepts if lang in c.labels and c.labels[lang].alt),
            "description": sum(1 for c in concepts if c.descriptions.get(lang)),
        }
    return entry


def label_coverage(concepts: Iterable[Concept]) -> dict[str, Any]:
    by_type: dict[ConceptType, list[Concept]] = defaultdict(list)
    for c in concepts:
        by_type[c.type].append(c)
    return {
        group: _coverage([c for kind in kinds for c in by_type.get(kind, [])])
        for group, kinds in COVERAGE_GROUPS.items()
    }


def version_string(versions: MappingType[str, str], bundle: TaxonomyBundle) -> str:
    """e.g. ``esco-1.1.1+nl-1.2_onet-29.1_0123456789``: source versions and the start of the content digest."""
    digest = content_digest(bundle)[:DIGEST_LENGTH]
    return f"esco-{versions['esco']}+nl-{versions['esco_nl']}_onet-{versions['onet']}_{digest}"


def build_manifest(
    bundle: TaxonomyBundle,
    versions: MappingType[str, str],
    sources: MappingType[str, Any],
    rules: MappingType[str, str],
    unmatched: MappingType[str, int],
    dutch: MappingType[str, Any],
) -> dict[str, Any]:
    return {
        "bundle_format": BUNDLE_FORMAT,
        "derived_work": "Reformatted and combined from the sources below; see NOTICE for attributions.",
        "versions": dict(versions),
        "sources": dict(sources),
        "counts": counts(bundle),
        "mapping_matches": match_counts(bundle),
        "mapping_rules": dict(rules),
        "label_coverage": label_coverage(bundle.concepts),
        "dutch_labels": dict(dutch),
        "unmatched": dict(sorted((k, v) for k, v in unmatched.items() if v)),
    }
