"""Held-out Dutch linking evaluation: the dev queries' own VDAB names are removed before training.

k-fold over the dev queries: for fold k the catalogue loses every Dutch non-preferred label equal (after
normalisation) to a fold-k query text, the ranker is trained on what remains, and fold k is scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from overstap_bundle import TaxonomyBundle

from overstap_extractor.model.evaluation import Metrics, Query, evaluate
from overstap_extractor.model.reference import REFERENCES, TfidfReferenceRanker
from overstap_extractor.model.text import normalize
from overstap_extractor.model.train import TrainConfig, train


def fold_of(queries: Sequence[Query], folds: int, seed: int = 0) -> np.ndarray:
    """Fold per query; queries with the same normalised text share a fold."""
    texts = sorted({normalize(q.text) for q in queries})
    order = np.random.default_rng(seed).permutation(len(texts))
    fold_by_text = {t: int(order[i] % folds) for i, t in enumerate(texts)}
    return np.asarray([fold_by_text[normalize(q.text)] for q in queries])


def held_out_dutch(bundle: TaxonomyBundle, extraction_dir: Path, queries: Sequence[Query], folds: int = 5,
                   cfg: TrainConfig | None = None, max_folds: int | None = None,
                   references: bool = True) -> dict[str, Metrics]:
    """Micro-averaged metrics over the held-out folds for the skill ranker ("skill-ranker", ranking mode:
    with the sentence-embedding signals when the ``multilingual`` extra is installed) and, on the same
    held-out label sets, the plain TF-IDF references over Dutch labels."""
    fold = fold_of(queries, folds)
    sums: dict[str, np.ndarray] = {}
    n = 0
    for k in range(max_folds or folds):
        held = [q for q, f in zip(queries, fold, strict=True) if f == k]
        texts = {normalize(q.text) for q in held}

        def drop(lang: str, t: str, h: set[str] = texts) -> bool:
            return lang == "nl" and t in h

        ranker = train(bundle, extraction_dir, cfg, drop=drop, log=False, languages=("nl",))
        scores = {"skill-ranker": evaluate(ranker.rank_scores, held, ranker.skill_ids)}
        if ranker.uses_semantic("nl"):  # the same model without the embedding signals (ad mode's scorer)
            scores["skill-ranker lexical scorer"] = evaluate(ranker.score, held, ranker.skill_ids)
        if references:
            for name, (analyzer, ngrams) in REFERENCES.items():
                ref = TfidfReferenceRanker.fit(bundle, analyzer, ngrams, "nl", drop)
                scores[f"reference {name} (nl labels)"] = evaluate(ref.score, held, ref.skill_ids)
        print(f"fold {k}: {scores['skill-ranker'].as_json()}", flush=True)
        for name, m in scores.items():
            sums[name] = sums.get(name, np.zeros(3)) + np.asarray([m.rp5, m.rp10, m.mrr]) * m.queries
        n += len(held)
    return {name: Metrics(v[0] / n, v[1] / n, v[2] / n, n) for name, v in sums.items()}
