"""Bearer token verification: a JWT from a trusted issuer, signed with one of its keys, for our audience, in time.

Checks, in order (the first failure answers 401):
- size, and a well-formed compact JWS;
- ``alg`` in the accepted list (asymmetric only: ``none`` and HS* are refused by the settings), no ``crit``;
- ``iss`` one of the trusted issuers; ``kid`` present and one of that issuer's keys, fitting ``alg``;
- the signature; ``exp`` (required), ``nbf`` and ``iat`` with a small leeway; ``aud`` contains our audience;
- the claims the gateway needs: ``sub``, ``role`` (person | coach | organisation), ``org`` (coach, organisation),
  ``scope`` (space-separated) or ``scp`` (list).

Keys from the token itself (``jku``, ``x5u``, ``jwk``, ``x5c``) are never used.

A token that passed is remembered (by its exact text) until it expires, for at most ``cache_seconds``: a partner
system sends the same token with every request, and checking its signature each time would cost more than the rest of
the gateway's work. A key withdrawn from the issuer's JWKS therefore stops working within that time.
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from jwt.exceptions import (
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuerError,
    MissingRequiredClaimError,
    PyJWTError,
)
from overstap_common.principal import Principal

from overstap_gateway.auth.keys import KeySource

log = logging.getLogger("overstap.gateway.auth")

ROLES = ("person", "coach", "organisation")
ROLES_WITH_ORGANISATION = ("coach", "organisation")
MAX_SCOPES = 64
# Subjects and organisation ids are ids, not names: no spaces, no control characters, and never the consent
# wildcard "*" (a party called "*" would match consents granted to any party).
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@|+\-]{0,254}$")
_ORGANISATION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,99}$")
_SCOPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,99}$")


class InvalidToken(Exception):
    """The token cannot be accepted. ``public`` is what the caller is told; ``reason`` is logged."""

    def __init__(self, public: str, reason: str | None = None) -> None:
        super().__init__(public)
        self.public = public
        self.reason = reason or public


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    keys: KeySource


class TokenVerifier:
    def __init__(
        self,
        issuers: Sequence[TrustedIssuer],
        audience: str,
        algorithms: Sequence[str],
        leeway_seconds: float = 30,
        max_token_bytes: int = 8192,
        cache_seconds: float = 60,
        cache_entries: int = 10_000,
    ) -> None:
        if not issuers:
            raise ValueError("at least one trusted issuer is needed")
        self.issuers = {i.issuer: i for i in issuers}
        self.audience = audience
        self.algorithms = tuple(algorithms)
        self.leeway = leeway_seconds
        self.max_token_bytes = max_token_bytes
        self.cache_seconds = cache_seconds
        self.cache_entries = cache_entries
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()  # token -> (principal, until)

    async def verify(self, token: str) -> Principal:
        if len(token) > self.max_token_bytes:
            raise InvalidToken("the access token is too long")
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, until = remembered
            if now < until:
                self._verified.move_to_end(token)
                return principal
            del self._verified[token]
        principal, expires_at = await self._verify(token)
        if self.cache_seconds > 0:
            self._verified[token] = (principal, min(expires_at, now + self.cache_seconds))
            if len(self._verified) > self.cache_entries:
                self._verified.popitem(last=False)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        """The principal and the token's expiry (epoch seconds), after every check."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except PyJWTError:
            raise InvalidToken("the access token is malformed") from None
        algorithm = header.get("alg")
        if not isinstance(algorithm, str) or algorithm not in self.algorithms:
            raise InvalidToken("the access token's signature algorithm is not accepted", f"alg {algorithm!r}")
        if "crit" in header:
            raise InvalidToken("the access token uses critical header extensions", "crit header")
        issuer = self.issuers.get(unverified.get("iss")) if isinstance(unverified.get("iss"), str) else None
        if issuer is None:
            raise InvalidToken("the access token is not from a trusted issuer", "untrusted iss")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise InvalidToken("the access token names no key (kid)")
        key = await issuer.keys.key_for(kid, algorithm)
        if key is None:
            raise InvalidToken("the access token is signed with an unknown key", "unknown kid or unfit key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                audience=self.audience,
                issuer=issuer.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"], "verify_signature": True},
            )
        except ExpiredSignatureError:
            raise InvalidToken("the access token has expired") from None
        except ImmatureSignatureError:
            raise InvalidToken("the access token is not valid yet") from None
        except InvalidAudienceError:
            raise InvalidToken("the access token is not meant for this API", "wrong aud") from None
        except InvalidIssuerError:
            raise InvalidToken("the access token is not from a trusted issuer", "wrong iss") from None
        except MissingRequiredClaimError as exc:
            raise InvalidToken(f"the access token lacks the {exc.claim!r} claim") from None
        except PyJWTError as exc:
            raise InvalidToken("the access token is not valid", type(exc).__name__) from None
        return principal_from_claims(claims), float(claims["exp"])


def _scopes(claims: dict[str, Any]) -> tuple[str, ...]:
    raw = claims.get("scope", claims.get("scp", ""))
    if isinstance(raw, str):
        items = raw.split()
    elif isinstance(raw, list) and all(isinstance(s, str) for s in raw):
        items = raw
    else:
        raise InvalidToken("the access token's scope claim is malformed")
    if len(items) > MAX_SCOPES or not all(_SCOPE.match(s) for s in items):
        raise InvalidToken("the access token's scope claim is malformed")
    return tuple(dict.fromkeys(items))


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not _SUBJECT.match(subject):
        raise InvalidToken("the access token's subject is malformed")
    role = claims.get("role")
    if role not in ROLES:
        raise InvalidToken(f"the access token's role must be one of: {', '.join(ROLES)}")
    organisation = claims.get("org")
    if organisation is not None and (not isinstance(organisation, str) or not _ORGANISATION.match(organisation)):
        raise InvalidToken("the access token's org claim is malformed")
    if role in ROLES_WITH_ORGANISATION and organisation is None:
        raise InvalidToken(f"a {role} token must name its organisation (org)")
    if role == "person":
        # A person acts for themselves. The organisation whose IdP signed them in is not forwarded: the services
        # treat the principal's organisation as the party consents are granted to, and a person must not inherit
        # the consents granted to (say) UWV because they signed in through UWV's portal.
        organisation = None
    return Principal(subject=subject, organisation=organisation, role=role, scopes=_scopes(claims))
