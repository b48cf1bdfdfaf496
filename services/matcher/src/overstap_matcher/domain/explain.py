"""Explanations, built only for the targets returned (occupations, vacancies), in one vectorised pass over their
demands.

Per target: the score parts (they add up to the score), productive skills (offered and demanded, with what each
adds), shortage (demanded and missing, essential first, then rarer first, each with its skill group and any related
credit), surplus (offered and not demanded, rarer first) and the background occupation behind the background part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from overstap_matcher.domain.demands import DemandMatrix
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import (
    ESSENTIAL,
    OPTIONAL,
    BackgroundExplanation,
    Evidence,
    ListCounts,
    Match,
    ScoringConfig,
    ShortageItem,
    SkillContribution,
)
from overstap_matcher.domain.scoring import PART_NAMES, PersonVector, ScoreArrays, flat_positions


@dataclass(frozen=True, eq=False)
class GatheredDemands:
    """The demands of the explained targets, flattened in shortage order; ``seg`` numbers the target."""

    seg: np.ndarray
    skill: np.ndarray
    weight: np.ndarray
    essential: np.ndarray
    required: np.ndarray  # minimum evidence, 0 = none


def explain_top(
    index: MatcherIndex,
    pv: PersonVector,
    arrays: ScoreArrays,
    config: ScoringConfig,
    positions: np.ndarray,
    list_limit: int | None = None,
) -> list[Match]:
    """The matches at ``positions``, explained; with ``list_limit``, each lists only its first shortage and surplus
    skills (the most important), and counts them all."""
    if len(positions) == 0:
        return []
    demands = index.demands
    gathered = gather_demands(demands, positions)
    productive, shortage, surplus, counts = explain_skills(
        index, pv, config, gathered, demands.total[positions], arrays.use_denominator[positions], list_limit
    )
    backgrounds = explain_backgrounds(
        index,
        arrays.declared,
        arrays.inferred,
        arrays.inferred_strength * arrays.inferred_scale,
        positions,
        arrays.parts["background"][positions],
    )
    return [
        Match(
            occupation_id=index.occupation_ids[occ],
            rank=i + 1,
            score=float(arrays.score[occ]),
            parts={name: float(arrays.parts[name][occ]) for name in PART_NAMES},
            productive=productive[i],
            shortage=shortage[i],
            surplus=surplus[i],
            background=backgrounds[i],
            counts=counts[i],
        )
        for i, occ in enumerate(positions.tolist())
    ]


def gather_demands(demands: DemandMatrix, positions: np.ndarray) -> GatheredDemands:
    """The demands of the targets at ``positions`` (numbered 0.. in that order), each in shortage order."""
    flat, lens = flat_positions(demands.demand.indptr, positions)
    flat = demands.shortage_order[flat]  # within each target: essential first, then rarer
    seg = np.repeat(np.arange(len(positions)), lens)
    return GatheredDemands(
        seg, demands.demand.indices[flat], demands.demand.data[flat], demands.essential[flat], demands.required[flat]
    )


def merge_gathered(pieces: Sequence[tuple[GatheredDemands, np.ndarray]]) -> GatheredDemands:
    """Gathered demands of several stores as one, each piece's targets renumbered by its array (new numbers)."""
    seg = np.concatenate([numbers[g.seg] for g, numbers in pieces])
    order = np.argsort(seg, kind="stable")  # per target, keep the shortage order
    columns = [np.concatenate([getattr(g, name) for g, _ in pieces])[order] for name in _COLUMNS]
    return GatheredDemands(seg[order], *columns)


_COLUMNS = ("skill", "weight", "essential", "required")


