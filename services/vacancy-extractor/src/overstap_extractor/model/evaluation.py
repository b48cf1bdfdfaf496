"""Ranking metrics exactly as in the evaluation README: RP@k (hits in top k / min(k, |gold|)) and MRR."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, slots=True)
class Query:
    id: str
    text: str
    language: str
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Metrics:
    rp5: float
    rp10: float
    mrr: float
    queries: int

    def as_json(self) -> dict[str, float | int]:
        return {"rp@5": round(float(self.rp5), 4), "rp@10": round(float(self.rp10), 4),
                "mrr": round(float(self.mrr), 4), "queries": int(self.queries)}


def read_queries(path: Path) -> list[Query]:
    out: list[Query] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                raw = json.loads(line)
                out.append(Query(raw["id"], raw["text"], raw.get("language", "en"), tuple(raw["skills"])))
    return out


def r_precision_at_k(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Hits in the top k divided by min(k, number of gold skills); 0 for an empty gold set."""
    gold_set = set(gold)
    if not gold_set:
        return 0.0
    hits = sum(1 for s in ranked[:k] if s in gold_set)
    return hits / min(k, len(gold_set))


def reciprocal_rank(ranked: Sequence[str], gold: Iterable[str]) -> float:
    """1 / rank of the first gold skill (ranks start at 1); 0 if none is ranked."""
    gold_set = set(gold)
    for i, s in enumerate(ranked):
        if s in gold_set:
            return 1.0 / (i + 1)
    return 0.0


def score_rankings(rankings: Sequence[Sequence[str]], golds: Sequence[Sequence[str]]) -> Metrics:
    n = len(golds)
    if n == 0:
        return Metrics(0.0, 0.0, 0.0, 0)
    rp5 = sum(r_precision_at_k(r, g, 5) for r, g in zip(rankings, golds, strict=True)) / n
    rp10 = sum(r_precision_at_k(r, g, 10) for r, g in zip(rankings, golds, strict=True)) / n
    mrr = sum(reciprocal_rank(r, g) for r, g in zip(rankings, golds, strict=True)) / n
    return Metrics(rp5, rp10, mrr, n)


ScoreFn = Callable[[Sequence[str], Sequence[str]], np.ndarray]


def ranking_from_scores(scores: np.ndarray, skill_ids: Sequence[str], k: int) -> list[str]:
    """The top k skill ids, best first; ties broken by skill index (a stable descending sort)."""
    top = np.argsort(-scores, kind="stable")[:k]
    return [skill_ids[i] for i in top]


def gold_positions(scores: np.ndarray, gold_idx: Sequence[int]) -> list[int]:
    """0-based positions of the gold skills in the stable descending order of ``scores``."""
    out = []
    for j in gold_idx:
        s = scores[j]
        out.append(int(np.count_nonzero(scores > s) + np.count_nonzero(scores[:j] == s)))
    return out


def query_metrics(scores: np.ndarray, gold_idx: Sequence[int], n_gold: int | None = None) -> tuple[float, float, float]:
    """RP@5, RP@10 and reciprocal rank of one query over the whole skill list.

    ``n_gold`` counts gold skills missing from the skill list too (they can never be hit)."""
    n_gold = len(gold_idx) if n_gold is None else n_gold
    if n_gold == 0:
        return 0.0, 0.0, 0.0
    pos = gold_positions(scores, gold_idx)
    rp5 = sum(p < 5 for p in pos) / min(5, n_gold)
    rp10 = sum(p < 10 for p in pos) / min(10, n_gold)
    return rp5, rp10, (1.0 / (1 + min(pos)) if pos else 0.0)


def evaluate(score: ScoreFn, queries: Sequence[Query], skill_ids: Sequence[str], chunk: int = 256) -> Metrics:
    """Score a batch scorer ``score(texts, languages) -> (n, n_skills) array`` over every skill."""
    index = {s: i for i, s in enumerate(skill_ids)}
    sums = np.zeros(3)
    for start in range(0, len(queries), chunk):
        part = queries[start : start + chunk]
        matrix = score([q.text for q in part], [q.language for q in part])
        for row, q in zip(matrix, part, strict=True):
            gold = [index[s] for s in q.skills if s in index]
            sums += query_metrics(np.asarray(row), gold, len(set(q.skills)))
    n = max(len(queries), 1)
    return Metrics(sums[0] / n, sums[1] / n, sums[2] / n, len(queries))
