"""De Paskamer mode: O*NET skill self-ratings matched to O*NET profiles and carried to ESCO occupations."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_bundle import load_bundle
from overstap_matcher.domain.paskamer import InvalidProfile, OnetProfileIndex

CASHIER = "http://data.europa.eu/esco/occupation/2b871272-bd61-4206-bd1a-0b96d7023098"


@pytest.fixture(scope="module")
def index() -> OnetProfileIndex:
    return OnetProfileIndex(load_bundle())


def own_profile(index: OnetProfileIndex, onet_id: str) -> dict[str, float]:
    row = index.onet_ids.index(onet_id)
    return {s: float(index.level[row, i]) for i, s in enumerate(index.skill_ids)}


def test_the_35_skills_and_the_crosswalk_are_there(index: OnetProfileIndex) -> None:
    assert len(index.skill_ids) == 35
    assert len(index.onet_ids) > 800
    assert len(index.esco_ids) > 2500


def test_a_cashiers_own_profile_finds_the_cashier(index: OnetProfileIndex) -> None:
    matches = index.rank(own_profile(index, "onet:41-2011.00"), k=5)
    assert CASHIER in {m.occupation_id for m in matches}
    top = matches[0]
    assert top.onet_id == "onet:41-2011.00"
    assert top.score == pytest.approx(1.0, abs=1e-6)
    assert not top.shortage


def test_a_shortfall_is_explained_most_costly_first(index: OnetProfileIndex) -> None:
    levels = own_profile(index, "onet:41-2011.00")
    levels["onet-skill:2.B.1.f"] = 0.0  # service orientation
    levels["onet-skill:2.A.1.b"] = 0.0  # active listening
    match = next(m for m in index.rank(levels, k=50) if m.occupation_id == CASHIER)
    assert {g.skill_id for g in match.shortage} >= {"onet-skill:2.B.1.f", "onet-skill:2.A.1.b"}
    points = [g.points for g in match.shortage]
    assert points == sorted(points, reverse=True)
    assert match.score < 1.0


@pytest.mark.parametrize(
    "levels",
    [{}, {"onet-skill:9.9.9": 3.0}, {"onet-skill:2.A.1.a": 8.0}, {"onet-skill:2.A.1.a": -1.0}],
)
def test_invalid_profiles_are_refused(index: OnetProfileIndex, levels: dict[str, float]) -> None:
    with pytest.raises(InvalidProfile):
        index.rank(levels)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=7, allow_nan=False), min_size=35, max_size=35))
def test_scores_lie_in_0_1_and_come_best_first(levels: list[float]) -> None:
    index = _shared_index()
    matches = index.rank(dict(zip(index.skill_ids, levels, strict=True)), k=10)
    scores = [m.score for m in matches]
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert [m.rank for m in matches] == list(range(1, len(matches) + 1))


_INDEX: list[OnetProfileIndex] = []


def _shared_index() -> OnetProfileIndex:
    if not _INDEX:
        _INDEX.append(OnetProfileIndex(load_bundle()))
    return _INDEX[0]


def test_allowed_restricts_results(index: OnetProfileIndex) -> None:
    levels = own_profile(index, "onet:41-2011.00")
    matches = index.rank(levels, k=5, allowed=[CASHIER])
    assert [m.occupation_id for m in matches] == [CASHIER]
    assert np.isfinite(matches[0].score)
