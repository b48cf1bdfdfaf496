"""Gateway settings (env prefix OVERSTAP_GATEWAY_)."""

from __future__ import annotations

from overstap_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    taxonomy_target: str = "127.0.0.1:50051"
    # Deadline on every gRPC call the gateway makes, in seconds.
    grpc_deadline_seconds: float = Field(default=2.0, gt=0)
    grpc_max_message_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Largest request body accepted, in bytes.
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
