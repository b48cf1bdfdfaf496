"""Label search quality on the real bundle: Dutch and English queries whose obvious answer must come first."""

from __future__ import annotations

import pytest
from overstap_bundle import ConceptType
from overstap_taxonomy.domain.taxonomy import Taxonomy

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
ISCO = "http://data.europa.eu/esco/isco/C"

# (query, types to search, the concept that must rank first)
FIRST = [
    ("kassamedewerker", (), OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"),
    ("Kassamedewerker", (), OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"),
    ("kassamedewerkr", (), OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"),  # typo
    ("verpleegkundige", (ConceptType.OCCUPATION,), OCC + "8d3e8aaa-791b-4c75-a465-f3f827028f50"),
    ("heftruckchauffeur", (), OCC + "eeac6251-1974-42f5-91ed-513c6c883755"),
    ("heftruck chauffeur", (), OCC + "eeac6251-1974-42f5-91ed-513c6c883755"),  # compound written apart
    ("heftrukchauffeur", (), OCC + "eeac6251-1974-42f5-91ed-513c6c883755"),  # typo
    ("vorkheftruckbestuurder", (), OCC + "eeac6251-1974-42f5-91ed-513c6c883755"),  # alternative label
    ("software developer", (), OCC + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"),
    ("sofware developer", (), OCC + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"),  # typo
    ("softwareontwikkelaar", (ConceptType.OCCUPATION,), OCC + "f2b15a0e-e65a-438a-affb-29b9d50b77d1"),
    ("cashier", (), OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"),
    ("forklift operator", (), OCC + "eeac6251-1974-42f5-91ed-513c6c883755"),
    ("timmerman", (), OCC + "2a22ff9e-de3b-408d-b312-5034896cc4f4"),
    ("bakker", (), OCC + "1aadb308-432a-4d01-b54b-b4f7f76dd419"),
    ("loodgieter", (), OCC + "ed3cf43d-c2c1-4c46-82fc-1375e27e0290"),
    ("leraar basisonderwijs", (), OCC + "03d79393-7b30-4159-945b-01963eddd302"),
    ("podiumbouwer", (), OCC + "6cfba9ca-f9a0-4a50-a8d3-064d88c928b1"),
    ("Python", (ConceptType.SKILL, ConceptType.KNOWLEDGE), SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"),
    ("kassa bedienen", (), SKILL + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"),
    ("operate cash register", (), SKILL + "0cb013af-6dd9-4fb2-b34e-63dda1a5cf82"),
    ("Softwareontwikkelaars", (ConceptType.ISCO_GROUP,), ISCO + "2512"),
    ("Kassamedewerkers", (ConceptType.BRC_GROUP,), "brc2014:0333"),
    ("Registered Nurses", (ConceptType.ONET_OCCUPATION,), "onet:29-1141.00"),
    ("reading comprehension", (ConceptType.ONET_SKILL,), "onet-skill:2.A.1.a"),
]


@pytest.fixture(scope="module")
def tax(taxonomy: Taxonomy) -> Taxonomy:
    return taxonomy


@pytest.mark.parametrize(("query", "types", "expected"), FIRST, ids=[q for q, _, _ in FIRST])
def test_obvious_concept_comes_first(tax: Taxonomy, query: str, types: tuple[ConceptType, ...], expected: str) -> None:
    hits = tax.search_index.search(query, types=types, limit=3).hits
    assert hits, f"nothing found for {query!r}"
    assert hits[0].concept_id == expected, [(h.concept_id, h.label) for h in hits]


def test_dutch_and_english_labels_both_found_for_one_concept(tax: Taxonomy) -> None:
    dutch = tax.search_index.search("kassamedewerker", limit=1).hits[0]
    english = tax.search_index.search("cashier", limit=1).hits[0]
    assert dutch.concept_id == english.concept_id
    assert (dutch.language, english.language) == ("nl", "en")


def test_type_filter_keeps_only_that_type(tax: Taxonomy) -> None:
    hits = tax.search_index.search("kassa", types=(ConceptType.SKILL,), limit=20).hits
    assert hits and all(tax.catalog.concepts[h.concept_id].type is ConceptType.SKILL for h in hits)
