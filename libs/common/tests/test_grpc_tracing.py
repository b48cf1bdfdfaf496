"""Server-side tracing over a real gRPC server: a SERVER span per call under the caller's trace, with its status,
for unary and streaming methods."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from overstap_common.grpc_client import create_channel


class Health(health_pb2_grpc.HealthServicer):
    async def Check(self, request, context):  # type: ignore[no-untyped-def]
        if request.service == "missing":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such service")
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    async def Watch(self, request, context):  # type: ignore[no-untyped-def]
        for _ in range(2):
            yield health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture
async def target(health_server: Callable[..., AbstractAsyncContextManager[str]]) -> AsyncIterator[str]:
    async with health_server(Health(), traced=True) as address:
        yield address


async def test_each_call_is_a_server_span_in_the_callers_trace(target: str, spans: InMemorySpanExporter) -> None:
    spans.clear()
    async with create_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        with trace.get_tracer("test").start_as_current_span("request") as parent:
            await stub.Check(health_pb2.HealthCheckRequest())
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.Check(health_pb2.HealthCheckRequest(service="missing"))
            replies = [r async for r in stub.Watch(health_pb2.HealthCheckRequest(), timeout=5)]
    assert len(replies) == 2
    server = [s for s in spans.get_finished_spans() if s.kind == SpanKind.SERVER]
    assert sorted(s.name for s in server) == ["grpc.health.v1.Health/Check"] * 2 + ["grpc.health.v1.Health/Watch"]
    assert {s.context.trace_id for s in server} == {parent.get_span_context().trace_id}
    check_ok, check_missing = sorted((s for s in server if s.name.endswith("Check")), key=lambda s: s.start_time)
    assert check_ok.status.is_ok and check_ok.attributes["rpc.grpc.status_code"] == 0
    assert not check_missing.status.is_ok
    assert check_missing.attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]
