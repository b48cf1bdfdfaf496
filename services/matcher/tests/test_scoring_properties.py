"""Properties of the scorer on small random taxonomies (hypothesis)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from overstap_matcher.domain.index import MatcherIndex, build_index
from overstap_matcher.domain.model import ESSENTIAL, Evidence, ListCounts, OfferedSkill, Person, ScoringConfig
from overstap_matcher.domain.ranking import rank
from overstap_matcher.domain.scoring import encode_person, score_all
from overstap_matcher.testing import occupation_id, skill_id, synthetic_taxonomy

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EVIDENCE = st.sampled_from([Evidence.SOFT, Evidence.SEMI_HARD, Evidence.HARD])


@dataclass(frozen=True)
class World:
    index: MatcherIndex
    demands: dict[int, set[int]]  # occupation -> demanded skills
    n_occ: int
    n_skills: int


@st.composite
def worlds(draw: st.DrawFn, with_gates: bool = False) -> World:
    n_skills = draw(st.integers(3, 14))
    n_occ = draw(st.integers(2, 7))
    skill = st.integers(0, n_skills - 1)
    essential = {o: draw(st.sets(skill, min_size=1, max_size=6)) for o in range(n_occ)}
    optional = {o: draw(st.sets(skill, max_size=5)) - essential[o] for o in range(n_occ)}
    groups = {s: draw(st.lists(st.integers(0, 3), max_size=2, unique=True)) for s in range(n_skills)}
    isco = {o: draw(st.sampled_from(["2511", "2512", "2521", "3111", "7212"])) for o in range(n_occ)}
    codes = ["15-1252.00", "15-1253.00", "15-1211.00", "47-2111.00", "15-1252.01"]
    links = {o: draw(st.lists(st.sampled_from(codes), max_size=2, unique=True)) for o in range(n_occ)}
    profiles = {c: draw(st.lists(st.floats(1, 5), min_size=4, max_size=4)) for c in codes[:4]}
    zones = {c: draw(st.integers(1, 5)) for c in codes[:3]}
    gates = []
    if with_gates:
        for o in range(n_occ):
            for s in sorted(essential[o] | optional[o]):
                if draw(st.booleans()):
                    gates.append((o, s, draw(st.sampled_from([Evidence.SEMI_HARD, Evidence.HARD]))))
    data = synthetic_taxonomy(
        {o: sorted(v) for o, v in essential.items()},
        {o: sorted(v) for o, v in optional.items()},
        n_skills=n_skills,
        skill_groups=groups,
        isco=isco,
        onet_links=links,
        onet_profiles=profiles,
        job_zones=zones,
        required_evidence=gates,
    )
    demands = {o: essential[o] | optional[o] for o in range(n_occ)}
    return World(build_index(data), demands, n_occ, n_skills)


@st.composite
def persons(draw: st.DrawFn, world: World, declared: bool | None = None) -> Person:
    skills = draw(st.lists(st.integers(0, world.n_skills - 1), max_size=world.n_skills, unique=True))
    offered = [OfferedSkill(skill_id(s), draw(EVIDENCE), draw(st.floats(0.05, 1.0))) for s in skills]
    with_occ = draw(st.booleans()) if declared is None else declared
    occs = draw(st.lists(st.integers(0, world.n_occ - 1), max_size=2, unique=True)) if with_occ else []
    return Person(skills=offered, occupations=[occupation_id(o) for o in occs])


def all_scores(index: MatcherIndex, person: Person, config: ScoringConfig | None = None) -> np.ndarray:
    config = config or ScoringConfig()
    return score_all(index, encode_person(index, person, config), config).score


@given(st.data())
@SETTINGS
def test_score_in_unit_interval_and_parts_sum_to_score(data: st.DataObject) -> None:
    world = data.draw(worlds(with_gates=data.draw(st.booleans())))
    person = data.draw(persons(world))
    ranking = rank(world.index, person, k=world.n_occ, include_own=True)
    assert len(ranking.matches) == world.n_occ
    for m in ranking.matches:
        assert 0.0 <= m.score <= 1.0
        assert sum(m.parts.values()) == m.score  # exact: the score is computed as this very sum
        assert all(0.0 <= v <= 1.0 for v in m.parts.values())
    scores = [m.score for m in ranking.matches]
    assert scores == sorted(scores, reverse=True)


@given(st.data())
@SETTINGS
def test_adding_a_demanded_skill_never_lowers_that_occupation(data: st.DataObject) -> None:
    world = data.draw(worlds(with_gates=data.draw(st.booleans())))
    person = data.draw(persons(world))
    target = data.draw(st.integers(0, world.n_occ - 1))
    offered = {world.index.skill_pos[s.skill_id] for s in person.skills}
    missing = sorted(world.demands[target] - offered)
    assume(missing)
    new = OfferedSkill(
        skill_id(data.draw(st.sampled_from(missing))), data.draw(EVIDENCE), data.draw(st.floats(0.05, 1))
    )
    before = all_scores(world.index, person)[target]
    after = all_scores(world.index, Person([*person.skills, new], person.occupations))[target]
    assert after >= before - 1e-12


@given(st.data())
@SETTINGS
def test_stronger_evidence_or_weight_never_lowers_a_score(data: st.DataObject) -> None:
    world = data.draw(worlds(with_gates=True))
    person = data.draw(persons(world))
    assume(person.skills)
    i = data.draw(st.integers(0, len(person.skills) - 1))
    old = person.skills[i]
    stronger = OfferedSkill(old.skill_id, Evidence(max(old.evidence, data.draw(EVIDENCE))), 1.0)
    target = data.draw(st.integers(0, world.n_occ - 1))
    assume(world.index.skill_pos[old.skill_id] in world.demands[target])
    skills = [*person.skills[:i], stronger, *person.skills[i + 1 :]]
    before = all_scores(world.index, person)[target]
    after = all_scores(world.index, Person(skills, person.occupations))[target]
    assert after >= before - 1e-12


@given(st.data())
@SETTINGS
def test_essential_skill_outweighs_optional_one_of_equal_rarity(data: st.DataObject) -> None:
    """Target 0 demands skill E (essential) and skill O (optional); nobody else demands either (equal idf)."""
    n_other = data.draw(st.integers(1, 4))
    n_skills = 8
    e_skill, o_skill = 6, 7
    essential = {0: [e_skill, *data.draw(st.sets(st.integers(0, 5), max_size=3))]}
    optional = {0: [o_skill]}
    for o in range(1, n_other + 1):
        essential[o] = sorted(data.draw(st.sets(st.integers(0, 5), min_size=1, max_size=4)))
    groups = {s: [data.draw(st.integers(0, 2))] for s in range(6)}
    index = build_index(synthetic_taxonomy(essential, optional, n_skills=n_skills, skill_groups=groups))
    base = data.draw(st.lists(st.integers(0, 5), unique=True, max_size=4))
    evidence = data.draw(EVIDENCE)
    skills = [OfferedSkill(skill_id(s), evidence) for s in base]
    declared = [occupation_id(1)] if data.draw(st.booleans()) else []
    with_e = all_scores(index, Person([*skills, OfferedSkill(skill_id(e_skill), evidence)], declared))[0]
    with_o = all_scores(index, Person([*skills, OfferedSkill(skill_id(o_skill), evidence)], declared))[0]
    assert with_e > with_o


@given(st.data())
@SETTINGS
def test_explanation_partitions_the_demands(data: st.DataObject) -> None:
    world = data.draw(worlds(with_gates=data.draw(st.booleans())))
    person = data.draw(persons(world))
    config = ScoringConfig()
    for m in rank(world.index, person, k=world.n_occ, include_own=True).matches:
        demanded = {world.index.skill_ids[s] for s in world.demands[world.index.occupation_pos[m.occupation_id]]}
        productive = {p.skill_id for p in m.productive}
        shortage = {s.skill_id for s in m.shortage}
        assert productive.isdisjoint(shortage) and productive | shortage == demanded
        offered = {s.skill_id for s in person.skills}
        assert set(m.surplus) == offered - demanded
        assert productive <= offered
        relations = [s.relation for s in m.shortage]
        assert relations == sorted(relations, key=lambda r: r != "essential")  # essential first
        assert sum(p.coverage for p in m.productive) == pytest.approx(m.parts["coverage"], abs=1e-9)
        assert sum(p.use for p in m.productive) == pytest.approx(m.parts["skill_use"], abs=1e-9)
        related = sum(p.related for p in m.productive) + sum(s.related_credit for s in m.shortage)
        assert related == pytest.approx(m.parts["related_skills"], abs=1e-9)
        assert m.parts["background"] <= config.background_weight + 1e-12


@given(st.data())
@SETTINGS
def test_own_occupations_are_excluded_unless_asked(data: st.DataObject) -> None:
    world = data.draw(worlds())
    person = data.draw(persons(world, declared=True))
    assume(person.occupations)
    default = {m.occupation_id for m in rank(world.index, person, k=world.n_occ).matches}
    assert default.isdisjoint(person.occupations)
    assert len(default) == world.n_occ - len(person.occupations)
    everything = {m.occupation_id for m in rank(world.index, person, k=world.n_occ, include_own=True).matches}
    assert set(person.occupations) <= everything


@given(st.data())
@SETTINGS
def test_a_list_limit_cuts_the_lists_and_counts_them_all(data: st.DataObject) -> None:
    world = data.draw(worlds(with_gates=data.draw(st.booleans())))
    person = data.draw(persons(world))
    limit = data.draw(st.integers(0, 4))
    full = rank(world.index, person, k=world.n_occ, include_own=True).matches
    cut = rank(world.index, person, k=world.n_occ, include_own=True, list_limit=limit).matches
    assert [m.occupation_id for m in cut] == [m.occupation_id for m in full]
    for a, b in zip(full, cut, strict=True):
        assert b.productive == a.productive and b.background == a.background and b.parts == a.parts
        assert b.shortage == a.shortage[:limit] and b.surplus == a.surplus[:limit]
        essential = sum(1 for s in a.shortage if s.relation == ESSENTIAL)
        assert a.counts == b.counts == ListCounts(len(a.shortage), essential, len(a.surplus))


@given(st.data())
@SETTINGS
def test_a_skill_offered_twice_counts_once_at_its_best(data: st.DataObject) -> None:
    world = data.draw(worlds())
    s = data.draw(st.integers(0, world.n_skills - 1))
    first, second = data.draw(EVIDENCE), data.draw(EVIDENCE)
    w1, w2 = data.draw(st.floats(0.05, 1.0)), data.draw(st.floats(0.05, 1.0))
    twice = Person(skills=[OfferedSkill(skill_id(s), first, w1), OfferedSkill(skill_id(s), second, w2)], occupations=[])
    config = ScoringConfig()
    pv = encode_person(world.index, twice, config)
    weights = {Evidence.SOFT: config.evidence.soft, Evidence.SEMI_HARD: config.evidence.semi_hard,
               Evidence.HARD: config.evidence.hard}
    pos = world.index.skill_pos[skill_id(s)]
    assert pv.credit[pos] == pytest.approx(max(weights[first] * w1, weights[second] * w2))
    assert pv.evidence[pos] == max(first, second)
    assert list(pv.offered) == [pos]
