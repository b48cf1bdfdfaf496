"""The vacancy use cases: extraction for a caller, the job boards' vacancies, and the matcher's feed.

Access: a job board is the caller's organisation and reaches only its own vacancies (another job board's are
NOT_FOUND, never PERMISSION_DENIED, so ids reveal nothing). Scopes: vacancy:write to change, vacancy:read to
read, either to extract or rank, vacancy:index for the feed across job boards.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from overstap_common.principal import Principal
from sqlalchemy.exc import IntegrityError

from overstap_extractor.application import tokens
from overstap_extractor.application.extraction import ExtractionPipeline, ModelRunner
from overstap_extractor.domain.errors import AccessDenied, Conflict, InvalidInput, NotFound, StaleVersion
from overstap_extractor.domain.model import Extraction, Ranking, Vacancy, VacancyInput
from overstap_extractor.domain.text import TextFormat
from overstap_extractor.domain.vacancy import SkillEdit, apply_edits, check_edits, content_hash, merge_extraction
from overstap_extractor.storage.repository import occupations_json, vacancy_values
from overstap_extractor.storage.unit_of_work import UnitOfWork

READ, WRITE, INDEX = "vacancy:read", "vacancy:write", "vacancy:index"
MAX_PAGE = 100
MAX_SKILL_SET_PAGE = 500
MAX_CHANGES_PAGE = 1000
UPSERT_ATTEMPTS = 3


def utcnow() -> datetime:
    return datetime.now(UTC)


def _page_size(requested: int, default: int, maximum: int, field: str = "page_size") -> int:
    if requested < 0 or requested > maximum:
        raise InvalidInput(f"must be between 1 and {maximum}", field)
    return requested or default


def _require_any(principal: Principal, *scopes: str) -> None:
    if not any(principal.has_scope(s) for s in scopes):
        raise AccessDenied(f"missing scope: {' or '.join(scopes)}")


def _job_board(principal: Principal, scope: str) -> str:
    _require_any(principal, scope)
    if not principal.organisation:
        raise AccessDenied("vacancies belong to a job board: the caller has no organisation")
    return principal.organisation


@dataclass(frozen=True, slots=True)
class UpsertResult:
    vacancy: Vacancy
    created: bool
    changed: bool


@dataclass(frozen=True, slots=True)
class Change:
    vacancy: Vacancy
    removed: bool  # deleted or expired


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[Change]
    next_token: str
    has_more: bool


@dataclass(frozen=True, slots=True)
class SkillSetPage:
    vacancies: list[Vacancy]
    change_token: str
    next_token: str


class VacancyService:
    def __init__(
        self,
        uow: Callable[[], AbstractAsyncContextManager[UnitOfWork]],
        pipeline: ExtractionPipeline,
        runner: ModelRunner,
        clock: Callable[[], datetime] = utcnow,
        occupation_limit: int = 5,
    ) -> None:
        self.uow = uow
        self.pipeline = pipeline
        self.runner = runner
        self.clock = clock
        self.occupation_limit = occupation_limit

    # --- extraction (nothing stored) ---------------------------------------------------------------------

    async def extract(
        self, principal: Principal, source: str, fmt: TextFormat | None, language: str, title: str,
        max_occupations: int,
    ) -> Extraction:  # fmt: skip
        _require_any(principal, READ, WRITE)
        limit = self.occupation_limit if max_occupations == 0 else max_occupations
        return await self.runner.run(self.pipeline.extract, source, fmt, language, title, limit, cancellable=True)

    async def rank(self, principal: Principal, text: str, language: str, limit: int) -> Ranking:
        _require_any(principal, READ, WRITE)
        return await self.runner.run(self.pipeline.rank, text, language, limit)

    # --- the job board's vacancies -----------------------------------------------------------------------

    async def upsert(self, principal: Principal, data: VacancyInput, expected_version: int) -> UpsertResult:
        board = _job_board(principal, WRITE)
        if expected_version < 0:
            raise InvalidInput("must not be negative", "expected_version")
        digest = content_hash(data)
        for attempt in range(UPSERT_ATTEMPTS):
            async with self.uow() as uow:
                current = await uow.vacancies.find(board, external_id=data.external_id, include_deleted=True)
            if current is not None and current.deleted_at is None and current.content_hash == digest:
                return UpsertResult(current, created=False, changed=False)  # the same content again
            self._check_version(current, expected_version, data.external_id)
            extraction = await self.runner.run(
                self.pipeline.extract, data.source, data.format, data.language, data.title, 0, cancellable=True
            )
            try:
                return await self._write(board, data, digest, extraction, expected_version)
            except IntegrityError:  # a concurrent upsert created the same (job board, external id) first
                if attempt == UPSERT_ATTEMPTS - 1:
                    raise Conflict("a concurrent change to this vacancy won; retry") from None
        raise AssertionError("unreachable")

    @staticmethod
    def _check_version(current: Vacancy | None, expected: int, external_id: str) -> None:
        if not expected:
            return
        if current is None or current.deleted_at is not None:
            raise NotFound(f"no vacancy with external_id {external_id!r}; send expected_version 0 to create it")
        if current.version != expected:
            raise StaleVersion(expected, current.version)

    async def _write(
        self, board: str, data: VacancyInput, digest: str, extraction: Extraction, expected_version: int
    ) -> UpsertResult:
        async with self.uow() as uow:
            current = await uow.vacancies.find(board, external_id=data.external_id, include_deleted=True, lock=True)
            if current is not None and current.deleted_at is None and current.content_hash == digest:
                return UpsertResult(current, created=False, changed=False)
            self._check_version(current, expected_version, data.external_id)
            now = self.clock()
            live = current is not None and current.deleted_at is None
            skills = merge_extraction(current.skills if live and current else [], extraction.skills)
            ad = extraction.ad
            vacancy = Vacancy(
                pk=current.pk if current else 0,
                id=current.id if current else str(uuid.uuid4()),
                job_board=board,
                external_id=data.external_id,
                title=data.title,
                text=ad.text,
                source=ad.source if ad.source != ad.text else None,
                source_format=ad.format,
                employer=data.employer,
                location=data.location,
                hours_min=data.hours_min,
                hours_max=data.hours_max,
                posted_on=data.posted_on,
                expires_on=data.expires_on,
                language=extraction.language.code,
                language_source=extraction.language.source.value,
                content_hash=digest,
                occupations=tuple(
                    self.pipeline.guess_for(skills, data.title, extraction.language.code, self.occupation_limit)
                ),
                model_version=extraction.model_version,
                version=(current.version + 1) if current else 1,
                change_seq=0,
                created_at=current.created_at if live and current else now,
                updated_at=now,
                deleted_at=None,
                skills=skills,
            )
            vacancy.change_seq = await uow.vacancies.next_change_seq()
            values = {**vacancy_values(vacancy), "change_seq": vacancy.change_seq}
            if current is None:
                vacancy.pk = await uow.vacancies.insert(values)
            elif not await uow.vacancies.update(current.pk, current.version, values):
                raise Conflict("a concurrent change to this vacancy won; read it again and retry")
            await uow.vacancies.replace_skills(vacancy.pk, skills)
            await uow.commit()
        return UpsertResult(vacancy, created=not live, changed=True)

    async def get(self, principal: Principal, vacancy_id: str, external_id: str) -> Vacancy:
        board = _job_board(principal, READ)
        if bool(vacancy_id) == bool(external_id):
            raise InvalidInput("give exactly one of vacancy_id and external_id")
        async with self.uow() as uow:
            found = await uow.vacancies.find(
                board, vacancy_id=vacancy_id or None, external_id=external_id.strip() or None
            )
        if found is None:
            raise NotFound(f"no vacancy {vacancy_id or external_id!r} for this job board")
        return found

    async def list(
        self, principal: Principal, page_size: int, page_token: str, include_expired: bool
    ) -> tuple[list[Vacancy], str]:
        board = _job_board(principal, READ)
        size = _page_size(page_size, 20, MAX_PAGE)
        before = tokens.decode(page_token, "l", 1, "page_token")[0] if page_token else None
        async with self.uow() as uow:
            rows = await uow.vacancies.list_for_board(board, before, size + 1, include_expired, self.clock().date())
        more = len(rows) > size
        rows = rows[:size]
        return rows, tokens.encode("l", rows[-1].pk) if more and rows else ""

    async def update_skills(
        self, principal: Principal, vacancy_id: str, expected_version: int, edits: Sequence[SkillEdit]
    ) -> Vacancy:
        board = _job_board(principal, WRITE)
        if expected_version <= 0:
            raise InvalidInput("is required (the version the edits were made on)", "expected_version")
        check_edits(edits)
        async with self.uow() as uow:
            current = await uow.vacancies.find(board, vacancy_id=vacancy_id, lock=True)
            if current is None:
                raise NotFound(f"no vacancy {vacancy_id!r} for this job board")
            if current.version != expected_version:
                raise StaleVersion(expected_version, current.version)
            skills = apply_edits(current.skills, edits, lambda s: self.pipeline.skills.label(s, current.language))
            if skills == current.skills:
                return current  # nothing changed: same version
            now = self.clock()
            updated = replace(
                current,
                skills=skills,
                version=current.version + 1,
                updated_at=now,
                occupations=tuple(
                    self.pipeline.guess_for(skills, current.title, current.language, self.occupation_limit)
                ),
            )
            updated.change_seq = await uow.vacancies.next_change_seq()
            values = {
                "version": updated.version,
                "updated_at": now,
                "occupations": occupations_json(updated.occupations),
                "change_seq": updated.change_seq,
            }
            if not await uow.vacancies.update(current.pk, current.version, values):
                raise Conflict("a concurrent change to this vacancy won; read it again and retry")
            await uow.vacancies.replace_skills(current.pk, skills)
            await uow.commit()
        return updated

    async def delete(self, principal: Principal, vacancy_id: str, expected_version: int) -> str:
        board = _job_board(principal, WRITE)
        if expected_version < 0:
            raise InvalidInput("must not be negative", "expected_version")
        async with self.uow() as uow:
            current = await uow.vacancies.find(board, vacancy_id=vacancy_id, lock=True, with_text=False)
            if current is None:
                raise NotFound(f"no vacancy {vacancy_id!r} for this job board")
            if expected_version and current.version != expected_version:
                raise StaleVersion(expected_version, current.version)
            now = self.clock()
            values = {
                "version": current.version + 1,
                "updated_at": now,
                "deleted_at": now,
                "change_seq": await uow.vacancies.next_change_seq(),
            }
            if not await uow.vacancies.update(current.pk, current.version, values):
                raise Conflict("a concurrent change to this vacancy won; read it again and retry")
            await uow.vacancies.replace_skills(current.pk, [])
            await uow.commit()
        return current.id

    # --- the matcher's feed ------------------------------------------------------------------------------

    async def skill_set_pages(
        self, principal: Principal, page_size: int, page_token: str
    ) -> AsyncIterator[SkillSetPage]:
        """Every current vacancy as of one change number (the stream's snapshot), in pages. Vacancies changed
        while the stream runs carry a later number and come through ListVacancyChanges from the change token."""
        _require_any(principal, INDEX)
        size = _page_size(page_size, 100, MAX_SKILL_SET_PAGE)
        if page_token:
            snapshot, after = tokens.decode(page_token, "s", 2, "page_token")
        else:
            async with self.uow() as uow:
                snapshot, after = await uow.vacancies.current_change_seq(), 0
        change_token = tokens.encode("c", snapshot)
        while True:
            async with self.uow() as uow:
                rows = await uow.vacancies.skill_sets(snapshot, after, size + 1, self.clock().date())
            more = len(rows) > size
            rows = rows[:size]
            if rows:
                after = rows[-1].pk
            yield SkillSetPage(rows, change_token, tokens.encode("s", snapshot, after) if more else "")
            if not more:
                return

    async def changes(self, principal: Principal, change_token: str, page_size: int) -> ChangePage:
        _require_any(principal, INDEX)
        size = _page_size(page_size, 200, MAX_CHANGES_PAGE)
        since = tokens.decode(change_token, "c", 1, "change_token")[0] if change_token else 0
        async with self.uow() as uow:
            rows = await uow.vacancies.changes(since, size + 1)
        more = len(rows) > size
        rows = rows[:size]
        today = self.clock().date()
        changes = [Change(v, v.deleted_at is not None or v.expired(today)) for v in rows]
        return ChangePage(changes, tokens.encode("c", rows[-1].change_seq if rows else since), more)
