"""Tracing of gRPC calls: on the server, one SERVER span per call under the caller's W3C trace context; the span
attributes and failure status are the same for the client's spans (``grpc_client``).

The method handlers are wrapped once, when the services register them, instead of through a ``grpc.aio`` server
interceptor: an interceptor runs a chain of coroutines and builds a new handler for every call, a cost of its own
on every request (`overstap bench gateway` measures the stack with this in place).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import Any

import grpc
from opentelemetry import propagate, trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

_TRACER = trace.get_tracer("overstap_common.grpc_server")


class TracingServer:
    """Stands in for a ``grpc.aio.Server`` while generated ``add_*Servicer_to_server`` functions register: every
    method handler they add is traced; everything else goes to the real server."""

    def __init__(self, server: grpc.aio.Server) -> None:
        self._server = server

    def add_generic_rpc_handlers(self, handlers: Iterable[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(tuple(_TracedGenericHandler(h) for h in handlers))

    def add_registered_method_handlers(self, service: str, handlers: Mapping[str, grpc.RpcMethodHandler]) -> None:
        traced = {name: traced_handler(f"{service}/{name}", handler) for name, handler in handlers.items()}
        self._server.add_registered_method_handlers(service, traced)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


class _TracedGenericHandler(grpc.GenericRpcHandler):  # type: ignore[misc]
    def __init__(self, inner: grpc.GenericRpcHandler) -> None:
        self._inner = inner
        self._traced: dict[str, grpc.RpcMethodHandler | None] = {}

    def service(self, handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler | None:
        method = handler_call_details.method
        if method not in self._traced:
            handler = self._inner.service(handler_call_details)
            self._traced[method] = None if handler is None else traced_handler(method.lstrip("/"), handler)
        return self._traced[method]


def rpc_attributes(name: str) -> dict[str, str]:
    """The span attributes of the method ``package.Service/Method`` (client and server alike)."""
    service, _, method = name.partition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def mark_failed(span: Span, code: grpc.StatusCode) -> None:
    """Record a call's non-OK status on its span (client and server alike)."""
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    span.set_status(Status(StatusCode.ERROR, code.name))


def traced_handler(name: str, handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """``handler`` with each call in a SERVER span named ``package.Service/Method``."""
    attributes = rpc_attributes(name)
    for kind in ("unary_unary", "unary_stream", "stream_unary", "stream_stream"):
        behavior = getattr(handler, kind)
        if behavior is not None:
            wrap = _traced_stream if inspect.isasyncgenfunction(behavior) else _traced_call
            return handler._replace(**{kind: wrap(name, attributes, behavior)})
    return handler


def _parent(context: grpc.aio.ServicerContext) -> Any:
    return propagate.extract({key: value for key, value in context.invocation_metadata() if isinstance(value, str)})


def _close(span: Span, context: grpc.aio.ServicerContext, error: BaseException | None) -> None:
    if not span.is_recording():
        return
    code = context.code()
    if code is None and error is not None:
        code = grpc.StatusCode.UNKNOWN
    if code is not None and code != grpc.StatusCode.OK:
        mark_failed(span, code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.UNKNOWN)
    else:
        span.set_attribute("rpc.grpc.status_code", 0)


def _traced_call(name: str, attributes: dict[str, str], behavior: Callable[..., Any]) -> Callable[..., Any]:
    async def call(request: Any, context: grpc.aio.ServicerContext) -> Any:
        with _TRACER.start_as_current_span(
            name,
            context=_parent(context),
            kind=SpanKind.SERVER,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                reply = await behavior(request, context)
            except BaseException as exc:
                _close(span, context, exc)
                raise
            _close(span, context, None)
            return reply

    return call


def _traced_stream(name: str, attributes: dict[str, str], behavior: Callable[..., Any]) -> Callable[..., Any]:
    # The span is not made current across yields: a generator may be resumed or closed in another context.
    async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        span = _TRACER.start_span(name, context=_parent(context), kind=SpanKind.SERVER, attributes=attributes)
        error: BaseException | None = None
        try:
            async for item in behavior(request, context):
                yield item
        except BaseException as exc:
            error = exc
            raise
        finally:
            _close(span, context, error)
            span.end()

    return stream
