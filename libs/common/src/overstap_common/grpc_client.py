"""gRPC client channels: a deadline on every call, retries on UNAVAILABLE, tracing, size caps.

Deadlines and tracing are applied where a stub's method is created, not by channel interceptors: a ``grpc.aio``
interceptor runs every call in an extra task through a chain of continuations, which cost more CPU than the rest of
a small call. A unary call gets the channel's deadline (unless the caller asks for a shorter one), a client span
named after the method, and the W3C trace context in its metadata; a streaming call gets the trace context.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from overstap_common.grpc_tracing import mark_failed, rpc_attributes

_TRACER = trace.get_tracer("overstap_common.grpc_client")

Metadata = Sequence[tuple[str, str | bytes]]


def _with_trace_context(metadata: Metadata | None) -> tuple[tuple[str, str | bytes], ...]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return (*(metadata or ()), *carrier.items())


class _UnaryUnary:
    """One unary method: the channel's deadline, a client span, the trace context sent along."""

    __slots__ = ("_attributes", "_deadline", "_inner", "_name")

    def __init__(self, inner: Any, method: str, deadline_seconds: float) -> None:
        self._inner = inner
        self._deadline = deadline_seconds
        self._name = method.lstrip("/")
        self._attributes = rpc_attributes(self._name)

    # "timeout" is gRPC's own keyword for the call's deadline.
    async def __call__(
        self,
        request: Any,
        *,
        timeout: float | None = None,  # noqa: ASYNC109
        metadata: Metadata | None = None,
        **kwargs: Any,
    ) -> Any:
        if timeout is None or timeout > self._deadline:
            timeout = self._deadline
        with _TRACER.start_as_current_span(
            self._name, kind=SpanKind.CLIENT, attributes=self._attributes, set_status_on_exception=False
        ) as span:
            try:
                return await self._inner(request, timeout=timeout, metadata=_with_trace_context(metadata), **kwargs)
            except grpc.aio.AioRpcError as exc:
                if span.is_recording():
                    mark_failed(span, exc.code())
                raise


class _Streaming:
    """A streaming method: the trace context sent along (the caller decides how long a stream may run)."""

    __slots__ = ("_inner",)

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __call__(self, *args: Any, metadata: Metadata | None = None, **kwargs: Any) -> Any:
        return self._inner(*args, metadata=_with_trace_context(metadata), **kwargs)


class DeadlineChannel(grpc.aio.Channel):  # type: ignore[misc]
    """A ``grpc.aio`` channel whose stubs' methods carry a default deadline and trace context (see module doc)."""

    def __init__(self, channel: grpc.aio.Channel, deadline_seconds: float) -> None:
        self._channel = channel
        self.deadline_seconds = deadline_seconds

    def unary_unary(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _UnaryUnary(self._channel.unary_unary(method, *args, **kwargs), method, self.deadline_seconds)

    def unary_stream(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Streaming(self._channel.unary_stream(method, *args, **kwargs))

    def stream_unary(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Streaming(self._channel.stream_unary(method, *args, **kwargs))

    def stream_stream(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return _Streaming(self._channel.stream_stream(method, *args, **kwargs))

    async def close(self, grace: float | None = None) -> None:
        await self._channel.close(grace)

    def get_state(self, try_to_connect: bool = False) -> grpc.ChannelConnectivity:
        return self._channel.get_state(try_to_connect)

    async def wait_for_state_change(self, last_observed_state: grpc.ChannelConnectivity) -> None:
        await self._channel.wait_for_state_change(last_observed_state)

    async def channel_ready(self) -> None:
        await self._channel.channel_ready()

    async def __aenter__(self) -> DeadlineChannel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close(None)


def _service_config(retry_on_unavailable: bool) -> str:
    config: dict[str, Any] = {"methodConfig": [{"name": [{}]}]}
    if retry_on_unavailable:
        config["methodConfig"][0]["retryPolicy"] = {
            "maxAttempts": 3,
            "initialBackoff": "0.05s",
            "maxBackoff": "0.5s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": ["UNAVAILABLE"],
        }
    return json.dumps(config)


def create_channel(
    target: str,
    *,
    deadline_seconds: float = 2.0,
    max_message_bytes: int = 4 * 1024 * 1024,
    retry_on_unavailable: bool = True,
) -> grpc.aio.Channel:
    """An insecure channel for traffic inside the cluster (TLS and identity come from the mesh)."""
    options = [
        ("grpc.max_receive_message_length", max_message_bytes),
        ("grpc.max_send_message_length", max_message_bytes),
        ("grpc.enable_retries", 1 if retry_on_unavailable else 0),
        ("grpc.service_config", _service_config(retry_on_unavailable)),
        # Reconnect quickly when a peer comes back, instead of gRPC's default backoff of up to two minutes.
        ("grpc.initial_reconnect_backoff_ms", 100),
        ("grpc.min_reconnect_backoff_ms", 100),
        ("grpc.max_reconnect_backoff_ms", 2000),
    ]
    return DeadlineChannel(grpc.aio.insecure_channel(target, options=options), deadline_seconds)
