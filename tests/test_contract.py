"""Contract test: schemathesis against the gateway's OpenAPI schema, every operation, real services behind it
(processes on loopback): no 5xx, and every response conforms to the documented schema."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from overstap_cli.stack import Stack, default_services, free_port
from overstap_gateway.auth.development import load_or_create

pytestmark = pytest.mark.slow

SCOPES = ["passport:read", "passport:write", "taxonomy:read", "match:read", "vacancy:read"]


@pytest.fixture(scope="module")
def stack_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    var_dir = tmp_path_factory.mktemp("contract")
    ports = {name: free_port() for name in ("gateway", "taxonomy", "passport", "matcher", "vacancy")}
    services = default_services(
        {"OVERSTAP_LOG_LEVEL": "WARNING"},
        gateway_port=ports["gateway"],
        taxonomy_port=ports["taxonomy"],
        passport_port=ports["passport"],
        matcher_port=ports["matcher"],
        vacancy_port=ports["vacancy"],
        var_dir=var_dir,
    )
    with Stack(services):
        yield next(s for s in services if s.name == "gateway").address, var_dir


def test_every_operation_answers_within_its_contract(stack_dir: tuple[str, Path]) -> None:
    gateway, var_dir = stack_dir
    token = load_or_create(var_dir / "dev-keys").mint("contract-person", "person", SCOPES, ttl_seconds=3600)
    command = [
        sys.executable, "-m", "schemathesis.cli", "run", f"{gateway}/openapi.json",
        "-H", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--max-examples", "5", "--workers", "1", "--seed", "20261129",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    failures = result.stdout[result.stdout.find("FAILURES") :][:6000]
    assert result.returncode == 0, failures or result.stdout[-4000:] + result.stderr[-2000:]
    assert "passed" in result.stdout
