"""The authenticated caller, as the gateway passes it to services in gRPC metadata.

The gateway authenticates the request (OAuth2 / JWT) and forwards the principal as two metadata entries:
``x-overstap-principal`` (base64url JSON) and ``x-overstap-principal-signature`` (HMAC-SHA256 over the
encoded principal with a key shared by the gateway and the services, from the deployment's secrets).
A service accepts a principal only with a valid, unexpired signature, and re-checks ownership and consent
itself.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

PRINCIPAL_HEADER = "x-overstap-principal"
SIGNATURE_HEADER = "x-overstap-principal-signature"
# Development default; settings refuse it outside development.
DEVELOPMENT_KEY = "overstap-development-principal-key-not-for-production"
MAX_AGE_SECONDS = 300


class InvalidPrincipal(ValueError):
    """Missing, malformed, unsigned, wrongly signed or expired principal metadata."""


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str  # pseudonymous id of the person or client
    organisation: str | None = None  # e.g. "uwv", "gemeente-utrecht", "jobboard-x"
    role: str = "person"  # person | coach | organisation | service
    scopes: tuple[str, ...] = field(default_factory=tuple)  # resource:action, e.g. passport:read

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def party(self) -> str:
        """The party a consent can be granted to: the organisation, or the person/client itself."""
        return self.organisation or self.subject


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(encoded: str, key: str) -> str:
    return _b64(hmac.new(key.encode(), encoded.encode(), hashlib.sha256).digest())


def encode_principal(principal: Principal, key: str, now: float | None = None) -> list[tuple[str, str]]:
    """gRPC metadata entries carrying ``principal``, signed with ``key``."""
    payload = {
        **asdict(principal),
        "scopes": list(principal.scopes),
        "iat": int(now if now is not None else time.time()),
    }
    encoded = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
    return [(PRINCIPAL_HEADER, encoded), (SIGNATURE_HEADER, _sign(encoded, key))]


def decode_principal(
    metadata: Iterable[tuple[str, str | bytes]] | None,
    key: str,
    now: float | None = None,
    max_age: float = MAX_AGE_SECONDS,
) -> Principal:
    """The principal in ``metadata``; raises :class:`InvalidPrincipal` unless it is present, signed and fresh."""
    entries = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in (metadata or ())}
    encoded, signature = entries.get(PRINCIPAL_HEADER), entries.get(SIGNATURE_HEADER)
    if not encoded or not signature:
        raise InvalidPrincipal("no caller identity in the request")
    if not hmac.compare_digest(_sign(encoded, key), signature):
        raise InvalidPrincipal("caller identity is not signed by the gateway")
    try:
        payload = json.loads(_unb64(encoded))
        issued = float(payload["iat"])
        principal = Principal(
            subject=str(payload["subject"]),
            organisation=payload.get("organisation"),
            role=str(payload.get("role", "person")),
            scopes=tuple(str(s) for s in payload.get("scopes", ())),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidPrincipal("caller identity is malformed") from exc
    current = now if now is not None else time.time()
    if not (current - max_age <= issued <= current + 30):
        raise InvalidPrincipal("caller identity has expired")
    return principal


def require_scopes(principal: Principal, needed: Sequence[str]) -> None:
    missing = [s for s in needed if not principal.has_scope(s)]
    if missing:
        raise PermissionError(f"missing scope(s): {', '.join(missing)}")
