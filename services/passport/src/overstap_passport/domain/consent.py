"""Consent: who may see which parts of a passport, for what purpose, when.

A consent is *in force* at instant ``now`` when ``valid_from <= now``, ``now < valid_to`` (if set) and it has
not been withdrawn at or before ``now``. Access by anyone but the owner is decided by :func:`evaluate` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum

from overstap_passport.domain.errors import InvalidInput

ANY_PARTY = "*"
MAX_GRANTEE_LENGTH = 200


class Purpose(StrEnum):
    MATCHING = "matching"  # rank occupations/vacancies for the person
    COACHING = "coaching"  # a coach reads and edits the passport with the person
    VACANCY_CANDIDATES = "vacancy-candidates"  # be found as a candidate for vacancies
    VALIDATION = "validation"  # assess and certify skills


class Part(IntEnum):
    """Parts of a passport; values equal the proto enum ConsentPart."""

    SKILLS = 1  # skills, best evidence kind, validation level, self-profile
    EVIDENCE = 2  # evidence, validation steps, work history, education (implies skills)
    WISHES = 3  # wishes and languages
    CONTACT = 4  # name, e-mail, phone

    @property
    def label(self) -> str:
        return self.name.lower()


ALL_PARTS = frozenset(Part)


def parse_purpose(value: str, field: str = "purpose") -> Purpose:
    try:
        return Purpose(value.strip())
    except ValueError:
        known = ", ".join(p.value for p in Purpose)
        raise InvalidInput(f"unknown purpose {value!r}; known purposes: {known}", field) from None


def parse_parts(values: Iterable[int], field: str = "parts") -> frozenset[Part]:
    parts: set[Part] = set()
    for value in values:
        try:
            parts.add(Part(int(value)))
        except ValueError:
            raise InvalidInput(f"unknown part {value}", field) from None
    if not parts:
        raise InvalidInput("a consent must cover at least one part (skills, evidence, wishes, contact)", field)
    return frozenset(parts)


def expand(parts: Iterable[Part]) -> frozenset[Part]:
    """Evidence is about skills: a view with evidence shows the skills too."""
    result = set(parts)
    if Part.EVIDENCE in result:
        result.add(Part.SKILLS)
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class ConsentTerms:
    """What the owner grants; checked by :func:`check_terms` before it is stored."""

    grantee: str
    purpose: Purpose
    parts: frozenset[Part]
    valid_from: datetime
    valid_to: datetime | None


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    id: str
    passport_id: str
    grantee: str
    purpose: Purpose
    parts: frozenset[Part]
    valid_from: datetime
    valid_to: datetime | None
    granted_at: datetime
    withdrawn_at: datetime | None = None

    def in_force(self, now: datetime) -> bool:
        if now < self.valid_from:
            return False
        if self.valid_to is not None and now >= self.valid_to:
            return False
        return self.withdrawn_at is None or now < self.withdrawn_at

    def applies_to(self, party: str) -> bool:
        return self.grantee == party or self.grantee == ANY_PARTY


def check_terms(terms: ConsentTerms, now: datetime) -> None:
    grantee = terms.grantee
    if not grantee or grantee != grantee.strip() or any(c.isspace() for c in grantee):
        raise InvalidInput("grantee must be a party id without spaces", "grantee")
    if len(grantee) > MAX_GRANTEE_LENGTH:
        raise InvalidInput(f"grantee is longer than {MAX_GRANTEE_LENGTH} characters", "grantee")
    if grantee == ANY_PARTY:
        if terms.purpose is not Purpose.VACANCY_CANDIDATES:
            raise InvalidInput(
                "a consent to any party ('*') is only possible for purpose vacancy-candidates", "grantee"
            )
        if Part.CONTACT in terms.parts:
            raise InvalidInput("contact details cannot be shared with any party ('*'); name the party", "parts")
    if terms.purpose is Purpose.VACANCY_CANDIDATES and Part.SKILLS not in expand(terms.parts):
        raise InvalidInput("a vacancy-candidates consent must cover skills", "parts")
    if terms.valid_to is not None:
        if terms.valid_to <= now:
            raise InvalidInput("is in the past: the consent would never be in force", "valid_to")
        if terms.valid_to <= terms.valid_from:
            raise InvalidInput(
                f"{terms.valid_to.isoformat()} must be after valid_from ({terms.valid_from.isoformat()})", "valid_to"
            )


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    parts: frozenset[Part]  # the parts the party may see (expanded); empty when not allowed
    consent_ids: tuple[str, ...]  # the consents in force that allow it
    reason: str

    @property
    def consent_id(self) -> str:
        return self.consent_ids[0] if self.consent_ids else ""


def evaluate(
    consents: Iterable[ConsentRecord],
    party: str,
    purpose: Purpose,
    now: datetime,
    needed: Iterable[Part] = (),
) -> Decision:
    """May ``party`` access the passport for ``purpose`` at ``now``, needing at least the parts ``needed``?

    The parts granted are the union over every consent in force to that party (or to any party) for that
    purpose. Access is allowed when that union (expanded: evidence implies skills) covers ``needed`` and is
    not empty.
    """
    matching = [c for c in consents if c.purpose is purpose and c.applies_to(party) and c.in_force(now)]
    if not matching:
        return Decision(False, frozenset(), (), f"no consent in force for {party!r} and purpose {purpose.value!r}")
    granted = expand(p for c in matching for p in c.parts)
    needed_set = frozenset(needed)
    missing = needed_set - granted
    if missing:
        names = ", ".join(sorted(p.label for p in missing))
        return Decision(False, frozenset(), (), f"consent for {purpose.value!r} does not cover: {names}")
    ids = tuple(sorted(c.id for c in matching))
    return Decision(True, granted, ids, "consent in force")
