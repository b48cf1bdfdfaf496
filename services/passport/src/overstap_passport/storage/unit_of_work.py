"""The passport service's units of work: one transaction per request, with the repositories bound to it.

``async with uow_factory() as uow: ...; await uow.commit()``: leaving the block without commit rolls back.
"""

from __future__ import annotations

from overstap_storage.unit_of_work import UnitOfWork as _UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession

from overstap_passport.storage.repositories import (
    AuditRepository,
    ConsentRepository,
    KeyRepository,
    PassportRepository,
)


class UnitOfWork(_UnitOfWork):
    passports: PassportRepository
    consents: ConsentRepository
    audit: AuditRepository

    def bind(self, session: AsyncSession) -> None:
        self.passports = PassportRepository(session)
        self.consents = ConsentRepository(session)
        self.audit = AuditRepository(session)


class KeystoreUnitOfWork(_UnitOfWork):
    keys: KeyRepository

    def bind(self, session: AsyncSession) -> None:
        self.keys = KeyRepository(session)
