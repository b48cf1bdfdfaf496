"""Sentence splitting with offsets, n-gram windows for mention spans, and requirement cue words.

Every offset points into the ORIGINAL text: ``text[start:end]`` is the segment/span text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_BREAK = re.compile(r"\n\s*\n?|\r\n?|[•·▪●◦■►]|(?<=[.!?;])\s+(?=[\"'(\[]?[A-Z0-9À-Ý•\-*])|(?:^|\s)[-*–]\s+")
_WORD = re.compile(r"[^\W_]+[+#]*", re.UNICODE)
MAX_SEGMENT_CHARS = 400
_LEAD = "*-–:;|•·▪●◦■►"


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


def _trimmed(text: str, start: int, end: int) -> Span | None:
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    left += len(piece[left:]) - len(piece[left:].lstrip(_LEAD).lstrip())
    right = len(piece.rstrip().rstrip("|").rstrip())
    if right <= left or not _WORD.search(piece[left:right]):
        return None
    return Span(start + left, start + right)


def _split_long(text: str, span: Span) -> list[Span]:
    """Cut over-long segments at commas/semicolons so each stays a phrase-sized unit."""
    if span.end - span.start <= MAX_SEGMENT_CHARS:
        return [span]
    out, start = [], span.start
    for m in re.finditer(r"[,;:]\s", text[span.start : span.end]):
        cut = span.start + m.end()
        if cut - start >= MAX_SEGMENT_CHARS // 2:
            out.append(Span(start, cut))
            start = cut
    out.append(Span(start, span.end))
    return [s for piece in out if (s := _trimmed(text, piece.start, piece.end)) is not None]


def split_sentences(text: str) -> list[Span]:
    """Sentences, bullet items and lines of an ad, in order, none empty, none overlapping."""
    spans: list[Span] = []
    start = 0
    for m in _BREAK.finditer(text):
        if m.start() > start and (s := _trimmed(text, start, m.start())) is not None:
            spans.extend(_split_long(text, s))
        start = max(start, m.end())
    if (s := _trimmed(text, start, len(text))) is not None:
        spans.extend(_split_long(text, s))
    return spans


def word_spans(text: str, span: Span | None = None) -> list[Span]:
    """Token offsets (the tokenizer of ``text.py``) inside ``span`` of ``text``."""
    base = span or Span(0, len(text))
    return [Span(base.start + m.start(), base.start + m.end()) for m in _WORD.finditer(text[base.start : base.end])]


def windows(tokens: list[Span], max_len: int = 6) -> list[tuple[int, int]]:
    """All (first, last+1) token index pairs of windows up to ``max_len`` tokens."""
    return [(i, j) for i in range(len(tokens)) for j in range(i + 1, min(len(tokens), i + max_len) + 1)]


class Requirement(StrEnum):
    REQUIRED = "required"
    NICE_TO_HAVE = "nice_to_have"


_PLUS_CUES = (
    # English
    r"\ba plus\b", r"\bis a plus\b", r"\bnice[- ]to[- ]have\b", r"\bpreferred\b", r"\bpreferably\b",
    r"\bdesirable\b", r"\b(?:an|big) advantage\b", r"\bbonus\b", r"\bideally\b", r"\boptional\b",
    r"\bwould be (?:great|nice)\b", r"\bnot required\b", r"\bdesired\b",
    # Dutch
    r"\bpluspunt(?:en)?\b", r"\b(?:een )?pr[eé]\b", r"\bis een plus\b", r"\bbij voorkeur\b",
    r"\bstrekt tot aanbeveling\b", r"\b(?:is )?een voordeel\b", r"\bwenselijk\b", r"\bmeegenomen\b",
    r"\bliefst\b", r"\bgeen vereiste\b", r"\bniet verplicht\b", r"\bgewenst\b",
)
_PLUS = re.compile("|".join(_PLUS_CUES), re.IGNORECASE)
_REQUIRED_HEADER = re.compile(
    r"\b(?:requirements?|required|must[- ]haves?|qualifications|you have|you bring|what we ask|"
    r"vereisten|functie-?eisen|profiel|wat vragen we|wij vragen|je hebt|jij hebt|wat breng je mee)\b",
    re.IGNORECASE,
)


def is_header(segment: str) -> bool:
    return segment.rstrip().endswith((":", "?")) and len(segment) <= 60


def requirement_of(segment: str, section: Requirement | None) -> Requirement:
    """``nice_to_have`` when the segment (or the section header above it) carries a "plus" cue."""
    if _PLUS.search(segment):
        return Requirement.NICE_TO_HAVE
    return section or Requirement.REQUIRED


def section_after(header: str, current: Requirement | None) -> Requirement | None:
    """The requirement a header sets for the segments below it (None: a neutral header resets it)."""
    if _PLUS.search(header):
        return Requirement.NICE_TO_HAVE
    if _REQUIRED_HEADER.search(header):
        return Requirement.REQUIRED
    return None
