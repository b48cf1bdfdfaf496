"""Where the identity provider's public keys come from (JWKS: inline, a file, or an https URL) and which key may
verify which algorithm.

Keys are looked up by ``kid`` only. A key is used for an algorithm only when its type and curve fit it (RSA: RS*/PS*,
EC P-256/P-384/P-521: ES256/384/512, OKP Ed25519/Ed448: EdDSA) and its own ``alg``/``use``/``key_ops``, when given,
allow it. Symmetric (``oct``) keys and keys with private material are never loaded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from jwt import PyJWK
from jwt.exceptions import PyJWTError

log = logging.getLogger("overstap.gateway.auth")

MAX_JWKS_BYTES = 256 * 1024
MAX_KID_LENGTH = 256
EC_CURVES = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
RSA_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


class KeysUnavailable(Exception):
    """The key set cannot be obtained (and none is cached)."""


def fits(jwk: dict[str, Any], algorithm: str) -> bool:
    """May ``jwk`` verify a signature made with ``algorithm``?"""
    if jwk.get("alg") not in (None, algorithm):
        return False
    if jwk.get("use") not in (None, "sig"):
        return False
    ops = jwk.get("key_ops")
    if ops is not None and (not isinstance(ops, list) or "verify" not in ops):
        return False
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "RSA":
        return algorithm in RSA_ALGORITHMS
    if kty == "EC":
        return EC_CURVES.get(str(crv)) == algorithm
    if kty == "OKP":
        return crv in ("Ed25519", "Ed448") and algorithm == "EdDSA"
    return False


def parse_jwks(document: Any, origin: str) -> dict[str, dict[str, Any]]:
    """The usable public signing keys of a JWKS document, by kid. Unusable entries are skipped (and logged)."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError(f"{origin}: not a JWKS document")
    keys: dict[str, dict[str, Any]] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict):
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH:
            log.warning("jwks key without a usable kid skipped", extra={"origin": origin})
            continue
        if entry.get("kty") not in ("RSA", "EC", "OKP"):
            log.warning("jwks key of unsupported type skipped", extra={"origin": origin, "kid": kid})
            continue
        if PRIVATE_MEMBERS & set(entry):
            log.warning("jwks key with private material skipped", extra={"origin": origin, "kid": kid})
            continue
        if kid in keys:
            log.warning("duplicate kid in jwks; first kept", extra={"origin": origin, "kid": kid})
            continue
        keys[kid] = entry
    return keys


class VerificationKeys:
    """Keys by kid, each turned into a verification key once per algorithm."""

    def __init__(self, keys: dict[str, dict[str, Any]]) -> None:
        self.keys = keys
        self._prepared: dict[tuple[str, str], Any] = {}

    def key_for(self, kid: str, algorithm: str) -> Any | None:
        jwk = self.keys.get(kid)
        if jwk is None or not fits(jwk, algorithm):
            return None
        prepared = self._prepared.get((kid, algorithm))
        if prepared is None:
            try:
                prepared = PyJWK(jwk, algorithm).key
            except PyJWTError:
                log.warning("jwks key cannot be loaded", extra={"kid": kid})
                return None
            self._prepared[(kid, algorithm)] = prepared
        return prepared


class KeySource(Protocol):
    async def key_for(self, kid: str, algorithm: str) -> Any | None:
        """The verification key for ``kid`` and ``algorithm``; None when there is none."""
        ...


class StaticKeys:
    def __init__(self, document: Any, origin: str = "jwks_json") -> None:
        self._keys = VerificationKeys(parse_jwks(document, origin))

    async def key_for(self, kid: str, algorithm: str) -> Any | None:
        return self._keys.key_for(kid, algorithm)


class FileKeys:
    """A JWKS file, read again when a token names a kid it does not hold and the file has changed since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime: float | None = None
        self._keys = VerificationKeys({})
        self._load()

    def _load(self) -> None:
        try:
            mtime = self.path.stat().st_mtime
        except OSError as exc:
            raise KeysUnavailable(f"cannot read {self.path}") from exc
        if mtime == self._mtime:
            return
        self._keys = VerificationKeys(parse_jwks(json.loads(self.path.read_text()), str(self.path)))
        self._mtime = mtime

    async def key_for(self, kid: str, algorithm: str) -> Any | None:
        if kid not in self._keys.keys:
            self._load()
        return self._keys.key_for(kid, algorithm)


def _fetch(url: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - URL from settings
        body = reply.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError(f"JWKS larger than {MAX_JWKS_BYTES} bytes")
    return json.loads(body)


class RemoteKeys:
    """A JWKS URL: fetched on first use, again after ``cache_seconds``, and on an unknown kid at most once every
    ``min_refresh_seconds`` (so tokens with made-up kids cannot turn the gateway against the identity provider).
    A failed fetch keeps the keys it had."""

    def __init__(
        self,
        url: str,
        cache_seconds: float = 600,
        min_refresh_seconds: float = 30,
        timeout: float = 3.0,
        fetch: Callable[[str, float], Any] = _fetch,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.timeout = timeout
        self._fetch = fetch
        self._clock = clock
        self._keys: VerificationKeys | None = None
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _refresh(self, reason: str) -> None:
        async with self._lock:
            now = self._clock()
            if now - self._attempted_at < self.min_refresh_seconds:
                if self._keys is None:
                    raise KeysUnavailable("the identity provider's keys cannot be fetched")
                return
            self._attempted_at = now
            try:
                document = await asyncio.to_thread(self._fetch, self.url, self.timeout)
                self._keys = VerificationKeys(parse_jwks(document, self.url))
                self._fetched_at = now
                log.info("jwks fetched", extra={"reason": reason, "keys": len(self._keys.keys)})
            except Exception as exc:  # noqa: BLE001 - any failure: keep what we have
                log.warning("jwks fetch failed", extra={"reason": reason, "error": type(exc).__name__})
                if self._keys is None:
                    raise KeysUnavailable("the identity provider's keys cannot be fetched") from None

    async def key_for(self, kid: str, algorithm: str) -> Any | None:
        if self._keys is None or self._clock() - self._fetched_at > self.cache_seconds:
            await self._refresh("expired" if self._keys else "first use")
        assert self._keys is not None
        if kid not in self._keys.keys:
            await self._refresh("unknown kid")
        return self._keys.key_for(kid, algorithm)
