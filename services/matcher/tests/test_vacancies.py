"""Vacancy ranking: properties on small random taxonomies (hypothesis), the store's changes, filters, inputs."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from overstap_matcher.domain.index import MatcherIndex, build_index
from overstap_matcher.domain.model import Evidence, OfferedSkill, Person, Vacancy, VacancyDemand
from overstap_matcher.domain.ranking import rank, scores
from overstap_matcher.domain.vacancies import Ignored, VacancyFilters, VacancyIndex
from overstap_matcher.testing import occupation_id, skill_id, synthetic_taxonomy, synthetic_vacancies

from .strategies import EVIDENCE, persons, vacancies, vacancy_sets, worlds

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ranking_of(vi: VacancyIndex, person: Person, k: int = 100) -> list:
    return [
        (m.vacancy_id, m.score, m.parts, m.productive, m.shortage, m.surplus, m.background)
        for m in vi.rank(person, k=k).matches
    ]


@given(st.data())
@SETTINGS
def test_score_in_unit_interval_parts_add_up_and_explanations_partition(data: st.DataObject) -> None:
    world = data.draw(worlds())
    vacs = data.draw(vacancy_sets(world))
    person = data.draw(persons(world))
    vi = VacancyIndex(world.index, vacs, max_delta=data.draw(st.integers(1, 4)))
    ranking = vi.rank(person, k=len(vacs))
    assert len(ranking.matches) == len(vacs)
    by_id = {v.vacancy_id: v for v in vacs}
    offered = {s.skill_id for s in person.skills}
    for m in ranking.matches:
        assert 0.0 <= m.score <= 1.0
        assert sum(m.parts.values()) == m.score  # exact: the score is computed as this very sum
        demanded = {d.skill_id for d in by_id[m.vacancy_id].demands}
        productive = {p.skill_id for p in m.productive}
        shortage = {s.skill_id for s in m.shortage}
        assert productive.isdisjoint(shortage) and productive | shortage == demanded
        assert set(m.surplus) == offered - demanded
        assert sum(p.coverage for p in m.productive) == pytest.approx(m.parts["coverage"], abs=1e-9)
        assert sum(p.use for p in m.productive) == pytest.approx(m.parts["skill_use"], abs=1e-9)
        related = sum(p.related for p in m.productive) + sum(s.related_credit for s in m.shortage)
        assert related == pytest.approx(m.parts["related_skills"], abs=1e-9)
        relations = [s.relation for s in m.shortage]
        assert relations == sorted(relations, key=lambda r: r != "essential")
        if by_id[m.vacancy_id].occupation_id is None:
            assert m.parts["background"] == 0.0 and m.background is None
    assert [m.score for m in ranking.matches] == sorted((m.score for m in ranking.matches), reverse=True)


@given(st.data())
@SETTINGS
def test_adding_a_demanded_skill_never_lowers_a_vacancy_score(data: st.DataObject) -> None:
    world = data.draw(worlds())
    vacs = data.draw(vacancy_sets(world))
    person = data.draw(persons(world))
    target = data.draw(st.sampled_from(vacs))
    missing = sorted({d.skill_id for d in target.demands} - {s.skill_id for s in person.skills})
    assume(missing)
    new = OfferedSkill(data.draw(st.sampled_from(missing)), data.draw(EVIDENCE), data.draw(st.floats(0.05, 1.0)))
    vi = VacancyIndex(world.index, vacs)
    before = vi.scores(person)[target.vacancy_id]
    after = vi.scores(Person([*person.skills, new], person.occupations))[target.vacancy_id]
    assert after >= before - 1e-12


@given(st.data())
@SETTINGS
def test_hard_evidence_demand_is_met_only_by_hard_evidence(data: st.DataObject) -> None:
    world = data.draw(worlds())
    person = data.draw(persons(world))
    s = skill_id(data.draw(st.integers(0, world.n_skills - 1)))
    others = [o for o in person.skills if o.skill_id != s]
    vacancy = data.draw(vacancies(world, "v"))
    hard = VacancyDemand(s, data.draw(st.booleans()), Evidence.HARD)
    vacancy = Vacancy("v", vacancy.occupation_id, [*vacancy.demands, hard])
    vi = VacancyIndex(world.index, [vacancy])
    weak = data.draw(st.sampled_from([Evidence.SOFT, Evidence.SEMI_HARD]))
    [m_weak] = vi.rank(Person([*others, OfferedSkill(s, weak)], person.occupations), k=1).matches
    [m_hard] = vi.rank(Person([*others, OfferedSkill(s, Evidence.HARD)], person.occupations), k=1).matches
    assert s not in {p.skill_id for p in m_weak.productive}
    [item] = [x for x in m_weak.shortage if x.skill_id == s]
    assert item.evidence_required is Evidence.HARD and item.related_credit == 0.0
    assert s not in m_weak.surplus
    assert s in {p.skill_id for p in m_hard.productive}
    assert m_hard.score >= m_weak.score


def test_semi_hard_demand_is_met_by_semi_hard_and_hard() -> None:
    index = build_index(synthetic_taxonomy({0: [0, 1], 1: [1, 2]}, n_skills=3))
    vacancy = Vacancy("v", None, [(skill_id(0), True, Evidence.SEMI_HARD), (skill_id(1), False, None)])
    vi = VacancyIndex(index, [vacancy])
    produced = {
        ev: [p.skill_id for p in vi.rank(Person([OfferedSkill(skill_id(0), ev)]), k=1).matches[0].productive]
        for ev in (Evidence.SOFT, Evidence.SEMI_HARD, Evidence.HARD)
    }
    assert produced == {Evidence.SOFT: [], Evidence.SEMI_HARD: [skill_id(0)], Evidence.HARD: [skill_id(0)]}


@given(st.data())
@SETTINGS
def test_changes_leave_the_same_rankings_as_a_fresh_index(data: st.DataObject) -> None:
    """Any sequence of upserts (new ids and existing ones) and removes, with compactions on the way, ranks like
    an index built afresh from what is left; upsert then remove is the special case of one vacancy."""
    world = data.draw(worlds())
    initial = data.draw(vacancy_sets(world, min_size=0, max_size=6))
    vi = VacancyIndex(
        world.index,
        initial,
        max_delta=data.draw(st.integers(1, 8)),
        max_tail=data.draw(st.integers(1, 3)),
        max_dead_fraction=0.5,
    )
    current = {v.vacancy_id: v for v in initial}
    for step in range(data.draw(st.integers(1, 12))):
        if current and data.draw(st.booleans()):
            vid = data.draw(st.sampled_from(sorted(current)))
            assert vi.remove(vid)
            del current[vid]
        else:
            vid = data.draw(st.sampled_from([*sorted(current), f"new{step}"]))
            vacancy = data.draw(vacancies(world, vid))
            vi.upsert(vacancy)
            current[vid] = vacancy
        assert len(vi) == len(current) and set(vi.ids()) == set(current)
    assert not vi.remove("never-stored")
    fresh = VacancyIndex(world.index, list(current.values()))
    for person in (data.draw(persons(world)), data.draw(persons(world))):
        assert ranking_of(vi, person) == ranking_of(fresh, person)
        assert vi.scores(person) == fresh.scores(person)


@given(st.data())
@SETTINGS
def test_upsert_then_remove_restores_the_rankings(data: st.DataObject) -> None:
    world = data.draw(worlds())
    vacs = data.draw(vacancy_sets(world))
    person = data.draw(persons(world))
    vi = VacancyIndex(world.index, vacs, max_delta=data.draw(st.integers(1, 3)), max_tail=1)
    before = ranking_of(vi, person)
    vi.upsert(data.draw(vacancies(world, "extra")))
    assert "extra" in vi
    assert vi.remove("extra")
    assert ranking_of(vi, person) == before == ranking_of(VacancyIndex(world.index, vacs), person)


@given(st.data())
@SETTINGS
def test_upsert_of_an_existing_id_replaces_it(data: st.DataObject) -> None:
    world = data.draw(worlds())
    vacs = data.draw(vacancy_sets(world))
    person = data.draw(persons(world))
    old = data.draw(st.sampled_from(vacs))
    new = data.draw(vacancies(world, old.vacancy_id))
    vi = VacancyIndex(world.index, vacs)
    vi.upsert(new)
    assert len(vi) == len(vacs)
    replaced = [new if v.vacancy_id == old.vacancy_id else v for v in vacs]
    fresh = VacancyIndex(world.index, replaced)
    assert vi.get(old.vacancy_id) == fresh.get(old.vacancy_id)
    assert ranking_of(vi, person) == ranking_of(fresh, person)
    assert [m.vacancy_id for m in vi.rank(person, k=100).matches].count(old.vacancy_id) == 1


@given(st.data())
@SETTINGS
def test_ranking_is_deterministic_whatever_the_insertion_order(data: st.DataObject) -> None:
    world = data.draw(worlds())
    vacs = data.draw(vacancy_sets(world, max_size=10))
    person = data.draw(persons(world))
    k = data.draw(st.integers(1, len(vacs)))
    shuffled = vacs[:]
    random.Random(data.draw(st.integers(0, 1000))).shuffle(shuffled)
    a = VacancyIndex(world.index, vacs)
    b = VacancyIndex(world.index, shuffled[:1], max_delta=5, max_tail=2)
    for v in shuffled[1:]:
        b.upsert(v)
    assert ranking_of(a, person, k) == ranking_of(a, person, k) == ranking_of(b, person, k)


@given(st.data())
@SETTINGS
def test_a_vacancy_copying_an_occupation_scores_like_it(data: st.DataObject) -> None:
    world = data.draw(worlds())
    person = data.draw(persons(world))
    index = world.index
    copies = []
    for o in range(world.n_occ):
        lo, hi = index.demand.indptr[o], index.demand.indptr[o + 1]
        demands = [
            (index.skill_ids[s], bool(e), None)
            for s, e in zip(index.demand.indices[lo:hi], index.demand_essential[lo:hi], strict=True)
        ]
        copies.append(Vacancy(f"copy{o}", index.occupation_ids[o], demands))
    by_vacancy = VacancyIndex(index, copies).scores(person)
    by_occupation = scores(index, person)
    assert [by_vacancy[f"copy{o}"] for o in range(world.n_occ)] == pytest.approx(by_occupation.tolist(), abs=1e-12)
    occ_matches = {m.occupation_id: m for m in rank(index, person, k=world.n_occ, include_own=True).matches}
    for m in VacancyIndex(index, copies).rank(person, k=world.n_occ).matches:
        twin = occ_matches[m.occupation_id]
        assert [p.skill_id for p in m.productive] == [p.skill_id for p in twin.productive]
        assert [(s.skill_id, s.relation, s.group_id, s.related_via) for s in m.shortage] == [
            (s.skill_id, s.relation, s.group_id, s.related_via) for s in twin.shortage
        ]
        assert m.surplus == twin.surplus
        assert (m.background is None) == (twin.background is None)


# --- unit tests -----------------------------------------------------------------------------------------------


def small_index() -> MatcherIndex:
    return build_index(
        synthetic_taxonomy({0: [0, 1], 1: [1, 3], 2: [4]}, {0: [2]}, n_skills=6, isco={0: "2511", 1: "2512", 2: "7212"})
    )


def test_unknown_inputs_are_reported_and_left_out() -> None:
    vi = VacancyIndex(small_index())
    ignored = vi.upsert(Vacancy("v", "occ:nope", [(skill_id(0), True, None), ("skill:nope", True, Evidence.HARD)]))
    assert ignored == Ignored(("skill:nope",), "occ:nope")
    assert vi.get("v") == Vacancy("v", None, [VacancyDemand(skill_id(0), True, None)])
    assert vi.get("nothing") is None
    assert VacancyIndex(small_index()).load([Vacancy("w", None, [("skill:x", True, None)])]) == {
        "w": Ignored(("skill:x",), None)
    }
    with pytest.raises(ValueError):
        vi.upsert(Vacancy("bad", None, [(skill_id(0), True, 7)]))


def test_a_skill_listed_twice_counts_once_with_the_strictest_terms() -> None:
    vi = VacancyIndex(small_index())
    listed = [(skill_id(1), False, Evidence.HARD), (skill_id(1), True, None), (skill_id(0), False, Evidence.SOFT)]
    vi.upsert(Vacancy("v", None, listed))
    stored = [VacancyDemand(skill_id(0), False, None), VacancyDemand(skill_id(1), True, Evidence.HARD)]
    assert vi.get("v").demands == stored


def test_vacancy_without_demands_scores_on_background_only() -> None:
    index = small_index()
    vi = VacancyIndex(index, [Vacancy("empty", occupation_id(1), []), Vacancy("void", None, [])])
    ranking = vi.rank(Person([OfferedSkill(skill_id(0))], [occupation_id(0)]), k=2)
    first, second = ranking.matches
    assert first.vacancy_id == "empty" and first.parts["coverage"] == 0.0 and first.parts["background"] > 0
    assert first.background is not None and first.background.origin_id == occupation_id(0)
    assert second.vacancy_id == "void" and second.score == 0.0 and second.surplus == [skill_id(0)]


def test_filters() -> None:
    index = small_index()
    vacs = [
        Vacancy("a", occupation_id(0), [(skill_id(0), True, None)]),
        Vacancy("b", occupation_id(1), [(skill_id(1), True, None)]),
        Vacancy("c", occupation_id(2), [(skill_id(4), True, None)]),
        Vacancy("d", None, [(skill_id(0), True, None)]),
    ]
    vi = VacancyIndex(index, vacs)
    person = Person([OfferedSkill(skill_id(s)) for s in (0, 1, 4)])
    ids = lambda f: {m.vacancy_id for m in vi.rank(person, k=10, filters=f).matches}  # noqa: E731
    assert ids(None) == {"a", "b", "c", "d"}
    assert ids(VacancyFilters(isco_major_groups={"2"})) == {"a", "b"}
    assert ids(VacancyFilters(occupations={occupation_id(2)})) == {"c"}
    assert ids(VacancyFilters(allowed={"a", "d", "zz"})) == {"a", "d"}
    assert ids(VacancyFilters(allowed=lambda v: v != "a")) == {"b", "c", "d"}
    assert ids(VacancyFilters(excluded={"b", "zz"})) == {"a", "c", "d"}
    all_scores = vi.scores(person)
    cut = sorted(all_scores.values())[2]
    assert ids(VacancyFilters(min_score=cut)) == {v for v, s in all_scores.items() if s >= cut}
    vi.remove("a")
    assert ids(VacancyFilters(allowed={"a", "b"})) == {"b"}


def test_compaction_keeps_the_order_and_frees_dead_rows() -> None:
    index = small_index()
    vacs = [Vacancy(f"v{i}", occupation_id(i % 3), [(skill_id(i % 5), True, None)]) for i in range(6)]
    vi = VacancyIndex(index, vacs, max_delta=3)
    person = Person([OfferedSkill(skill_id(1))])
    before = ranking_of(vi, person)
    for i in range(3):
        vi.upsert(Vacancy(f"v{i}", occupation_id(i % 3), [(skill_id(i % 5), True, None)]))
    assert vi.stats["compactions"] == 1 and vi.stats["delta_rows"] == 0 and vi.stats["dead_rows"] == 0
    assert ranking_of(vi, person) == before
    assert vi.ids() == [f"v{i}" for i in (3, 4, 5, 0, 1, 2)]


def test_synthetic_vacancies_look_like_vacancies() -> None:
    index = small_index()
    vacs = synthetic_vacancies(index, 50, seed=3, min_demands=1, max_demands=4)
    assert len({v.vacancy_id for v in vacs}) == 50
    assert all(1 <= len(v.demands) <= 4 for v in vacs)
    assert vacs == synthetic_vacancies(index, 50, seed=3, min_demands=1, max_demands=4)
    vi = VacancyIndex(index, vacs)
    assert len(vi) == 50 and not np.isnan(list(vi.scores(Person([OfferedSkill(skill_id(0))])).values())).any()


def test_tail_merges_keep_positions_and_stored_rows() -> None:
    index = small_index()
    vi = VacancyIndex(index, [Vacancy("v0", occupation_id(0), [(skill_id(0), True, None)])], max_delta=100, max_tail=2)
    for i in range(1, 6):
        vi.upsert(Vacancy(f"v{i}", occupation_id(i % 3), [(skill_id(i % 5), i % 2 == 0, Evidence.HARD)]))
    assert vi.stats == {"vacancies": 6, "delta_rows": 5, "dead_rows": 0, "compactions": 0}
    assert vi.get("v3") == Vacancy("v3", occupation_id(0), [VacancyDemand(skill_id(3), False, Evidence.HARD)])
    assert vi.get("v5") == Vacancy("v5", occupation_id(2), [VacancyDemand(skill_id(0), False, Evidence.HARD)])
    vi.upsert(Vacancy("v3", None, []))  # the old row (in the merged part of the delta) dies
    assert vi.get("v3") == Vacancy("v3", None, [])
    person = Person([OfferedSkill(skill_id(s), Evidence.HARD) for s in range(5)], [occupation_id(1)])
    fresh = VacancyIndex(index, [vi.get(v) for v in vi.ids()])
    assert ranking_of(vi, person) == ranking_of(fresh, person)