def explain_skills(
    index: MatcherIndex,
    pv: PersonVector,
    config: ScoringConfig,
    d: GatheredDemands,
    totals: np.ndarray,
    use_denominators: np.ndarray,
    list_limit: int | None = None,
) -> tuple[list[list[SkillContribution]], list[list[ShortageItem]], list[list[str]], list[ListCounts]]:
    """Productive skills, shortage and surplus of each gathered target, and how many shortage and surplus skills
    each has; ``totals`` and ``use_denominators`` are the targets' demand totals and the person's use denominators
    for them (in target-number order). With ``list_limit``, only that many shortage and surplus skills per target
    are built (the first: essential and rarer first), which is what most of the work is."""
    k = len(totals)
    productive, shortage, shortage_counts = _skill_lists(index, pv, config, d, totals, use_denominators, list_limit)
    surplus, surplus_counts = _surplus(index, pv, d, k, list_limit)
    counts = [ListCounts(*row) for row in zip(*shortage_counts, surplus_counts, strict=True)]
    return productive, shortage, surplus, counts


def _skill_lists(
    index: MatcherIndex,
    pv: PersonVector,
    config: ScoringConfig,
    d: GatheredDemands,
    totals: np.ndarray,
    use_denominators: np.ndarray,
    list_limit: int | None,
) -> tuple[list[list[SkillContribution]], list[list[ShortageItem]], tuple[list[int], list[int]]]:
    met = pv.evidence[d.skill] >= d.required
    credit = np.where(met, pv.credit[d.skill], 0.0)
    extra = np.where(met, np.maximum(pv.related[d.skill] - credit, 0.0), 0.0)
    total = totals[d.seg]
    scale = config.coverage_weight * d.weight / np.where(total > 0, total, 1.0)
    use_den = use_denominators[d.seg]
    use = np.where(use_den > 0, config.use_weight * credit * index.idf[d.skill] / np.where(use_den > 0, use_den, 1), 0)
    cov, related = scale * credit, scale * extra
    relation = _RELATION[d.essential.astype(np.int64)]
    k = len(totals)
    is_prod = credit > 0
    p = _ordered(is_prod, (d.skill, -cov, d.seg))
    productive = _columns(
        SkillContribution,
        d.seg[p],
        k,
        index.skill_id_array[d.skill[p]],
        relation[p],
        _EVIDENCE[pv.evidence[d.skill[p]]],
        cov[p],
        use[p],
        related[p],
    )
    q = np.flatnonzero(~is_prod)  # gathered in shortage order already, target after target
    q_seg = d.seg[q]
    shortage_counts = np.bincount(q_seg, minlength=k)
    essential_counts = np.bincount(q_seg[d.essential[q].astype(bool)], minlength=k)
    if list_limit is not None:
        first = np.concatenate([[0], np.cumsum(shortage_counts)[:-1]])
        q = q[np.arange(len(q)) - first[q_seg] < list_limit]
    via = _related_via(index, pv, d.skill[q], extra[q] > 0)
    gated = (~met[q]) & (pv.evidence[d.skill[q]] > 0)
    shortage = _columns(
        ShortageItem,
        d.seg[q],
        k,
        index.skill_id_array[d.skill[q]],
        relation[q],
        index.group_id_array[d.skill[q]],
        related[q],
        np.where(via >= 0, index.skill_id_array[np.maximum(via, 0)], None),
        _EVIDENCE[np.where(gated, d.required[q], 0)],
    )
    return productive, shortage, (shortage_counts.tolist(), essential_counts.tolist())


_RELATION = np.array([OPTIONAL, ESSENTIAL], dtype=object)
_EVIDENCE = np.array([None, Evidence.SOFT, Evidence.SEMI_HARD, Evidence.HARD], dtype=object)


def _columns(row_type: type, seg: np.ndarray, k: int, *columns: np.ndarray) -> list[list]:
    """Named-tuple rows from parallel columns (already ordered by segment), split into k segment lists."""
    make = partial(tuple.__new__, row_type)  # builds the named tuple without a Python-level __new__ per row
    items = list(map(make, zip(*(c.tolist() for c in columns), strict=True)))
    bounds = np.concatenate([[0], np.cumsum(np.bincount(seg, minlength=k))]).tolist()
    return [items[bounds[i] : bounds[i + 1]] for i in range(k)]


