"""gRPC server bootstrap shared by every service.

- ``grpc.aio`` server with message-size caps and OpenTelemetry tracing of every service method;
- the standard health service, reporting real status: NOT_SERVING until the service says it is ready,
  SERVING after, NOT_SERVING again as soon as shutdown begins;
- server reflection in development;
- graceful shutdown on SIGTERM/SIGINT: health goes NOT_SERVING, then ``stop(grace)`` lets in-flight calls end;
- optionally, health that follows a probe (a service's database): NOT_SERVING while the probe fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from overstap_common.grpc_tracing import TracingServer
from overstap_common.settings import GrpcServerSettings

log = logging.getLogger(__name__)

Registrar = Callable[[grpc.aio.Server], None]
HealthProbe = Callable[[], Awaitable[bool]]


class GrpcServer:
    """One process's gRPC server: the services it hosts plus health and (in development) reflection."""

    def __init__(
        self,
        settings: GrpcServerSettings,
        service_names: Sequence[str],
        register: Registrar,
        interceptors: Sequence[grpc.aio.ServerInterceptor] = (),
    ) -> None:
        self.settings = settings
        self.service_names = list(service_names)
        self.health = health.aio.HealthServicer()
        limit = settings.grpc_max_message_bytes
        self.server = grpc.aio.server(
            interceptors=list(interceptors),
            options=[
                ("grpc.max_receive_message_length", limit),
                ("grpc.max_send_message_length", limit),
                ("grpc.so_reuseport", 0),
            ],
        )
        register(TracingServer(self.server))  # every service method traced (see grpc_tracing)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        if settings.reflection_enabled:
            reflection.enable_server_reflection(
                [*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
            )
        self.port = 0

    async def start(self) -> int:
        """Bind and start; every service reports NOT_SERVING until :meth:`set_serving`."""
        await self._set_all(health_pb2.HealthCheckResponse.NOT_SERVING)
        self.port = self.server.add_insecure_port(self.settings.grpc_address)
        if self.port == 0:
            raise RuntimeError(f"cannot bind gRPC server to {self.settings.grpc_address}")
        await self.server.start()
        log.info("grpc server listening", extra={"address": f"{self.settings.grpc_host}:{self.port}"})
        return self.port

    async def set_serving(self, serving: bool = True) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        await self._set_all(status)

    @contextlib.asynccontextmanager
    async def health_following(self, probe: HealthProbe, interval: float, subject: str) -> AsyncIterator[None]:
        """Inside the block, every service reports what ``probe`` last said (checked now, then every ``interval``
        seconds); changes are logged as ``subject`` unreachable / reachable again."""
        serving = await probe()
        await self.set_serving(serving)
        watcher = asyncio.create_task(self._follow(probe, interval, subject, serving))
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _follow(self, probe: HealthProbe, interval: float, subject: str, serving: bool) -> None:
        while True:
            await asyncio.sleep(interval)
            healthy = await probe()
            if healthy != serving:
                log.warning("%s %s", subject, "reachable again" if healthy else "unreachable")
                await self.set_serving(healthy)
                serving = healthy

    async def _set_all(self, status: int) -> None:
        for name in ("", *self.service_names):
            await self.health.set(name, status)

    async def stop(self) -> None:
        """Graceful stop: stop advertising health, then give in-flight calls the grace period."""
        await self.health.enter_graceful_shutdown()
        await self.server.stop(self.settings.grpc_shutdown_grace_seconds)
        log.info("grpc server stopped")

    async def run_until_signalled(self) -> None:
        """Wait for SIGTERM or SIGINT, then stop gracefully."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        waiter = asyncio.create_task(self.server.wait_for_termination())
        stopper = asyncio.create_task(stop.wait())
        await asyncio.wait({waiter, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stop.is_set():
            log.info("termination signal received; shutting down")
            await self.stop()
        for task in (waiter, stopper):
            task.cancel()
