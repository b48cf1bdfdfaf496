"""Keys and token factories for the gateway's authentication tests (no services needed)."""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from overstap_gateway.auth import TokenVerifier, TrustedIssuer
from overstap_gateway.auth.keys import StaticKeys

ISSUER = "https://login.example.org/realms/overstap"
AUDIENCE = "overstap-api"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    algorithm: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        codec = {"RS256": RSAAlgorithm, "ES256": ECAlgorithm, "EdDSA": OKPAlgorithm}[self.algorithm]
        jwk = json.loads(codec.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig"}


@pytest.fixture(scope="session")
def keys() -> dict[str, SigningKey]:
    return {
        "RS256": SigningKey("rsa-1", "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "ES256": SigningKey("ec-1", "ES256", ec.generate_private_key(ec.SECP256R1())),
        "EdDSA": SigningKey("ed-1", "EdDSA", ed25519.Ed25519PrivateKey.generate()),
    }


@pytest.fixture(scope="session")
def jwks(keys: dict[str, SigningKey]) -> dict[str, Any]:
    return {"keys": [k.public_jwk() for k in keys.values()]}


@pytest.fixture(scope="session")
def verifier(jwks: dict[str, Any]) -> TokenVerifier:
    return TokenVerifier([TrustedIssuer(ISSUER, StaticKeys(jwks))], AUDIENCE, ["RS256", "ES256", "EdDSA"], 30)


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "role": "person",
        "scope": "passport:read passport:write",
        "iat": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: SigningKey, payload: dict[str, Any], **header: Any) -> str:
    headers = {"kid": key.kid, **header}
    return jwt.encode(payload, key.private, algorithm=key.algorithm, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unsigned(header: dict[str, Any], payload: dict[str, Any], signature: bytes = b"") -> str:
    """A compact JWS put together by hand (what an attacker can send)."""
    return ".".join((b64(json.dumps(header).encode()), b64(json.dumps(payload).encode()), b64(signature)))
