"""The stack as `make run` starts it: each service its own process, real gRPC between them, real HTTP in front."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as pb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as pb_grpc
from overstap_cli.stack import ServiceProcess, Stack, default_services, free_port
from overstap_gateway.auth.development import load_or_create

from .known import CASHIER, PROCESS_PAYMENTS

pytestmark = pytest.mark.slow


def services_in(var_dir: Path, base_env: dict[str, str] | None = None) -> list[ServiceProcess]:
    """The stack's processes on free ports, with their files (passport and vacancy SQLite, development keys) in
    ``var_dir``."""
    return default_services(
        base_env,
        gateway_port=free_port(),
        taxonomy_port=free_port(),
        passport_port=free_port(),
        matcher_port=free_port(),
        vacancy_port=free_port(),
        var_dir=var_dir,
    )


def by_name(stack: Stack, name: str) -> ServiceProcess:
    return next(s for s in stack.services if s.name == name)


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("stack-var")


@pytest.fixture(scope="module")
def stack(var_dir: Path) -> Iterator[Stack]:
    running = Stack(services_in(var_dir, {"OVERSTAP_LOG_FORMAT": "json"}))
    with running:
        yield running


def token(var_dir: Path, subject: str, role: str = "person", org: str | None = None) -> dict[str, str]:
    scopes = ["passport:read", "passport:write", "taxonomy:read", "match:read"]
    return {"Authorization": "Bearer " + load_or_create(var_dir / "dev-keys").mint(subject, role, scopes, org)}


def test_gateway_serves_the_taxonomy_over_real_processes(stack: Stack, var_dir: Path) -> None:
    gateway = by_name(stack, "gateway")
    with httpx.Client(base_url=gateway.address, timeout=10, headers=token(var_dir, "alice")) as client:
        assert client.get("/readyz").json()["services"] == {
            "taxonomy": "serving",
            "passport": "serving",
            "matcher": "serving",
            "vacancy": "serving",
        }
        hits = client.get("/v1/taxonomy/search", params={"q": "kassamedewerker"}).json()["items"]
        assert hits[0]["concept"]["id"] == CASHIER
        missing = client.get("/v1/taxonomy/concepts/nope")
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
        assert client.get("/v1/taxonomy/search", params={"q": "x"}, headers={"Authorization": ""}).status_code == 401


def test_a_person_builds_a_passport_over_real_processes(stack: Stack, var_dir: Path) -> None:
    """Gateway -> passport -> taxonomy, each its own process, the caller's identity signed on every hop."""
    gateway = by_name(stack, "gateway")
    with httpx.Client(base_url=gateway.address, timeout=20) as client:
        owner = token(var_dir, "stack-person")
        created = client.post("/v1/passports", json={}, headers=owner)
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        work = client.post(
            f"/v1/passports/{pid}/work-history", json={"occupation": CASHIER, "start_date": "2018-01-01"}, headers=owner
        )
        assert work.status_code == 201, work.text
        assert PROCESS_PAYMENTS in {s["skill_uri"] for s in work.json()["derived_skills"]}
        other = client.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=token(var_dir, "bob"))
        assert other.status_code == 403


def test_a_job_board_stores_a_vacancy_over_real_processes(stack: Stack, var_dir: Path) -> None:
    """Gateway -> vacancy service (its own process, its own SQLite file in var_dir)."""
    gateway = by_name(stack, "gateway")
    scopes = ["vacancy:read", "vacancy:write"]
    jobboard = {
        "Authorization": "Bearer "
        + load_or_create(var_dir / "dev-keys").mint("jobboard-client", "organisation", scopes, "jobboard-x")
    }
    ad = "Kassamedewerker\nJe rekent af met klanten en verwerkt betalingen.\nErvaring met een kassa is een pre."
    with httpx.Client(base_url=gateway.address, timeout=30, headers=jobboard) as client:
        created = client.post("/v1/vacancies", json={"external_id": "stack-1", "title": "Kassamedewerker", "text": ad})
        assert created.status_code == 201, created.text
        vacancy = created.json()["vacancy"]
        assert vacancy["language"] == "nl" and vacancy["text"] == ad
        read = client.get(f"/v1/vacancies/{vacancy['id']}")
        assert read.status_code == 200 and read.headers["etag"] == '"1"'
        person = client.get(f"/v1/vacancies/{vacancy['id']}", headers=token(var_dir, "alice"))
        assert person.status_code == 403
    assert (var_dir / "vacancy.db").is_file()


def test_taxonomy_process_answers_grpc_with_health_and_reflection(stack: Stack) -> None:
    taxonomy = by_name(stack, "taxonomy")
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


def test_gateway_answers_503_when_the_taxonomy_is_down_and_recovers(tmp_path: Path) -> None:
    taxonomy, passport, vacancy, matcher, gateway = services_in(tmp_path)
    gateway_only = Stack([gateway])
    with gateway_only, httpx.Client(base_url=gateway.address, timeout=10, headers=token(tmp_path, "alice")) as client:
        reply = client.get("/v1/taxonomy/search", params={"q": "kassa"})
        assert reply.status_code == 503
        assert reply.headers["content-type"].startswith("application/problem+json")
        assert reply.headers["retry-after"]
        assert client.get("/readyz").status_code == 503
        with Stack([taxonomy, passport, vacancy, matcher]):
            assert _eventually_ok(client, "/v1/taxonomy/search?q=kassa", within=5.0)
            assert _eventually_ok(client, "/readyz", within=5.0)


def _eventually_ok(client: httpx.Client, path: str, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if client.get(path).status_code == 200:
            return True
        time.sleep(0.2)
    return False


def test_sigterm_stops_every_process_cleanly(tmp_path: Path) -> None:
    running = Stack(services_in(tmp_path))
    running.start()
    codes = running.stop(grace=15)
    assert codes["taxonomy"] == 0
    assert codes["passport"] == 0
    assert codes["matcher"] == 0
    assert codes["vacancy"] == 0
    # uvicorn re-raises SIGTERM once its graceful shutdown has finished, so the gateway ends "by" the signal
    assert codes["gateway"] in (0, -signal.SIGTERM)
