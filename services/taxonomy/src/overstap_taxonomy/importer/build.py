"""Assembling the taxonomy bundle from every source: concepts, relations, mappings, ratings and manifest."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from overstap_bundle import Concept, ConceptType, Mapping, TaxonomyBundle

from overstap_taxonomy.importer import crosswalks, mappings
from overstap_taxonomy.importer.cbs import BrcContent, read_brc
from overstap_taxonomy.importer.crosswalks import CodePair
from overstap_taxonomy.importer.esco import EscoDownload, read_esco
from overstap_taxonomy.importer.esco_concepts import EscoConcepts, apply_overlay, esco_concepts
from overstap_taxonomy.importer.esco_nl import add_download_labels, add_preferred_label_list, add_vdab_labels
from overstap_taxonomy.importer.manifest import build_manifest, version_string
from overstap_taxonomy.importer.onet import OnetContent, read_onet
from overstap_taxonomy.importer.overlay import LabelOverlay
from overstap_taxonomy.importer.paths import ImportPaths
from overstap_taxonomy.importer.provenance import source_entry
from overstap_taxonomy.importer.soc import onet2010_concepts, read_soc2018, soc2010_concepts


@dataclass(slots=True)
class Crosswalks:
    esco_onet: list[CodePair]
    isco_soc2010: list[CodePair]
    onet_soc2010: list[CodePair]
    onet_2010_2019: list[CodePair]
    nesta: list[CodePair] | None


def _read_crosswalks(paths: ImportPaths) -> Crosswalks:
    return Crosswalks(
        esco_onet=crosswalks.read_esco_onet(paths.esco_onet_crosswalk),
        isco_soc2010=crosswalks.read_isco_soc2010(paths.isco_soc_crosswalk),
        onet_soc2010=crosswalks.read_onet_soc2010(paths.onet_soc2010),
        onet_2010_2019=crosswalks.read_onet_2010_2019(paths.onet_2010_2019),
        nesta=crosswalks.read_nesta_esco_onet(paths.nesta_crosswalk) if paths.nesta_crosswalk else None,
    )


def _dutch_overlay(paths: ImportPaths, known: frozenset[str]) -> tuple[LabelOverlay, EscoDownload, dict[str, int]]:
    overlay = LabelOverlay("nl", known)
    download = EscoDownload([paths.esco_nl], language="nl", what="ESCO Dutch download (--esco-nl)")
    add_download_labels(overlay, download, "esco-nl")
    add_preferred_label_list(overlay, paths.esco_nl_labels, "esco-nl-labels-v1.0.3")
    vdab = add_vdab_labels(overlay, paths.vdab_mapping, "vdab-esco")
    return overlay, download, vdab


def _dutch_summary(overlay: LabelOverlay, vdab: dict[str, int]) -> dict[str, Any]:
    return {
        "preferred_label_from": dict(sorted(overlay.preferred_sources().items())),
        "ignored_not_in_main_esco": {k: len(v) for k, v in sorted(overlay.ignored.items())},
        "alt_labels_without_preferred_dropped": overlay.without_preferred(),
        "vdab_mapping_rows": dict(sorted(vdab.items())),
    }


def _mappings(
    concepts: dict[str, Concept], onet: OnetContent, walks: Crosswalks, brc: BrcContent, unmatched: Counter[str]
) -> list[Mapping]:
    values = list(concepts.values())
    ids_of = {kind: {c.id for c in values if c.type is kind} for kind in ConceptType}
    isco = mappings.IscoIndex(values)
    onet2010_codes = {p.source for p in walks.onet_2010_2019} | {p.source for p in walks.onet_soc2010}
    out = mappings.esco_isco([c for c in values if c.type is ConceptType.OCCUPATION], isco, unmatched)
    out += mappings.esco_onet(
        walks.esco_onet, mappings.EscoOccupationIndex(values), isco, ids_of[ConceptType.ONET_OCCUPATION], unmatched
    )
    out += mappings.isco_soc2010(walks.isco_soc2010, isco, ids_of[ConceptType.SOC_2010], unmatched)
    out += mappings.onet_2010_2019(walks.onet_2010_2019, ids_of[ConceptType.ONET_OCCUPATION], unmatched)
    out += mappings.onet2010_soc2010(walks.onet_soc2010, ids_of[ConceptType.SOC_2010], unmatched)
    out += mappings.onet2019_soc2018(onet.occupations, ids_of[ConceptType.SOC_2018], unmatched)
    out += mappings.isco_brc(brc.isco_to_group, isco, ids_of[ConceptType.BRC_GROUP], unmatched)
    if walks.nesta is not None:
        occupations = ids_of[ConceptType.OCCUPATION]
        out += mappings.nesta_esco_onet2010(walks.nesta, occupations, onet2010_codes, unmatched)
    return sorted(set(out), key=lambda m: (m.provenance, m.source_id, m.target_id, m.match.value))


def _sources(
    paths: ImportPaths, english: EscoDownload, dutch: EscoDownload, onet: OnetContent, versions: dict[str, str]
) -> dict[str, Any]:
    onet_files = [f for f in onet.files if f != paths.onet_skills]
    sources = {
        "esco": source_entry("esco", english.used, paths, versions["esco"]),
        "esco-nl": source_entry("esco-nl", dutch.used, paths, versions["esco_nl"]),
        "esco-nl-labels-v1.0.3": source_entry("esco-nl-labels-v1.0.3", [paths.esco_nl_labels], paths, "1.0.3"),
        "vdab-esco": source_entry("vdab-esco", [paths.vdab_mapping], paths, "1.0"),
        "onet": source_entry("onet", onet_files, paths, onet.version),
        "onet-skills": source_entry("onet-skills", [paths.onet_skills], paths, onet.version),
        "onet-esco": source_entry("onet-esco", [paths.esco_onet_crosswalk], paths),
        "bls-isco-soc2010": source_entry("bls-isco-soc2010", [paths.isco_soc_crosswalk], paths),
        "onet-soc2010": source_entry("onet-soc2010", [paths.onet_soc2010], paths),
        "onet-soc-2010-2019": source_entry("onet-soc-2010-2019", [paths.onet_2010_2019], paths),
        "onet-soc-2019-structure": source_entry("onet-soc-2019-structure", [paths.soc2019_structure], paths),
        "cbs-brc2014": source_entry("cbs-brc2014", [paths.brc2014, paths.isco_brc_crosswalk], paths),
    }
    if paths.nesta_crosswalk is not None:
        sources["nesta-esco-onet2010"] = source_entry("nesta-esco-onet2010", [paths.nesta_crosswalk], paths)
    return sources


def _all_concepts(
    esco: EscoConcepts,
    onet: OnetContent,
    onet2010: dict[str, Concept],
    soc2018: dict[str, Concept],
    soc2010: dict[str, Concept],
    brc: BrcContent,
) -> dict[str, Concept]:
    concepts = dict(esco.concepts)
    for group in (onet.occupations, onet2010, onet.skills, soc2018, soc2010, brc.groups):
        concepts.update({c.id: c for c in group.values()})
    return concepts


def build_bundle(paths: ImportPaths) -> TaxonomyBundle:
    """Read every source under ``paths`` and return the bundle, manifest and version included."""
    english = EscoDownload(paths.esco, what="ESCO download (--esco)")
    esco = esco_concepts(read_esco(english))
    overlay, dutch, vdab = _dutch_overlay(paths, frozenset(esco.concepts))
    apply_overlay(esco.concepts, overlay)
    onet = read_onet(paths.onet, paths.onet_skills)
    walks = _read_crosswalks(paths)
    soc2010 = soc2010_concepts(
        [(p.target, p.target_title) for p in walks.isco_soc2010]
        + [(p.target, p.target_title) for p in walks.onet_soc2010]
    )
    brc = read_brc(paths.brc2014, paths.isco_brc_crosswalk)
    onet2010 = onet2010_concepts(
        [(p.source, p.source_title) for p in walks.onet_2010_2019]
        + [(p.source, p.source_title) for p in walks.onet_soc2010]
    )
    concepts = _all_concepts(esco, onet, onet2010, read_soc2018(paths.soc2019_structure), soc2010, brc)
    unmatched: Counter[str] = Counter(esco.unmatched)
    unmatched.update(onet.unmatched)
    bundle = TaxonomyBundle(
        version="",
        manifest={},
        concepts=sorted(concepts.values(), key=lambda c: c.id),
        occupation_skills=esco.occupation_skills,
        mappings=_mappings(concepts, onet, walks, brc, unmatched),
        onet_skill_ratings=sorted(onet.ratings, key=lambda r: (r.onet_id, r.skill_id)),
    )
    versions = {"esco": english.version, "esco_nl": dutch.version, "onet": onet.version}
    bundle.version = version_string(versions, bundle)
    bundle.manifest = build_manifest(
        bundle,
        versions,
        _sources(paths, english, dutch, onet, versions),
        {k: v for k, v in mappings.MATCH_RULES.items() if k in {m.provenance for m in bundle.mappings}},
        unmatched,
        _dutch_summary(overlay, vdab),
    )
    return bundle
