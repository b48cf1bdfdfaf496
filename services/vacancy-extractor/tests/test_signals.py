"""Query vectorisation: ``signals.tfidf`` is scikit-learn's ``transform`` without the per-call checks."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.signals import tfidf, tfidf_of_features
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
