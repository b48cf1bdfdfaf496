"""Result filters compiled to a boolean mask over the index's occupations (compile once, reuse per request)."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import numpy as np

from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import Filters


@dataclass(frozen=True, eq=False)
class CompiledFilters:
    mask: np.ndarray  # (n_occ,) bool: occupation may be returned
    min_score: float = 0.0


def compile_filters(index: MatcherIndex, filters: Filters | None) -> CompiledFilters:
    mask = np.ones(index.n_occupations, dtype=bool)
    if filters is None:
        return CompiledFilters(mask)
    if filters.isco_major_groups is not None:
        mask &= np.isin(index.isco_major, np.array(sorted(filters.isco_major_groups), dtype="<U1"))
    if filters.allowed is not None:
        mask &= _allowed_mask(index, filters.allowed)
    if filters.allowed_job_zones is not None:
        zones = filters.job_zones or {}
        allowed = set(filters.allowed_job_zones)
        mask &= np.array([zones.get(o) in allowed for o in index.occupation_ids], dtype=bool)
    return CompiledFilters(mask, filters.min_score)


def _allowed_mask(index: MatcherIndex, allowed: Collection[str] | Callable[[str], bool]) -> np.ndarray:
    if callable(allowed):
        return np.array([bool(allowed(o)) for o in index.occupation_ids], dtype=bool)
    mask = np.zeros(index.n_occupations, dtype=bool)
    positions = [index.occupation_pos[o] for o in allowed if o in index.occupation_pos]
    mask[positions] = True
    return mask


def job_zones_via_crosswalk(index: MatcherIndex) -> dict[str, int]:
    """ESCO occupation -> O*NET job zone (the lower median over its linked O*NET occupations with a zone), for
    callers that have no mapping of their own; occupations without a zoned link are left out."""
    prox = index.proximity
    out: dict[str, int] = {}
    for occ, links in zip(index.occupation_ids, prox.links, strict=True):
        zones = sorted(int(z) for z in prox.job_zones[links] if z > 0)
        if zones:
            out[occ] = zones[(len(zones) - 1) // 2]
    return out
