"""Catalogue, search and mapping behaviour on a tiny hand-made taxonomy."""

from __future__ import annotations

import pytest
from overstap_bundle import ConceptType, MatchType, Relation
from overstap_taxonomy.domain.catalog import UnknownConcept, UnknownScheme, resolve_language
from overstap_taxonomy.domain.taxonomy import Taxonomy

from .synthetic import ISCO, OCC, SKILL, synthetic_bundle


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy(synthetic_bundle())


def test_lookup_by_uri_scheme_code_and_prefixed_code(tax: Taxonomy) -> None:
    assert tax.catalog.resolve_id(OCC + "cashier") == OCC + "cashier"
    assert tax.catalog.resolve_id("5230", scheme="isco08") == ISCO + "5230"
    assert tax.catalog.resolve_id("isco08:5230") == ISCO + "5230"
    assert tax.catalog.resolve_id("onet:41-2011.00") == "onet:41-2011.00"
    assert tax.catalog.resolve_id("41-2011.00", scheme="onet") == "onet:41-2011.00"
    with pytest.raises(UnknownConcept):
        tax.catalog.resolve_id("isco08:9999")
    with pytest.raises(UnknownScheme):
        tax.catalog.resolve_id("5230", scheme="nonsense")


def test_labels_fall_back_and_say_their_language(tax: Taxonomy) -> None:
    cashier = tax.catalog.get(OCC + "cashier")
    assert tax.catalog.label(cashier, "nl").text == "kassamedewerker"
    law = tax.catalog.get(SKILL + "law")
    label = tax.catalog.label(law, "nl")
    assert (label.text, label.language) == ("consumer protection law", "en")
    assert tax.catalog.description(cashier, "nl").language == "en"
    with pytest.raises(ValueError):
        resolve_language("fr")


def test_occupation_profile_and_reverse(tax: Taxonomy) -> None:
    assert tax.catalog.skills_of(OCC + "cashier") == [
        (SKILL + "cash", Relation.ESSENTIAL),
        (SKILL + "law", Relation.OPTIONAL),
    ]
    assert tax.catalog.skills_of(OCC + "cashier", Relation.OPTIONAL) == [(SKILL + "law", Relation.OPTIONAL)]
    assert tax.catalog.occupations_needing(SKILL + "cash") == [(OCC + "cashier", Relation.ESSENTIAL)]
    with pytest.raises(UnknownConcept):
        tax.catalog.skills_of(SKILL + "cash")
    assert tax.catalog.narrower[ISCO + "5230"] == [OCC + "cashier"]


def top(tax: Taxonomy, query: str, *types: ConceptType) -> str:
    page = tax.search_index.search(query, types=types)
    assert page.hits, f"no hit for {query!r}"
    return page.hits[0].concept_id


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kassamedewerker", OCC + "cashier"),
        ("KASSAMEDEWERKER", OCC + "cashier"),
        ("caissiere", OCC + "cashier"),  # accent-insensitive
        ("kassamedewerkr", OCC + "cashier"),  # typo
        ("kassamede", OCC + "cashier"),  # unfinished word
        ("verpleegkundige", OCC + "nurse"),
        ("heftruck chauffeur", OCC + "forklift"),
        ("cash handling", SKILL + "cash"),  # hidden label
    ],
)
def test_search_finds_the_obvious_concept(tax: Taxonomy, query: str, expected: str) -> None:
    assert top(tax, query) == expected


def test_search_filters_by_type_and_pages(tax: Taxonomy) -> None:
    assert top(tax, "cashiers", ConceptType.ONET_OCCUPATION) == "onet:41-2011.00"
    full = tax.search_index.search("cash", limit=10)
    first = tax.search_index.search("cash", limit=1)
    second = tax.search_index.search("cash", offset=1, limit=1)
    assert first.total == second.total == full.total >= 2
    assert [h.concept_id for h in first.hits + second.hits] == [h.concept_id for h in full.hits[:2]]
    assert tax.search_index.search("zzzzqqq").total == 0
    assert tax.search_index.search("   ").total == 0


def test_mapping_esco_occupation_to_isco_to_brc(tax: Taxonomy) -> None:
    [isco] = tax.crosswalks.map(OCC + "cashier", "isco08")
    assert (isco.concept_id, isco.match) == (ISCO + "5230", MatchType.BROAD)
    [brc] = tax.crosswalks.map(OCC + "cashier", "brc2014")
    assert brc.concept_id == "brc2014:0111"
    assert brc.match is MatchType.BROAD
    assert [s.provenance for s in brc.path] == ["esco-isco", "cbs-isco-brc"]
    [back] = tax.crosswalks.map("brc2014:0111", "isco08")
    assert back.concept_id == ISCO + "5230"
    [esco] = tax.crosswalks.map("onet:41-2011.00", "esco")
    assert (esco.concept_id, esco.match) == (OCC + "cashier", MatchType.EXACT)
    with pytest.raises(UnknownScheme):
        tax.crosswalks.map(OCC + "cashier", "nope")
