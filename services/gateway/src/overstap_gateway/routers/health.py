"""Liveness and readiness for Kubernetes probes."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel

from overstap_gateway.dependencies import Clients
from overstap_gateway.problems import Problem, problem_response

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    services: dict[str, str] = {}


@router.get("/healthz", response_model=Health, summary="Liveness: the gateway process answers")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    summary="Readiness: every backing service reports SERVING",
    responses={503: {"model": Problem, "content": {"application/problem+json": {}}}},
)
async def readyz(request: Request, clients: Clients):  # type: ignore[no-untyped-def]
    results = await asyncio.gather(*(backend.is_serving() for backend in clients.backends))
    services = {b.name: ("serving" if ok else "not_serving") for b, ok in zip(clients.backends, results, strict=True)}
    if all(results):
        return Health(status="ready", services=services)
    down = ", ".join(name for name, state in services.items() if state != "serving")
    return problem_response(request, 503, f"not ready: {down}", headers={"Retry-After": "1"})
