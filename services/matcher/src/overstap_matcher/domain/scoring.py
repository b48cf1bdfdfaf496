"""Vectorised scoring of every occupation in the index for one person.

score(t) = w_cov * (coverage_exact(t) + coverage_related(t)) + w_use * use(t) + w_bg * background(t)

- coverage: share of t's demands (essential 1, optional ``IndexConfig.optional_weight``, each times idf) that the
  person meets; a demand the person lacks earns ``related_credit`` x the credit of an offered skill of the same
  family (same direct broader skill group, or broader/narrower skill). Per skill the credit is
  max(own credit, related credit), split into an exact part (own credit) and a related part (the excess).
- use: share of the person's idf-weighted skills that t demands.
- background: proximity of t to the person's background occupations (declared ones at strength 1; when none is
  declared, the occupations the offered skills themselves cover, at strength
  min(1, exact coverage / saturation) ** sharpness, kept when at least ``background_min_strength``).

Every part is in [0, 1] and the weights add up to 1, so the score is in [0, 1]. Adding a skill t demands can only
raise each part for t (coverage and use are sums over met demands; background strengths are monotone in the
coverage of each background occupation and are combined by max).

Evidence: an offered skill's credit is its evidence weight times its own weight. A demand that requires a
minimum evidence (``TaxonomyData.required_evidence``, for vacancies) counts only if offered with at least that
evidence; otherwise it is treated as missing and the offered skill does not count towards use either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from overstap_matcher.domain.demands import DemandMatrix
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import Person, ScoringConfig

PART_NAMES = ("coverage", "related_skills", "skill_use", "background")


@dataclass(frozen=True, eq=False)
class PersonVector:
    """A person encoded against an index. Dense per-skill arrays (the skill vocabulary is ~14k)."""

    credit: np.ndarray  # (n_skills,) own credit in [0, 1]
    evidence: np.ndarray  # (n_skills,) int8 Evidence level, 0 = not offered
    offered: np.ndarray  # positions of offered skills
    related: np.ndarray  # (n_skills,) related credit (already times related_credit)
    family_strength: np.ndarray  # (n_families,) best own credit of an offered member
    family_source: np.ndarray  # (n_families,) that member's position, -1 when none
    declared: np.ndarray  # positions of declared occupations known to the index
    unknown_skills: tuple[str, ...]
    unknown_occupations: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class ScoreArrays:
    """Per-occupation parts (already weighted), their sum, and the background occupations behind them."""

    parts: dict[str, np.ndarray]
    score: np.ndarray
    use_denominator: np.ndarray  # (n_occ,) person's idf mass minus gated skills
    declared: np.ndarray
    inferred: np.ndarray  # positions of inferred background occupations
    inferred_strength: np.ndarray
    inferred_scale: float


def encode_person(index: MatcherIndex, person: Person, config: ScoringConfig) -> PersonVector:
    credit = np.zeros(index.n_skills)
    evidence = np.zeros(index.n_skills, dtype=np.int8)
    weights = (0.0, config.evidence.soft, config.evidence.semi_hard, config.evidence.hard)
    positions: list[int] = []
    credits: list[float] = []
    levels: list[int] = []
    unknown: list[str] = []
    for offered in person.skills:
        pos = index.skill_pos.get(offered.skill_id)
        if pos is None:
            unknown.append(offered.skill_id)
            continue
        positions.append(pos)
        credits.append(weights[offered.evidence] * offered.weight)
        levels.append(offered.evidence)
    if positions:
        at = np.array(positions, dtype=np.int64)
        if len(set(positions)) == len(positions):  # the usual case: each skill once
            credit[at] = credits
            evidence[at] = levels
        else:  # the same skill more than once: the best credit and the strongest evidence count
            np.maximum.at(credit, at, np.array(credits))
            np.maximum.at(evidence, at, np.array(levels, dtype=np.int8))
    declared = {index.occupation_pos[o] for o in person.occupations if o in index.occupation_pos}
    return person_vector(
        index,
        credit,
        evidence,
        np.array(sorted(declared), dtype=np.int64),
        config,
        unknown_skills=tuple(unknown),
        unknown_occupations=tuple(o for o in person.occupations if o not in index.occupation_pos),
    )


def person_vector(
    index: MatcherIndex,
    credit: np.ndarray,
    evidence: np.ndarray,
    declared: np.ndarray,
    config: ScoringConfig,
    *,
    unknown_skills: tuple[str, ...] = (),
    unknown_occupations: tuple[str, ...] = (),
) -> PersonVector:
    """A person from dense per-skill credit and evidence (as ``encode_person`` computes them) and the sorted
    positions of the declared occupations."""
    offered = np.flatnonzero(credit > 0)
    related, family_strength, family_source = _related_credit(index, credit, offered)
    related *= config.related_credit
    return PersonVector(
        credit=credit,
        evidence=evidence,
        offered=offered,
        related=related,
        family_strength=family_strength,
        family_source=family_source,
        declared=declared,
        unknown_skills=unknown_skills,
        unknown_occupations=unknown_occupations,
    )


def _related_credit(
    index: MatcherIndex, credit: np.ndarray, offered: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per skill, the best credit among offered skills of the same family (before ``related_credit``); per
    family, that best credit and the offered skill earning it (-1 when none)."""
    related = np.zeros(index.n_skills)
    strength = np.zeros(index.skill_groups.shape[1])
    source = np.full(index.skill_groups.shape[1], -1, dtype=np.int64)
    groups, group_credit = _rows(index.skill_groups, offered, credit[offered])
    if len(groups) == 0:
        return related, strength, source
    sources = np.repeat(offered, index.skill_groups.indptr[offered + 1] - index.skill_groups.indptr[offered])
    order = np.lexsort((sources, -group_credit, groups))  # per family: best credit first, then lowest position
    families, first = np.unique(groups[order], return_index=True)
    strength[families] = group_credit[order[first]]
    source[families] = sources[order[first]]
    members, member_credit = _rows(index.group_members, families, strength[families])
    np.maximum.at(related, members, member_credit)
    return related, strength, source


