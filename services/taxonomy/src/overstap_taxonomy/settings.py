"""Taxonomy service settings (env prefix OVERSTAP_TAXONOMY_)."""

from __future__ import annotations

from pathlib import Path

from overstap_common.settings import GrpcServerSettings
from pydantic_settings import SettingsConfigDict


class TaxonomySettings(GrpcServerSettings):
    model_config = SettingsConfigDict(env_prefix="OVERSTAP_TAXONOMY_", extra="ignore")

    grpc_port: int = 50051
    # The taxonomy bundle to serve; default: the bundle shipped with overstap-taxonomy-bundle.
    bundle_path: Path | None = None
