"""The key store: per-person data keys, wrapped by the master key, in their own database."""

from __future__ import annotations

from datetime import datetime

from overstap_storage.database import session_factory
from sqlalchemy.ext.asyncio import AsyncEngine

from overstap_passport.crypto.envelope import DataKey, DataKeyMissing, MasterKey, WrappedKey
from overstap_passport.storage.unit_of_work import KeystoreUnitOfWork


class KeyStore:
    def __init__(self, engine: AsyncEngine, master: MasterKey) -> None:
        self.engine = engine
        self.master = master
        self._sessions = session_factory(engine)

    def unit_of_work(self) -> KeystoreUnitOfWork:
        return KeystoreUnitOfWork(self._sessions)

    async def create(self, passport_id: str, now: datetime) -> DataKey:
        key, wrapped = self.master.new_data_key(passport_id)
        async with self.unit_of_work() as uow:
            await uow.keys.insert(passport_id, wrapped.key_id, wrapped.blob, now)
            await uow.commit()
        return key

    async def get(self, passport_id: str) -> DataKey:
        async with self.unit_of_work() as uow:
            found = await uow.keys.get(passport_id)
        if found is None:
            raise DataKeyMissing(f"no data key for passport {passport_id!r} (erased)")
        return self.master.unwrap(passport_id, WrappedKey(found[0], found[1]))

    async def destroy(self, passport_id: str) -> int:
        async with self.unit_of_work() as uow:
            deleted = await uow.keys.delete(passport_id)
            await uow.commit()
        return deleted
