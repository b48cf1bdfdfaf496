"""Gateway settings (env prefix OVERSTAP_GATEWAY_).

With no configuration the gateway runs in development: it trusts the local development issuer (key pair generated
once under var/dev-keys/, tokens from `overstap token`) and signs the caller's identity for the services with the
development principal key. In production both are refused: configure the identity provider (JWKS and issuer) and
OVERSTAP_GATEWAY_PRINCIPAL_KEY from the deployment's secrets.
"""

from __future__ import annotations

import json
from pathlib import Path

from overstap_common.principal import DEVELOPMENT_KEY as DEVELOPMENT_PRINCIPAL_KEY
from overstap_common.settings import VAR_DIR, ServiceSettings
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

# The issuer of `overstap token`: a name that can never belong to a real identity provider (.invalid, RFC 2606).
DEVELOPMENT_ISSUER = "https://overstap.invalid/development-issuer"
DEFAULT_AUDIENCE = "overstap-api"
# Asymmetric signature algorithms the gateway can be told to accept. Never `none`, never HS* (a shared secret
# would let anyone who can verify a token also mint one, and invites key confusion with public keys).
SUPPORTED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    taxonomy_target: str = "127.0.0.1:50051"
    passport_target: str = "127.0.0.1:50052"
    matcher_target: str = "127.0.0.1:50053"
    vacancy_target: str = "127.0.0.1:50054"
    # Deadline on every gRPC call the gateway makes, in seconds.
    grpc_deadline_seconds: float = Field(default=2.0, gt=0)
    # Deadline on the vacancy calls that run the skill extractor (extract, create/replace), in seconds. An ad of a
    # few pages takes well under a second; one near the 1 MiB limit tens of seconds (about 40 s for 900 KB on a
    # busy 2-core machine). The vacancy service's other calls keep grpc_deadline_seconds.
    vacancy_extraction_deadline_seconds: float = Field(default=60.0, gt=0)
    grpc_max_message_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Largest request body accepted, in bytes.
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Requests per minute per calling party (organisation, else the subject), with this burst; 0 turns it off.
    rate_limit_per_minute: int = Field(default=60_000, ge=0)
    rate_limit_burst: int = Field(default=1000, ge=1)

    # --- who may call: OAuth2 bearer JWTs -------------------------------------------------------------------
    # The identity provider's keys: exactly one of a JWKS URL (https outside development), a JWKS file, or the
    # JWKS itself as JSON.
    jwks_url: str | None = None
    jwks_file: Path | None = None
    jwks_json: str | None = None
    # The `iss` its tokens carry (required with a JWKS) and the `aud` they must be issued for.
    issuer: str | None = None
    audience: str = Field(default=DEFAULT_AUDIENCE, min_length=1)
    # Signature algorithms accepted (asymmetric only).
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "ES256", "EdDSA"], min_length=1)
    # Clock skew tolerated on exp/nbf/iat, in seconds.
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=120)
    # Longest accepted Authorization header value, in bytes.
    max_token_bytes: int = Field(default=8192, ge=512, le=65536)
    # How long fetched JWKS keys are used before they are fetched again, and the least time between two fetches
    # caused by tokens with an unknown `kid` (so random kids cannot make the gateway hammer the provider).
    jwks_cache_seconds: float = Field(default=600, gt=0)
    jwks_min_refresh_seconds: float = Field(default=30, ge=0)
    jwks_fetch_timeout_seconds: float = Field(default=3.0, gt=0)
    # Trust the local development issuer (`overstap token`); None means "in development only". Refused in
    # production.
    trust_development_issuer: bool | None = None
    dev_keys_dir: Path = VAR_DIR / "dev-keys"

    # --- what the gateway tells the services -----------------------------------------------------------------
    # Key shared with the services that signs the caller's identity (x-overstap-principal) on every call.
    principal_key: SecretStr = SecretStr(DEVELOPMENT_PRINCIPAL_KEY)

    # --- Idempotency-Key on POST (kept in this process's memory) -------------------------------------------------
    idempotency_ttl_seconds: float = Field(default=24 * 3600, gt=0)
    idempotency_max_entries: int = Field(default=10_000, ge=0, le=1_000_000)

    @field_validator("jwt_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        for name in value:
            if name.lower() == "none" or name.upper().startswith("HS"):
                raise ValueError(f"{name!r} is refused: only asymmetric signatures are accepted")
            if name not in SUPPORTED_ALGORITHMS:
                raise ValueError(f"unsupported algorithm {name!r}; supported: {', '.join(SUPPORTED_ALGORITHMS)}")
        return list(dict.fromkeys(value))

    @field_validator("jwks_json")
    @classmethod
    def _jwks_is_json(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            parsed = json.loads(value)
        except ValueError:
            raise ValueError("is not JSON") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("keys"), list):
            raise ValueError('must be a JWKS: {"keys": [...]}')
        return value

    @property
    def trusts_development_issuer(self) -> bool:
        if self.trust_development_issuer is not None:
            return self.trust_development_issuer
        return self.environment == "development"

    @property
    def jwks_configured(self) -> bool:
        return any(v is not None for v in (self.jwks_url, self.jwks_file, self.jwks_json))

    @model_validator(mode="after")
    def _consistent(self) -> GatewaySettings:
        sources = [n for n in ("jwks_url", "jwks_file", "jwks_json") if getattr(self, n) is not None]
        if len(sources) > 1:
            raise ValueError(f"set one of jwks_url, jwks_file, jwks_json, not {' and '.join(sources)}")
        if sources and not self.issuer:
            raise ValueError("issuer is required with a JWKS (the `iss` the identity provider's tokens carry)")
        if self.issuer and not sources:
            raise ValueError("a JWKS (jwks_url, jwks_file or jwks_json) is required with an issuer")
        if self.environment in ("development", "test"):
            return self
        refused = []
        if self.trust_development_issuer:
            refused.append("trust_development_issuer")
        if self.issuer == DEVELOPMENT_ISSUER:
            refused.append("issuer (the development issuer)")
        if self.principal_key.get_secret_value() == DEVELOPMENT_PRINCIPAL_KEY:
            refused.append("principal_key (the development key)")
        if self.jwks_file is not None and self.jwks_file.resolve().is_relative_to(self.dev_keys_dir.resolve()):
            refused.append("jwks_file (a development key)")
        if refused:
            raise ValueError(f"refused in environment {self.environment!r}: {', '.join(refused)}")
        if not sources:
            raise ValueError(
                f"environment {self.environment!r} needs an identity provider: set OVERSTAP_GATEWAY_ISSUER and "
                "OVERSTAP_GATEWAY_JWKS_URL (or _JWKS_FILE / _JWKS_JSON)"
            )
        if self.jwks_url is not None and not self.jwks_url.startswith("https://"):
            raise ValueError("jwks_url must be an https:// URL outside development")
        return self
