"""The Snowball stemmers run as PyStemmer's C build, and stem exactly as the pure-Python build the model's
vocabulary was first fitted with."""

from __future__ import annotations

import snowballstemmer
from overstap_bundle import load_bundle
from overstap_extractor.model.text import tokens
from snowballstemmer import dutch_stemmer, english_stemmer

PURE_PYTHON = {"nl": dutch_stemmer.DutchStemmer(), "en": english_stemmer.EnglishStemmer()}


def test_the_c_build_is_in_use() -> None:
    assert type(snowballstemmer.stemmer("dutch")).__module__ == "Stemmer"


def test_the_c_build_stems_the_taxonomy_words_like_the_python_build() -> None:
    bundle = load_bundle()
    for language, pure in PURE_PYTHON.items():
        words = sorted({t for c in bundle.concepts if language in c.labels
                        for label in (c.labels[language].preferred, *c.labels[language].alt)
                        for t in tokens(label) if t.isalpha()})
        assert len(words) > 5000
        c_build = snowballstemmer.stemmer("dutch" if language == "nl" else "english")
        assert c_build.stemWords(words) == [pure.stemWord(w) for w in words]
