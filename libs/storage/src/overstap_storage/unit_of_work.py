"""The unit of work: one transaction per request, with a service's repositories bound to it.

``async with uow_factory() as uow: ...; await uow.commit()``: leaving the block without commit rolls back.
A service subclasses :class:`UnitOfWork` and binds its repositories to the session in ``bind``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork:
    session: AsyncSession

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._committed = False

    def bind(self, session: AsyncSession) -> None:
        """Create the repositories of this unit on ``session`` (the transaction has begun)."""

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        await self.session.begin()
        self.bind(self.session)
        return self

    async def commit(self) -> None:
        await self.session.commit()
        self._committed = True

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._committed:
                await self.session.rollback()
        finally:
            await self.session.close()
