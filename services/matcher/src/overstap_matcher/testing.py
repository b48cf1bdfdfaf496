"""Tiny synthetic taxonomies for tests (here and in services that embed the matcher)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import numpy as np
from overstap_bundle import (
    Concept,
    ConceptType,
    LabelSet,
    MatchType,
    OccupationSkill,
    OnetSkillRating,
    Relation,
    TaxonomyBundle,
)
from overstap_bundle import Mapping as BundleMapping

from overstap_matcher.domain.index import MatcherIndex, TaxonomyData
from overstap_matcher.domain.model import ESSENTIAL, OPTIONAL, Evidence, Vacancy
from overstap_matcher.domain.proximity import OnetData

ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"
ESCO_SKILL = "http://data.europa.eu/esco/skill/"


def occupation_id(i: int) -> str:
    return f"occ:{i}"


def skill_id(i: int) -> str:
    return f"skill:{i}"


def group_id(i: int) -> str:
    return f"group:{i}"


def synthetic_taxonomy(
    essential: Mapping[int, Sequence[int]],
    optional: Mapping[int, Sequence[int]] | None = None,
    *,
    n_skills: int,
    skill_groups: Mapping[int, Sequence[int]] | None = None,
    isco: Mapping[int, str] | None = None,
    onet_links: Mapping[int, Sequence[str]] | None = None,
    onet_profiles: Mapping[str, Sequence[float]] | None = None,
    job_zones: Mapping[str, int] | None = None,
    required_evidence: Sequence[tuple[int, int, Evidence]] = (),
) -> TaxonomyData:
    """Occupations ``occ:i`` demanding skills ``skill:j``; ``skill_groups`` maps a skill to its group numbers."""
    optional = optional or {}
    occupations = sorted(set(essential) | set(optional))
    demands = [(occupation_id(o), skill_id(s), ESSENTIAL) for o, ss in essential.items() for s in ss]
    demands += [(occupation_id(o), skill_id(s), OPTIONAL) for o, ss in optional.items() for s in ss]
    groups = skill_groups or {}
    return TaxonomyData(
        occupations=[occupation_id(o) for o in occupations],
        skills=[skill_id(s) for s in range(n_skills)],
        demands=demands,
        skill_broader={skill_id(s): tuple(group_id(g) for g in gs) for s, gs in groups.items()},
        group_ids=frozenset(group_id(g) for gs in groups.values() for g in gs),
        isco_codes={occupation_id(o): code for o, code in (isco or {}).items()},
        onet=OnetData(
            links={occupation_id(o): list(cs) for o, cs in onet_links.items()},
            profiles=dict(onet_profiles or {}),
            job_zones=dict(job_zones or {}),
        )
        if onet_links
        else None,
        required_evidence=[(occupation_id(o), skill_id(s), level) for o, s, level in required_evidence],
    )


def tiny_bundle() -> TaxonomyBundle:
    """Three ESCO-like occupations, three skills in one group, two O*NET occupations and a crosswalk."""

    def occ(i: int, isco: str) -> Concept:
        return Concept(
            f"{ESCO_OCCUPATION}{i}",
            ConceptType.OCCUPATION,
            labels={"en": LabelSet(f"occupation {i}")},
            attributes={"isco_code": isco},
        )

    concepts = [
        occ(0, "2511"),
        occ(1, "2512"),
        Concept(f"{ESCO_OCCUPATION}2", ConceptType.OCCUPATION, broader=("http://data.europa.eu/esco/isco/C7212",)),
        Concept(f"{ESCO_SKILL}a", ConceptType.SKILL, labels={"en": LabelSet("a")}, broader=(f"{ESCO_SKILL}g",)),
        Concept(f"{ESCO_SKILL}b", ConceptType.KNOWLEDGE, broader=(f"{ESCO_SKILL}g",)),
        Concept(f"{ESCO_SKILL}c", ConceptType.SKILL),
        Concept(f"{ESCO_SKILL}g", ConceptType.SKILL_GROUP, labels={"en": LabelSet("group g")}),
        Concept("onet:15-1252.00", ConceptType.ONET_OCCUPATION, attributes={"job_zone": 4}),
        Concept("onet:15-1253.00", ConceptType.ONET_OCCUPATION, attributes={"job_zone": 4}),
        Concept("onet-skill:2.A.1.a", ConceptType.ONET_SKILL),
    ]
    relations = [
        OccupationSkill(f"{ESCO_OCCUPATION}0", f"{ESCO_SKILL}a", Relation.ESSENTIAL),
        OccupationSkill(f"{ESCO_OCCUPATION}0", f"{ESCO_SKILL}c", Relation.OPTIONAL),
        OccupationSkill(f"{ESCO_OCCUPATION}1", f"{ESCO_SKILL}b", Relation.ESSENTIAL),
        OccupationSkill(f"{ESCO_OCCUPATION}2", f"{ESCO_SKILL}c", Relation.ESSENTIAL),
    ]
    mappings = [
        BundleMapping(f"{ESCO_OCCUPATION}0", "onet:15-1252.00", MatchType.CLOSE, "onet-crosswalk"),
        BundleMapping("onet:15-1253.00", f"{ESCO_OCCUPATION}1", MatchType.CLOSE, "onet-crosswalk"),
        BundleMapping(f"{ESCO_OCCUPATION}2", "onet:15-1253.00", MatchType.BROAD, "other"),
    ]
    ratings = [
        OnetSkillRating("onet:15-1252.00", "onet-skill:2.A.1.a", 4.0, 5.0),
        OnetSkillRating("onet:15-1253.00", "onet-skill:2.A.1.a", 3.0, 4.0),
    ]
    return TaxonomyBundle("test", {}, concepts, relations, mappings, ratings)


def synthetic_vacancies(
    index: MatcherIndex,
    n: int,
    *,
    seed: int = 0,
    min_demands: int = 10,
    max_demands: int = 40,
    prefix: str = "vacancy:",
) -> list[Vacancy]:
    """``n`` vacancies that look like real ones, drawn from the index's occupations (for benchmarks and tests).

    Each is based on one occupation: 10-40 demands (fewer when the occupation and a close one do not have
    enough), about 70% drawn from the occupation's essential skills and the rest from its optional ones, plus
    up to three from a close occupation; essential skills are required in 85% of cases, optional ones in 20%;
    8% of the demands need hard evidence and 7% semi-hard. The vacancy names its base occupation (90%), a close
    one (5%: a wrong guess of the extractor) or none (5%). Demands are plain (skill, required, minimum) tuples.
    """
    rng = random.Random(seed)
    demand, prox = index.demand, index.proximity.matrix
    rows = [i for i in range(index.n_occupations) if demand.indptr[i + 1] > demand.indptr[i]]
    if not rows:
        return []
    cache: dict[int, tuple[list[int], list[int], list[int]]] = {}

    def of(occ: int) -> tuple[list[int], list[int], list[int]]:
        if occ not in cache:
            lo, hi = demand.indptr[occ], demand.indptr[occ + 1]
            pairs = list(zip(demand.indices[lo:hi].tolist(), index.demand_essential[lo:hi].tolist(), strict=True))
            near = [o for o in np.argsort(-prox[occ], kind="stable")[:6].tolist() if o != occ] or [occ]
            cache[occ] = ([s for s, e in pairs if e], [s for s, e in pairs if not e], near)
        return cache[occ]

    out = []
    for v in range(n):
        occ = rng.choice(rows)
        ess, opt, near = of(occ)
        close = rng.choice(near)
        c_ess, c_opt, _ = of(close)
        want = rng.randint(min_demands, max_demands)
        noise = rng.randint(0, 3)
        n_own = max(want - noise, 1)
        n_opt = min(len(opt), n_own - min(len(ess), round(0.7 * n_own)))
        n_ess = min(len(ess), n_own - n_opt)
        picked = [(s, True) for s in rng.sample(ess, n_ess)] + [(s, False) for s in rng.sample(opt, n_opt)]
        extra = c_ess + c_opt
        n_extra = min(len(extra), noise + max(0, n_own - n_ess - n_opt))
        picked += [(s, i < len(c_ess)) for i, s in ((i, extra[i]) for i in rng.sample(range(len(extra)), n_extra))]
        demands, seen = [], set()
        for skill, is_essential in picked:
            if skill in seen:
                continue
            seen.add(skill)
            required = rng.random() < (0.85 if is_essential else 0.2)
            u = rng.random()
            level = Evidence.HARD if u < 0.08 else Evidence.SEMI_HARD if u < 0.15 else None
            demands.append((index.skill_ids[skill], required, level))
        u = rng.random()
        occupation = index.occupation_ids[occ] if u < 0.9 else index.occupation_ids[close] if u < 0.95 else None
        out.append(Vacancy(f"{prefix}{v}", occupation, demands))
    return out
