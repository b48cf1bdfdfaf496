"""The span locator's incremental window search finds the window a direct computation finds: every window
that starts and ends on a label term, vectorised from scratch with the word vectorizer, cosine with each label
row, shortest window on ties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.span_locator import MAX_WINDOW, SentenceWindows, SpanLocator, token_stems
from overstap_extractor.model.spans import Span, word_spans
from overstap_extractor.model.text import normalize, stem

# label phrases (their bigrams are in the vocabulary) among loose words and stop words
WORDS = {
    "en": ["drive a forklift", "forklift driving", "customer service", "help customers", "work in teams",
           "keep financial records", "speak English", "a", "and", "the", "with", "team", "Python", "SQL", "drive"],
    "nl": ["heftruck rijden", "vorkheftruck besturen", "klanten helpen", "in teams werken", "samenwerken in een team",
           "Engels spreken", "rijbewijs B", "auto rijden", "de", "en", "team", "heftruck", "rijden", "poetsen"],
}


def sentences(max_phrases: int) -> st.SearchStrategy[tuple[str, list[str]]]:
    """(language, phrases of that language) to join into one sentence."""
    return st.sampled_from(["en", "nl"]).flatmap(lambda lang: st.tuples(
        st.just(lang), st.lists(st.sampled_from(WORDS[lang]), min_size=1, max_size=max_phrases)))


def direct_cosine(ranker: SkillRanker, window: str, language: str, skill: int) -> float:
    """Max cosine of the window's binary idf-weighted word vector with the skill's label rows."""
    li = ranker.space.index.languages[language]
    rows = li.label_word.T.tocsr()[np.flatnonzero(li.label_skill == skill)].toarray()
    x = (li.word.transform([window]).toarray()[0] > 0) * li.word.idf_
    norm = np.linalg.norm(x)
    return float((rows @ x).max() / norm) if norm > 0 else 0.0


def direct_best(ranker: SkillRanker, text: str, language: str, skill: int) -> Span | None:
    li = ranker.space.index.languages[language]
    rows = li.label_word.T.tocsr()[np.flatnonzero(li.label_skill == skill)].toarray()
    tokens = word_spans(text, Span(0, len(text)))
    label_terms = set(np.flatnonzero(rows.any(axis=0)).tolist())
    vocab = li.word.vocabulary_
    hits = [i for i, t in enumerate(tokens) if vocab.get(stem(normalize(t.of(text)), language), -1) in label_terms]
    best, best_score = None, -np.inf
    for i in hits:
        for j in hits:
            if not 0 <= j - i < MAX_WINDOW:
                continue
            cosine = direct_cosine(ranker, text[tokens[i].start : tokens[j].end], language, skill)
            score = cosine - 1e-4 * (j + 1 - i)
            if score > best_score + 1e-9:
                best, best_score = Span(tokens[i].start, tokens[j].end), score
    return best


@settings(max_examples=150, deadline=None)
@given(sentences(max_phrases=7), st.integers(0, 11))
def test_best_window_is_the_directly_computed_one(tiny_ranker: SkillRanker, case: tuple[str, list[str]],
                                                  skill: int) -> None:
    language, words = case
    text = " ".join(words)
    sentence = Span(0, len(text))
    found = SpanLocator(tiny_ranker).locate(text, sentence, language, [skill])[0]
    expected = direct_best(tiny_ranker, text, language, skill)
    assert found == (sentence if expected is None else expected)


@settings(max_examples=100, deadline=None)
@given(sentences(max_phrases=5), st.integers(0, 11))
def test_grown_windows_have_the_directly_computed_cosine(tiny_ranker: SkillRanker, case: tuple[str, list[str]],
                                                         skill: int) -> None:
    language, words = case
    text = " ".join(words)
    tokens = word_spans(text, Span(0, len(text)))
    terms = SpanLocator(tiny_ranker).terms(language)
    windows = SentenceWindows(token_stems(text, tokens, language), terms)
    for start in range(len(tokens)):
        for stop, cosine in windows.grown(start, len(tokens), terms.of(skill)):
            window = text[tokens[start].start : tokens[stop - 1].end]
            assert cosine == pytest.approx(direct_cosine(tiny_ranker, window, language, skill), abs=1e-6)
