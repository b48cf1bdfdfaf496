"""Every mapping direction on the real bundle: ESCO occupation, ISCO-08, BRC 2014, O*NET-SOC 2019/2010, SOC."""

from __future__ import annotations

import pytest
from overstap_bundle import MatchType
from overstap_taxonomy.domain.taxonomy import Taxonomy

from .known import CASHIER, ISCO_5230, SOFTWARE_DEVELOPER

ISCO_2512 = "http://data.europa.eu/esco/isco/C2512"


def targets(taxonomy: Taxonomy, source: str, scheme: str) -> dict[str, MatchType]:
    return {t.concept_id: t.match for t in taxonomy.crosswalks.map(source, scheme)}


@pytest.mark.parametrize(
    ("source", "scheme", "expected", "match"),
    [
        (CASHIER, "isco08", ISCO_5230, MatchType.BROAD),  # ESCO occupation -> ISCO-08 unit group
        (ISCO_5230, "esco", CASHIER, MatchType.NARROW),  # and back
        (ISCO_5230, "brc2014", "brc2014:0333", None),  # ISCO-08 -> BRC 2014 (CBS)
        ("brc2014:0333", "isco08", ISCO_5230, None),  # BRC 2014 -> ISCO-08
        (CASHIER, "brc2014", "brc2014:0333", MatchType.BROAD),  # ESCO -> ISCO-08 -> BRC 2014
        ("brc2014:0333", "esco", CASHIER, MatchType.NARROW),  # BRC 2014 -> ESCO occupations
        (CASHIER, "onet", "onet:41-2011.00", None),  # ESCO -> O*NET-SOC 2019
        ("onet:41-2011.00", "esco", CASHIER, None),  # O*NET-SOC 2019 -> ESCO
        ("onet:41-2011.00", "soc2018", "soc2018:41-2011", MatchType.EXACT),  # O*NET-SOC 2019 -> SOC 2018
        ("soc2018:41-2011", "onet", "onet:41-2011.00", MatchType.EXACT),  # SOC 2018 -> O*NET-SOC 2019
        (ISCO_2512, "soc2010", "soc2010:15-1132", None),  # ISCO-08 -> SOC 2010 (BLS)
        ("soc2010:15-1132", "isco08", ISCO_2512, None),  # SOC 2010 -> ISCO-08
        ("onet2010:41-2011.00", "onet", "onet:41-2011.00", MatchType.EXACT),  # O*NET-SOC 2010 -> 2019
        ("onet:41-2011.00", "onet2010", "onet2010:41-2011.00", MatchType.EXACT),  # 2019 -> 2010
        ("onet2010:41-2011.00", "soc2010", "soc2010:41-2011", MatchType.EXACT),  # O*NET-SOC 2010 -> SOC 2010
        (SOFTWARE_DEVELOPER, "soc2018", "soc2018:15-1252", None),  # ESCO -> O*NET -> SOC 2018
    ],
)
def test_mapping_direction(
    taxonomy: Taxonomy, source: str, scheme: str, expected: str, match: MatchType | None
) -> None:
    found = targets(taxonomy, source, scheme)
    assert expected in found, sorted(found)[:10]
    if match is not None:
        assert found[expected] is match


def test_every_step_names_its_crosswalk(taxonomy: Taxonomy) -> None:
    sources = set(taxonomy.catalog.manifest["sources"])
    for target in taxonomy.crosswalks.map(CASHIER, "brc2014") + taxonomy.crosswalks.map(CASHIER, "soc2018"):
        assert target.path
        assert all(step.provenance in sources for step in target.path)
        assert target.path[0].source_id == CASHIER and target.path[-1].target_id == target.concept_id


def test_mapping_into_the_own_scheme_is_identity(taxonomy: Taxonomy) -> None:
    [same] = taxonomy.crosswalks.map(CASHIER, "esco")
    assert (same.concept_id, same.match, same.path) == (CASHIER, MatchType.EXACT, ())
