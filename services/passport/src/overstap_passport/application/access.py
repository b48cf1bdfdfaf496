"""Who may do what: ownership, consents and scopes, decided here, in the service, for every call.

- The owner is the principal with role ``person`` whose subject is the passport's ``owner_subject``.
- Anyone else needs a consent in force for a purpose that admits the operation, covering the parts it touches.
- Scopes (granted by the gateway's authorisation server) bound what a caller may attempt at all:
  ``passport:read`` for reads, ``passport:write`` for changes, ``passport:candidates`` for candidate search.
"""

from __future__ import annotations

from dataclasses import dataclass

from overstap_common.principal import Principal

from overstap_passport.domain.consent import ALL_PARTS, Part, Purpose
from overstap_passport.domain.model import Actor

READ = "passport:read"
WRITE = "passport:write"
CANDIDATES = "passport:candidates"
OWNER_ROLE = "person"


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.subject, principal.organisation or "", principal.role)


def is_owner(principal: Principal, owner_subject: str) -> bool:
    return principal.role == OWNER_ROLE and principal.subject == owner_subject


@dataclass(frozen=True, slots=True)
class Access:
    """How the caller got in: as owner, or through consents for ``purpose``."""

    owner: bool
    parts: frozenset[Part]
    purpose: str = ""
    consent_id: str = ""

    @classmethod
    def as_owner(cls) -> Access:
        return cls(True, ALL_PARTS)


@dataclass(frozen=True, slots=True)
class Rule:
    """Which purposes admit an operation by someone other than the owner, and which parts it needs."""

    purposes: tuple[Purpose, ...]
    needs: frozenset[Part]
    scope: str


def rule(scope: str, purposes: tuple[Purpose, ...], *needs: Part) -> Rule:
    return Rule(purposes, frozenset(needs), scope)


OWNER_ONLY: tuple[Purpose, ...] = ()
EDIT_SKILLS = rule(WRITE, (Purpose.COACHING,), Part.EVIDENCE)
VALIDATE = rule(WRITE, (Purpose.VALIDATION, Purpose.COACHING), Part.EVIDENCE)
EDIT_PROFILE = rule(WRITE, (Purpose.COACHING,), Part.SKILLS)
OWNER_WRITE = rule(WRITE, OWNER_ONLY)
OWNER_READ = rule(READ, OWNER_ONLY)
SKILL_SET = rule(READ, (Purpose.MATCHING,), Part.SKILLS)
