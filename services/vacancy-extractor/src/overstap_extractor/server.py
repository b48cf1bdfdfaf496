"""Entry point of the vacancy-extractor service: migrate, load the model and the taxonomy, serve gRPC.

``python -m overstap_extractor.server``. Health is real: NOT_SERVING until the database is migrated and
reachable and the model and taxonomy are loaded, and again whenever the database stops answering (checked
every few seconds) and from the moment shutdown begins.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import grpc
from overstap_bundle import TaxonomyBundle, load_bundle
from overstap_common.grpc_server import GrpcServer
from overstap_common.logs import configure_logging
from overstap_common.runtime import run
from overstap_common.telemetry import configure_tracing
from overstap_storage.database import create_engine, session_factory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from overstap_extractor.api.grpc_service import SERVICE_NAME, VacancyServicer, register
from overstap_extractor.application.extraction import Classifier, ExtractionPipeline, ModelRunner
from overstap_extractor.application.vacancies import VacancyService, utcnow
from overstap_extractor.domain.occupations import OccupationIndex, SkillCatalog
from overstap_extractor.settings import VacancySettings
from overstap_extractor.storage import APPLICATION_NAME
from overstap_extractor.storage.migrations import upgrade
from overstap_extractor.storage.unit_of_work import UnitOfWork

HEALTH_INTERVAL_SECONDS = 5.0
log = logging.getLogger("overstap.vacancy")

__all__ = ["SERVICE_NAME", "Runtime", "build", "serve", "main"]


@dataclass
class Runtime:
    settings: VacancySettings
    engine: AsyncEngine
    runner: ModelRunner
    pipeline: ExtractionPipeline
    service: VacancyService
    servicer: VacancyServicer

    def register(self, server: grpc.aio.Server) -> None:
        register(self.servicer, server)

    async def healthy(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not serving
            return False
        return True

    async def close(self) -> None:
        self.runner.close()
        await self.engine.dispose()


def _load_taxonomy(
    settings: VacancySettings, bundle: TaxonomyBundle | None
) -> tuple[SkillCatalog, OccupationIndex, str]:
    gc.disable()  # hundreds of thousands of long-lived objects: cycle collection while building only costs time
    try:
        bundle = bundle or load_bundle(settings.bundle_path)
        return SkillCatalog.from_bundle(bundle), OccupationIndex.from_bundle(bundle), bundle.version
    finally:
        gc.enable()


def _load_classifier(settings: VacancySettings) -> Classifier:
    from overstap_extractor.adapters.classifier import SkillClassifier

    return SkillClassifier.load(settings.model_path, settings.extraction_threshold)


async def build(
    settings: VacancySettings,
    *,
    classifier: Classifier | None = None,
    bundle: TaxonomyBundle | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Runtime:
    """Engine (migrated when settings say so), classifier, taxonomy indexes, service and servicer."""
    started = time.perf_counter()
    engine = create_engine(settings.database_url, application_name=APPLICATION_NAME, pool_size=settings.db_pool_size,
                           echo=settings.db_echo, pre_ping=True)
    if settings.migrate_on_start:
        await upgrade(engine)
    loading = asyncio.gather(
        asyncio.to_thread(_load_taxonomy, settings, bundle),
        asyncio.to_thread(_load_classifier, settings) if classifier is None else _ready(classifier),
    )
    (skills, occupations, bundle_version), model = await loading
    gc.freeze()
    pipeline = ExtractionPipeline(model, skills, occupations, bundle_version, settings.default_language)
    await asyncio.to_thread(pipeline.warm_up)
    runner = ModelRunner(settings.max_pending_extractions)
    sessions = session_factory(engine)
    service = VacancyService(lambda: UnitOfWork(sessions), pipeline, runner, clock, settings.occupation_limit)
    servicer = VacancyServicer(service, settings.principal_key.get_secret_value(), settings.principal_max_age_seconds)
    log.info(
        "vacancy service built",
        extra={
            "model_version": model.version,
            "bundle_version": bundle_version,
            "skills": len(skills),
            "occupations": len(occupations),
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return Runtime(settings, engine, runner, pipeline, service, servicer)


async def _ready(value: Classifier) -> Classifier:
    return value


async def serve(settings: VacancySettings) -> None:
    runtime = await build(settings)
    server = GrpcServer(settings, [SERVICE_NAME], runtime.register)
    await server.start()
    try:
        async with server.health_following(runtime.healthy, HEALTH_INTERVAL_SECONDS, "vacancy database"):
            await server.run_until_signalled()
    finally:
        await runtime.close()


def main() -> None:
    settings = VacancySettings()
    configure_logging("vacancy-extractor", settings.log_level, settings.log_format)
    configure_tracing("overstap-vacancy-extractor")
    run(serve(settings), settings.event_loop)


if __name__ == "__main__":
    main()
