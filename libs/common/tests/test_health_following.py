"""A server's health follows its probe (a service's database), through the standard health service."""

from __future__ import annotations

import asyncio

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap_common.grpc_server import GrpcServer
from overstap_common.settings import GrpcServerSettings

SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING


async def _status(stub: health_pb2_grpc.HealthStub, service: str) -> int:
    return (await stub.Check(health_pb2.HealthCheckRequest(service=service))).status


async def _until(stub: health_pb2_grpc.HealthStub, wanted: int, seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while (status := await _status(stub, "example.v1.Example")) != wanted:
        assert asyncio.get_running_loop().time() < deadline, f"health stayed {status}, wanted {wanted}"
        await asyncio.sleep(0.01)
    assert await _status(stub, "") == wanted  # the server as a whole reports the same


async def test_health_follows_the_probe_from_a_failing_start_and_stops_following_after() -> None:
    answers = [False]

    async def probe() -> bool:
        return answers[-1]

    server = GrpcServer(GrpcServerSettings(grpc_port=0), ["example.v1.Example"], lambda _server: None)
    port = await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = health_pb2_grpc.HealthStub(channel)
    try:
        async with server.health_following(probe, 0.02, "example database"):
            assert await _status(stub, "example.v1.Example") == NOT_SERVING  # down at start
            answers.append(True)
            await _until(stub, SERVING)  # back: serving, although it started down
            answers.append(False)
            await _until(stub, NOT_SERVING)
            answers.append(True)
            await _until(stub, SERVING)
        answers.append(False)
        await asyncio.sleep(0.1)
        assert await _status(stub, "example.v1.Example") == SERVING  # no longer following
    finally:
        await channel.close()
        await server.stop()
