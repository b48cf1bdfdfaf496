"""Reading and writing vacancies (SQLAlchemy Core on the unit of work's session).

Every query that a job board's request leads to is filtered by ``job_board``: another job board's vacancy is
simply not there. The matcher's feed queries (``skill_sets``, ``changes``) cross job boards by design.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from overstap_extractor.domain.model import (
    DemandedSkill,
    Evidence,
    Mention,
    OccupationGuess,
    Origin,
    Status,
    Vacancy,
)
from overstap_extractor.domain.text import TextFormat
from overstap_extractor.storage.tables import ChangeCounterRow, VacancyRow, VacancySkillRow

V = VacancyRow.__table__
S = VacancySkillRow.__table__
C = ChangeCounterRow.__table__

_HEAD = [c for c in V.c if c.name not in ("text", "source")]  # everything but the large columns


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _not_expired(today: date) -> Any:
    return or_(V.c.expires_on.is_(None), V.c.expires_on >= today)


class VacancyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _exec(self, statement: Any, *args: Any) -> Any:
        return await self.session.execute(statement, *args)

    # --- reads -------------------------------------------------------------------------------------------

    async def find(
        self,
        job_board: str,
        *,
        vacancy_id: str | None = None,
        external_id: str | None = None,
        include_deleted: bool = False,
        lock: bool = False,
        with_text: bool = True,
        with_mentions: bool = True,
    ) -> Vacancy | None:
        """The job board's vacancy by public id or external id (None when absent, or deleted unless asked)."""
        query = select(*(V.c if with_text else _HEAD)).where(V.c.job_board == job_board)
        if vacancy_id is not None:
            query = query.where(V.c.id == vacancy_id)
        if external_id is not None:
            query = query.where(V.c.external_id == external_id)
        if not include_deleted:
            query = query.where(V.c.deleted_at.is_(None))
        if lock:
            query = query.with_for_update()
        row = (await self._exec(query)).first()
        if row is None:
            return None
        vacancy = _vacancy(row)
        vacancy.skills = (await self._skills([vacancy.pk], with_mentions)).get(vacancy.pk, [])
        return vacancy

    async def list_for_board(
        self, job_board: str, before_pk: int | None, limit: int, include_expired: bool, today: date
    ) -> list[Vacancy]:
        """The job board's current vacancies, newest first, without text and mentions."""
        query = select(*_HEAD).where(V.c.job_board == job_board, V.c.deleted_at.is_(None))
        if before_pk is not None:
            query = query.where(V.c.pk < before_pk)
        if not include_expired:
            query = query.where(_not_expired(today))
        return await self._with_skills(query.order_by(V.c.pk.desc()).limit(limit), with_mentions=False)

    async def skill_sets(self, snapshot: int, after_pk: int, limit: int, today: date) -> list[Vacancy]:
        """Current vacancies of every job board as of change ``snapshot``, by pk, without text and mentions."""
        query = (
            select(*_HEAD)
            .where(V.c.deleted_at.is_(None), V.c.change_seq <= snapshot, V.c.pk > after_pk, _not_expired(today))
            .order_by(V.c.pk)
            .limit(limit)
        )
        return await self._with_skills(query, with_mentions=False)

    async def changes(self, since: int, limit: int) -> list[Vacancy]:
        """Vacancies whose last change is after ``since``, oldest change first (tombstones included)."""
        query = select(*_HEAD).where(V.c.change_seq > since).order_by(V.c.change_seq).limit(limit)
        return await self._with_skills(query, with_mentions=False)

    async def current_change_seq(self) -> int:
        return int((await self._exec(select(C.c.value).where(C.c.id == 1))).scalar_one())

    async def _with_skills(self, query: Any, with_mentions: bool) -> list[Vacancy]:
        vacancies = [_vacancy(row) for row in await self._exec(query)]
        skills = await self._skills([v.pk for v in vacancies], with_mentions)
        for v in vacancies:
            v.skills = skills.get(v.pk, [])
        return vacancies

    async def _skills(self, pks: Sequence[int], with_mentions: bool) -> dict[int, list[DemandedSkill]]:
        if not pks:
            return {}
        columns = [c for c in S.c if with_mentions or c.name != "mentions"]
        rows = await self._exec(
            select(*columns).where(S.c.vacancy_pk.in_(list(pks))).order_by(S.c.vacancy_pk, S.c.position)
        )
        out: dict[int, list[DemandedSkill]] = defaultdict(list)
        for row in rows:
            out[row.vacancy_pk].append(_skill(row, with_mentions))
        return out

    # --- writes ------------------------------------------------------------------------------------------

    async def insert(self, values: dict[str, Any]) -> int:
        result = await self._exec(insert(V).values(**values))
        return int(result.inserted_primary_key[0])

    async def update(self, pk: int, expected_version: int, values: dict[str, Any]) -> bool:
        """Update the row if it still has ``expected_version``; False when someone else changed it first."""
        result = await self._exec(update(V).where(and_(V.c.pk == pk, V.c.version == expected_version)).values(**values))
        return bool(result.rowcount)

    async def replace_skills(self, pk: int, skills: Sequence[DemandedSkill]) -> None:
        await self._exec(delete(S).where(S.c.vacancy_pk == pk))
        if skills:
            await self._exec(insert(S), [_skill_values(pk, i, s) for i, s in enumerate(skills)])

    async def next_change_seq(self) -> int:
        """The next change number, for the row the transaction writes next. The counter row stays locked until
        commit (SQLite: the whole database, by BEGIN IMMEDIATE), so change numbers become visible in commit
        order: a reader that sees change n has already seen every change before n."""
        await self._exec(update(C).where(C.c.id == 1).values(value=C.c.value + 1))
        return await self.current_change_seq()


