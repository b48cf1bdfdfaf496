"""Which language an ad is in: Dutch or English, from the share of common function words.

German and French ads are recognised and refused with a clear message (the classifier knows Dutch and English
only); a text that gives nothing to go by (no function words, or as many Dutch as English ones) gets the default
language, and says so (``LanguageSource.DEFAULT``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from overstap_extractor.domain.errors import InvalidInput

SUPPORTED = ("nl", "en")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Frequent function words only: no domain words, none shared by two of the lists.
_WORDS = {
    "nl": frozenset(
        "de het een en van ik je jij jouw u uw wij ons onze zijn bent heeft hebt hebben met voor op aan bij "
        "naar niet geen ook als maar wat wie hoe waar deze dit dat er om uit tot door zo nog wordt worden "
        "kunnen kan kun moet moeten zal zullen binnen onder tussen zoals vanuit jaar ervaring goede".split()
    ),
    "en": frozenset(
        "the a an and of to you your we our us is are be been have has with for on at by from not no also as but "
        "what who how where this that these those it its will would can could must should into about which their "
        "they them or if than such within years experience good".split()
    ),
    "de": frozenset(
        "der das und ist sind mit für auf ein eine einen nicht auch wir sie ihr ihre unser unsere bei "
        "von zu im den dem des wird werden haben oder kenntnisse erfahrung".split()
    ),
    "fr": frozenset(
        "le la les et est sont avec pour sur un une des du nous vous votre notre pas aussi dans au aux qui que "
        "ou être avoir expérience connaissances".split()
    ),
}
_MIN_EVIDENCE = 3  # German or French function words needed before a text is refused
_NAMES = {"de": "German", "fr": "French"}


class LanguageSource(StrEnum):
    REQUESTED = "requested"
    DETECTED = "detected"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    source: LanguageSource


def requested_language(value: str) -> str | None:
    """The supported language named by ``value`` ("nl", "EN", "nl-NL", "en_GB"); None when empty."""
    value = value.strip()
    if not value:
        return None
    base = re.split(r"[-_]", value, maxsplit=1)[0].lower()
    if base not in SUPPORTED or not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", value):
        raise InvalidInput(
            f"unsupported language {value[:20]!r}: use nl or en, or leave it empty to detect it", "language"
        )
    return base


def detect_language(text: str, default: str = "nl", sample_chars: int = 20_000) -> Language:
    """Dutch or English by function words in (the start of) ``text``; refuses clearly German or French text."""
    counts = dict.fromkeys(_WORDS, 0)
    for word in _WORD.findall(text[:sample_chars].lower()):
        for language, words in _WORDS.items():
            if word in words:
                counts[language] += 1
    best = max(counts, key=lambda k: (counts[k], k in SUPPORTED))
    if best not in SUPPORTED and counts[best] >= _MIN_EVIDENCE and counts[best] > 2 * max(counts["nl"], counts["en"]):
        raise InvalidInput(
            f"the ad appears to be in {_NAMES[best]}; only Dutch (nl) and English (en) are supported "
            "(pass language to extract anyway)",
            "text",
        )
    if counts["nl"] == counts["en"]:  # nothing to go by (a list of skills, a name): the default, and say so
        return Language(default, LanguageSource.DEFAULT)
    return Language("nl" if counts["nl"] > counts["en"] else "en", LanguageSource.DETECTED)


def resolve_language(requested: str, text: str, default: str = "nl") -> Language:
    code = requested_language(requested)
    if code is not None:
        return Language(code, LanguageSource.REQUESTED)
    return detect_language(text, default)
