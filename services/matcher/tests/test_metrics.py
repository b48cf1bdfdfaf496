"""The evaluation metrics on hand-computed examples (protocol of /work/shared/eval/README.md)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from overstap_matcher.domain.evaluation import (
    Query,
    evaluate,
    ndcg_at_k,
    ranked_ids,
    recall_at_k,
    reciprocal_rank,
)
from overstap_matcher.domain.index import build_index
from overstap_matcher.testing import occupation_id, synthetic_taxonomy


def test_ndcg_hand_computed() -> None:
    ranked = ["a", "b", "c", "d"]
    relevant = {"b": 3, "d": 1, "e": 2}
    dcg = 7 / math.log2(3) + 1 / math.log2(5)
    ideal = 7 / math.log2(2) + 3 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(ranked, relevant) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(ranked, relevant) == pytest.approx(0.516053, abs=1e-6)


def test_ndcg_perfect_and_cut_at_k() -> None:
    relevant = {f"r{i}": 1 for i in range(12)}
    assert ndcg_at_k([f"r{i}" for i in range(12)], relevant) == pytest.approx(1.0)
    # relevant items beyond rank 10 earn nothing
    ranked = [f"x{i}" for i in range(10)] + ["r0"]
    assert ndcg_at_k(ranked, relevant) == 0.0
    assert ndcg_at_k(["a"], {}) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["a", "b", "c"], {"c": 1, "b": 2}) == pytest.approx(1 / 2)
    assert reciprocal_rank(["a", "b"], {"z": 1}) == 0.0
    assert reciprocal_rank(["a"], {"a": 3}) == 1.0


def test_recall_at_20() -> None:
    assert recall_at_k(["a", "b", "c", "d"], {"b": 3, "d": 1, "e": 2}) == pytest.approx(2 / 3)
    many = {f"r{i}": 1 for i in range(30)}
    ranked = [f"r{i}" for i in range(10)] + [f"x{i}" for i in range(10)] + [f"r{i}" for i in range(10, 30)]
    assert recall_at_k(ranked, many) == pytest.approx(10 / 20)


def test_ranked_ids_drops_query_and_exclude_and_breaks_ties_by_index_order() -> None:
    index = build_index(synthetic_taxonomy({i: [i] for i in range(5)}, n_skills=5))
    ids = [occupation_id(i) for i in range(5)]
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9])
    query = Query("q", relevant={ids[2]: 1}, occupations=(ids[1],), exclude=(ids[3],))
    assert ranked_ids(index, scores, query) == [ids[4], ids[0], ids[2]]


def test_evaluate_averages_over_queries() -> None:
    index = build_index(synthetic_taxonomy({i: [i] for i in range(3)}, n_skills=3))
    ids = [occupation_id(i) for i in range(3)]
    queries = [Query("q1", relevant={ids[0]: 1}), Query("q2", relevant={ids[2]: 1})]
    metrics = evaluate(index, queries, lambda q: np.array([0.3, 0.2, 0.1]))
    assert metrics.queries == 2
    assert metrics.mrr == pytest.approx((1 + 1 / 3) / 2)
    assert metrics.ndcg10 == pytest.approx((1 + 1 / math.log2(4)) / 2)
    assert metrics.recall20 == pytest.approx(1.0)
    assert metrics.as_json()["queries"] == 2
