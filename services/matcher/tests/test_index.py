"""Index construction: idf, skill families, occupation proximity, and the taxonomy-bundle adapter."""

from __future__ import annotations

import math

import numpy as np
import pytest
from overstap_matcher.adapters.bundle import index_from_bundle, occupations_with_label
from overstap_matcher.domain.index import build_index
from overstap_matcher.domain.proximity import isco_depth_matrix, soc_level_matrix
from overstap_matcher.testing import ESCO_OCCUPATION as OCC
from overstap_matcher.testing import ESCO_SKILL as SK
from overstap_matcher.testing import skill_id, synthetic_taxonomy, tiny_bundle


def test_idf_and_relation_weights() -> None:
    index = build_index(synthetic_taxonomy({0: [0, 1], 1: [1], 2: [2]}, {0: [2]}, n_skills=4))
    assert index.idf[0] == pytest.approx(math.log(3 / 1))
    assert index.idf[1] == pytest.approx(math.log(3 / 2))
    assert index.idf[2] == pytest.approx(math.log(3 / 2))
    row = dict(zip(index.demand[0].indices.tolist(), index.demand[0].data.tolist(), strict=True))
    assert row == pytest.approx({0: index.idf[0], 1: index.idf[1], 2: 0.5 * index.idf[2]})
    assert index.demand_essential[:3].tolist() == [True, True, False]


def test_skill_demanded_both_ways_counts_as_essential() -> None:
    index = build_index(synthetic_taxonomy({0: [0]}, {0: [0], 1: [0]}, n_skills=1))
    assert index.demand_essential.tolist() == [True, False]


def test_nearest_group_walks_up_broader_skills() -> None:
    data = synthetic_taxonomy({0: [0, 1]}, n_skills=2, skill_groups={1: [5]})
    data = type(data)(**{**data.__dict__, "skill_broader": {skill_id(0): (skill_id(1),), skill_id(1): ("group:5",)}})
    index = build_index(data)
    assert index.group_id_array.tolist() == ["group:5", "group:5"]


def test_isco_and_soc_levels() -> None:
    depth = isco_depth_matrix(["2511", "2512", "2521", "3111", ""])
    assert depth[0].tolist() == [4, 3, 2, 0, 0]
    assert depth[4, 4] == 0
    levels = soc_level_matrix(["15-1252.00", "15-1252.01", "15-1253.00", "15-1211.00", "15-2011.00", "47-2111.00"])
    assert levels[0].tolist() == [5, 4, 3, 2, 1, 0]


def test_proximity_is_a_unit_interval_matrix_with_ones_on_the_diagonal() -> None:
    data = synthetic_taxonomy(
        {0: [0], 1: [1], 2: [2], 3: [3]},
        n_skills=4,
        isco={0: "2511", 1: "2512", 2: "7212", 3: "2511"},
        onet_links={0: ["15-1252.00"], 1: ["15-1253.00"], 2: ["47-2111.00"]},
        onet_profiles={"15-1252.00": [5, 1, 3], "15-1253.00": [4, 1, 3], "47-2111.00": [1, 5, 2]},
        job_zones={"15-1252.00": 4, "15-1253.00": 4, "47-2111.00": 2},
    )
    prox = build_index(data).proximity
    m = prox.matrix
    assert np.all((m >= 0) & (m <= 1)) and np.allclose(np.diag(m), 1)
    assert m[0, 1] > m[0, 2]  # same SOC broad group, similar profile and zone vs a construction trade
    assert m[0, 3] == pytest.approx(1.0)  # occ 3 has no O*NET link: ISCO alone, same unit group
    reading = prox.explain(0, 1)
    assert reading.onet_pair == ("15-1252.00", "15-1253.00") and reading.shared_soc_levels == 3
    assert reading.job_zone_gap == 0 and reading.shared_isco_digits == 3


def test_index_from_bundle() -> None:
    index = index_from_bundle(tiny_bundle())
    assert index.occupation_ids == (f"{OCC}0", f"{OCC}1", f"{OCC}2")
    assert set(index.skill_ids) == {f"{SK}a", f"{SK}b", f"{SK}c"}
    assert index.isco_codes == ("2511", "2512", "7212")
    assert index.group_id_array[index.skill_pos[f"{SK}a"]] == f"{SK}g"
    assert index.label(f"{OCC}0") == "occupation 0" and index.label(f"{SK}g") == "group g"
    links = [[index.proximity.onet_codes[c] for c in x] for x in index.proximity.links]
    assert links == [["15-1252.00"], ["15-1253.00"], ["15-1253.00"]]
    only = index_from_bundle(tiny_bundle(), crosswalk_provenances={"onet-crosswalk"})
    assert [len(x) for x in only.proximity.links] == [1, 1, 0]
    assert index.proximity.job_zones.tolist() == [4, 4]


def test_occupations_with_label() -> None:
    bundle = tiny_bundle()
    assert occupations_with_label(bundle, "en") == {f"{OCC}0", f"{OCC}1"}
    assert occupations_with_label(bundle, "nl") == frozenset()
