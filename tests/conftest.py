"""Cross-service fixtures: the real taxonomy bundle served by a real gRPC server, the gateway in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from overstap.taxonomy.v1 import taxonomy_pb2_grpc
from overstap_common.grpc_server import GrpcServer
from overstap_gateway.app import create_app
from overstap_gateway.settings import GatewaySettings
from overstap_taxonomy.api.grpc_service import TaxonomyServicer
from overstap_taxonomy.domain.taxonomy import Taxonomy
from overstap_taxonomy.server import SERVICE_NAME
from overstap_taxonomy.settings import TaxonomySettings


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    loaded, _ = Taxonomy.load()
    return loaded


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


@pytest.fixture(scope="session")
async def api(taxonomy_target: str) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway application, in process, talking gRPC to the taxonomy server."""
    app = create_app(GatewaySettings(taxonomy_target=taxonomy_target))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client
