"""Evidence levels, per-skill weights, the hard-evidence rule, filters and input handling."""

from __future__ import annotations

import pytest
from overstap_matcher.domain.filters import compile_filters, job_zones_via_crosswalk
from overstap_matcher.domain.index import build_index
from overstap_matcher.domain.model import Evidence, EvidenceWeights, Filters, OfferedSkill, Person, ScoringConfig
from overstap_matcher.domain.ranking import rank, scores
from overstap_matcher.testing import occupation_id, skill_id, synthetic_taxonomy

O0, O1, O2 = (occupation_id(i) for i in range(3))


def small_index(gates=()):
    """occ:0 demands skills 0,1 (essential) and 2 (optional); occ:1 demands 1,3; occ:2 demands 4."""
    data = synthetic_taxonomy(
        {0: [0, 1], 1: [1, 3], 2: [4]},
        {0: [2]},
        n_skills=6,
        isco={0: "2511", 1: "2512", 2: "7212"},
        required_evidence=gates,
    )
    return build_index(data)


def score_of(index, person: Person, occ: str, config: ScoringConfig | None = None) -> float:
    return float(scores(index, person, config)[index.occupation_pos[occ]])


def test_evidence_levels_order_the_credit() -> None:
    index = small_index()
    by_level = [score_of(index, Person([OfferedSkill(skill_id(0), ev)]), O0) for ev in Evidence if ev]
    assert by_level == sorted(by_level) and by_level[0] < by_level[-1]


def test_per_skill_weight_scales_the_credit() -> None:
    index = small_index()
    full = score_of(index, Person([OfferedSkill(skill_id(0), Evidence.HARD, 1.0)]), O0)
    half = score_of(index, Person([OfferedSkill(skill_id(0), Evidence.HARD, 0.5)]), O0)
    assert half < full
    with pytest.raises(ValueError):
        OfferedSkill(skill_id(0), Evidence.HARD, 0.0)


def test_custom_evidence_weights() -> None:
    index = small_index()
    flat = ScoringConfig(evidence=EvidenceWeights(hard=1.0, semi_hard=1.0, soft=1.0))
    soft = score_of(index, Person([OfferedSkill(skill_id(0), Evidence.SOFT)]), O0, flat)
    hard = score_of(index, Person([OfferedSkill(skill_id(0), Evidence.HARD)]), O0, flat)
    assert soft == hard


def test_hard_evidence_rule_counts_a_skill_only_with_hard_evidence() -> None:
    index = small_index(gates=[(0, 0, Evidence.HARD)])
    nothing = score_of(index, Person([]), O0)
    semi = Person([OfferedSkill(skill_id(0), Evidence.SEMI_HARD)])
    hard = Person([OfferedSkill(skill_id(0), Evidence.HARD)])
    assert score_of(index, semi, O0) == nothing
    assert score_of(index, hard, O0) > nothing
    # the gate is per demand: occupations without it are not affected
    assert small_index().demand_total[0] == index.demand_total[0]
    match = next(m for m in rank(index, semi, k=3).matches if m.occupation_id == O0)
    gated = next(s for s in match.shortage if s.skill_id == skill_id(0))
    assert gated.evidence_required is Evidence.HARD
    assert skill_id(0) not in match.surplus and not match.productive
    ok = next(m for m in rank(index, hard, k=3).matches if m.occupation_id == O0)
    assert [p.skill_id for p in ok.productive] == [skill_id(0)]


def test_shortage_lists_essential_first_with_group() -> None:
    data = synthetic_taxonomy({0: [0, 1], 1: [2]}, {0: [2]}, n_skills=3, skill_groups={0: [7], 1: [8], 2: [8]})
    index = build_index(data)
    match = rank(index, Person([OfferedSkill(skill_id(2))]), k=2).matches
    m0 = next(m for m in match if m.occupation_id == O0)
    assert [(s.skill_id, s.relation) for s in m0.shortage] == [(skill_id(0), "essential"), (skill_id(1), "essential")]
    assert [s.group_id for s in m0.shortage] == ["group:7", "group:8"]
    # skill 1 shares group 8 with the offered skill 2: partial credit, and where it comes from
    assert m0.shortage[1].related_credit > 0 and m0.shortage[1].related_via == skill_id(2)
    assert m0.shortage[0].related_credit == 0 and m0.shortage[0].related_via is None


