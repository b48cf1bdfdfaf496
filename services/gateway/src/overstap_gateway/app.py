"""The FastAPI application: where every REST request enters Overstap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig

from overstap_gateway.auth import build_verifier
from overstap_gateway.clients import ServiceClients
from overstap_gateway.idempotency import IdempotencyStore
from overstap_gateway.limits import BodySizeLimitMiddleware
from overstap_gateway.problems import install_problem_handlers
from overstap_gateway.ratelimit import RateLimiter
from overstap_gateway.routers import health, matches, passports, taxonomy, vacancies
from overstap_gateway.settings import GatewaySettings

DESCRIPTION = """
Overstap: skills-based (re-)integration. One skills language (ESCO, with O*NET, ISCO-08, SOC and CBS BRC 2014
mapped onto it), skills passports, vacancies and transition-occupation matching.

Every error is an RFC 9457 problem document (`application/problem+json`). Labels are Dutch with English fallback;
each label says which language it is in. Every taxonomy answer carries the bundle version it came from.

**Authentication**: OAuth2 bearer tokens (JWT) from your identity provider, `Authorization: Bearer <token>`.
Organisations use client credentials; persons and coaches sign in through their organisation. Each route names the
scope it needs: `taxonomy:read`, `passport:read`, `passport:write`, `match:read`, `vacancy:read`, `vacancy:write`.
Missing or invalid token: 401 with `WWW-Authenticate: Bearer`; missing scope: 403. On a development machine
`uv run overstap token --subject alice --role person` prints a token (see the README). `/healthz`, `/readyz`,
`/docs` and `/openapi.json` are public.

**Passports** belong to their person. Anyone else reads them only under a consent in force for the `purpose` they
name. Changes honour `If-Match` (the `ETag` is the passport's version; required on PATCH); POSTs accept
`Idempotency-Key`.

**Vacancies** belong to job boards (organisations, client credentials): each sees and changes only its own;
another's is 404. `POST /v1/vacancies/extract` reads an ad and stores nothing. Text offsets count Unicode code
points, end exclusive: `text[start:end]` is the mention. Skill edits need `If-Match` (the vacancy's version).
"""


# FastAPI's own OpenTelemetry support: one server span per request, named after its route, under the caller's trace
# context; probes are not traced. Metrics and logs go their own way (logs: overstap_common.logs).
TELEMETRY: TelemetryConfig = {
    "tracing": True,
    "operation_spans": False,
    "metrics": False,
    "logs": False,
    "exclude": lambda scope: scope.get("path") in ("/healthz", "/readyz"),
}


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.clients = ServiceClients(settings)
        try:
            yield
        finally:
            await app.state.clients.close()

    app = FastAPI(
        title="Overstap API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        telemetry=TELEMETRY,
    )
    app.state.settings = settings
    app.state.verifier = build_verifier(settings)
    app.state.rate_limiter = (
        RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        if settings.rate_limit_per_minute
        else None
    )
    app.state.idempotency = IdempotencyStore(settings.idempotency_ttl_seconds, settings.idempotency_max_entries)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(taxonomy.router)
    app.include_router(passports.router)
    app.include_router(matches.router)
    app.include_router(vacancies.router)
    return app
