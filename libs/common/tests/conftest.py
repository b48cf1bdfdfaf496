"""Shared by the gRPC client and tracing tests: span capture, and a real health server to call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import grpc
import pytest
from grpc_health.v1 import health_pb2_grpc
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from overstap_common.grpc_tracing import TracingServer
from overstap_common.telemetry import configure_tracing

HealthServer = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture(scope="session")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    assert configure_tracing("overstap-test", extra_processor=SimpleSpanProcessor(exporter)) is not None
    return exporter


@asynccontextmanager
async def _serve(servicer: health_pb2_grpc.HealthServicer, *, traced: bool = False) -> AsyncIterator[str]:
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, TracingServer(server) if traced else server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


@pytest.fixture
def health_server() -> HealthServer:
    """``async with health_server(servicer, traced=...) as target``: the servicer on a real server on loopback."""
    return _serve
