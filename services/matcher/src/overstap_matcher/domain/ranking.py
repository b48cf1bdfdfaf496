"""The matcher's entry point: rank all occupations for a person and explain the top k."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from overstap_matcher.domain.explain import explain_top
from overstap_matcher.domain.filters import CompiledFilters, compile_filters
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import Filters, Match, Person, ScoringConfig
from overstap_matcher.domain.scoring import encode_person, score_all, top_k


@dataclass(frozen=True)
class Ranking:
    matches: Sequence[Match]
    unknown_skills: tuple[str, ...]  # offered skills the index does not know (ignored)
    unknown_occupations: tuple[str, ...]  # declared occupations the index does not know (ignored)


def rank(
    index: MatcherIndex,
    person: Person,
    *,
    config: ScoringConfig | None = None,
    filters: Filters | CompiledFilters | None = None,
    k: int = 20,
    include_own: bool = False,
    list_limit: int | None = None,
) -> Ranking:
    """The k best occupations for ``person``, best first, each explained.

    The person's declared occupations are left out unless ``include_own`` (to show the fit with the current job).
    ``list_limit`` bounds each match's shortage and surplus lists (None: complete).
    """
    config = config or ScoringConfig()
    compiled = filters if isinstance(filters, CompiledFilters) else compile_filters(index, filters)
    pv = encode_person(index, person, config)
    arrays = score_all(index, pv, config)
    mask = compiled.mask.copy()
    if not include_own and len(pv.declared):
        mask[pv.declared] = False
    if compiled.min_score > 0:
        mask &= arrays.score >= compiled.min_score
    best = top_k(arrays.score, mask, k)
    matches = explain_top(index, pv, arrays, config, best, list_limit)
    return Ranking(matches, pv.unknown_skills, pv.unknown_occupations)


def scores(index: MatcherIndex, person: Person, config: ScoringConfig | None = None) -> np.ndarray:
    """Scores of every occupation (index order), without explanations: for evaluation."""
    config = config or ScoringConfig()
    return score_all(index, encode_person(index, person, config), config).score
