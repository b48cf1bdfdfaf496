"""Input rules shared by every command: sizes, dates, free text. Each failure names the field."""

from __future__ import annotations

import re
import uuid
from datetime import date

from overstap_passport.domain.errors import InvalidInput, NotFound

MAX_TEXT = 200  # names, sources, titles, regions, employers
MAX_NOTE = 2000
MAX_LIST = 20  # desired occupations / fields / languages
MAX_SKILLS_PER_REQUEST = 500
MAX_EVIDENCE_PER_SKILL_INPUT = 20
MAX_SKILLS_PER_PASSPORT = 3000
MAX_EVIDENCE_PER_SKILL = 100
MAX_WORK_HISTORY = 100
MAX_EDUCATION = 100
MAX_CONSENTS = 200
MAX_HOURS = 80
EARLIEST_DATE = date(1900, 1, 1)

ESCO_SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
ESCO_OCCUPATION_PREFIX = "http://data.europa.eu/esco/occupation/"
CEFR_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")


def text(value: str, field: str, *, limit: int = MAX_TEXT, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput("is required", field)
    if len(value) > limit:
        raise InvalidInput(f"is longer than {limit} characters", field)
    if any(ord(c) < 32 and c not in "\n\t" for c in value):
        raise InvalidInput("contains control characters", field)
    return value


def optional_date(value: str, field: str, today: date) -> date | None:
    if not value:
        return None
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field) from None
    if parsed < EARLIEST_DATE:
        raise InvalidInput(f"{value} is before {EARLIEST_DATE.isoformat()}", field)
    return parsed


def past_date(value: str, field: str, today: date, default: date | None = None) -> date | None:
    parsed = optional_date(value, field, today)
    if parsed is None:
        return default
    if parsed > today:
        raise InvalidInput(f"{parsed.isoformat()} is in the future", field)
    return parsed


def ordered(start: date | None, end: date | None, start_field: str, end_field: str) -> None:
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"{end.isoformat()} is before {start_field} {start.isoformat()}", end_field)


def uuid_text(value: str, field: str, what: str) -> str:
    """An id this service issued; anything else cannot exist (NOT_FOUND), empty is INVALID_ARGUMENT."""
    if not value:
        raise InvalidInput("is required", field)
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFound(f"no {what} {value!r}") from None


def skill_uri(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput("is required", field)
    if not value.startswith(ESCO_SKILL_PREFIX) or len(value) > 300:
        raise InvalidInput(f"{value!r} is not an ESCO skill URI ({ESCO_SKILL_PREFIX}...)", field)
    return value


def language_code(value: str, field: str) -> str:
    value = value.strip().lower()
    if not _LANGUAGE.match(value):
        raise InvalidInput(f"{value!r} is not an ISO 639 language code", field)
    return value


def cefr_level(value: str, field: str) -> str:
    for level in CEFR_LEVELS:
        if value.strip().lower() == level.lower():
            return level
    raise InvalidInput(f"{value!r} is not a CEFR level ({', '.join(CEFR_LEVELS)})", field)


def email(value: str, field: str) -> str:
    value = text(value, field)
    if value and not _EMAIL.match(value):
        raise InvalidInput("is not an e-mail address", field)
    return value


def phone(value: str, field: str) -> str:
    value = text(value, field, limit=32)
    if value and not _PHONE.match(value):
        raise InvalidInput("is not a phone number", field)
    return value


def expected_version(value: int, field: str = "expected_version", *, required: bool = False) -> int | None:
    if value < 0:
        raise InvalidInput("must not be negative", field)
    if value == 0:
        if required:
            raise InvalidInput("is required (the version you read) so that no concurrent change is lost", field)
        return None
    return value
