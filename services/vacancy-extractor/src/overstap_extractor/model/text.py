"""Text normalisation shared by training and inference: tokens, stems, stop words, language guess."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

LANGUAGES = ("en", "nl")

_TOKEN = re.compile(r"[^\W_]+[+#]*", re.UNICODE)
_PAREN = re.compile(r"\s*\([^)]*\)\s*")

STOP_EN = frozenset(
    """a an and or the of to in on for with at by from as is are be been being was were this that these those
    it its their our your you we they he she his her them us i me my will would shall should can could may might
    must do does did done have has had having not no nor but if then than so such very more most other any all
    each every some both either neither also well using use used within into onto over under about across
    including include includes etc e g ie via per who whom which what when where why how able ability
    experience experienced knowledge skills skill strong good excellent proven understanding work working
    plus preferred required requirement requirements year years""".split()
)
STOP_NL = frozenset(
    """de het een en of van in op te voor met aan bij door uit als is zijn was waren wordt worden werd be
    dit dat deze die er het hij zij ze we wij jij je jouw u uw ons onze hun hen ik mij mijn zal zullen zou
    kunnen kan moet moeten mag mogen niet geen maar dan zo zeer meer meest ander andere alle elk elke
    sommige ook tot naar om over onder binnen via per wie wat wanneer waar waarom hoe toe zich
    ervaring kennis vaardigheden vaardigheid goede goed sterke uitstekende jaar jaren pre vereist""".split()
)
STOP = {"en": STOP_EN, "nl": STOP_NL}
_STEMMERS = {"en": snowballstemmer.stemmer("english"), "nl": snowballstemmer.stemmer("dutch")}


def normalize(text: str) -> str:
    """NFKC, lower case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def strip_parentheses(label: str) -> str:
    """``Java (computer programming)`` -> ``Java``."""
    return _PAREN.sub(" ", label).strip()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalize(text))


def token_spans(text: str) -> list[tuple[int, int]]:
    """Character offsets of the tokens in the ORIGINAL text (same tokenizer, case-insensitive)."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=200_000)
def stem(token: str, language: str) -> str:
    if not token.isalpha():
        return token
    return _STEMMERS[language].stemWord(token)


def content_stems(text: str, language: str) -> list[str]:
    """Stems of the non-stop-word tokens."""
    stop = STOP[language]
    return [stem(t, language) for t in tokens(text) if t not in stop]


def word_features(text: str, language: str) -> list[str]:
    """Unigram and bigram stems (bigrams over content words) for the word vectorizers."""
    stems = content_stems(text, language)
    return stems + [f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)]


def guess_language(text: str) -> str:
    """``nl`` or ``en`` by counting stop words of each language (ties go to English)."""
    toks = tokens(text)
    nl = sum(t in STOP_NL for t in toks)
    en = sum(t in STOP_EN for t in toks)
    return "nl" if nl > en else "en"
