"""Similarity signals between a text and every skill: word TF-IDF over labels and descriptions, label
containment, char n-grams, and the (English) Rocchio centroid of training sentences. Fitted from the
catalogue and the training sentences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from overstap_extractor.model.catalog import SkillCatalog
from overstap_extractor.model.text import LANGUAGES, normalize, word_features


def word_analyzer(language: str) -> partial[list[str]]:
    return partial(word_features, language=language)


def make_word_vectorizer(language: str) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=word_analyzer(language), sublinear_tf=True, dtype=np.float32)


def make_char_vectorizer(n_texts: int) -> TfidfVectorizer:
    """char_wb 3-5 grams. On a real catalogue, grams found in more than min(2%, 500) labels are dropped:
    they carry little and their long posting lists dominate the scoring time; so are singletons."""
    large = n_texts >= 5000
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2 if large else 1,
                           max_df=min(0.02, 500 / n_texts) if large else 1.0, sublinear_tf=True,
                           dtype=np.float32, preprocessor=normalize)


def tfidf(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for the fitted vectorizers made here (sublinear tf, idf, L2-normalised rows,
    float32) without scikit-learn's per-call input validation, which costs more than the counting for one
    sentence (~1-2 ms per call; a Dutch sentence takes four)."""
    analyze = vectorizer.build_analyzer()
    return tfidf_of_features(vectorizer, [analyze(text) for text in texts])


def tfidf_of_features(vectorizer: TfidfVectorizer, features: Sequence[Sequence[str]]) -> sp.csr_matrix:
    """``tfidf`` from each text's analyzed features (one analysis can serve vectorizers that share an analyzer)."""
    flat = list(chain.from_iterable(features))
    # one C-level pass of dict lookups (-1: not in the vocabulary)
    cols = np.fromiter(map(vectorizer.vocabulary_.get, flat, repeat(-1)), np.int64, count=len(flat))
    return tfidf_of_columns(vectorizer, cols, [len(f) for f in features])


def tfidf_of_columns(vectorizer: TfidfVectorizer, cols: np.ndarray, lengths: Sequence[int]) -> sp.csr_matrix:
    """``tfidf`` from the vocabulary column of every feature (-1: not in the vocabulary), texts one after the
    other (``lengths`` features each); counting by sorting."""
    if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"):
        raise ValueError("tfidf reproduces sublinear-tf, idf, L2-normalised vectorizers only")
    n, width = len(lengths), len(vectorizer.vocabulary_)
    rows = np.repeat(np.arange(n, dtype=np.int64), lengths)
    known = cols >= 0
    keys, counts = np.unique(rows[known] * width + cols[known], return_counts=True)
    key_rows, key_cols = np.divmod(keys, width)
    data = (np.log(counts.astype(np.float32)) + np.float32(1.0)) * vectorizer.idf_[key_cols].astype(np.float32)
    norms = np.sqrt(np.bincount(key_rows, weights=data.astype(np.float64) ** 2, minlength=n))
    data /= np.where(norms > 0, norms, 1.0)[key_rows].astype(np.float32)
    indptr = np.searchsorted(key_rows, np.arange(n + 1)).astype(np.int32)
    return sp.csr_matrix((data, key_cols.astype(np.int32), indptr), shape=(n, width))


class SharedVocabulary:
    """Several vectorizers with one analyzer (the two languages' char vectorizers) behind one dict: each
    feature is looked up once, then mapped to every vectorizer's column by array indexing."""

    def __init__(self, vectorizers: Sequence[TfidfVectorizer]) -> None:
        self.vectorizers = list(vectorizers)
        self.index: dict[str, int] = {}
        for v in self.vectorizers:
            for feature in v.vocabulary_:
                self.index.setdefault(feature, len(self.index))
        self.columns = []
        for v in self.vectorizers:
            col = np.full(len(self.index) + 1, -1, np.int64)  # the last entry: a feature no vectorizer knows
            col[np.fromiter(map(self.index.__getitem__, v.vocabulary_), np.int64, count=len(v.vocabulary_))] = (
                np.fromiter(v.vocabulary_.values(), np.int64, count=len(v.vocabulary_)))
            self.columns.append(col)

    def tfidf(self, features: Sequence[Sequence[str]]) -> list[sp.csr_matrix]:
        """``tfidf_of_features`` for each vectorizer, in order."""
        flat = list(chain.from_iterable(features))
        ids = np.fromiter(map(self.index.get, flat, repeat(len(self.index))), np.int64, count=len(flat))
        lengths = [len(f) for f in features]
        return [tfidf_of_columns(v, col[ids], lengths) for v, col in zip(self.vectorizers, self.columns, strict=True)]


def pool_max(sims: sp.csr_matrix, row_skill: np.ndarray, n_skills: int) -> np.ndarray:
    """Per query, the maximum over each skill's label rows (0 where no row matched)."""
    out = np.zeros(sims.shape[0] * n_skills, np.float32)
    _, keys = _pool_keys(sims, row_skill, n_skills)
    np.maximum.at(out, keys, sims.data.astype(np.float32, copy=False))
    return out.reshape(sims.shape[0], n_skills)


