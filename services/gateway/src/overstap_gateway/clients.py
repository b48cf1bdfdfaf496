"""gRPC channels and stubs to the services, created once per gateway process.

Routers do not call these stubs directly: they get them through ``dependencies.Caller``, which signs the caller's
identity onto every call."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.matcher.v1 import matcher_pb2_grpc
from overstap.passport.v1 import passport_pb2_grpc
from overstap.taxonomy.v1 import taxonomy_pb2_grpc
from overstap.vacancy.v1 import vacancy_pb2_grpc
from overstap_common.grpc_client import create_channel

from overstap_gateway.settings import GatewaySettings


@dataclass
class Backend:
    name: str
    channel: grpc.aio.Channel

    async def is_serving(self, deadline_seconds: float = 1.0) -> bool:
        stub = health_pb2_grpc.HealthStub(self.channel)
        try:
            # wait_for_ready: a channel still backing off after the peer came back gets up to the deadline to
            # reconnect, instead of reporting "not serving" at once.
            reply = await stub.Check(
                health_pb2.HealthCheckRequest(service=""), timeout=deadline_seconds, wait_for_ready=True
            )
        except grpc.aio.AioRpcError:
            return False
        return reply.status == health_pb2.HealthCheckResponse.SERVING


class ServiceClients:
    def __init__(self, settings: GatewaySettings) -> None:
        def channel(target: str, deadline_seconds: float = settings.grpc_deadline_seconds) -> grpc.aio.Channel:
            return create_channel(
                target,
                deadline_seconds=deadline_seconds,
                max_message_bytes=settings.grpc_max_message_bytes,
            )

        self.taxonomy_channel = channel(settings.taxonomy_target)
        self.taxonomy = taxonomy_pb2_grpc.TaxonomyServiceStub(self.taxonomy_channel)
        self.passport_channel = channel(settings.passport_target)
        self.passport = passport_pb2_grpc.PassportServiceStub(self.passport_channel)
        self.matcher_channel = channel(settings.matcher_target)
        self.matcher = matcher_pb2_grpc.MatcherServiceStub(self.matcher_channel)
        # The longest deadline a vacancy call may have (extraction); the routes give the other calls the usual one.
        self.vacancy_channel = channel(
            settings.vacancy_target,
            max(settings.grpc_deadline_seconds, settings.vacancy_extraction_deadline_seconds),
        )
        self.vacancy = vacancy_pb2_grpc.VacancyServiceStub(self.vacancy_channel)
        self.backends = [
            Backend("taxonomy", self.taxonomy_channel),
            Backend("passport", self.passport_channel),
            Backend("matcher", self.matcher_channel),
            Backend("vacancy", self.vacancy_channel),
        ]

    async def close(self) -> None:
        for backend in self.backends:
            await backend.channel.close()
