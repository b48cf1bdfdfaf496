"""Authentication: OAuth2 bearer JWTs verified against the identity provider's keys, turned into a Principal.

Organisations call with client-credentials tokens (``sub`` = client id, ``role`` organisation, ``org``, ``scope``);
persons and coaches with tokens from their organisation's identity provider (``sub``, ``role`` person | coach,
``org``). In development the gateway also trusts the local development issuer (`overstap token`).
"""

from __future__ import annotations

import json

from overstap_gateway.auth.development import JWKS_FILE, load_or_create
from overstap_gateway.auth.keys import FileKeys, KeySource, RemoteKeys, StaticKeys
from overstap_gateway.auth.verifier import InvalidToken, TokenVerifier, TrustedIssuer
from overstap_gateway.settings import DEVELOPMENT_ISSUER, GatewaySettings

__all__ = ["InvalidToken", "TokenVerifier", "TrustedIssuer", "build_verifier"]


def build_verifier(settings: GatewaySettings) -> TokenVerifier:
    """The issuers the settings trust: the configured identity provider, and the development issuer where allowed."""
    issuers: list[TrustedIssuer] = []
    if settings.jwks_configured:
        assert settings.issuer is not None
        source: KeySource
        if settings.jwks_url is not None:
            source = RemoteKeys(
                settings.jwks_url,
                settings.jwks_cache_seconds,
                settings.jwks_min_refresh_seconds,
                settings.jwks_fetch_timeout_seconds,
            )
        elif settings.jwks_file is not None:
            source = FileKeys(settings.jwks_file)
        else:
            source = StaticKeys(json.loads(settings.jwks_json or "{}"))
        issuers.append(TrustedIssuer(settings.issuer, source))
    if settings.trusts_development_issuer:
        load_or_create(settings.dev_keys_dir)
        issuers.append(TrustedIssuer(DEVELOPMENT_ISSUER, FileKeys(settings.dev_keys_dir / JWKS_FILE)))
    if not issuers:
        raise ValueError(
            "no token issuer is trusted: configure OVERSTAP_GATEWAY_ISSUER and OVERSTAP_GATEWAY_JWKS_URL "
            "(or _JWKS_FILE / _JWKS_JSON), or run in development"
        )
    return TokenVerifier(
        issuers, settings.audience, settings.jwt_algorithms, settings.jwt_leeway_seconds, settings.max_token_bytes
    )
