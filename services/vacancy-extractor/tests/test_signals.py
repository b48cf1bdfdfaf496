"""Query vectorisation (``signals.tfidf`` is scikit-learn's ``transform`` without the per-call checks), skill
pooling without dense temporaries, and the ad extractor's threshold-first top-k."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from overstap_extractor.model.extract import AdExtractor
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.signals import (
    SharedVocabulary,
    add_pooled,
    pool_max,
    row_max,
    tfidf,
    tfidf_of_features,
)
from sklearn.feature_extraction.text import TfidfVectorizer

WORDS = ["heftruck", "rijden", "Python", "SQL", "teamwork", "klanten", "helpen", "de", "en", "C++", "é", "ß", ""]
texts = st.lists(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)),
                 min_size=1, max_size=6)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_tfidf_equals_scikit_learn_transform(tiny_ranker: SkillRanker, batch: list[str]) -> None:
    for li in tiny_ranker.space.index.languages.values():
        for vectorizer in (li.word, li.char):
            ours, theirs = tfidf(vectorizer, batch), vectorizer.transform(batch)
            assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
            np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-5, atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_shared_vocabulary_gives_each_vectorizers_tfidf(tiny_ranker: SkillRanker, batch: list[str]) -> None:
    nl, en = tiny_ranker.space.index.languages["nl"], tiny_ranker.space.index.languages["en"]
    grams = [nl.char.build_analyzer()(t) for t in batch]
    for ours, vectorizer in zip(SharedVocabulary([nl.char, en.char]).tfidf(grams), (nl.char, en.char), strict=True):
        np.testing.assert_allclose(ours.toarray(), vectorizer.transform(batch).toarray(), rtol=1e-5, atol=1e-6)


def test_one_char_analysis_serves_both_languages(tiny_ranker: SkillRanker) -> None:
    nl, en = tiny_ranker.space.index.languages["nl"], tiny_ranker.space.index.languages["en"]
    batch = ["Je kan heftruck rijden", "Experience with Docker"]
    grams = [nl.char.build_analyzer()(t) for t in batch]
    np.testing.assert_allclose(tfidf_of_features(en.char, grams).toarray(), en.char.transform(batch).toarray(),
                               rtol=1e-5, atol=1e-6)


def test_tfidf_refuses_a_vectorizer_it_does_not_reproduce() -> None:
    plain = TfidfVectorizer().fit(["heftruck rijden", "teamwork"])  # linear tf: not what tfidf computes
    with pytest.raises(ValueError, match="sublinear"):
        tfidf(plain, ["heftruck"])


@st.composite
def similarity_batches(draw: st.DrawFn) -> tuple[sp.csr_matrix, np.ndarray, int, np.ndarray]:
    """A non-negative (texts x rows) similarity matrix, several rows per skill (in any order), per-text weights."""
    n_texts, n_rows, n_skills = draw(st.integers(1, 4)), draw(st.integers(1, 12)), draw(st.integers(1, 6))
    dense = draw(arrays(np.float32, (n_texts, n_rows), elements=st.sampled_from([0.0, 0.0, 0.1, 0.5, 0.7, 1.0])))
    row_skill = draw(arrays(np.int64, n_rows, elements=st.integers(0, n_skills - 1)))
    coef = draw(arrays(np.float32, n_texts, elements=st.floats(-3, 3, width=32)))
    return sp.csr_matrix(dense), row_skill, n_skills, coef


@settings(max_examples=200, deadline=None)
@given(similarity_batches())
def test_add_pooled_adds_the_weighted_pooled_signal(batch: tuple[sp.csr_matrix, np.ndarray, int, np.ndarray]) -> None:
    sims, row_skill, n_skills, coef = batch
    base = np.arange(sims.shape[0] * n_skills, dtype=np.float32).reshape(sims.shape[0], n_skills)
    pooled = pool_max(sims, row_skill, n_skills)
    for r in range(sims.shape[0]):  # the definition, one skill at a time
        for s in range(n_skills):
            rows = sims[r].toarray()[0, row_skill == s]
            assert pooled[r, s] == (max(rows.max(), 0.0) if len(rows) else 0.0)
    out, scratch = base.copy(), np.zeros(base.size, np.float32)
    add_pooled(out, sims, row_skill, coef, scratch)
    np.testing.assert_allclose(out, base + coef[:, None] * pooled, rtol=1e-6, atol=1e-6)
    assert not scratch.any()
    np.testing.assert_array_equal(row_max(sims), pooled.max(axis=1))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 5), st.integers(2, 30)), elements=st.floats(-6, 6, width=32)),
       st.floats(0.0, 1.0), st.integers(1, 6))
def test_top_skills_are_the_best_above_the_threshold(tiny_ranker: SkillRanker, logits: np.ndarray, threshold: float,
                                                    top_k: int) -> None:
    """The threshold-first selection finds what sorting each row and thresholding its top_k finds."""
    extractor = AdExtractor(tiny_ranker, threshold=threshold, top_k=top_k)
    for row, top in zip(logits, extractor.top_skills(logits, "en"), strict=True):
        hits = extractor.sentence_hits(row, "en", top)
        best = np.argsort(-row, kind="stable")[:top_k]
        probs = 1.0 / (1.0 + np.exp(-row[best].astype(np.float64)))
        expected = sorted(float(p) for p in probs if p >= threshold)
        assert sorted(p for _, p in hits) == expected
