"""Cross-service fixtures: the real taxonomy bundle served by a real gRPC server, the real passport service (SQLite,
and PostgreSQL when reachable), the matcher and the vacancy service (SQLite) in process, and the gateway in front of
them; tokens from the development issuer."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from overstap.matcher.v1 import matcher_pb2_grpc
from overstap.taxonomy.v1 import taxonomy_pb2_grpc
from overstap_common.grpc_server import GrpcServer
from overstap_common.principal import DEVELOPMENT_KEY
from overstap_extractor.server import SERVICE_NAME as VACANCY_SERVICE_NAME
from overstap_extractor.server import build as build_vacancy
from overstap_extractor.settings import VacancySettings
from overstap_gateway.app import create_app
from overstap_gateway.auth.development import DevelopmentIssuer, load_or_create
from overstap_gateway.settings import GatewaySettings
from overstap_matcher.api.grpc_service import MatcherServicer
from overstap_matcher.domain.service import OccupationMatcher
from overstap_matcher.server import SERVICE_NAME as MATCHER_SERVICE
from overstap_matcher.settings import MatcherSettings
from overstap_passport.server import SERVICE_NAME as PASSPORT_SERVICE_NAME
from overstap_passport.server import build as build_passport
from overstap_passport.settings import PassportSettings
from overstap_storage.scratch import fresh_databases
from overstap_taxonomy.api.grpc_service import TaxonomyServicer
from overstap_taxonomy.domain.taxonomy import Taxonomy
from overstap_taxonomy.server import SERVICE_NAME
from overstap_taxonomy.settings import TaxonomySettings

PERSON_SCOPES = ("passport:read", "passport:write", "taxonomy:read", "match:read")


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    loaded, _ = Taxonomy.load()
    return loaded


@pytest.fixture(scope="session")
async def matcher_target() -> AsyncIterator[str]:
    """Address of a matcher gRPC server (in this process, on a free port) with the index of the committed bundle."""
    matcher, _ = OccupationMatcher.load()
    servicer = MatcherServicer(matcher, DEVELOPMENT_KEY)
    server = GrpcServer(
        MatcherSettings(grpc_port=0),
        [MATCHER_SERVICE],
        lambda s: matcher_pb2_grpc.add_MatcherServiceServicer_to_server(servicer, s),
    )
    port = await server.start()
    await server.set_serving(True)
    yield f"127.0.0.1:{port}"
    await server.stop()


@pytest.fixture(scope="session")
async def taxonomy_target(taxonomy: Taxonomy) -> AsyncIterator[str]:
    """Address of a gRPC taxonomy server (in this process, on a free port) serving the committed bundle."""
    servicer = TaxonomyServicer(taxonomy)
    server = GrpcServer(
        TaxonomySettings(grpc_port=0),
        [SERVICE_NAME],
        lambda s: taxonomy_pb2_grpc.add_TaxonomyServiceServicer_to_server(servicer, s),
    )
    port = await server.start()
    await server.set_serving(True)
    yield f"127.0.0.1:{port}"
    await server.stop()


# --- the passport service ------------------------------------------------------------------------------------------


@asynccontextmanager
async def serve_passport(database_url: str, keystore_url: str, taxonomy_target: str) -> AsyncIterator[str]:
    """The real passport service on a real grpc.aio server in this process; yields its address."""
    settings = PassportSettings(
        environment="test",
        grpc_port=0,
        database_url=database_url,
        keystore_url=keystore_url,
        taxonomy_target=taxonomy_target,
        taxonomy_deadline_seconds=10,
    )
    runtime = await build_passport(settings)
    server = GrpcServer(settings, [PASSPORT_SERVICE_NAME], runtime.register)
    port = await server.start()
    await server.set_serving(True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop()
        await runtime.close()


@pytest.fixture(scope="session")
async def passport_target(tmp_path_factory: pytest.TempPathFactory, taxonomy_target: str) -> AsyncIterator[str]:
    """The passport service on SQLite files of this test run."""
    root = tmp_path_factory.mktemp("passport")
    async with serve_passport(
        f"sqlite+aiosqlite:///{root / 'passport.db'}", f"sqlite+aiosqlite:///{root / 'keys.db'}", taxonomy_target
    ) as target:
        yield target


@pytest.fixture(scope="session")
async def postgres_passport_target(postgres_url: str, taxonomy_target: str) -> AsyncIterator[str]:
    """The passport service on two fresh PostgreSQL databases (data, key store), dropped at the end."""
    async with (
        fresh_databases(postgres_url, "overstap_gw_passport", "overstap_gw_keys") as (data_url, keys_url),
        serve_passport(data_url, keys_url, taxonomy_target) as target,
    ):
        yield target


# --- the vacancy service -------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def vacancy_target(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """The real vacancy service (shipped skill classifier, committed bundle) on a SQLite file of this test run, on a
    real grpc.aio server in this process; yields its address."""
    root = tmp_path_factory.mktemp("vacancy")
    settings = VacancySettings(
        environment="test", grpc_port=0, database_url=f"sqlite+aiosqlite:///{root / 'vacancy.db'}"
    )
    runtime = await build_vacancy(settings)
    server = GrpcServer(settings, [VACANCY_SERVICE_NAME], runtime.register)
    port = await server.start()
    await server.set_serving(True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        await server.stop()
        await runtime.close()


# --- tokens and the gateway ------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dev_keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dev-keys")


@pytest.fixture(scope="session")
def dev_issuer(dev_keys_dir: Path) -> DevelopmentIssuer:
    """The development issuer the test gateways trust (its own key pair, in a temporary directory)."""
    return load_or_create(dev_keys_dir)


@pytest.fixture(scope="session")
def mint(dev_issuer: DevelopmentIssuer):  # type: ignore[no-untyped-def]
    """``mint(subject, role="person", scopes=..., org=None)``: a development token, as `overstap token` makes."""

    def make(
        subject: str,
        role: str = "person",
        scopes: Iterable[str] = PERSON_SCOPES,
        org: str | None = None,
        **extra: object,
    ) -> str:
        return dev_issuer.mint(subject, role, scopes, organisation=org, **extra)

    return make


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Gateway:
    """The gateway app in process, and how to call it as someone."""

    client: httpx.AsyncClient
    issuer: DevelopmentIssuer
    backend: str

    def person(self, name: str = "person", scopes: Iterable[str] = PERSON_SCOPES) -> dict[str, str]:
        """Headers of a new person (a fresh subject each call)."""
        return bearer(self.issuer.mint(f"{name}-{uuid.uuid4().hex[:12]}", "person", scopes))

    def organisation(
        self, org: str, scopes: Iterable[str] = ("passport:read", "taxonomy:read"), client_id: str | None = None
    ) -> dict[str, str]:
        """Headers of an organisation calling with a client-credentials token."""
        return bearer(self.issuer.mint(client_id or f"{org}-client", "organisation", scopes, organisation=org))

    def coach(self, org: str, scopes: Iterable[str] = PERSON_SCOPES) -> dict[str, str]:
        return bearer(self.issuer.mint(f"coach-{uuid.uuid4().hex[:8]}", "coach", scopes, organisation=org))


def gateway_settings(
    taxonomy_target: str,
    passport_target: str,
    dev_keys_dir: Path,
    matcher_target: str = "127.0.0.1:1",
    vacancy_target: str = "127.0.0.1:1",
) -> GatewaySettings:
    return GatewaySettings(
        environment="test",
        taxonomy_target=taxonomy_target,
        passport_target=passport_target,
        matcher_target=matcher_target,
        vacancy_target=vacancy_target,
        trust_development_issuer=True,
        dev_keys_dir=dev_keys_dir,
        grpc_deadline_seconds=15,
    )


@asynccontextmanager
async def serve_gateway(
    settings: GatewaySettings, headers: dict[str, str] | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway", headers=headers) as client:
            yield client


@pytest.fixture(scope="session")
async def api(
    taxonomy_target: str,
    passport_target: str,
    matcher_target: str,
    vacancy_target: str,
    dev_keys_dir: Path,
    mint,  # type: ignore[no-untyped-def]
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway application, in process, talking gRPC to the taxonomy and passport servers; every request
    carries a token with scope taxonomy:read unless the test sends its own Authorization header."""
    token = mint("taxonomy-reader", "person", ["taxonomy:read"], ttl_seconds=24 * 3600)
    settings = gateway_settings(taxonomy_target, passport_target, dev_keys_dir, matcher_target, vacancy_target)
    async with serve_gateway(settings, bearer(token)) as client:
        yield client