def flat_positions(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in a CSR's ``indices``/``data`` of the given rows, and each row's length."""
    starts = indptr[rows]
    lens = indptr[rows + 1] - starts
    return np.arange(lens.sum()) + np.repeat(starts - (np.cumsum(lens) - lens), lens), lens


def _rows(matrix: sp.csr_matrix, rows: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column indices of the given CSR rows, each paired with its row's value."""
    flat, lens = flat_positions(matrix.indptr, rows)
    return matrix.indices[flat], np.repeat(values, lens)


def _gated(
    demands: DemandMatrix, idf: np.ndarray, pv: PersonVector, exact: np.ndarray, extra: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Coverage and use mass to take back where a demand requires stronger evidence than offered. Per level, only
    the rows (of the transposed gate) of skills with something to take back are read: the sums are those of
    ``weighted @ (exact * unmet)``, ``weighted @ (extra * unmet)`` and ``binary @ (mass * unmet)``, term for term
    and in the same order."""
    n = demands.n_targets
    cov_exact, cov_rel, use = np.zeros(n), np.zeros(n), np.zeros(n)
    mass = pv.credit * idf
    for level, weighted_t in demands.gates_t.items():
        unmet = pv.evidence < level
        weak = np.flatnonzero(unmet & (exact > 0))  # offered, with too weak evidence
        flat, lens = flat_positions(weighted_t.indptr, weak)
        cols, weights = weighted_t.indices[flat], weighted_t.data[flat]
        cov_exact += np.bincount(cols, weights=np.repeat(exact[weak], lens) * weights, minlength=n)
        use += np.bincount(cols, weights=np.repeat(mass[weak], lens), minlength=n)
        related = np.flatnonzero(unmet & (extra > 0))
        flat, lens = flat_positions(weighted_t.indptr, related)
        cov_rel += np.bincount(
            weighted_t.indices[flat], weights=np.repeat(extra[related], lens) * weighted_t.data[flat], minlength=n
        )
    return cov_exact, cov_rel, use


def _exact_sums(demand_t: sp.csr_matrix, n: int, credit: np.ndarray, mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per target, the met demand weight (sum of weight x credit) and the demanded idf mass of the person's
    skills, reading only the offered skills' rows of ``demand_t`` (skill x target). (A skill with idf 0 adds
    nothing to either, so it does not matter whether its explicit zeros survive the transpose.)"""
    rows = np.flatnonzero(credit)
    flat, lens = flat_positions(demand_t.indptr, rows)
    cols = demand_t.indices[flat]
    met = np.bincount(cols, weights=np.repeat(credit[rows], lens) * demand_t.data[flat], minlength=n)
    used = np.bincount(cols, weights=np.repeat(mass[rows], lens), minlength=n)
    return met.astype(np.float64, copy=False), used.astype(np.float64, copy=False)  # int64 when empty


def skill_parts(index: MatcherIndex, pv: PersonVector) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unweighted coverage_exact, coverage_related, use (all in [0, 1]) and the use denominators, per occupation."""
    return demand_parts(index.demands, index.idf, pv)


def demand_parts(
    demands: DemandMatrix, idf: np.ndarray, pv: PersonVector
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Unweighted coverage_exact, coverage_related, use (all in [0, 1]) and the use denominators of every target
    of ``demands`` (occupations or vacancies; ``idf`` and ``pv`` from the ESCO index)."""
    n = demands.n_targets
    exact = pv.credit
    extra = np.maximum(pv.related - exact, 0.0)
    mass = exact * idf
    cov_exact, use = _exact_sums(demands.demand_t, n, exact, mass)
    cov_rel = demands.demand @ extra  # related credit spreads over thousands of skills: a full matvec is cheaper
    use_den = np.full(n, mass.sum())
    if demands.gates:
        g_exact, g_rel, g_use = _gated(demands, idf, pv, exact, extra)
        cov_exact -= g_exact
        cov_rel -= g_rel
        use -= g_use
        use_den -= g_use
    cov_exact *= demands.inverse_total
    cov_rel *= demands.inverse_total
    use *= np.divide(1.0, use_den, out=np.zeros(n), where=use_den > 1e-12)
    for part in (cov_exact, cov_rel, use):
        np.clip(part, 0.0, 1.0, out=part)  # only float rounding can step outside
    return cov_exact, cov_rel, use, use_den


def inferred_backgrounds(coverage: np.ndarray, config: ScoringConfig) -> tuple[np.ndarray, np.ndarray]:
    """Occupations the person's skills point at, with their strength (absolute thresholds keep it monotone)."""
    strength = np.minimum(1.0, coverage / config.background_saturation) ** config.background_sharpness
    chosen = np.flatnonzero(strength >= config.background_min_strength)
    if len(chosen) > config.max_inferred_backgrounds:
        keep = np.argpartition(-strength[chosen], config.max_inferred_backgrounds)
        chosen = np.sort(chosen[keep[: config.max_inferred_backgrounds]])
    return chosen, strength[chosen]


def background_part(
    index: MatcherIndex, declared: np.ndarray, inferred: np.ndarray, strength: np.ndarray, scale: float
) -> np.ndarray:
    """max over background occupations o of strength(o) * proximity(o, t); declared ones at strength 1."""
    matrix = index.proximity.matrix
    out = np.zeros(index.n_occupations, dtype=np.float32)
    if len(declared):
        out = matrix[declared].max(axis=0)
    if len(inferred) and scale > 0:
        weighted = matrix[inferred] * (strength * scale).astype(np.float32)[:, None]
        out = np.maximum(out, weighted.max(axis=0))
    return out.astype(np.float64)


@dataclass(frozen=True, eq=False)
class Background:
    """A person's background occupations and the (unweighted) background part of every ESCO occupation."""

    declared: np.ndarray  # positions of declared occupations, strength 1
    inferred: np.ndarray  # positions of inferred ones
    strength: np.ndarray  # their strength (before ``scale``)
    scale: float  # weight of the inferred ones: 1 without declared occupations
    values: np.ndarray  # (n_occ,) float64: max over origins of strength x proximity(origin, occupation)


def person_background(
    index: MatcherIndex, pv: PersonVector, config: ScoringConfig, coverage_exact: np.ndarray
) -> Background:
    """The background of a person, from the declared occupations or (``coverage_exact`` of every occupation)
    the occupations the skills cover."""
    scale = 1.0 if len(pv.declared) == 0 else config.inferred_weight_with_declared
    inferred, strength = inferred_backgrounds(coverage_exact, config) if scale > 0 else _empty()
    values = background_part(index, pv.declared, inferred, strength, scale)
    return Background(pv.declared, inferred, strength, scale, values)


def weighted_parts(
    config: ScoringConfig, cov_exact: np.ndarray, cov_rel: np.ndarray, use: np.ndarray, background: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The weighted parts and the score, computed as their sum (so that the parts add up to it exactly)."""
    parts = {
        "coverage": config.coverage_weight * cov_exact,
        "related_skills": config.coverage_weight * cov_rel,
        "skill_use": config.use_weight * use,
        "background": config.background_weight * background,
    }
    score = parts["coverage"] + parts["related_skills"] + parts["skill_use"] + parts["background"]
    return parts, score


def score_all(index: MatcherIndex, pv: PersonVector, config: ScoringConfig) -> ScoreArrays:
    cov_exact, cov_rel, use, use_den = skill_parts(index, pv)
    bg = person_background(index, pv, config, cov_exact)
    parts, score = weighted_parts(config, cov_exact, cov_rel, use, bg.values)
    return ScoreArrays(parts, score, use_den, bg.declared, bg.inferred, bg.strength, bg.scale)


def _empty() -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0)


def top_k(scores: np.ndarray, mask: np.ndarray | None, k: int, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Positions of the k best scores among ``mask``; ties broken by ``tiebreak`` (ascending, when given), then
    by index order (deterministic)."""
    candidates = np.flatnonzero(mask) if mask is not None else np.arange(len(scores))
    if k <= 0 or len(candidates) == 0:
        return np.zeros(0, dtype=np.int64)
    values = scores[candidates]
    if k < len(candidates):
        part = np.argpartition(-values, k - 1)[:k]
        threshold = values[part].min()
        part = np.flatnonzero(values >= threshold)  # keep all ties at the boundary, cut after sorting
        candidates, values = candidates[part], values[part]
    keys = (candidates, -values) if tiebreak is None else (candidates, tiebreak[candidates], -values)
    order = np.lexsort(keys)[:k]
    return candidates[order]
