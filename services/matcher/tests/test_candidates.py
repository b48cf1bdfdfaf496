"""Candidate ranking for one vacancy: the same score as the vacancy gets for the person, consent, changes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from overstap_matcher.domain.candidates import CandidatePool, rank_candidates
from overstap_matcher.domain.index import build_index
from overstap_matcher.domain.model import Evidence, OfferedSkill, Person, ScoringConfig, Vacancy
from overstap_matcher.domain.vacancies import VacancyIndex
from overstap_matcher.testing import occupation_id, skill_id, synthetic_taxonomy

from .strategies import persons, vacancies, worlds

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pools(draw: st.DrawFn, world, min_size: int = 1, max_size: int = 8) -> dict[str, Person]:
    n = draw(st.integers(min_size, max_size))
    return {f"c{i}": draw(persons(world)) for i in range(n)}


def explained(matches) -> list:
    return [(m.candidate_id, m.score, m.parts, m.productive, m.shortage, m.surplus, m.background) for m in matches]


@given(st.data())
@SETTINGS
def test_candidate_score_and_explanation_equal_those_of_the_vacancy_for_the_person(data: st.DataObject) -> None:
    world = data.draw(worlds())
    candidates = data.draw(pools(world))
    vacancy = data.draw(vacancies(world, "v"))
    config = ScoringConfig(inferred_weight_with_declared=data.draw(st.sampled_from([0.0, 0.5])))
    pool = CandidatePool(world.index, candidates, config=config, max_delta=data.draw(st.integers(1, 4)))
    ranking = pool.rank(vacancy, consenting=set(candidates), k=len(candidates))
    assert len(ranking.matches) == len(candidates)
    vi = VacancyIndex(world.index, [vacancy])
    for m in ranking.matches:
        [twin] = vi.rank(candidates[m.candidate_id], k=1, config=config).matches
        assert m.score == twin.score  # exact: the sums run in the same order
        assert (m.parts, m.productive, m.shortage, m.surplus, m.background) == (
            twin.parts,
            twin.productive,
            twin.shortage,
            twin.surplus,
            twin.background,
        )
        assert 0.0 <= m.score <= 1.0 and sum(m.parts.values()) == m.score
    assert [m.score for m in ranking.matches] == sorted((m.score for m in ranking.matches), reverse=True)


@given(st.data())
@SETTINGS
def test_a_candidate_outside_the_consenting_set_is_never_returned(data: st.DataObject) -> None:
    world = data.draw(worlds())
    candidates = data.draw(pools(world))
    vacancy = data.draw(vacancies(world, "v"))
    consenting = data.draw(st.sets(st.sampled_from([*candidates, "stranger"])))
    pool = CandidatePool(world.index, candidates)
    k = data.draw(st.integers(1, len(candidates) + 2))
    ranking = pool.rank(vacancy, consenting=consenting, k=k)
    returned = [m.candidate_id for m in ranking.matches]
    assert set(returned) <= consenting
    assert len(returned) == min(k, len(consenting & set(candidates)))
    # the same as a pool that only ever held the consenting candidates
    only = {cid: p for cid, p in candidates.items() if cid in consenting}
    assert explained(ranking.matches) == explained(
        rank_candidates(world.index, vacancy, candidates, consenting=consenting, k=k).matches
    )
    assert explained(ranking.matches) == explained(
        CandidatePool(world.index, only).rank(vacancy, consenting=set(only), k=k).matches
    )
    # withdrawn consent: absent from the very next search, with or without removing the candidate
    if returned:
        gone = returned[0]
        assert gone not in {m.candidate_id for m in pool.rank(vacancy, consenting=consenting - {gone}, k=k).matches}
        pool.remove(gone)
        assert gone not in {m.candidate_id for m in pool.rank(vacancy, consenting=consenting, k=k).matches}


@given(st.data())
@SETTINGS
def test_pool_changes_rank_like_a_fresh_pool_and_order_is_deterministic(data: st.DataObject) -> None:
    world = data.draw(worlds())
    candidates = data.draw(pools(world, min_size=0))
    pool = CandidatePool(
        world.index,
        candidates,
        max_delta=data.draw(st.integers(1, 8)),
        max_tail=data.draw(st.integers(1, 3)),
        max_dead_fraction=0.5,
    )
    current = dict(candidates)
    for step in range(data.draw(st.integers(1, 10))):
        if current and data.draw(st.booleans()):
            cid = data.draw(st.sampled_from(sorted(current)))
            assert pool.remove(cid)
            del current[cid]
        else:
            cid = data.draw(st.sampled_from([*sorted(current), f"new{step}"]))
            current[cid] = data.draw(persons(world))
            pool.upsert(cid, current[cid])
    assert len(pool) == len(current) and set(pool.ids()) == set(current)
    vacancy = data.draw(vacancies(world, "v"))
    everyone = set(current) | {"stranger"}
    fresh = CandidatePool(world.index, dict(reversed(list(current.items()))))
    got = explained(pool.rank(vacancy, consenting=everyone, k=100).matches)
    assert got == explained(fresh.rank(vacancy, consenting=everyone, k=100).matches)
    assert got == explained(pool.rank(vacancy, consenting=list(everyone), k=100).matches)
    assert pool.scores(vacancy, consenting=everyone) == fresh.scores(vacancy, consenting=everyone)


def test_candidate_with_hard_evidence_wins_a_hard_demand() -> None:
    index = build_index(synthetic_taxonomy({0: [0, 1], 1: [2, 3], 2: [3]}, n_skills=4, isco={0: "2511", 1: "7212"}))
    vacancy = Vacancy("v", occupation_id(0), [(skill_id(0), True, Evidence.HARD), (skill_id(1), False, None)])
    candidates = {
        "semi": Person([OfferedSkill(skill_id(0), Evidence.SEMI_HARD), OfferedSkill(skill_id(1))]),
        "hard": Person([OfferedSkill(skill_id(0), Evidence.HARD), OfferedSkill(skill_id(1))]),
        "declared": Person([], [occupation_id(0)]),
    }
    ranking = rank_candidates(index, vacancy, candidates, consenting=set(candidates), k=3)
    by_id = {m.candidate_id: m for m in ranking.matches}
    assert [m.candidate_id for m in ranking.matches] == ["hard", "semi", "declared"]
    assert by_id["hard"].score > by_id["semi"].score
    assert by_id["semi"].background is not None and not by_id["semi"].background.declared  # inferred from skills
    [gated] = [s for s in by_id["semi"].shortage if s.skill_id == skill_id(0)]
    assert gated.evidence_required is Evidence.HARD
    assert by_id["declared"].background is not None and by_id["declared"].background.declared


def test_unknown_vacancy_parts_are_reported() -> None:
    index = build_index(synthetic_taxonomy({0: [0]}, n_skills=1))
    pool = CandidatePool(index, {"a": Person([OfferedSkill(skill_id(0))])})
    ranking = pool.rank(Vacancy("v", "occ:nope", [("skill:nope", True, None)]), consenting={"a"})
    assert ranking.unknown_skills == ("skill:nope",) and ranking.unknown_occupation == "occ:nope"
    assert [m.score for m in ranking.matches] == [0.0]
    assert pool.rank(Vacancy("v", None, []), consenting=set()).matches == []


def test_consent_is_honoured_for_small_and_large_consenting_sets() -> None:
    index = build_index(synthetic_taxonomy({0: [0, 1], 1: [2, 3], 2: [3]}, n_skills=4, isco={0: "2511", 1: "7212"}))
    people = {f"c{i}": Person([OfferedSkill(skill_id(i % 4), Evidence(1 + i % 3))]) for i in range(40)}
    pool = CandidatePool(index, people)
    vacancy = Vacancy("v", occupation_id(0), [(skill_id(0), True, None), (skill_id(1), False, None)])
    everyone = explained(pool.rank(vacancy, consenting=set(people), k=40).matches)
    for consenting in ({"c3", "c17"}, set(people) - {"c0", "c4"}, ["c1", "c2", "c2"], frozenset(people)):
        got = explained(pool.rank(vacancy, consenting=consenting, k=5).matches)
        assert got == [m for m in everyone if m[0] in set(consenting)][:5]
    assert pool.rank(vacancy, consenting={"c0"}, k=5, min_score=0.99).matches == []
