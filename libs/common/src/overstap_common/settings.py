"""Settings base: every service has one pydantic-settings class with its own env prefix.

With no configuration at all, everything runs on this machine on embedded defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from overstap_common.principal import DEVELOPMENT_KEY

Environment = Literal["development", "test", "production"]


def _var_dir() -> Path:
    """var/ at the repository root when running from the work tree, else var/ under the working directory."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "services").is_dir():
            return parent / "var"
    return Path.cwd() / "var"


# Where embedded defaults keep their files (SQLite databases, development keys).
VAR_DIR = _var_dir()


class ServiceSettings(BaseSettings):
    """Fields every Overstap service shares. Subclasses set ``model_config`` with their env prefix."""

    model_config = SettingsConfigDict(env_prefix="OVERSTAP_", extra="ignore")

    environment: Environment = "development"
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"


class GrpcServerSettings(ServiceSettings):
    """A gRPC server: where it listens and how it protects itself."""

    grpc_host: str = "127.0.0.1"
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    # Largest request or response message the server accepts, in bytes.
    grpc_max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    # Seconds in-flight calls get to finish on SIGTERM before they are cancelled.
    grpc_shutdown_grace_seconds: float = Field(default=5.0, ge=0)
    # Server reflection; None means "on in development, off elsewhere".
    grpc_reflection: bool | None = None
    # The event loop: asyncio's, uvloop (must be installed), or auto (uvloop when installed).
    event_loop: str = Field(default="asyncio", pattern="^(auto|uvloop|asyncio)$")

    @property
    def grpc_address(self) -> str:
        return f"{self.grpc_host}:{self.grpc_port}"

    @property
    def reflection_enabled(self) -> bool:
        if self.grpc_reflection is not None:
            return self.grpc_reflection
        return self.environment == "development"


class CallerCheckingSettings(GrpcServerSettings):
    """A gRPC server that checks the caller identity the gateway signs (x-overstap-principal), and refuses to start
    outside development and test with a development default for any of its secrets."""

    # Key shared with the gateway that signs the caller's identity.
    principal_key: SecretStr = SecretStr(DEVELOPMENT_KEY)
    principal_max_age_seconds: float = Field(default=300, gt=0)

    def development_defaults(self) -> list[tuple[str, SecretStr, str]]:
        """(field, value, development default) of every secret that must be set outside development."""
        return [("principal_key", self.principal_key, DEVELOPMENT_KEY)]

    @model_validator(mode="after")
    def _no_development_defaults_outside_development(self) -> Self:
        if self.environment in ("development", "test"):
            return self
        refused = [name for name, value, default in self.development_defaults() if value.get_secret_value() == default]
        if refused:
            prefix = str(self.model_config.get("env_prefix", ""))
            raise ValueError(
                f"development default(s) for {', '.join(refused)} refused in environment {self.environment!r}; "
                f"set {' and '.join(prefix + name.upper() for name in refused)}"
            )
        return self


class GrpcClientSettings(BaseSettings):
    """How a caller reaches another service."""

    model_config = SettingsConfigDict(extra="ignore")

    target: str
    # Deadline applied to every call that does not set its own, in seconds.
    deadline_seconds: float = Field(default=2.0, gt=0)
    max_message_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
