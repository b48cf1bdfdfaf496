"""A small hand-made taxonomy bundle, served by the real taxonomy service code, for tests that do not need the
real bundle: named occupations with essential/optional skills, crosswalk codes (ISCO-08, BRC 2014, O*NET-SOC)
that map to one or to several ESCO occupations, and 400 numbered skills for big passports."""

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

CASHIER = OCC + "cashier"
SHOP_ASSISTANT = OCC + "shop-assistant"
NURSE = OCC + "nurse"
CASH = SKILL + "cash"
CUSTOMERS = SKILL + "customers"
LAW = SKILL + "consumer-law"
CARE = SKILL + "nursing-care"
HYGIENE = SKILL + "hygiene"
NUMBERED = [SKILL + f"n{i:03d}" for i in range(400)]


def synthetic_bundle() -> TaxonomyBundle:
    def skill(uri: str, nl: str, en: str, kind: ConceptType = ConceptType.SKILL) -> Concept:
        return Concept(uri, kind, None, {"nl": LabelSet(nl), "en": LabelSet(en)})

    concepts = [
        Concept(ISCO + "5230", ConceptType.ISCO_GROUP, "5230", {"en": LabelSet("Cashiers and ticket clerks")}),
        Concept(ISCO + "2221", ConceptType.ISCO_GROUP, "2221", {"en": LabelSet("Nursing professionals")}),
        Concept(
            CASHIER, ConceptType.OCCUPATION, "5230.1", {"nl": LabelSet("kassamedewerker"), "en": LabelSet("cashier")}
        ),
        Concept(SHOP_ASSISTANT, ConceptType.OCCUPATION, "5230.2", {"nl": LabelSet("winkelassistent")}),
        Concept(NURSE, ConceptType.OCCUPATION, "2221.1", {"nl": LabelSet("verpleegkundige")}),
        skill(CASH, "met contant geld omgaan", "handle cash"),
        skill(CUSTOMERS, "klanten helpen", "assist customers"),
        skill(LAW, "consumentenrecht", "consumer protection law", ConceptType.KNOWLEDGE),
        skill(CARE, "verpleegkundige zorg verlenen", "provide nursing care"),
        skill(HYGIENE, "hygiëne bewaken", "monitor hygiene"),
        Concept("onet:41-2011.00", ConceptType.ONET_OCCUPATION, "41-2011.00", {"en": LabelSet("Cashiers")}),
        Concept("brc2014:0111", ConceptType.BRC_GROUP, "0111", {"nl": LabelSet("Verkoopmedewerkers detailhandel")}),
        Concept("brc2014:0211", ConceptType.BRC_GROUP, "0211", {"nl": LabelSet("Verpleegkundigen")}),
        *(skill(uri, f"vaardigheid {i}", f"skill {i}") for i, uri in enumerate(NUMBERED)),
    ]
    relations = [
        OccupationSkill(CASHIER, CASH, Relation.ESSENTIAL),
        OccupationSkill(CASHIER, CUSTOMERS, Relation.ESSENTIAL),
        OccupationSkill(CASHIER, LAW, Relation.OPTIONAL),
        OccupationSkill(SHOP_ASSISTANT, CUSTOMERS, Relation.ESSENTIAL),
        OccupationSkill(NURSE, CARE, Relation.ESSENTIAL),
        OccupationSkill(NURSE, HYGIENE, Relation.ESSENTIAL),
        OccupationSkill(NURSE, CUSTOMERS, Relation.OPTIONAL),
    ]
    mappings = [
        Mapping(CASHIER, ISCO + "5230", MatchType.BROAD, "esco-isco"),
        Mapping(SHOP_ASSISTANT, ISCO + "5230", MatchType.BROAD, "esco-isco"),
        Mapping(NURSE, ISCO + "2221", MatchType.BROAD, "esco-isco"),
        Mapping(ISCO + "5230", "brc2014:0111", MatchType.CLOSE, "cbs-isco-brc"),
        Mapping(ISCO + "2221", "brc2014:0211", MatchType.CLOSE, "cbs-isco-brc"),
        Mapping(CASHIER, "onet:41-2011.00", MatchType.EXACT, "onet-esco"),
    ]
    return TaxonomyBundle("synthetic-1", {"sources": {}, "counts": {}}, concepts, relations, mappings, [])
