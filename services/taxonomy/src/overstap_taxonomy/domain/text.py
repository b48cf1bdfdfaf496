"""Text normalisation for label search: case-, accent- and punctuation-insensitive."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalize(text: str) -> str:
    """Lower-case, strip accents (ë → e, ç → c), turn every run of non-alphanumerics into one space."""
    folded = text.casefold()
    if not folded.isascii():
        # Decompose (ë → e + ¨) and drop what is not ASCII: the accents, and letters with no ASCII base.
        folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return _NON_ALNUM.sub(" ", folded).strip()


def tokenize(text: str) -> list[str]:
    return normalize(text).split()
