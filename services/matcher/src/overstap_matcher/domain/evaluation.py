"""Offline evaluation of occupation rankers, as /work/shared/eval/README.md defines it.

For each query: rank all occupations, drop the query's own occupations and ``exclude``, then
- NDCG@10 with gain 2^grade - 1 (ideal DCG over all graded relevant occupations),
- reciprocal rank of the first relevant occupation in the full ranking (MRR),
- Recall@20 = relevant in the top 20 / min(20, |relevant|).
Ties are broken by index order (stable sort), so results are deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import scipy.sparse as sp

from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import Evidence, OfferedSkill, Person
from overstap_matcher.domain.person import person_with_history


@dataclass(frozen=True)
class Query:
    id: str
    relevant: Mapping[str, int]
    occupations: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class Metrics:
    ndcg10: float
    mrr: float
    recall20: float
    queries: int
    per_query: Sequence[tuple[float, float, float]] = field(default=(), repr=False)

    def as_json(self) -> dict[str, float | int]:
        return {"ndcg@10": self.ndcg10, "mrr": self.mrr, "recall@20": self.recall20, "queries": self.queries}


def load_queries(path: Path, limit: int | None = None) -> list[Query]:
    queries = []
    with open(path, "rb") as fh:
        for line in fh:
            if not line.strip():
                continue
            raw = orjson.loads(line)
            queries.append(
                Query(
                    id=raw["id"],
                    relevant={k: int(v) for k, v in raw["relevant"].items()},
                    occupations=tuple(raw.get("occupations", ())),
                    skills=tuple(raw.get("skills", ())),
                    exclude=tuple(raw.get("exclude", ())),
                )
            )
            if limit is not None and len(queries) >= limit:
                break
    return queries


def dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    ideal = dcg(sorted((2.0**g - 1 for g in relevant.values()), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([2.0 ** relevant.get(x, 0) - 1 for x in ranked[:k]]) / ideal


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int]) -> float:
    for i, x in enumerate(ranked):
        if relevant.get(x, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 20) -> float:
    positives = {x for x, g in relevant.items() if g > 0}
    if not positives:
        return 0.0
    return len(positives.intersection(ranked[:k])) / min(k, len(positives))


def ranked_ids(index: MatcherIndex, scores: np.ndarray, query: Query) -> list[str]:
    """Occupations best first (stable on ties), without the query's occupations and ``exclude``."""
    s = np.asarray(scores, dtype=np.float64).copy()
    for o in (*query.occupations, *query.exclude):
        pos = index.occupation_pos.get(o)
        if pos is not None:
            s[pos] = -np.inf
    order = np.argsort(-s, kind="stable")
    keep = order[np.isfinite(s[order])]
    return [index.occupation_ids[i] for i in keep]


def evaluate(index: MatcherIndex, queries: Iterable[Query], scorer: Callable[[Query], np.ndarray]) -> Metrics:
    rows = []
    for q in queries:
        ranked = ranked_ids(index, scorer(q), q)
        rows.append(
            (ndcg_at_k(ranked, q.relevant), reciprocal_rank(ranked, q.relevant), recall_at_k(ranked, q.relevant))
        )
    if not rows:
        return Metrics(0.0, 0.0, 0.0, 0)
    m = np.mean(np.array(rows), axis=0)
    return Metrics(float(m[0]), float(m[1]), float(m[2]), len(rows), tuple(rows))


def person_for_query(
    index: MatcherIndex, query: Query, optional_weight: float = 0.5, evidence: Evidence = Evidence.SEMI_HARD
) -> Person:
    """The passport of a query: the skills of its occupations (essential at weight 1, optional at
    ``optional_weight``, as work experience) plus its explicit skills, and its occupations as background."""
    explicit = [OfferedSkill(sid, evidence, 1.0) for sid in query.skills]
    return person_with_history(index, explicit, query.occupations, evidence, optional_weight)


# --- reference rankers (README): Jaccard over essential skills; idf cosine, essential 1 + optional 0.5 ---------


def _query_vectors(index: MatcherIndex, query: Query) -> tuple[np.ndarray, np.ndarray]:
    """(essential 0/1, essential 1 / optional 0.5) person vectors over the skill vocabulary."""
    ess = np.zeros(index.n_skills)
    weighted = np.zeros(index.n_skills)
    for occ in query.occupations:
        pos = index.occupation_pos.get(occ)
        if pos is None:
            continue
        lo, hi = index.demand.indptr[pos], index.demand.indptr[pos + 1]
        cols, flags = index.demand.indices[lo:hi], index.demand_essential[lo:hi]
        ess[cols[flags]] = 1.0
        weighted[cols] = np.maximum(weighted[cols], np.where(flags, 1.0, 0.5))
    for sid in query.skills:
        pos = index.skill_pos.get(sid)
        if pos is not None:
            ess[pos] = weighted[pos] = 1.0
    return ess, weighted


def jaccard_essential_scorer(index: MatcherIndex) -> Callable[[Query], np.ndarray]:
    essential = (index.essential > 0).astype(np.float64).tocsr()
    sizes = np.asarray(essential.sum(axis=1)).ravel()

    def score(query: Query) -> np.ndarray:
        ess, _ = _query_vectors(index, query)
        inter = essential @ ess
        union = sizes + ess.sum() - inter
        return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)

    return score


def idf_cosine_scorer(index: MatcherIndex) -> Callable[[Query], np.ndarray]:
    optional = (index.demand_bin - index.essential).tocsr()
    weights: sp.csr_matrix = (index.essential + 0.5 * optional).multiply(index.idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())

    def score(query: Query) -> np.ndarray:
        _, v = _query_vectors(index, query)
        v = v * index.idf
        denom = norms * np.sqrt(np.sum(v * v))  # no BLAS call: its thread pool is slow on shared cores
        return np.where(denom > 0, (weights @ v) / np.where(denom > 0, denom, 1.0), 0.0)

    return score
