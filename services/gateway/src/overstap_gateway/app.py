"""The FastAPI application: where every REST request enters Overstap."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from overstap_gateway.clients import ServiceClients
from overstap_gateway.limits import BodySizeLimitMiddleware
from overstap_gateway.problems import install_problem_handlers
from overstap_gateway.routers import health, taxonomy
from overstap_gateway.settings import GatewaySettings

DESCRIPTION = """
Overstap: skills-based (re-)integration. One skills language (ESCO, with O*NET, ISCO-08, SOC and CBS BRC 2014
mapped onto it), skills passports, vacancies and transition-occupation matching.

Every error is an RFC 9457 problem document (`application/problem+json`). Labels are Dutch with English fallback;
each label says which language it is in. Every taxonomy answer carries the bundle version it came from.
"""


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
    )
    app.state.settings = settings
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes)
    install_problem_handlers(app)
    app.include_router(health.router)
    app.include_router(taxonomy.router)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz")
    return app