def _ordered(mask: np.ndarray, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """Positions where ``mask`` holds, ordered by ``keys`` (last key primary, as np.lexsort)."""
    chosen = np.flatnonzero(mask)
    return chosen[np.lexsort(tuple(k[chosen] for k in keys))]


def _related_via(index: MatcherIndex, pv: PersonVector, skills: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """For each wanted demand, the offered skill behind its related credit (-1 elsewhere)."""
    via = np.full(len(skills), -1, dtype=np.int64)
    rows = np.flatnonzero(wanted)
    if len(rows) == 0:
        return via
    flat, lens = flat_positions(index.skill_groups.indptr, skills[rows])
    families = index.skill_groups.indices[flat]
    strength = pv.family_strength[families]
    starts = np.cumsum(lens) - lens  # every wanted skill has a family (its related credit came from one)
    best = np.maximum.reduceat(strength, starts)
    candidates = np.where(strength == np.repeat(best, lens), np.arange(len(families)), len(families))
    via[rows] = pv.family_source[families[np.minimum.reduceat(candidates, starts)]]
    return via


def _surplus(
    index: MatcherIndex, pv: PersonVector, d: GatheredDemands, k: int, list_limit: int | None
) -> tuple[list[list[str]], list[int]]:
    """Per explained target, the offered skills it does not demand, rarer first (the first ``list_limit``), and
    how many there are."""
    if len(pv.offered) == 0:
        return [[] for _ in range(k)], [0] * k
    offered = pv.offered[np.lexsort((pv.offered, -index.idf[pv.offered]))]
    column = np.full(index.n_skills, -1, dtype=np.int64)
    column[offered] = np.arange(len(offered))
    demanded = np.zeros((k, len(offered)), dtype=bool)
    hit = column[d.skill] >= 0
    demanded[d.seg[hit], column[d.skill[hit]]] = True
    counts = (len(offered) - demanded.sum(axis=1)).tolist()
    # Per row, the undemanded skills in their order: a stable sort puts False (not demanded) first.
    first = np.argsort(demanded, axis=1, kind="stable")[:, :list_limit]
    ids = index.skill_id_array[offered[first]].tolist()
    return [row[:n] for row, n in zip(ids, counts, strict=True)], counts


def explain_backgrounds(
    index: MatcherIndex,
    declared: np.ndarray,
    inferred: np.ndarray,
    inferred_strength: np.ndarray,
    target_occupations: np.ndarray,
    background_parts: np.ndarray,
) -> list[BackgroundExplanation | None]:
    """Per explained target, the background occupation that gives it its background part; ``target_occupations``
    are the targets' ESCO occupation positions (-1: none, no background), ``inferred_strength`` is already
    scaled, ``background_parts`` are the targets' background parts (only their sign matters)."""
    matrix = index.proximity.matrix
    out: list[BackgroundExplanation | None] = [None] * len(target_occupations)
    origins = np.concatenate([declared, inferred]).astype(np.int64)
    known = np.flatnonzero(target_occupations >= 0)
    if len(origins) == 0 or len(known) == 0 or background_parts[known].max() <= 0:
        return out
    positions = target_occupations[known]
    strength = np.concatenate([np.ones(len(declared)), inferred_strength])
    values = matrix[np.ix_(origins, positions)] * strength[:, None]
    best = np.argmax(values, axis=0)  # declared first: they win ties
    for column, (i, b, occ) in enumerate(zip(known.tolist(), best.tolist(), positions.tolist(), strict=True)):
        if values[b, column] > 0:
            out[i] = _background(index, int(origins[b]), occ, b < len(declared), float(strength[b]))
    return out


def _background(index: MatcherIndex, origin: int, occ: int, declared: bool, strength: float) -> BackgroundExplanation:
    reading = index.proximity.explain(origin, occ)
    return BackgroundExplanation(
        origin_id=index.occupation_ids[origin],
        declared=declared,
        strength=strength,
        proximity=reading.proximity,
        shared_isco_digits=reading.shared_isco_digits,
        onet_pair=reading.onet_pair,
        shared_soc_levels=reading.shared_soc_levels,
        onet_profile_similarity=reading.profile_similarity,
        job_zone_gap=reading.job_zone_gap,
    )
