"""Fixtures of the passport tests: databases (SQLite and a real PostgreSQL, each test run its own), the taxonomy
service (real code; synthetic or real bundle), and the passport service itself on a real grpc.aio server."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from overstap.passport.v1 import passport_pb2 as pb
from overstap.passport.v1 import passport_pb2_grpc as pb_grpc
from overstap.taxonomy.v1 import taxonomy_pb2_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.grpc_server import GrpcServer
from overstap_common.principal import DEVELOPMENT_KEY as DEVELOPMENT_PRINCIPAL_KEY
from overstap_common.principal import Principal, encode_principal
from overstap_passport.server import SERVICE_NAME, Runtime, build
from overstap_passport.settings import PassportSettings
from overstap_storage.scratch import fresh_databases
from overstap_taxonomy.api.grpc_service import TaxonomyServicer
from overstap_taxonomy.domain.taxonomy import Taxonomy
from overstap_taxonomy.server import SERVICE_NAME as TAXONOMY_SERVICE_NAME
from overstap_taxonomy.settings import TaxonomySettings

from .synthetic_taxonomy import synthetic_bundle

READ_WRITE = ("passport:read", "passport:write")
BACKENDS = ["sqlite", "postgresql"]


class FakeClock:
    """Real time plus an offset the test may move (reset after every test)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


async def serve_taxonomy(taxonomy: Taxonomy) -> tuple[GrpcServer, str]:
    servicer = TaxonomyServicer(taxonomy)
    server = GrpcServer(
        TaxonomySettings(grpc_port=0, environment="test"),
        [TAXONOMY_SERVICE_NAME],
        lambda s: taxonomy_pb2_grpc.add_TaxonomyServiceServicer_to_server(servicer, s),
    )
    port = await server.start()
    await server.set_serving(True)
    return server, f"127.0.0.1:{port}"


@pytest.fixture(scope="session")
async def synthetic_taxonomy_target() -> AsyncIterator[str]:
    server, target = await serve_taxonomy(Taxonomy(synthetic_bundle()))
    yield target
    await server.stop()


# --- databases ----------------------------------------------------------------------------------------------


@dataclass
class Databases:
    backend: str
    database_url: str
    keystore_url: str


@pytest.fixture(scope="session")
async def postgres_databases(postgres_url: str) -> AsyncIterator[Databases]:
    """Two fresh databases (passport data, key store) for this test run, dropped at the end."""
    async with fresh_databases(postgres_url, "overstap_passport_test", "overstap_passport_keys_test") as urls:
        yield Databases("postgresql", *urls)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory: pytest.TempPathFactory) -> Databases:
    root = tmp_path_factory.mktemp("passport-sqlite")
    return Databases(
        "sqlite", f"sqlite+aiosqlite:///{root / 'passport.db'}", f"sqlite+aiosqlite:///{root / 'passport-keys.db'}"
    )


@pytest.fixture(scope="session", params=BACKENDS)
def databases(request: pytest.FixtureRequest) -> Databases:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_databases")
    return request.getfixturevalue("postgres_databases")


# --- the service ----------------------------------------------------------------------------------------------


@dataclass
class Harness:
    """The passport service on a real gRPC server, and how to call it as someone."""

    backend: str
    runtime: Runtime
    stub: pb_grpc.PassportServiceStub
    channel: grpc.aio.Channel
    clock: FakeClock
    address: str
    key: str = DEVELOPMENT_PRINCIPAL_KEY
    _people: int = field(default=0)

    def meta(self, principal: Principal) -> list[tuple[str, str]]:
        return encode_principal(principal, self.key)

    def person(self, name: str = "person") -> Principal:
        return Principal(f"{name}-{uuid.uuid4().hex[:12]}", None, "person", READ_WRITE)

    def party(
        self, organisation: str, role: str = "coach", scopes: tuple[str, ...] = READ_WRITE, subject: str | None = None
    ) -> Principal:
        return Principal(subject or f"{role}-{uuid.uuid4().hex[:8]}", organisation, role, scopes)

    async def new_passport(self, owner: Principal | None = None, **fields: object) -> tuple[Principal, pb.Passport]:
        owner = owner or self.person()
        reply = await self.stub.CreatePassport(pb.CreatePassportRequest(**fields), metadata=self.meta(owner))
        return owner, reply.passport

    async def version(self, owner: Principal, passport_id: str) -> int:
        reply = await self.stub.GetPassport(pb.GetPassportRequest(passport_id=passport_id), metadata=self.meta(owner))
        return reply.passport.version


async def start_harness(databases: Databases, taxonomy_target: str, **overrides: object) -> tuple[Harness, GrpcServer]:
    clock = FakeClock()
    settings = PassportSettings(
        environment="test",
        grpc_port=0,
        database_url=databases.database_url,
        keystore_url=databases.keystore_url,
        taxonomy_target=taxonomy_target,
        taxonomy_deadline_seconds=10,
        **overrides,
    )
    runtime = await build(settings, clock=clock)
    server = GrpcServer(settings, [SERVICE_NAME], runtime.register)
    port = await server.start()
    await server.set_serving(True)
    address = f"127.0.0.1:{port}"
    channel = create_channel(address, deadline_seconds=30, max_message_bytes=16 * 1024 * 1024)
    harness = Harness(databases.backend, runtime, pb_grpc.PassportServiceStub(channel), channel, clock, address)
    return harness, server


@pytest.fixture(scope="session")
async def service(databases: Databases, synthetic_taxonomy_target: str) -> AsyncIterator[Harness]:
    harness, server = await start_harness(databases, synthetic_taxonomy_target)
    yield harness
    await harness.channel.close()
    await server.stop()
    await harness.runtime.close()


@pytest.fixture
def passport_service(service: Harness) -> Iterator[Harness]:
    """The session's service, with the clock put back after the test."""
    yield service
    service.clock.offset = timedelta(0)


def real_bundle_path() -> Path | None:
    from overstap_bundle import default_bundle_path

    path = default_bundle_path()
    return path if path.is_file() else None
