"""Pair features (text, skill) for every skill at once: the signals of ``signals.py``, their per-text
normalised versions, and skill priors. The ranker is a linear model over these columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from overstap_extractor.model.catalog import SkillCatalog
from overstap_extractor.model.embedding import EmbeddingIndex, available, get_encoder, impute_mean
from overstap_extractor.model.signals import SignalIndex, pool_max, scatter_rows, tfidf, tfidf_of_features
from overstap_extractor.model.text import LANGUAGES, normalize

SIGNALS = ("label", "contain", "char", "desc", "centroid", "char_other", "label_other", "emb", "emb_other")
NORMALISED = ("label", "contain", "char", "centroid", "emb", "emb_other")
# Per-text standardised versions, (x - mean) / std over all skills, used by the "+emb" scorers only (the
# lexical scorers keep these columns at weight 0): e5 cosines sit in a narrow band whose level and spread
# vary from query to query, so a raw or max-relative cosine weighs differently per query (fold 0: +0.014 RP@5).
STANDARDISED = ("label", "contain", "char", "char_other", "label_other", "emb", "emb_other")
# Signals each language's scorer uses (the others are zero columns): English texts gain nothing from the
# Dutch labels (learned weights ~0) and the centroid signal exists only for English.
ACTIVE = {
    "en": frozenset({"label", "contain", "char", "desc", "centroid"}),
    "nl": frozenset({"label", "contain", "char", "desc", "char_other", "label_other"}),
}
# Optional sentence-embedding signals (embedding.py), used by the "<language>+emb" scorers only: cosine with
# the skill's own-language label rows (max; skills without such rows get the query's mean over the others,
# so the signal cannot act as a "has a Dutch label" prior) and with its English preferred label and first
# English alternative labels (max; embedding.ALT_LABELS).
SEMANTIC = {"nl": frozenset({"emb", "emb_other"})}


def semantic_key(language: str) -> str:
    return f"{language}+emb"


def other_language(language: str) -> str:
    return "nl" if language == "en" else "en"


def _binary(x: sp.csr_matrix) -> sp.csr_matrix:
    b = x.copy()
    b.data[:] = 1.0
    return b


def _mask_rows(sims: sp.csr_matrix, masks: Sequence[Sequence[int]]) -> sp.csr_matrix:
    """Zero the label rows listed per query (a query must not match its own label when it is one)."""
    rows = [(i, r) for i, m in enumerate(masks) for r in m]
    if not rows:
        return sims
    keep = sp.csr_matrix((np.ones(len(rows), np.float32), ([a for a, _ in rows], [b for _, b in rows])),
                         shape=sims.shape)
    return (sims - sims.multiply(keep)).tocsr()


@dataclass
class FeatureSpace:
    index: SignalIndex
    priors: np.ndarray  # (n_skills, P)
    prior_names: list[str]
    train_prior: np.ndarray  # (n_skills,) log1p of training sentences per skill
    label_local: dict[str, dict[str, list[int]]]  # language -> normalised label -> rows in that language
    embedding: EmbeddingIndex | None = None  # optional (the ``multilingual`` extra)

    def semantic_ready(self, language: str) -> bool:
        return self.embedding is not None and language in SEMANTIC and available()

    @property
    def names(self) -> list[str]:
        return (list(SIGNALS) + [f"{s}_rel" for s in NORMALISED] + [f"{s}_z" for s in STANDARDISED]
                + self.prior_names + ["train_prior"])

    def signals(self, texts: Sequence[str], language: str, centroid: sp.csr_matrix | None = None,
                masked: Sequence[Sequence[str]] | None = None, semantic: bool = False) -> dict[str, np.ndarray]:
        """Each signal as an (n_texts, n_skills) float32 array. ``masked[i]``: label texts that text i must
        not match (training queries built from labels must not find their own label rows). ``semantic``:
        also the embedding signals (zero columns otherwise, or when the embedding is unavailable)."""
        n = self.index.n_skills
        li = self.index.languages[language]
        lo = self.index.languages[other_language(language)]
        local = self.label_local[language]
        masks = [[r for t in m for r in local.get(normalize(t), [])] for m in masked] if masked else []
        active = ACTIVE[language]
        q = tfidf(li.word, texts)
        zeros = np.zeros((len(texts), n), np.float32)
        out = {name: zeros for name in SIGNALS}
        out["label"] = pool_max(_mask_rows(q @ li.label_word, masks), li.label_skill, n)
        out["contain"] = pool_max(_mask_rows(_binary(q) @ li.label_contain, masks), li.label_skill, n)
        analyze = li.char.build_analyzer()  # both languages' char vectorizers analyse alike
        grams = [analyze(t) for t in texts]
        out["char"] = pool_max(_mask_rows(tfidf_of_features(li.char, grams) @ li.label_char, masks),
                               li.label_skill, n)
        out["desc"] = scatter_rows(q @ li.desc_word, li.desc_skill, n)
        if "char_other" in active:
            out["char_other"] = pool_max(tfidf_of_features(lo.char, grams) @ lo.label_char, lo.label_skill, n)
        if "label_other" in active:
            out["label_other"] = pool_max(tfidf(lo.word, texts) @ lo.label_word, lo.label_skill, n)
        if "centroid" in active:
            cent = self.index.centroid if centroid is None else centroid
            if cent is not None:
                out["centroid"] = (q @ cent).toarray().astype(np.float32)
        if semantic and self.semantic_ready(language):
            emb = self.embedding
            e = get_encoder().encode(texts)
            out["emb"] = impute_mean(emb.rows[language].pool(e, n, masks))
            other = emb.rows[other_language(language)].pool(e, n)
            out["emb_preferred"] = impute_mean(other)  # not a feature: train.py's candidate sampling
            alt = emb.rows.get(f"{other_language(language)}_alt")  # absent in older artifacts
            out["emb_other"] = impute_mean(other if alt is None else np.fmax(other, alt.pool(e, n)))
        return out

    def matrix(self, texts: Sequence[str], language: str, centroid: sp.csr_matrix | None = None,
               train_prior: np.ndarray | None = None,
               masked: Sequence[Sequence[str]] | None = None, semantic: bool = False) -> np.ndarray:
        """(n_texts, n_skills, n_features) float32: every pair's features."""
        sig = self.signals(texts, language, centroid, masked, semantic)
        every = [np.arange(self.index.n_skills)] * len(texts)
        return np.stack(self.pair_features(sig, every, train_prior))

    def pair_features(self, sig: dict[str, np.ndarray], skills: Sequence[np.ndarray],
                      train_prior: np.ndarray | None = None) -> list[np.ndarray]:
        """Features of the pairs (text i, skills[i][j]) from ``signals()``: one (len, F) array per text."""
        prior = self.train_prior if train_prior is None else train_prior
        tops = {s: sig[s].max(axis=1) for s in NORMALISED}
        means = {s: sig[s].mean(axis=1) for s in STANDARDISED}
        stds = {s: sig[s].std(axis=1) for s in STANDARDISED}
        out = []
        for i, cand in enumerate(skills):
            cols = [sig[s][i, cand] for s in SIGNALS]
            for s in NORMALISED:
                cols.append(sig[s][i, cand] / tops[s][i] if tops[s][i] > 0 else np.zeros(len(cand), np.float32))
            for s in STANDARDISED:
                sd = stds[s][i]
                cols.append((sig[s][i, cand] - means[s][i]) / sd if sd > 0 else np.zeros(len(cand), np.float32))
            cols += [self.priors[cand, j] for j in range(self.priors.shape[1])] + [prior[cand]]
            out.append(np.stack(cols, axis=-1).astype(np.float32, copy=False))
        return out

    def linear_score(self, texts: Sequence[str], language: str, weights: np.ndarray, bias: float,
                     masked: Sequence[Sequence[str]] | None = None, semantic: bool = False) -> np.ndarray:
        """``matrix(texts, language) @ weights + bias`` without building the 3-D feature tensor."""
        semantic = semantic and self.semantic_ready(language)
        sig = self.signals(texts, language, masked=masked, semantic=semantic)
        names = self.names
        w = dict(zip(names, weights.tolist(), strict=True))
        n_cols = len(SIGNALS) + len(NORMALISED) + len(STANDARDISED)
        prior_cols = np.concatenate([self.priors, self.train_prior[:, None]], axis=1)
        out = np.broadcast_to(prior_cols @ weights[n_cols:] + bias, (len(texts), self.index.n_skills))
        out = out.astype(np.float32)
        for s in ACTIVE[language] | (SEMANTIC.get(language, frozenset()) if semantic else frozenset()):
            x = sig[s]
            coef = np.full((len(texts), 1), w[s], np.float32)
            if s in NORMALISED:
                top = x.max(axis=1, keepdims=True)
                coef += np.divide(w[f"{s}_rel"], top, out=np.zeros_like(top), where=top > 0)
            if s in STANDARDISED and w[f"{s}_z"] != 0.0:  # zero for the lexical scorers: no extra cost
                mean, sd = x.mean(axis=1, keepdims=True), x.std(axis=1, keepdims=True)
                wz = np.divide(w[f"{s}_z"], sd, out=np.zeros_like(sd), where=sd > 0)
                coef += wz
                out -= wz * mean
            out += coef * x
        return out


def label_lookup(catalog: SkillCatalog, index: SignalIndex) -> dict[str, dict[str, list[int]]]:
    """Per language, normalised label text -> its row positions in that language's label matrix."""
    out: dict[str, dict[str, list[int]]] = {}
    for li, language in enumerate(LANGUAGES):
        rows = np.flatnonzero(catalog.labels.language == li)
        table: dict[str, list[int]] = defaultdict(list)
        for local, r in enumerate(rows):
            table[catalog.labels.text[r]].append(local)
        out[language] = dict(table)
    return out