def test_filters() -> None:
    index = small_index()
    person = Person([OfferedSkill(skill_id(s)) for s in (0, 1, 3, 4)])
    ids = lambda f: [m.occupation_id for m in rank(index, person, filters=f, k=10).matches]  # noqa: E731
    assert set(ids(None)) == {O0, O1, O2}
    assert set(ids(Filters(isco_major_groups={"2"}))) == {O0, O1}
    assert set(ids(Filters(allowed={O1, O2}))) == {O1, O2}
    assert set(ids(Filters(allowed=lambda o: o != O1))) == {O0, O2}
    zones = {O0: 4, O1: 2}
    assert set(ids(Filters(job_zones=zones, allowed_job_zones={2, 3}))) == {O1}
    all_scores = scores(index, person)
    cut = sorted(all_scores)[1]
    assert set(ids(Filters(min_score=cut))) == {index.occupation_ids[i] for i in range(3) if all_scores[i] >= cut}
    compiled = compile_filters(index, Filters(isco_major_groups={"7"}))
    assert ids(compiled) == [O2]


def test_unknown_inputs_are_reported_not_fatal() -> None:
    index = small_index()
    ranking = rank(index, Person([OfferedSkill("skill:nope"), OfferedSkill(skill_id(0))], ["occ:nope"]), k=2)
    assert ranking.unknown_skills == ("skill:nope",)
    assert ranking.unknown_occupations == ("occ:nope",)
    assert len(ranking.matches) == 2


def test_empty_person_scores_zero_everywhere() -> None:
    index = small_index()
    assert scores(index, Person()).tolist() == [0.0, 0.0, 0.0]
    assert all(m.score == 0.0 and m.background is None for m in rank(index, Person(), k=3).matches)


def test_declared_occupation_gives_background_with_reason() -> None:
    index = small_index()
    match = rank(index, Person([], [O0]), k=3).matches
    assert [m.occupation_id for m in match][0] == O1  # same ISCO minor group 251
    assert match[0].background is not None and match[0].background.declared
    assert match[0].background.origin_id == O0 and match[0].background.shared_isco_digits == 3


def test_config_rejects_weights_that_do_not_add_up() -> None:
    with pytest.raises(ValueError):
        ScoringConfig(coverage_weight=0.5, use_weight=0.5, background_weight=0.5)


def test_job_zones_via_crosswalk() -> None:
    data = synthetic_taxonomy(
        {0: [0], 1: [1], 2: [2]},
        n_skills=3,
        onet_links={0: ["15-1252.00", "15-1253.00", "47-2111.00"], 1: ["47-2111.00"]},
        job_zones={"15-1252.00": 4, "15-1253.00": 3, "47-2111.00": 2},
    )
    assert job_zones_via_crosswalk(build_index(data)) == {O0: 3, O1: 2}


def test_inferred_backgrounds_next_to_declared_ones_only_on_request() -> None:
    index = small_index()
    person = Person([OfferedSkill(skill_id(0)), OfferedSkill(skill_id(1)), OfferedSkill(skill_id(2))], [O2])
    by_default = {m.occupation_id: m for m in rank(index, person, k=3).matches}
    assert by_default[O1].background is None or by_default[O1].background.origin_id == O2
    mixed = ScoringConfig(inferred_weight_with_declared=1.0)
    with_inferred = {m.occupation_id: m for m in rank(index, person, config=mixed, k=3).matches}
    assert with_inferred[O1].background is not None and not with_inferred[O1].background.declared
    assert with_inferred[O1].background.origin_id == O0  # the skills cover occ:0 fully
    assert with_inferred[O1].score > by_default[O1].score