# --- rows <-> values ---------------------------------------------------------------------------------------


def _skill_values(pk: int, position: int, s: DemandedSkill) -> dict[str, Any]:
    return {
        "vacancy_pk": pk,
        "skill_id": s.skill_id,
        "position": position,
        "label": s.label[:300],
        "origin": s.origin.value,
        "status": s.status.value,
        "required": s.required,
        "min_evidence": s.min_evidence.value,
        "confidence": s.confidence,
        "mentions": [
            [
                m.start,
                m.end,
                m.sentence_start,
                m.sentence_end,
                m.source_start,
                m.source_end,
                round(m.confidence, 4),
                m.required,
            ]
            for m in s.mentions
        ],  # fmt: skip
    }


def _skill(row: Any, with_mentions: bool) -> DemandedSkill:
    mentions = ()
    if with_mentions:
        mentions = tuple(
            Mention(int(a), int(b), int(c), int(d), int(e), int(f), float(g), bool(h))
            for a, b, c, d, e, f, g, h in row.mentions or ()
        )
    return DemandedSkill(
        skill_id=row.skill_id,
        label=row.label,
        origin=Origin(row.origin),
        status=Status(row.status),
        required=bool(row.required),
        min_evidence=Evidence(row.min_evidence),
        confidence=None if row.confidence is None else float(row.confidence),
        mentions=mentions,
    )


def occupations_json(guesses: Sequence[OccupationGuess]) -> list[dict[str, Any]]:
    return [
        {
            "id": g.occupation_id,
            "label": g.label,
            "isco": g.isco_code,
            "score": g.score,
            "skill": g.skill_score,
            "title": g.title_score,
            "skills": list(g.matched_skill_ids),
        }  # fmt: skip
        for g in guesses
    ]


def _occupations(raw: Any) -> tuple[OccupationGuess, ...]:
    return tuple(
        OccupationGuess(g["id"], g["label"], g["isco"], g["score"], g["skill"], g["title"], tuple(g["skills"]))
        for g in raw or ()
    )


def _vacancy(row: Any) -> Vacancy:
    m = row._mapping
    return Vacancy(
        pk=int(m["pk"]),
        id=m["id"],
        job_board=m["job_board"],
        external_id=m["external_id"],
        title=m["title"],
        text=m.get("text", "") or "",
        source=m.get("source"),
        source_format=TextFormat(m["source_format"]),
        employer=m["employer"],
        location=m["location"],
        hours_min=m["hours_min"],
        hours_max=m["hours_max"],
        posted_on=m["posted_on"],
        expires_on=m["expires_on"],
        language=m["language"],
        language_source=m["language_source"],
        content_hash=m["content_hash"],
        occupations=_occupations(m["occupations"]),
        model_version=m["model_version"],
        version=int(m["version"]),
        change_seq=int(m["change_seq"]),
        created_at=utc(m["created_at"]),
        updated_at=utc(m["updated_at"]),
        deleted_at=utc(m["deleted_at"]) if m["deleted_at"] else None,
    )


def vacancy_values(v: Vacancy) -> dict[str, Any]:
    """Column values of ``v`` (all but pk and change_seq)."""
    return {
        "id": v.id,
        "job_board": v.job_board,
        "external_id": v.external_id,
        "title": v.title,
        "text": v.text,
        "source": v.source,
        "source_format": v.source_format.value,
        "employer": v.employer,
        "location": v.location,
        "hours_min": v.hours_min,
        "hours_max": v.hours_max,
        "posted_on": v.posted_on,
        "expires_on": v.expires_on,
        "language": v.language,
        "language_source": v.language_source,
        "content_hash": v.content_hash,
        "occupations": occupations_json(v.occupations),
        "model_version": v.model_version,
        "version": v.version,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "deleted_at": v.deleted_at,
    }
