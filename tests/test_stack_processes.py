"""The stack as `make run` starts it: each service its own process, real gRPC between them, real HTTP in front."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as pb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as pb_grpc
from overstap_cli.stack import Stack, default_services, free_port

from .known import CASHIER

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    services = default_services({"OVERSTAP_LOG_FORMAT": "json"}, gateway_port=free_port(), taxonomy_port=free_port())
    running = Stack(services)
    with running:
        yield running


def test_gateway_serves_the_taxonomy_over_real_processes(stack: Stack) -> None:
    gateway = stack.services[-1]
    with httpx.Client(base_url=gateway.address, timeout=10) as client:
        assert client.get("/readyz").json()["services"] == {"taxonomy": "serving"}
        hits = client.get("/v1/taxonomy/search", params={"q": "kassamedewerker"}).json()["items"]
        assert hits[0]["concept"]["id"] == CASHIER
        missing = client.get("/v1/taxonomy/concepts/nope")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")


def test_taxonomy_process_answers_grpc_with_health_and_reflection(stack: Stack) -> None:
    taxonomy = stack.services[0]
    with grpc.insecure_channel(taxonomy.address) as channel:
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        info = pb_grpc.TaxonomyServiceStub(channel).GetBundleInfo(pb.GetBundleInfoRequest(), timeout=2)
        assert info.bundle_version
        from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=2)
        names = {s.name for r in replies for s in r.list_services_response.service}
        assert "overstap.taxonomy.v1.TaxonomyService" in names


def test_gateway_answers_503_when_the_taxonomy_is_down_and_recovers() -> None:
    taxonomy_port, gateway_port = free_port(), free_port()
    services = default_services(gateway_port=gateway_port, taxonomy_port=taxonomy_port)
    gateway_only = Stack([services[1]])
    with gateway_only, httpx.Client(base_url=services[1].address, timeout=10) as client:
        reply = client.get("/v1/taxonomy/search", params={"q": "kassa"})
        assert reply.status_code == 503
        assert reply.headers["content-type"].startswith("application/problem+json")
        assert reply.headers["retry-after"]
        assert client.get("/readyz").status_code == 503
        taxonomy_only = Stack([services[0]])
        with taxonomy_only:
            assert _eventually_ok(client, "/v1/taxonomy/search?q=kassa", within=5.0)
            assert client.get("/readyz").status_code == 200


def _eventually_ok(client: httpx.Client, path: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if client.get(path).status_code == 200:
            return True
        time.sleep(0.2)
    return False


def test_sigterm_stops_every_process_cleanly() -> None:
    services = default_services(gateway_port=free_port(), taxonomy_port=free_port())
    running = Stack(services)
    running.start()
    codes = running.stop(grace=15)
    assert codes["taxonomy"] == 0
    # uvicorn re-raises SIGTERM once its graceful shutdown has finished, so the gateway ends "by" the signal
    assert codes["gateway"] in (0, -signal.SIGTERM)
