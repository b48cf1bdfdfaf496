"""Client channels against a real gRPC server: the default deadline, a shorter one from the caller, trace context
on unary and streaming calls, and a client span per unary call with its status."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from overstap_common.grpc_client import DeadlineChannel, create_channel


class SlowHealth(health_pb2_grpc.HealthServicer):
    """Answers Check after ``delay`` seconds; records the metadata each call brought."""

    def __init__(self) -> None:
        self.delay = 0.0
        self.seen: list[dict[str, str]] = []

    async def Check(self, request, context):  # type: ignore[no-untyped-def]
        self.seen.append({k: v for k, v in context.invocation_metadata() if isinstance(v, str)})
        if request.service == "missing":
            await context.abort(grpc.StatusCode.NOT_FOUND, "no such service")
        await asyncio.sleep(self.delay)
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)

    async def Watch(self, request, context):  # type: ignore[no-untyped-def]
        self.seen.append({k: v for k, v in context.invocation_metadata() if isinstance(v, str)})
        yield health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


@pytest.fixture
async def server(
    health_server: Callable[..., AbstractAsyncContextManager[str]],
) -> AsyncIterator[tuple[str, SlowHealth]]:
    servicer = SlowHealth()
    async with health_server(servicer) as target:
        yield target, servicer


async def test_every_call_gets_the_channel_deadline(server: tuple[str, SlowHealth]) -> None:
    target, servicer = server
    servicer.delay = 5.0
    async with create_channel(target, deadline_seconds=0.3) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        started = time.perf_counter()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Check(health_pb2.HealthCheckRequest())
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.perf_counter() - started < 2.0
        # A caller may not stretch the deadline past the channel's...
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Check(health_pb2.HealthCheckRequest(), timeout=30)
        assert caught.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        # ...but may ask for a shorter one.
        started = time.perf_counter()
        with pytest.raises(grpc.aio.AioRpcError):
            await stub.Check(health_pb2.HealthCheckRequest(), timeout=0.05)
        assert time.perf_counter() - started < 0.25


async def test_unary_call_sends_trace_context_and_records_a_client_span(
    server: tuple[str, SlowHealth], spans: InMemorySpanExporter
) -> None:
    target, servicer = server
    spans.clear()
    tracer = trace.get_tracer("test")
    async with create_channel(target) as channel:
        assert isinstance(channel, DeadlineChannel) and isinstance(channel, grpc.aio.Channel)
        stub = health_pb2_grpc.HealthStub(channel)
        with tracer.start_as_current_span("request") as parent:
            reply = await stub.Check(health_pb2.HealthCheckRequest(), metadata=(("x-extra", "kept"),))
            with pytest.raises(grpc.aio.AioRpcError):
                await stub.Check(health_pb2.HealthCheckRequest(service="missing"))
    assert reply.status == health_pb2.HealthCheckResponse.SERVING
    trace_id = format(parent.get_span_context().trace_id, "032x")
    assert servicer.seen[0]["x-extra"] == "kept"
    assert all(trace_id in seen["traceparent"] for seen in servicer.seen)
    client = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CLIENT]
    assert [s.name for s in client] == ["grpc.health.v1.Health/Check"] * 2
    assert all(s.parent is not None and s.parent.span_id == parent.get_span_context().span_id for s in client)
    assert client[0].status.is_ok and not client[1].status.is_ok
    assert client[1].attributes["rpc.grpc.status_code"] == grpc.StatusCode.NOT_FOUND.value[0]


async def test_streaming_call_sends_trace_context(server: tuple[str, SlowHealth], spans: InMemorySpanExporter) -> None:
    target, servicer = server
    async with create_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        with trace.get_tracer("test").start_as_current_span("watch") as parent:
            stream = stub.Watch(health_pb2.HealthCheckRequest(), timeout=5)
            first = await stream.read()
            stream.cancel()
    assert first.status == health_pb2.HealthCheckResponse.SERVING
    assert format(parent.get_span_context().trace_id, "032x") in servicer.seen[0]["traceparent"]
