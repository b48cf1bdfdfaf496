"""Envelope encryption with AES-256-GCM.

Every passport has its own random 256-bit data key (DEK). Personal fields (contact details, document and
registration numbers) are encrypted with it; the DEK itself is stored only wrapped (encrypted) by the
deployment's master key (KEK), in the key store, which is a different database from the passport data and is
not backed up with it. Erasing a person deletes their wrapped DEK: every copy of their encrypted fields,
including those in backups of the passport database, becomes unreadable (crypto-shredding).

Field ciphertext layout: ``b"\\x01" || nonce(12) || AES-GCM(ciphertext || tag)``, with associated data binding
it to the passport and the field, so a ciphertext cannot be moved to another person or field.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = b"\x01"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """A ciphertext or wrapped key does not decrypt: wrong key, wrong passport/field, or tampered."""


class DataKeyMissing(DecryptionError):
    """The person's data key is gone (erased): their encrypted fields can no longer be read."""


def decode_key(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{what} is not base64") from exc
    if len(raw) != KEY_BYTES:
        raise ValueError(f"{what} must be {KEY_BYTES} bytes (base64 of 32 random bytes)")
    return raw


def new_key_text() -> str:
    """A fresh 256-bit key as base64 (for settings)."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


@dataclass(frozen=True, slots=True)
class WrappedKey:
    key_id: str  # which master key wrapped it (for rotation)
    blob: bytes


class MasterKey:
    """The deployment's key-encryption key."""

    def __init__(self, key: bytes, key_id: str) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("master key must be 32 bytes")
        self._aead = AESGCM(key)
        self.key_id = key_id

    @staticmethod
    def _aad(passport_id: str) -> bytes:
        return b"overstap-passport-dek|" + passport_id.encode()

    def new_data_key(self, passport_id: str) -> tuple[DataKey, WrappedKey]:
        raw = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(NONCE_BYTES)
        blob = FORMAT + nonce + self._aead.encrypt(nonce, raw, self._aad(passport_id))
        return DataKey(passport_id, raw), WrappedKey(self.key_id, blob)

    def unwrap(self, passport_id: str, wrapped: WrappedKey) -> DataKey:
        if wrapped.key_id != self.key_id:
            raise DecryptionError(f"data key was wrapped by master key {wrapped.key_id!r}, not {self.key_id!r}")
        blob = wrapped.blob
        if not blob.startswith(FORMAT) or len(blob) < 1 + NONCE_BYTES + 16:
            raise DecryptionError("wrapped data key is malformed")
        try:
            raw = self._aead.decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], self._aad(passport_id))
        except InvalidTag as exc:
            raise DecryptionError("wrapped data key does not decrypt with this master key") from exc
        return DataKey(passport_id, raw)


class DataKey:
    """One person's data key, unwrapped: encrypts and decrypts that person's fields."""

    __slots__ = ("_aead", "passport_id")

    def __init__(self, passport_id: str, raw: bytes) -> None:
        self.passport_id = passport_id
        self._aead = AESGCM(raw)

    def _aad(self, field: str) -> bytes:
        return b"overstap-passport-field|" + self.passport_id.encode() + b"|" + field.encode()

    def encrypt(self, field: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT + nonce + self._aead.encrypt(nonce, plaintext, self._aad(field))

    def decrypt(self, field: str, ciphertext: bytes) -> bytes:
        if not ciphertext.startswith(FORMAT) or len(ciphertext) < 1 + NONCE_BYTES + 16:
            raise DecryptionError(f"{field}: ciphertext is malformed")
        try:
            return self._aead.decrypt(ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :], self._aad(field))
        except InvalidTag as exc:
            raise DecryptionError(f"{field}: ciphertext does not decrypt with this person's data key") from exc

    def encrypt_text(self, field: str, value: str) -> bytes | None:
        return self.encrypt(field, value.encode()) if value else None

    def decrypt_text(self, field: str, ciphertext: bytes | None) -> str:
        return self.decrypt(field, ciphertext).decode() if ciphertext else ""
