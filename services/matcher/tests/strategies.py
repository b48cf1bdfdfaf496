"""Hypothesis strategies shared by the vacancy and candidate tests: small random taxonomies, vacancies, persons."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st
from overstap_matcher.domain.index import MatcherIndex, build_index
from overstap_matcher.domain.model import Evidence, OfferedSkill, Person, Vacancy, VacancyDemand
from overstap_matcher.testing import occupation_id, skill_id, synthetic_taxonomy

EVIDENCE = st.sampled_from([Evidence.SOFT, Evidence.SEMI_HARD, Evidence.HARD])
MIN_EVIDENCE = st.sampled_from([None, None, Evidence.SOFT, Evidence.SEMI_HARD, Evidence.HARD])


@dataclass(frozen=True)
class World:
    index: MatcherIndex
    n_occ: int
    n_skills: int


@st.composite
def worlds(draw: st.DrawFn) -> World:
    n_skills = draw(st.integers(3, 12))
    n_occ = draw(st.integers(2, 6))
    skill = st.integers(0, n_skills - 1)
    essential = {o: draw(st.sets(skill, min_size=1, max_size=5)) for o in range(n_occ)}
    optional = {o: draw(st.sets(skill, max_size=4)) - essential[o] for o in range(n_occ)}
    groups = {s: draw(st.lists(st.integers(0, 3), max_size=2, unique=True)) for s in range(n_skills)}
    isco = {o: draw(st.sampled_from(["2511", "2512", "2521", "3111", "7212"])) for o in range(n_occ)}
    codes = ["15-1252.00", "15-1253.00", "15-1211.00", "47-2111.00"]
    links = {o: draw(st.lists(st.sampled_from(codes), max_size=2, unique=True)) for o in range(n_occ)}
    profiles = {c: draw(st.lists(st.floats(1, 5), min_size=4, max_size=4)) for c in codes}
    data = synthetic_taxonomy(
        {o: sorted(v) for o, v in essential.items()},
        {o: sorted(v) for o, v in optional.items()},
        n_skills=n_skills,
        skill_groups=groups,
        isco=isco,
        onet_links=links,
        onet_profiles=profiles,
        job_zones={c: draw(st.integers(1, 5)) for c in codes},
    )
    return World(build_index(data), n_occ, n_skills)


@st.composite
def vacancies(draw: st.DrawFn, world: World, vacancy_id: str) -> Vacancy:
    skills = draw(st.lists(st.integers(0, world.n_skills - 1), min_size=0, max_size=world.n_skills))
    demands = [VacancyDemand(skill_id(s), draw(st.booleans()), draw(MIN_EVIDENCE)) for s in skills]
    occ = draw(st.one_of(st.none(), st.integers(0, world.n_occ - 1)))
    return Vacancy(vacancy_id, None if occ is None else occupation_id(occ), demands)


@st.composite
def vacancy_sets(draw: st.DrawFn, world: World, min_size: int = 1, max_size: int = 8) -> list[Vacancy]:
    n = draw(st.integers(min_size, max_size))
    return [draw(vacancies(world, f"v{i}")) for i in range(n)]


@st.composite
def persons(draw: st.DrawFn, world: World) -> Person:
    skills = draw(st.lists(st.integers(0, world.n_skills - 1), max_size=world.n_skills, unique=True))
    offered = [OfferedSkill(skill_id(s), draw(EVIDENCE), draw(st.floats(0.05, 1.0))) for s in skills]
    occs = draw(st.lists(st.integers(0, world.n_occ - 1), max_size=2, unique=True)) if draw(st.booleans()) else []
    return Person(skills=offered, occupations=[occupation_id(o) for o in occs])
