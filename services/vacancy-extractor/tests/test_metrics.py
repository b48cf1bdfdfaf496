"""Metric functions on hand-computed examples (definitions of the evaluation README)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from overstap_extractor.model.evaluation import (
    Query,
    evaluate,
    gold_positions,
    query_metrics,
    r_precision_at_k,
    read_queries,
    reciprocal_rank,
    score_rankings,
)


def test_r_precision_divides_by_min_k_and_gold() -> None:
    ranked = ["a", "x", "b", "y", "z", "c"]
    assert r_precision_at_k(ranked, ["a", "b"], 5) == 1.0  # 2 hits / min(5, 2)
    assert r_precision_at_k(ranked, ["a", "b", "c"], 5) == pytest.approx(2 / 3)  # c is 6th
    assert r_precision_at_k(ranked, ["a", "b", "c"], 10) == 1.0
    assert r_precision_at_k(ranked, list("abcdefg"), 5) == pytest.approx(2 / 5)
    assert r_precision_at_k(ranked, [], 5) == 0.0


def test_reciprocal_rank_of_first_gold() -> None:
    assert reciprocal_rank(["x", "y", "a", "b"], ["b", "a"]) == pytest.approx(1 / 3)
    assert reciprocal_rank(["a"], ["a"]) == 1.0
    assert reciprocal_rank(["x"], ["a"]) == 0.0


def test_score_rankings_averages_over_queries() -> None:
    m = score_rankings([["a", "x"], ["x", "y", "b"]], [["a"], ["b"]])
    assert m.rp5 == pytest.approx((1.0 + 1.0) / 2)
    assert m.mrr == pytest.approx((1.0 + 1 / 3) / 2)
    assert m.queries == 2


def test_gold_positions_break_ties_by_index() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1])
    # stable descending order: 1, 0, 2, 3
    assert gold_positions(scores, [0, 2, 3]) == [1, 2, 3]


def test_query_metrics_from_scores() -> None:
    scores = np.zeros(20)
    scores[[3, 7, 11]] = [3.0, 2.0, 1.0]  # ranks 1, 2, 3; index 15 is tied at 0 with many
    rp5, rp10, rr = query_metrics(scores, [7, 15])
    # 15 sits after the 3 positives and the zero-scored indices 0..14 without 3, 7, 11 (12 of them)
    assert rp5 == pytest.approx(1 / 2) and rp10 == pytest.approx(1 / 2) and rr == pytest.approx(1 / 2)
    # a gold skill missing from the list still counts in the denominator
    assert query_metrics(scores, [3], n_gold=2)[0] == pytest.approx(1 / 2)
    assert query_metrics(scores, [], n_gold=1) == (0.0, 0.0, 0.0)


def test_evaluate_matches_list_metrics(tmp_path: Path) -> None:
    ids = ["s0", "s1", "s2", "s3"]
    path = tmp_path / "q.jsonl"
    rows = [{"id": "q0", "text": "a", "language": "en", "skills": ["s2"]},
            {"id": "q1", "text": "b", "language": "en", "skills": ["s0", "s3"]}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    queries = read_queries(path)
    assert queries[1] == Query("q1", "b", "en", ("s0", "s3"))
    table = {"a": [0.1, 0.2, 0.9, 0.0], "b": [0.3, 0.8, 0.1, 0.2]}
    m = evaluate(lambda texts, langs: np.array([table[t] for t in texts]), queries, ids)
    # q0: s2 first -> rp 1, rr 1.  q1: order s1, s0, s3, s2 -> hits 2 of min(5, 2); rr 1/2
    assert (m.rp5, m.rp10, m.mrr, m.queries) == (pytest.approx(1.0), pytest.approx(1.0), pytest.approx(0.75), 2)
    assert m.as_json()["rp@5"] == 1.0
