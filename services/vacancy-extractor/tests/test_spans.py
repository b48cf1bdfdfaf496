"""Sentence splitter and span finder: offsets always point into the text (property tests)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_extractor.model.spans import (
    Requirement,
    Span,
    requirement_of,
    section_after,
    split_sentences,
    windows,
    word_spans,
)
from overstap_extractor.model.text import tokens

WORD = re.compile(r"[^\W_]+[+#]*")

ALPHABET = st.sampled_from(list("abcXYZ éëç019.,;:!?-*•·()\n\t+#/") + ["C++", " is a plus", "\n- ", ". The "])
TEXTS = st.lists(ALPHABET, max_size=80).map("".join) | st.text(max_size=300)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_sentences_point_into_text_in_order(text: str) -> None:
    spans = split_sentences(text)
    last = 0
    for s in spans:
        assert 0 <= last <= s.start < s.end <= len(text)
        piece = s.of(text)
        assert piece == text[s.start : s.end] and piece.strip() == piece
        assert tokens(piece), "a sentence holds at least one word"
        last = s.end


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_every_word_lands_in_a_sentence(text: str) -> None:
    spans = split_sentences(text)
    for w in word_spans(text):
        assert any(s.start <= w.start and w.end <= s.end for s in spans) or not w.of(text).strip()


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.integers(1, 8))
def test_word_spans_and_windows_round_trip(text: str, max_len: int) -> None:
    for sentence in split_sentences(text):
        toks = word_spans(text, sentence)
        for t in toks:
            assert sentence.start <= t.start < t.end <= sentence.end
            assert WORD.fullmatch(t.of(text))
        for i, j in windows(toks, max_len):
            span = Span(toks[i].start, toks[j - 1].end)
            assert sentence.start <= span.start < span.end <= sentence.end
            assert 1 <= j - i <= max_len


def test_split_bullets_and_sentences() -> None:
    text = "Wat vragen we?\n- Ervaring met Python.\n• Kennis van SQL is een pluspunt. Rijbewijs B"
    parts = [s.of(text) for s in split_sentences(text)]
    assert parts == ["Wat vragen we?", "Ervaring met Python.", "Kennis van SQL is een pluspunt.", "Rijbewijs B"]


def test_requirement_cues_english_and_dutch() -> None:
    assert requirement_of("Experience with Docker is a plus", None) == Requirement.NICE_TO_HAVE
    assert requirement_of("Kennis van SQL is een pluspunt", None) == Requirement.NICE_TO_HAVE
    assert requirement_of("Bij voorkeur ervaring met heftrucks", None) == Requirement.NICE_TO_HAVE
    assert requirement_of("You have 3 years of Java", None) == Requirement.REQUIRED
    assert requirement_of("Java", Requirement.NICE_TO_HAVE) == Requirement.NICE_TO_HAVE
    assert section_after("Nice to have:", None) == Requirement.NICE_TO_HAVE
    assert section_after("Pluspunten:", None) == Requirement.NICE_TO_HAVE
    assert section_after("Wat vragen we?", Requirement.NICE_TO_HAVE) == Requirement.REQUIRED
    assert section_after("About us:", Requirement.NICE_TO_HAVE) is None
