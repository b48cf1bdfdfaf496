"""The matcher on the development set of O*NET related occupations (needs /work/shared)."""

from __future__ import annotations

from pathlib import Path

import pytest
from overstap_matcher.domain.evaluation import (
    evaluate,
    idf_cosine_scorer,
    load_queries,
    person_for_query,
)
from overstap_matcher.domain.model import ScoringConfig
from overstap_matcher.domain.ranking import scores

EVAL_DIR = Path("/work/shared/eval")
OCCUPATIONS_DEV = EVAL_DIR / "matching-onet-related-dev.jsonl"
SKILLS_DEV = EVAL_DIR / "matching-onet-related-skills-dev.jsonl"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.slow,
    pytest.mark.skipif(
        not OCCUPATIONS_DEV.exists(), reason=f"evaluation dev set not available: {OCCUPATIONS_DEV} is missing"
    ),
]


@pytest.fixture(scope="module")
def index():
    from overstap_matcher.adapters.default_index import load_index

    try:
        return load_index()[0]
    except FileNotFoundError as exc:
        pytest.skip(f"no taxonomy data to build the index from: {exc}")


def test_ndcg_on_occupation_queries(index) -> None:
    config = ScoringConfig()
    queries = load_queries(OCCUPATIONS_DEV)
    metrics = evaluate(index, queries, lambda q: scores(index, person_for_query(index, q), config))
    assert metrics.queries == 3777
    assert metrics.ndcg10 >= 0.45, metrics


def test_ndcg_on_skill_queries(index) -> None:
    if not SKILLS_DEV.exists():
        pytest.skip(f"{SKILLS_DEV} is missing")
    config = ScoringConfig()
    queries = load_queries(SKILLS_DEV)
    metrics = evaluate(index, queries, lambda q: scores(index, person_for_query(index, q), config))
    assert metrics.ndcg10 >= 0.45, metrics


def test_reference_ranker_reproduces_the_readme(index) -> None:
    """idf cosine, essential 1 + optional 0.5: README says NDCG@10 0.352, MRR 0.738, Recall@20 0.465."""
    metrics = evaluate(index, load_queries(OCCUPATIONS_DEV), idf_cosine_scorer(index))
    assert metrics.ndcg10 == pytest.approx(0.352, abs=0.002)
    assert metrics.mrr == pytest.approx(0.738, abs=0.002)
    assert metrics.recall20 == pytest.approx(0.465, abs=0.002)
