"""Pair features (text, skill) for every skill at once: the signals of ``signals.py``, their per-text
normalised versions, and skill priors. The ranker is a linear model over these columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from overstap_extractor.model.catalog import SkillCatalog
from overstap_extractor.model.embedding import EmbeddingIndex, adapt, available, get_encoder, impute_mean
from overstap_extractor.model.signals import (
    SharedVocabulary,
    SignalIndex,
    add_pooled,
    pool_max,
    row_max,
    tfidf,
    tfidf_of_features,
)
from overstap_extractor.model.text import LANGUAGES, normalize

SIGNALS = ("label", "contain", "char", "desc", "centroid", "char_other", "label_other", "emb", "emb_other",
           "emb_tuned", "emb_other_tuned")
NORMALISED = ("label", "contain", "char", "centroid", "emb", "emb_other", "emb_tuned", "emb_other_tuned")
# Per-text standardised versions, (x - mean) / std over all skills, used by the "+emb" scorers only (the
# lexical scorers keep these columns at weight 0): e5 cosines sit in a narrow band whose level and spread
# vary from query to query, so a raw or max-relative cosine weighs differently per query (fold 0: +0.014 RP@5).
STANDARDISED = ("label", "contain", "char", "char_other", "label_other", "emb", "emb_other", "emb_tuned",
                "emb_other_tuned")
# Signals each language's scorer uses (the others are zero columns): English texts gain nothing from the
# Dutch labels (learned weights ~0) and the centroid signal exists only for English.
ACTIVE = {
    "en": frozenset({"label", "contain", "char", "desc", "centroid"}),
    "nl": frozenset({"label", "contain", "char", "desc", "char_other", "label_other"}),
}
# Optional sentence-embedding signals (embedding.py), used by the "<language>+emb" scorers only: cosine with
# the skill's own-language label rows (max; skills without such rows get the query's mean over the others,
# so the signal cannot act as a "has a Dutch label" prior) and with its English preferred label and first
# English alternative labels (max; embedding.ALT_LABELS); the ``_tuned`` ones the same with the query vector
# through the learned adapter (adapter.py; zero columns when the index has none).
SEMANTIC = {"nl": frozenset({"emb", "emb_other", "emb_tuned", "emb_other_tuned"})}


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

    def similarities(self, texts: Sequence[str], language: str, centroid: sp.csr_matrix | None = None,
                     masked: Sequence[Sequence[str]] | None = None) -> dict[str, tuple[sp.csr_matrix, np.ndarray]]:
        """The language's active lexical signals before pooling: per signal, the (n_texts, n_rows) CSR
        similarity with label, description or centroid rows, and each row's skill (a signal is the max over a
        skill's rows). ``masked[i]``: label texts that text i must not match (training queries built from
        labels must not find their own label rows)."""
        li = self.index.languages[language]
        lo = self.index.languages[other_language(language)]
        masks = self.label_masks(language, masked)
        active = ACTIVE[language]
        q = tfidf(li.word, texts)
        analyze = li.char.build_analyzer()  # both languages' char vectorizers analyse alike
        grams = [analyze(t) for t in texts]
        if "char_other" in active:
            q_char, q_char_other = self._char_vocabulary(language).tfidf(grams)
        else:
            q_char = tfidf_of_features(li.char, grams)
        out = {
            "label": (_mask_rows(q @ li.label_word, masks), li.label_skill),
            "contain": (_mask_rows(_binary(q) @ li.label_contain, masks), li.label_skill),
            "char": (_mask_rows(q_char @ li.label_char, masks), li.label_skill),
            "desc": ((q @ li.desc_word).tocsr(), li.desc_skill),
        }
        if "char_other" in active:
            out["char_other"] = ((q_char_other @ lo.label_char).tocsr(), lo.label_skill)
        if "label_other" in active:
            out["label_other"] = ((tfidf(lo.word, texts) @ lo.label_word).tocsr(), lo.label_skill)
        cent = self.index.centroid if centroid is None else centroid
        if "centroid" in active and cent is not None:
            out["centroid"] = ((q @ cent).tocsr(), np.arange(self.index.n_skills))
        return out

    def _char_vocabulary(self, language: str) -> SharedVocabulary:
        """Both languages' char vocabularies behind one lookup (built on first use, not stored)."""
        shared = self.__dict__.setdefault("_char_vocabularies", {})
        if language not in shared:
            chars = [self.index.languages[lang].char for lang in (language, other_language(language))]
            shared[language] = SharedVocabulary(chars)
        return shared[language]

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state.pop("_char_vocabularies", None)
        return state

    def label_masks(self, language: str, masked: Sequence[Sequence[str]] | None) -> list[list[int]]:
        """Per text, the positions of the label rows it must not match (in that language's label table)."""
        local = self.label_local[language]
        return [[r for t in m for r in local.get(normalize(t), [])] for m in masked] if masked else []

    def signals(self, texts: Sequence[str], language: str, centroid: sp.csr_matrix | None = None,
                masked: Sequence[Sequence[str]] | None = None, semantic: bool = False) -> dict[str, np.ndarray]:
        """Each signal as an (n_texts, n_skills) float32 array: the pooled ``similarities`` (zero columns for
        the inactive ones), and with ``semantic`` the embedding signals (zero columns when unavailable)."""
        n = self.index.n_skills
        out = {name: np.zeros((len(texts), n), np.float32) for name in SIGNALS}
        for name, (sims, row_skill) in self.similarities(texts, language, centroid, masked).items():
            out[name] = pool_max(sims, row_skill, n)
        if semantic and self.semantic_ready(language):
            out.update(self._semantic_signals(texts, language, masked))
        return out

    def _semantic_signals(self, texts: Sequence[str], language: str,
                          masked: Sequence[Sequence[str]] | None = None) -> dict[str, np.ndarray]:
        masks = self.label_masks(language, masked)
        e = get_encoder().encode(texts)
        out = self._cosines(e, language, masks)
        adapter = getattr(self.embedding, "adapter", None)  # absent in older artifacts
        if adapter is not None:
            tuned = self._cosines(adapt(e, adapter), language, masks, adapter)
            out["emb_tuned"], out["emb_other_tuned"] = tuned["emb"], tuned["emb_other"]
        return out

    def _cosines(self, e: np.ndarray, language: str, masks: Sequence[Sequence[int]],
                 adapter: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """The query vectors' max cosine per skill: own-language rows ("emb"), English preferred
        ("emb_preferred": not a feature, train.py's candidate sampling) and preferred or alternative
        ("emb_other"); skills without rows get the query's mean. With ``adapter``
        the rows go through it (``e`` should be adapted already)."""
        n = self.index.n_skills
        rows = self.embedding.rows
        other = rows[other_language(language)].pool(e, n, adapter=adapter)
        alt = rows.get(f"{other_language(language)}_alt")  # absent in older artifacts
        return {
            "emb": impute_mean(rows[language].pool(e, n, masks, adapter)),
            "emb_preferred": impute_mean(other),
            "emb_other": impute_mean(other if alt is None else np.fmax(other, alt.pool(e, n, adapter=adapter))),
        }

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
        """``matrix(texts, language) @ weights + bias`` without building the 3-D feature tensor, and without a
        dense pass per lexical signal when the scorer does not standardise it (the lexical scorers): only the
        skills a signal reaches get its term."""
        semantic = semantic and self.semantic_ready(language)
        w = dict(zip(self.names, weights.tolist(), strict=True))
        n_cols = len(SIGNALS) + len(NORMALISED) + len(STANDARDISED)
        prior_cols = np.concatenate([self.priors, self.train_prior[:, None]], axis=1)
        out = np.empty((len(texts), self.index.n_skills), np.float32)
        out[:] = prior_cols @ weights[n_cols:] + bias
        scratch = np.zeros(out.size, np.float32)
        for s, (sims, row_skill) in self.similarities(texts, language, masked=masked).items():
            if s in STANDARDISED and w[f"{s}_z"] != 0.0:  # needs the signal's mean and spread over all skills
                self._add_dense(out, w, s, pool_max(sims, row_skill, self.index.n_skills))
            else:
                coef, _ = _coefficients(w, s, row_max(sims), None)
                add_pooled(out, sims, row_skill, coef, scratch)
        if semantic:
            sig = self._semantic_signals(texts, language, masked)
            for s in SEMANTIC[language] & sig.keys():
                self._add_dense(out, w, s, sig[s])
        return out

    @staticmethod
    def _add_dense(out: np.ndarray, w: dict[str, float], signal: str, x: np.ndarray) -> None:
        coef, offset = _coefficients(w, signal, x.max(axis=1), x)
        x = x * coef[:, None]
        x += offset[:, None]
        out += x


def _coefficients(w: dict[str, float], signal: str, top: np.ndarray,
                  x: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per text, the weight of ``signal``'s raw value and the constant its other columns add: ``w * x`` plus
    ``w_rel * x / top`` (``NORMALISED``; ``top``: the row maxima) plus ``w_z * (x - mean) / sd``
    (``STANDARDISED``, from the dense ``x``; ``None`` when ``w_z`` is zero)."""
    coef = np.full(len(top), w[signal], np.float32)
    offset = np.zeros(len(top), np.float32)
    if signal in NORMALISED:
        coef += np.divide(w[f"{signal}_rel"], top, out=np.zeros_like(top), where=top > 0)
    if signal in STANDARDISED and w[f"{signal}_z"] != 0.0:
        if x is None:
            raise ValueError(f"{signal}_z needs the dense signal")
        mean, sd = x.mean(axis=1), x.std(axis=1)
        wz = np.divide(w[f"{signal}_z"], sd, out=np.zeros_like(sd), where=sd > 0)
        coef += wz
        offset -= wz * mean
    return coef, offset


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
