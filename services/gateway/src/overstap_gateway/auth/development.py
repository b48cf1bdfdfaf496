"""The local development issuer: an Ed25519 key pair generated once under var/dev-keys/, and the tokens it mints.

The gateway trusts it in development only (settings refuse it in production); `overstap token` mints with it. The
private key never leaves this machine: the directory is created 0700 and the key file 0600, and var/ is not committed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from overstap_gateway.settings import DEFAULT_AUDIENCE, DEVELOPMENT_ISSUER

PRIVATE_KEY_FILE = "issuer-ed25519.pem"
JWKS_FILE = "jwks.json"
MAX_TTL_SECONDS = 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass(frozen=True)
class DevelopmentIssuer:
    private_key: Ed25519PrivateKey
    issuer: str = DEVELOPMENT_ISSUER

    @property
    def public_jwk(self) -> dict[str, str]:
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
        # RFC 7638 thumbprint as the key id: stable for the key, different for a new one.
        thumbprint = _b64(hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode()).digest())
        return {**jwk, "kid": thumbprint, "alg": "EdDSA", "use": "sig"}

    @property
    def kid(self) -> str:
        return self.public_jwk["kid"]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk]}

    def mint(
        self,
        subject: str,
        role: str,
        scopes: Iterable[str] = (),
        organisation: str | None = None,
        audience: str = DEFAULT_AUDIENCE,
        ttl_seconds: int = 3600,
        now: float | None = None,
        **extra: Any,
    ) -> str:
        """A signed access token with the claims the gateway reads (sub, role, org, scope)."""
        if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
            raise ValueError(f"ttl_seconds must be 1..{MAX_TTL_SECONDS}")
        issued = int(now if now is not None else time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": audience,
            "sub": subject,
            "role": role,
            "scope": " ".join(scopes),
            "iat": issued,
            "nbf": issued,
            "exp": issued + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if organisation:
            claims["org"] = organisation
        claims.update(extra)
        return jwt.encode(claims, self.private_key, algorithm="EdDSA", headers={"kid": self.kid, "typ": "at+jwt"})


def load_or_create(directory: Path) -> DevelopmentIssuer:
    """The development issuer of ``directory``; the key pair is generated on first use (safe when two processes
    start at once: the first key written wins, the other process reads it)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_path = directory / PRIVATE_KEY_FILE
    if not key_path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = directory / f".{PRIVATE_KEY_FILE}.{os.getpid()}.{uuid.uuid4().hex}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(pem)
            try:
                os.link(temporary, key_path)  # fails if another process got there first
            except FileExistsError:
                pass
        finally:
            temporary.unlink(missing_ok=True)
    loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{key_path} is not an Ed25519 private key")
    issuer = DevelopmentIssuer(loaded)
    _write_jwks(directory / JWKS_FILE, issuer.jwks())
    return issuer


def _write_jwks(path: Path, jwks: dict[str, Any]) -> None:
    text = json.dumps(jwks, indent=2, sort_keys=True) + "\n"
    try:
        if path.read_text() == text:
            return
    except OSError:
        pass
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    temporary.write_text(text)
    os.replace(temporary, path)
