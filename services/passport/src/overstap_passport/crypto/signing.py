"""The deployment's Ed25519 signing key, used for exported credentials; its public half is a did:key."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from overstap_passport.crypto.envelope import decode_key
from overstap_passport.domain.credentials import Issuer, did_key


class SigningKey:
    def __init__(self, seed: bytes, issuer_name: str) -> None:
        self._private = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_bytes = self._private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.issuer = Issuer(did_key(self.public_bytes), issuer_name)

    @classmethod
    def from_text(cls, seed_base64: str, issuer_name: str) -> SigningKey:
        return cls(decode_key(seed_base64, "signing key"), issuer_name)

    def sign(self, data: bytes) -> bytes:
        return self._private.sign(data)


def verify_ed25519(public_key: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
