"""gRPC client channels: a deadline on every call, retries on UNAVAILABLE, tracing, size caps."""

from __future__ import annotations

import json
from typing import Any

import grpc
from opentelemetry.instrumentation.grpc import aio_client_interceptors


class DefaultDeadlineInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Gives every unary call a deadline unless the caller set a shorter one."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        if client_call_details.timeout is None or client_call_details.timeout > self.seconds:
            client_call_details = client_call_details._replace(timeout=self.seconds)
        return await continuation(client_call_details, request)


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
    interceptors = [DefaultDeadlineInterceptor(deadline_seconds), *aio_client_interceptors()]
    return grpc.aio.insecure_channel(target, options=options, interceptors=interceptors)
