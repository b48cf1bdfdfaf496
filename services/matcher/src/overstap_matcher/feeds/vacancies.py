"""Keeps the vacancy index current: a full load from the vacancy service, then its change feed.

The matcher calls the vacancy service as itself (role ``service``, scope ``vacancy:index``), signed with the key
shared with the gateway. When the vacancy service is down the matcher keeps serving (occupations, and the
vacancies it already holds) and retries with backoff.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc
from overstap.vacancy.v1 import vacancy_pb2 as vpb
from overstap.vacancy.v1 import vacancy_pb2_grpc as vpb_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.principal import Principal, encode_principal

from overstap_matcher.domain.model import Evidence, Vacancy, VacancyDemand
from overstap_matcher.domain.vacancies import VacancyIndex

log = logging.getLogger("overstap.matcher.vacancies")
MATCHER_PRINCIPAL = Principal("overstap-matcher", role="service", scopes=("vacancy:index",))
EVIDENCE = {
    vpb.EVIDENCE_LEVEL_SOFT: Evidence.SOFT,
    vpb.EVIDENCE_LEVEL_SEMI_HARD: Evidence.SEMI_HARD,
    vpb.EVIDENCE_LEVEL_HARD: Evidence.HARD,
}


@dataclass(frozen=True, slots=True)
class VacancyInfo:
    """What a result shows of a vacancy besides its skills."""

    job_board: str
    external_id: str
    title: str
    employer: str
    location: str
    expires_on: str


def vacancy_from_skill_set(skill_set: vpb.VacancySkillSet) -> tuple[Vacancy, VacancyInfo]:
    occupation = skill_set.occupations[0].occupation_id if skill_set.occupations else None
    demands = [VacancyDemand(s.skill_id, s.required, EVIDENCE.get(s.min_evidence)) for s in skill_set.skills]
    info = VacancyInfo(
        skill_set.job_board,
        skill_set.external_id,
        skill_set.title,
        skill_set.employer,
        skill_set.location,
        skill_set.expires_on,
    )
    return Vacancy(skill_set.vacancy_id, occupation, demands), info


class VacancyFeed:
    def __init__(self, index: VacancyIndex, target: str, principal_key: str, interval_seconds: float = 1.0) -> None:
        self.index = index
        self.info: dict[str, VacancyInfo] = {}
        self._target = target
        self._key = principal_key
        self._interval = interval_seconds
        self._change_token: str | None = None
        self._channel: grpc.aio.Channel | None = None

    def _metadata(self) -> list[tuple[str, str]]:
        return encode_principal(MATCHER_PRINCIPAL, self._key)

    def expired_ids(self, today: str | None = None) -> set[str]:
        """Vacancies past their expiry day (UTC), dropped from results even before the feed says so."""
        day = today or datetime.now(UTC).date().isoformat()
        return {vid for vid, info in self.info.items() if info.expires_on and info.expires_on < day}

    async def load_all(self, stub: vpb_grpc.VacancyServiceStub) -> None:
        vacancies: list[Vacancy] = []
        info: dict[str, VacancyInfo] = {}
        token = ""
        async for page in stub.ListVacancySkillSets(
            vpb.ListVacancySkillSetsRequest(page_size=500), metadata=self._metadata(), timeout=120
        ):
            token = page.change_token
            for skill_set in page.skill_sets:
                vacancy, details = vacancy_from_skill_set(skill_set)
                vacancies.append(vacancy)
                info[vacancy.vacancy_id] = details
        self.index.load(vacancies)
        self.info = info
        self._change_token = token
        log.info("vacancy index loaded", extra={"vacancies": len(vacancies)})

    async def apply_changes(self, stub: vpb_grpc.VacancyServiceStub) -> int:
        """Apply every waiting change; returns how many were applied."""
        applied = 0
        while True:
            reply = await stub.ListVacancyChanges(
                vpb.ListVacancyChangesRequest(change_token=self._change_token or "", page_size=1000),
                metadata=self._metadata(),
            )
            for change in reply.changes:
                if change.kind == vpb.CHANGE_KIND_UPSERTED:
                    vacancy, details = vacancy_from_skill_set(change.skill_set)
                    self.index.upsert(vacancy)
                    self.info[vacancy.vacancy_id] = details
                else:
                    self.index.remove(change.vacancy_id)
                    self.info.pop(change.vacancy_id, None)
                applied += 1
            self._change_token = reply.next_change_token
            if not reply.has_more:
                return applied

    async def run(self) -> None:
        """Load, then follow the change feed until cancelled; reconnect with backoff on failures."""
        self._channel = create_channel(self._target, deadline_seconds=30)
        stub = vpb_grpc.VacancyServiceStub(self._channel)
        backoff = 0.5
        try:
            while True:
                try:
                    if self._change_token is None:
                        await self.load_all(stub)
                    await self.apply_changes(stub)
                    backoff = 0.5
                    await asyncio.sleep(self._interval)
                except grpc.aio.AioRpcError as exc:
                    log.warning("vacancy feed unavailable", extra={"grpc_code": exc.code().name})
                    if exc.code() == grpc.StatusCode.INVALID_ARGUMENT:
                        self._change_token = None  # the feed no longer knows our token: load everything again
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 10.0)
        finally:
            await self._channel.close()
