"""Label cells and label sets: splitting multi-valued cells, whitespace clean-up, de-duplication.

ESCO puts several labels in one cell, one per line in the main tables ("a\\nb") and " | "-separated in the
collection tables ("a | b"). Both separators are accepted everywhere; a bar without surrounding whitespace
("TCP|IP") is part of a label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from overstap_bundle import LabelSet

_SPACES = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_LIST_SEPARATOR = re.compile(r"(?<=\s)\|(?=\s)")  # a bar with whitespace on both sides: " | "


def clean_label(text: str | None) -> str:
    """One label: every run of whitespace (including no-break spaces and tabs) becomes one space; trimmed."""
    return _SPACES.sub(" ", text or "").strip()


def clean_text(text: str | None) -> str:
    """A description: line breaks normalised to "\\n", surrounding whitespace removed, inner text kept."""
    lines = [line.rstrip() for line in _LINE_BREAK.split(text or "")]
    return "\n".join(lines).strip()


def split_labels(cell: str | None) -> tuple[str, ...]:
    """The labels of one cell, in order, cleaned, without empties or exact duplicates."""
    out: dict[str, None] = {}
    for line in _LINE_BREAK.split(cell or ""):
        for part in _LIST_SEPARATOR.split(line):
            label = clean_label(part)
            if label:
                out.setdefault(label, None)
    return tuple(out)


def unique_labels(labels: Iterable[str], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Labels in first-seen order, dropping case-insensitive duplicates and anything in ``exclude``."""
    seen = {clean_label(label).casefold() for label in exclude}
    out: list[str] = []
    for raw in labels:
        label = clean_label(raw)
        key = label.casefold()
        if label and key not in seen:
            seen.add(key)
            out.append(label)
    return tuple(out)


def label_set(preferred: str, alt: Iterable[str] = (), hidden: Iterable[str] = ()) -> LabelSet:
    """A clean LabelSet: alt labels exclude the preferred one, hidden labels exclude both."""
    pref = clean_label(preferred)
    alt_labels = unique_labels(alt, exclude=(pref,))
    hidden_labels = unique_labels(hidden, exclude=(pref, *alt_labels))
    return LabelSet(pref, alt_labels, hidden_labels)
