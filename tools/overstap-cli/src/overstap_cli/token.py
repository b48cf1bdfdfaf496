"""`overstap token`: a development access token for the gateway, signed by the local development issuer.

The key pair lives under var/dev-keys/ (created on first use, by this command or by the gateway); the gateway trusts
it in development only. Refused when OVERSTAP_GATEWAY_ENVIRONMENT is production.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

DEFAULT_SCOPES = {
    "person": ["passport:read", "passport:write", "taxonomy:read", "match:read"],
    "coach": ["passport:read", "passport:write", "taxonomy:read", "match:read"],
    "organisation": ["passport:read", "taxonomy:read", "match:read", "vacancy:read", "vacancy:write"],
}


class Role(StrEnum):
    person = "person"
    coach = "coach"
    organisation = "organisation"


def token(
    subject: str = typer.Option(
        "alice", "--subject", "-s", help="sub: the person's or coach's id, or an organisation's client id"
    ),
    role: Role = typer.Option(Role.person, "--role", "-r", help="person, coach or organisation"),
    org: str | None = typer.Option(None, "--org", "-o", help="org: the organisation (required for coach/organisation)"),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="A scope to grant (repeatable): passport:read, passport:write, passport:candidates, taxonomy:read, "
        "match:read, vacancy:read, vacancy:write. Default for person/coach: passport:read passport:write "
        "taxonomy:read match:read; organisation: passport:read taxonomy:read match:read vacancy:read vacancy:write",
    ),
    minutes: int = typer.Option(60, "--minutes", min=1, max=24 * 60, help="Lifetime of the token"),
    keys_dir: Path | None = typer.Option(None, "--keys-dir", help="Development keys (default: the gateway's setting)"),
    audience: str | None = typer.Option(None, "--audience", help="aud (default: the gateway's setting)"),
) -> None:
    """Print a development access token, e.g. TOKEN=$(uv run overstap token --subject alice --role person)."""
    from overstap_gateway.auth.development import load_or_create
    from overstap_gateway.settings import GatewaySettings
    from pydantic import ValidationError

    try:
        settings = GatewaySettings()
    except ValidationError as exc:
        raise typer.BadParameter(f"gateway settings are not valid here: {exc.errors()[0]['msg']}") from None
    if settings.environment == "production":
        typer.echo(
            "refused: development tokens are for development (OVERSTAP_GATEWAY_ENVIRONMENT=production)", err=True
        )
        raise typer.Exit(2)
    if role is not Role.person and not org:
        raise typer.BadParameter(f"a {role.value} token needs --org (the organisation, e.g. uwv)", param_hint="--org")
    issuer = load_or_create(keys_dir or settings.dev_keys_dir)
    scopes = scope or DEFAULT_SCOPES[role.value]
    jwt = issuer.mint(subject, role.value, scopes, org, audience or settings.audience, ttl_seconds=minutes * 60)
    typer.echo(jwt)
    if sys.stderr.isatty():
        typer.echo(
            f"# {role.value} {subject}{' of ' + org if org else ''}, scopes: {' '.join(scopes)}; valid {minutes} min\n"
            '# curl -H "Authorization: Bearer $TOKEN" http://localhost:8000/v1/passports/me',
            err=True,
        )
