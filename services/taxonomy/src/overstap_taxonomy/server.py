"""Entry point of the taxonomy service process: load the bundle, serve gRPC until SIGTERM."""

from __future__ import annotations

import logging

from overstap.taxonomy.v1 import taxonomy_pb2, taxonomy_pb2_grpc
from overstap_common.grpc_server import GrpcServer
from overstap_common.logs import configure_logging
from overstap_common.runtime import run, tune_gc
from overstap_common.telemetry import configure_tracing

from overstap_taxonomy.api.grpc_service import TaxonomyServicer
from overstap_taxonomy.domain.taxonomy import Taxonomy
from overstap_taxonomy.settings import TaxonomySettings

SERVICE_NAME = taxonomy_pb2.DESCRIPTOR.services_by_name["TaxonomyService"].full_name
log = logging.getLogger("overstap.taxonomy")


async def serve(settings: TaxonomySettings) -> None:
    taxonomy, seconds = Taxonomy.load(settings.bundle_path)
    log.info(
        "taxonomy bundle loaded",
        extra={
            "bundle_version": taxonomy.version,
            "concepts": len(taxonomy.catalog),
            "load_seconds": round(seconds, 3),
        },
    )
    servicer = TaxonomyServicer(taxonomy)
    server = GrpcServer(
        settings, [SERVICE_NAME], lambda s: taxonomy_pb2_grpc.add_TaxonomyServiceServicer_to_server(servicer, s)
    )
    tune_gc()
    await server.start()
    await server.set_serving(True)
    await server.run_until_signalled()


def main() -> None:
    settings = TaxonomySettings()
    configure_logging("taxonomy", settings.log_level, settings.log_format)
    configure_tracing("overstap-taxonomy")
    run(serve(settings), settings.event_loop)


if __name__ == "__main__":
    main()
