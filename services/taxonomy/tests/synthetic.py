"""A tiny hand-made bundle for fast unit tests of the taxonomy domain."""

from __future__ import annotations

from overstap_bundle import (
    Concept,
    ConceptType,
    LabelSet,
    Mapping,
    MatchType,
    OccupationSkill,
    Relation,
    TaxonomyBundle,
)

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
ISCO = "http://data.europa.eu/esco/isco/C"


def synthetic_bundle() -> TaxonomyBundle:
    concepts = [
        Concept(ISCO + "5", ConceptType.ISCO_GROUP, "5", {"en": LabelSet("Services and sales workers")}),
        Concept(
            ISCO + "5230",
            ConceptType.ISCO_GROUP,
            "5230",
            {"en": LabelSet("Cashiers and ticket clerks"), "nl": LabelSet("Kassamedewerkers en loketbedienden")},
            broader=(ISCO + "5",),
        ),
        Concept(
            OCC + "cashier",
            ConceptType.OCCUPATION,
            "5230.1",
            {"en": LabelSet("cashier", ("checkout operator",)), "nl": LabelSet("kassamedewerker", ("caissière",))},
            {"en": "Cashiers handle payments."},
            broader=(ISCO + "5230",),
            attributes={"isco_code": "5230"},
        ),
        Concept(
            OCC + "nurse",
            ConceptType.OCCUPATION,
            "2221.1",
            {"en": LabelSet("general nurse"), "nl": LabelSet("algemeen verpleegkundige", ("verpleegkundige",))},
        ),
        Concept(
            OCC + "forklift",
            ConceptType.OCCUPATION,
            "8344.1",
            {"en": LabelSet("forklift operator"), "nl": LabelSet("heftruckchauffeur", ("heftruckbestuurder",))},
        ),
        Concept(
            SKILL + "cash",
            ConceptType.SKILL,
            None,
            {"en": LabelSet("handle cash", hidden=("cash handling",)), "nl": LabelSet("met contant geld omgaan")},
        ),
        Concept(SKILL + "care", ConceptType.SKILL, None, {"en": LabelSet("provide nursing care")}),
        Concept(SKILL + "law", ConceptType.KNOWLEDGE, None, {"en": LabelSet("consumer protection law")}),
        Concept("onet:41-2011.00", ConceptType.ONET_OCCUPATION, "41-2011.00", {"en": LabelSet("Cashiers")}),
        Concept("soc2010:41-2011", ConceptType.SOC_2010, "41-2011", {"en": LabelSet("Cashiers")}),
        Concept("brc2014:0111", ConceptType.BRC_GROUP, "0111", {"nl": LabelSet("Verkoopmedewerkers detailhandel")}),
    ]
    relations = [
        OccupationSkill(OCC + "cashier", SKILL + "cash", Relation.ESSENTIAL),
        OccupationSkill(OCC + "cashier", SKILL + "law", Relation.OPTIONAL),
        OccupationSkill(OCC + "nurse", SKILL + "care", Relation.ESSENTIAL),
    ]
    mappings = [
        Mapping(OCC + "cashier", ISCO + "5230", MatchType.BROAD, "esco-isco"),
        Mapping(ISCO + "5230", "brc2014:0111", MatchType.CLOSE, "cbs-isco-brc"),
        Mapping(OCC + "cashier", "onet:41-2011.00", MatchType.EXACT, "onet-esco"),
        Mapping(ISCO + "5230", "soc2010:41-2011", MatchType.CLOSE, "bls-isco-soc"),
    ]
    return TaxonomyBundle("test-1", {"sources": {}, "counts": {}}, concepts, relations, mappings, [])
