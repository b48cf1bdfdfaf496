"""Match-type rules of the crosswalk importer, on small inline crosswalks."""

from __future__ import annotations

from collections import Counter

from overstap_bundle import Concept, ConceptType, LabelSet, MatchType
from overstap_taxonomy.importer import mappings
from overstap_taxonomy.importer.crosswalks import CodePair

ISCO = "http://data.europa.eu/esco/isco/C"


def _isco_index(*codes: str) -> mappings.IscoIndex:
    return mappings.IscoIndex([Concept(ISCO + c, ConceptType.ISCO_GROUP, code=c) for c in codes])


def test_cardinality_rules() -> None:
    pairs = [("a", "x"), ("b", "y"), ("c", "y"), ("d", "z1"), ("d", "z2"), ("e", "w"), ("e", "v"), ("f", "w")]
    matches = mappings.cardinality_matches(pairs, MatchType.EXACT, MatchType.RELATED)
    assert matches[("a", "x")] is MatchType.EXACT  # 1:1
    assert matches[("b", "y")] is MatchType.BROAD  # y also holds c: y is broader
    assert matches[("d", "z1")] is MatchType.NARROW  # d splits into z1 and z2
    assert matches[("e", "w")] is MatchType.RELATED  # e -> w, v and w <- e, f: partial overlap
    assert matches[("e", "v")] is MatchType.NARROW  # v holds only e
    assert matches[("f", "w")] is MatchType.BROAD


def test_isco_index_resolves_padded_codes_to_the_higher_group() -> None:
    index = _isco_index("0", "1", "12", "121", "1211", "0110")
    assert index.resolve("1211") == (ISCO + "1211", True)
    assert index.resolve("0110") == (ISCO + "0110", True)
    assert index.resolve("1210") == (ISCO + "121", False)
    assert index.resolve("1000") == (ISCO + "1", False)
    assert index.resolve("0000") == (ISCO + "0", False)
    assert index.resolve("9999") is None


def test_isco_brc_exact_broad_and_related() -> None:
    index = _isco_index("1", "5230", "5211", "5212")
    pairs = [
        CodePair("5230", "", "0333", ""),
        CodePair("5211", "", "0331", ""),
        CodePair("5212", "", "0331", ""),
        CodePair("1000", "Managers z.n.d.", "0551", ""),
    ]
    brc = {"brc2014:0333", "brc2014:0331", "brc2014:0551"}
    unmatched: Counter[str] = Counter()
    out = {(m.source_id, m.target_id): m.match for m in mappings.isco_brc(pairs, index, brc, unmatched)}
    assert out[(ISCO + "5230", "brc2014:0333")] is MatchType.EXACT
    assert out[(ISCO + "5211", "brc2014:0331")] is MatchType.BROAD
    assert out[(ISCO + "1", "brc2014:0551")] is MatchType.RELATED
    assert not unmatched


def test_onet_detail_codes() -> None:
    unmatched: Counter[str] = Counter()
    out = mappings.onet2019_soc2018(["11-1011.00", "11-1011.03", "99-9999.00"], {"soc2018:11-1011"}, unmatched)
    assert [(m.source_id, m.target_id, m.match) for m in out] == [
        ("onet:11-1011.00", "soc2018:11-1011", MatchType.EXACT),
        ("onet:11-1011.03", "soc2018:11-1011", MatchType.BROAD),
    ]
    assert sum(unmatched.values()) == 1


def test_bls_partial_one_to_one_is_close() -> None:
    index = _isco_index("2111", "2112")
    pairs = [CodePair("2111", "", "19-2011", ""), CodePair("2112", "", "19-2021", "", note="*")]
    out = mappings.isco_soc2010(pairs, index, {"soc2010:19-2011", "soc2010:19-2021"}, Counter())
    assert [m.match for m in out] == [MatchType.EXACT, MatchType.CLOSE]


def test_onet_2010_2019_exact_only_when_unchanged() -> None:
    pairs = [
        CodePair("11-1011.00", "Chief Executives", "11-1011.00", "Chief Executives"),
        CodePair("15-1111.00", "Computer Scientists", "15-1221.00", "Computer Scientists"),
        CodePair("29-1069.99", "Physicians", "29-1229.99", "Physicians, all"),
    ]
    onet = {"onet:11-1011.00", "onet:15-1221.00", "onet:29-1229.99"}
    out = mappings.onet_2010_2019(pairs, onet, Counter())
    assert [m.match for m in out] == [MatchType.EXACT, MatchType.EXACT, MatchType.CLOSE]
    assert out[0].source_id == "onet2010:11-1011.00"


def test_esco_onet_falls_back_to_preferred_label_and_keys_isco_rows() -> None:
    occ = Concept("esco:occ", ConceptType.OCCUPATION, code="2512.4", labels={"en": LabelSet("software\u00a0developer")})
    index = mappings.EscoOccupationIndex([occ])
    pairs = [
        CodePair("2512.9", "Software developer", "15-1252.00", ""),  # code changed between versions
        CodePair("2512", "Software developers", "15-1252.00", ""),  # an ISCO-08 row
        CodePair("9999.1", "unknown", "15-1252.00", ""),
    ]
    unmatched: Counter[str] = Counter()
    out = mappings.esco_onet(pairs, index, _isco_index("2512"), {"onet:15-1252.00"}, unmatched)
    assert {(m.source_id, m.match) for m in out} == {("esco:occ", MatchType.CLOSE), (ISCO + "2512", MatchType.CLOSE)}
    assert sorted(unmatched.values()) == [1, 1]
