"""`overstap token` mints what the gateway accepts in development; `overstap passport` is registered."""

from __future__ import annotations

from pathlib import Path

import pytest
from overstap_cli.main import app
from overstap_gateway.auth import build_verifier
from overstap_gateway.settings import GatewaySettings
from typer.testing import CliRunner

runner = CliRunner()


async def test_token_for_a_person_and_for_an_organisation(tmp_path: Path) -> None:
    verifier = build_verifier(GatewaySettings(dev_keys_dir=tmp_path))
    person = runner.invoke(
        app,
        ["token", "--subject", "alice", "--role", "person", "--scope", "passport:read", "--scope", "passport:write",
         "--keys-dir", str(tmp_path)],
    )  # fmt: skip
    assert person.exit_code == 0, person.output
    principal = await verifier.verify(person.stdout.strip())
    assert (principal.subject, principal.role, principal.scopes) == (
        "alice",
        "person",
        ("passport:read", "passport:write"),
    )
    organisation = runner.invoke(
        app, ["token", "--subject", "uwv-client", "--org", "uwv", "--role", "organisation", "--keys-dir", str(tmp_path)]
    )
    assert organisation.exit_code == 0, organisation.output
    principal = await verifier.verify(organisation.stdout.strip())
    assert (principal.organisation, principal.role, principal.scopes) == (
        "uwv",
        "organisation",
        ("passport:read", "taxonomy:read", "match:read", "vacancy:read", "vacancy:write"),
    )


def test_token_needs_an_org_for_organisations_and_refuses_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = runner.invoke(app, ["token", "--role", "organisation", "--keys-dir", str(tmp_path)])
    assert missing.exit_code == 2 and "--org" in missing.output
    monkeypatch.setenv("OVERSTAP_GATEWAY_ENVIRONMENT", "production")
    refused = runner.invoke(app, ["token", "--keys-dir", str(tmp_path)])
    assert refused.exit_code != 0 and not refused.stdout.strip().startswith("ey")


def test_passport_commands_are_registered() -> None:
    reply = runner.invoke(app, ["passport", "--help"])
    assert reply.exit_code == 0 and "migrate" in reply.output
