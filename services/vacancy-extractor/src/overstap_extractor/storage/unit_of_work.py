"""The vacancy service's unit of work: one transaction per request, with the repository bound to it.

``async with uow_factory() as uow: ...; await uow.commit()``: leaving the block without commit rolls back.
"""

from __future__ import annotations

from overstap_storage.unit_of_work import UnitOfWork as _UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from overstap_extractor.storage.repository import VacancyRepository


class UnitOfWork(_UnitOfWork):
    vacancies: VacancyRepository

    def bind(self, session: AsyncSession) -> None:
        self.vacancies = VacancyRepository(session)
