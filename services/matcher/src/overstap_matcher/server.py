"""Entry point of the matcher process: build the occupation index from the bundle, serve gRPC until SIGTERM."""

from __future__ import annotations

import asyncio
import logging

from overstap.matcher.v1 import matcher_pb2, matcher_pb2_grpc
from overstap.passport.v1 import passport_pb2_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.grpc_server import GrpcServer
from overstap_common.logs import configure_logging
from overstap_common.runtime import run, tune_gc
from overstap_common.telemetry import configure_tracing

from overstap_matcher.api.grpc_service import MatcherServicer
from overstap_matcher.domain.service import OccupationMatcher
from overstap_matcher.domain.vacancies import VacancyIndex
from overstap_matcher.feeds.candidates import CandidateSearch
from overstap_matcher.feeds.vacancies import VacancyFeed
from overstap_matcher.settings import MatcherSettings

SERVICE_NAME = matcher_pb2.DESCRIPTOR.services_by_name["MatcherService"].full_name
log = logging.getLogger("overstap.matcher")


async def serve(settings: MatcherSettings) -> None:
    matcher, seconds = OccupationMatcher.load(settings.bundle_path)
    log.info("occupation index built", extra={"bundle_version": matcher.version, "index_seconds": round(seconds, 3)})
    key = settings.principal_key.get_secret_value()
    feed = VacancyFeed(VacancyIndex(matcher.index), settings.vacancy_target, key, settings.vacancy_poll_seconds)
    passport_channel = create_channel(settings.passport_target, deadline_seconds=60)
    candidates = CandidateSearch(matcher.index, passport_pb2_grpc.PassportServiceStub(passport_channel), key)
    servicer = MatcherServicer(matcher, key, settings.principal_max_age_seconds, feed, candidates)
    server = GrpcServer(
        settings, [SERVICE_NAME], lambda s: matcher_pb2_grpc.add_MatcherServiceServicer_to_server(servicer, s)
    )
    tune_gc()
    await server.start()
    await server.set_serving(True)
    feed_task = asyncio.create_task(feed.run())
    try:
        await server.run_until_signalled()
    finally:
        feed_task.cancel()
        await passport_channel.close()


def main() -> None:
    settings = MatcherSettings()
    configure_logging("matcher", settings.log_level, settings.log_format)
    configure_tracing("overstap-matcher")
    run(serve(settings), settings.event_loop)


if __name__ == "__main__":
    main()
