"""Entry point of the passport service process: migrate, wire, serve gRPC until SIGTERM.

``python -m overstap_passport.server``. Health is real: NOT_SERVING until both databases are migrated and
reachable, and again whenever the passport database stops answering (checked every few seconds).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import grpc
from overstap.passport.v1 import passport_pb2, passport_pb2_grpc
from overstap_common.grpc_server import GrpcServer
from overstap_common.logs import configure_logging
from overstap_common.runtime import run, tune_gc
from overstap_common.telemetry import configure_tracing
from overstap_storage.database import create_engine, is_sqlite, session_factory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from overstap_passport.api.grpc_service import PassportServicer
from overstap_passport.application.passports import PassportService, utcnow
from overstap_passport.clients.taxonomy import TaxonomyClient
from overstap_passport.crypto.envelope import MasterKey, decode_key
from overstap_passport.crypto.signing import SigningKey
from overstap_passport.migrations import upgrade
from overstap_passport.settings import PassportSettings
from overstap_passport.storage import APPLICATION_NAME
from overstap_passport.storage.keystore import KeyStore
from overstap_passport.storage.pgfast import PgFast
from overstap_passport.storage.unit_of_work import UnitOfWork

SERVICE_NAME = passport_pb2.DESCRIPTOR.services_by_name["PassportService"].full_name
HEALTH_INTERVAL_SECONDS = 5.0
log = logging.getLogger("overstap.passport")


@dataclass
class Runtime:
    settings: PassportSettings
    engine: AsyncEngine
    keystore_engine: AsyncEngine
    taxonomy: TaxonomyClient
    service: PassportService
    servicer: PassportServicer
    fast: PgFast | None = None

    def register(self, server: grpc.aio.Server) -> None:
        passport_pb2_grpc.add_PassportServiceServicer_to_server(self.servicer, server)

    async def healthy(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means not serving
            return False
        return True

    async def close(self) -> None:
        await self.taxonomy.close()
        if self.fast is not None:
            await self.fast.close()
        await self.engine.dispose()
        if self.keystore_engine is not self.engine:
            await self.keystore_engine.dispose()


def _engine(url: str, pool_size: int, settings: PassportSettings) -> AsyncEngine:
    return create_engine(url, application_name=APPLICATION_NAME, pool_size=pool_size, echo=settings.db_echo)


async def build(settings: PassportSettings, clock: Callable[[], datetime] = utcnow) -> Runtime:
    """Engines (migrated when settings say so), key store, taxonomy client, service and servicer."""
    engine = _engine(settings.database_url, settings.db_pool_size, settings)
    keystore_engine = (
        engine
        if settings.keystore_url == settings.database_url
        else _engine(settings.keystore_url, max(2, settings.db_pool_size // 2), settings)
    )
    if settings.migrate_on_start:
        await upgrade(engine, "passport")
        await upgrade(keystore_engine, "keystore")
    master = MasterKey(decode_key(settings.master_key.get_secret_value(), "master key"), settings.master_key_id)
    keystore = KeyStore(keystore_engine, master)
    taxonomy = TaxonomyClient.connect(
        settings.taxonomy_target, settings.taxonomy_deadline_seconds, settings.label_language
    )
    signing = SigningKey.from_text(settings.signing_key.get_secret_value(), settings.issuer_name)
    sessions = session_factory(engine)
    fast = None
    if settings.pg_hot_path and not is_sqlite(settings.database_url):
        fast = await PgFast.connect(
            settings.database_url, max_size=settings.db_pool_size, min_size=settings.db_pool_min_size
        )
    service = PassportService(
        lambda: UnitOfWork(sessions), keystore, taxonomy, signing, clock, view_cache_size=settings.view_cache_size,
        fast=fast, key_cache_seconds=settings.key_cache_seconds, key_cache_size=settings.key_cache_size,
    )  # fmt: skip
    servicer = PassportServicer(service, settings.principal_key.get_secret_value(), settings.principal_max_age_seconds)
    return Runtime(settings, engine, keystore_engine, taxonomy, service, servicer, fast)


async def serve(settings: PassportSettings) -> None:
    runtime = await build(settings)
    server = GrpcServer(settings, [SERVICE_NAME], runtime.register)
    tune_gc()
    await server.start()
    try:
        async with server.health_following(runtime.healthy, HEALTH_INTERVAL_SECONDS, "passport database"):
            await server.run_until_signalled()
    finally:
        await runtime.close()


def main() -> None:
    settings = PassportSettings()
    configure_logging("passport", settings.log_level, settings.log_format)
    configure_tracing("overstap-passport")
    run(serve(settings), settings.event_loop)


if __name__ == "__main__":
    main()