@pytest.fixture(scope="session")
async def gateway(
    taxonomy_target: str,
    passport_target: str,
    matcher_target: str,
    vacancy_target: str,
    dev_keys_dir: Path,
    dev_issuer: DevelopmentIssuer,
) -> AsyncIterator[Gateway]:
    """The gateway in front of the passport service on SQLite, the matcher and the vacancy service; no default
    token."""
    settings = gateway_settings(taxonomy_target, passport_target, dev_keys_dir, matcher_target, vacancy_target)
    async with serve_gateway(settings) as client:
        yield Gateway(client, dev_issuer, "sqlite")


@pytest.fixture(scope="session")
async def postgres_gateway(
    taxonomy_target: str,
    postgres_passport_target: str,
    matcher_target: str,
    vacancy_target: str,
    dev_keys_dir: Path,
    dev_issuer: DevelopmentIssuer,
) -> AsyncIterator[Gateway]:
    """The gateway in front of the passport service on PostgreSQL, the matcher and the vacancy service; no default
    token."""
    settings = gateway_settings(taxonomy_target, postgres_passport_target, dev_keys_dir, matcher_target, vacancy_target)
    async with serve_gateway(settings) as client:
        yield Gateway(client, dev_issuer, "postgresql")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_gateway(request: pytest.FixtureRequest) -> Iterator[Gateway]:
    """The gateway on each passport backend in turn."""
    yield request.getfixturevalue("gateway" if request.param == "sqlite" else "postgres_gateway")