def add_pooled(out: np.ndarray, sims: sp.csr_matrix, row_skill: np.ndarray, coef: np.ndarray,
               scratch: np.ndarray) -> None:
    """``out += coef[:, None] * pool_max(sims, row_skill, n_skills)`` touching only the entries some row reaches
    (no dense temporary per signal). ``scratch``: ``out.size`` float32 zeros, left zeroed."""
    queries, keys = _pool_keys(sims, row_skill, out.shape[1])
    np.maximum.at(scratch, keys, sims.data.astype(np.float32, copy=False))
    flat = out.reshape(-1)
    # a skill reached by several rows repeats its key with the same value: fancy-index += applies it once
    flat[keys] += scratch[keys] * coef[queries].astype(np.float32, copy=False)
    scratch[keys] = 0.0


def row_max(sims: sp.csr_matrix) -> np.ndarray:
    """Per query, the largest similarity (0 when none is positive): the max of ``pool_max``'s row."""
    sims = sims.tocsr()
    filled = np.flatnonzero(np.diff(sims.indptr))
    top = np.zeros(sims.shape[0], np.float32)
    if len(filled):
        top[filled] = np.maximum(np.maximum.reduceat(sims.data, sims.indptr[filled]), 0.0)
    return top


def _pool_keys(sims: sp.csr_matrix, row_skill: np.ndarray, n_skills: int) -> tuple[np.ndarray, np.ndarray]:
    """Each stored entry's query and its flat (query, skill) position."""
    queries = np.repeat(np.arange(sims.shape[0], dtype=np.int64), np.diff(sims.indptr))
    return queries, queries * n_skills + row_skill[sims.indices]


@dataclass
class LanguageIndex:
    """All sparse matrices of one language, stored TRANSPOSED as CSR (terms x rows) so that
    ``query_csr @ matrix`` runs without a format conversion."""

    word: TfidfVectorizer
    char: TfidfVectorizer
    label_skill: np.ndarray
    label_word: sp.csr_matrix  # (V, n_labels) L2-normalised label vectors
    label_contain: sp.csr_matrix  # squared entries of label_word: sum over present terms = covered mass
    label_char: sp.csr_matrix  # (V_char, n_labels)
    desc_skill: np.ndarray
    desc_word: sp.csr_matrix  # (V, n_descriptions)


def _fit_language(catalog: SkillCatalog, language: str, extra_texts: Sequence[str]) -> LanguageIndex:
    li = LANGUAGES.index(language)
    rows = np.flatnonzero(catalog.labels.language == li)
    texts = [catalog.labels.text[i] for i in rows]
    desc_skill = np.asarray([i for i, d in enumerate(catalog.descriptions[language]) if d], np.int32)
    descs = [catalog.descriptions[language][i] for i in desc_skill]
    word = make_word_vectorizer(language).fit(texts + descs + list(extra_texts))
    label_word = word.transform(texts).tocsr()
    char = make_char_vectorizer(len(texts)).fit(texts)
    desc_word = word.transform(descs) if descs else sp.csr_matrix((0, len(word.vocabulary_)), dtype=np.float32)
    return LanguageIndex(
        word=word,
        char=char,
        label_skill=catalog.labels.skill[rows],
        label_word=transposed(label_word),
        label_contain=transposed(label_word.multiply(label_word)),
        label_char=transposed(char.transform(texts)),
        desc_skill=desc_skill,
        desc_word=transposed(desc_word),
    )


def transposed(m: sp.spmatrix) -> sp.csr_matrix:
    """(rows, V) -> (V, rows) CSR float32: the layout ``query @ matrix`` multiplies fastest."""
    return sp.csr_matrix(m.T, dtype=np.float32)


@dataclass
class SignalIndex:
    n_skills: int
    languages: dict[str, LanguageIndex]
    centroid: sp.csr_matrix | None = None  # (V_en, n_skills) transposed mean of training sentence vectors
    names: list[str] = field(default_factory=list)


def fit_signal_index(catalog: SkillCatalog, train_texts: Sequence[str] = ()) -> SignalIndex:
    langs = {lang: _fit_language(catalog, lang, train_texts if lang == "en" else ()) for lang in LANGUAGES}
    return SignalIndex(len(catalog), langs)


def fit_centroids(index: SignalIndex, texts: Sequence[str], skills: Sequence[Sequence[int]]) -> sp.csr_matrix:
    """Rocchio centroids: per skill, the L2-normalised sum of its training sentences' English vectors."""
    x = index.languages["en"].word.transform(texts)
    rows = [(s, j) for j, ss in enumerate(skills) for s in ss]
    assign = sp.csr_matrix(
        (np.ones(len(rows), np.float32), ([r[0] for r in rows], [r[1] for r in rows])),
        shape=(index.n_skills, len(texts)),
    )
    return transposed(l2_normalize(assign @ x))
