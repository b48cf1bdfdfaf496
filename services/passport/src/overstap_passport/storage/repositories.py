"""Repositories: the queries of the passport database, as SQLAlchemy Core statements on the unit of work's session.

They return domain records (``overstap_passport.domain.model``) and take plain values; encryption happens above
them (the application layer holds the data keys), so no plaintext personal field passes through here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from overstap_passport.domain.audit import AuditRecord, utc
from overstap_passport.domain.consent import ConsentRecord, Part, Purpose
from overstap_passport.domain.errors import NotFound, StaleVersion
from overstap_passport.domain.evidence import EvidenceKind, EvidenceType
from overstap_passport.domain.model import (
    Actor,
    EducationRecord,
    EvidenceRecord,
    Language,
    SelfProfile,
    SkillRecord,
    ValidationRecord,
    Wishes,
    WorkHistoryRecord,
)
from overstap_passport.storage.models import (
    AuditEntryRow,
    ConsentRow,
    DataKeyRow,
    EducationRow,
    ErasureGrantRow,
    EvidenceRow,
    PassportRow,
    SkillRow,
    ValidationStepRow,
    WorkHistoryRow,
)

P = PassportRow.__table__
S = SkillRow.__table__
E = EvidenceRow.__table__
V = ValidationStepRow.__table__
W = WorkHistoryRow.__table__
D = EducationRow.__table__
C = ConsentRow.__table__
A = AuditEntryRow.__table__
G = ErasureGrantRow.__table__
K = DataKeyRow.__table__


class StoredPassport:
    """A passport row with its personal fields still encrypted."""

    __slots__ = (
        "id", "owner_subject", "version", "created_at", "updated_at", "contact_ct", "wishes", "languages",
        "self_profile", "audit_head_seq", "audit_head_hash",
    )  # fmt: skip

    def __init__(self, row: Any) -> None:
        self.id: str = row.id
        self.owner_subject: str = row.owner_subject
        self.version: int = row.version
        self.created_at: datetime = utc(row.created_at)
        self.updated_at: datetime = utc(row.updated_at)
        self.contact_ct: bytes | None = row.contact_ct
        self.wishes = Wishes.from_dict(row.wishes)
        self.languages = [Language(str(x["language"]), str(x["level"])) for x in (row.languages or [])]
        ratings = {str(k): int(v) for k, v in (row.self_profile or {}).items()}
        self.self_profile = SelfProfile(ratings, utc(row.self_profile_at) if row.self_profile_at else None)
        self.audit_head_seq: int = row.audit_head_seq
        self.audit_head_hash: str = row.audit_head_hash


class PassportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        # Audit heads of passports whose row this transaction has locked (saves a SELECT ... FOR UPDATE).
        self._heads: dict[str, tuple[int, str]] = {}

    async def _exec(self, statement: Any, params: Any = None) -> Any:
        return (
            await self.session.execute(statement, params)
            if params is not None
            else await self.session.execute(statement)
        )

    # --- passports ---------------------------------------------------------------------------------------

    async def insert(self, values: dict[str, Any]) -> None:
        await self._exec(insert(P).values(**values))

    async def get(self, passport_id: str) -> StoredPassport | None:
        row = (await self._exec(select(P).where(P.c.id == passport_id))).first()
        return StoredPassport(row) if row else None

    async def id_of_owner(self, subject: str) -> str | None:
        return (await self._exec(select(P.c.id).where(P.c.owner_subject == subject))).scalar()

    async def owner_of(self, passport_id: str) -> str | None:
        return (await self._exec(select(P.c.owner_subject).where(P.c.id == passport_id))).scalar()

    async def bump_version(self, passport_id: str, expected: int | None, now: datetime, **values: Any) -> int:
        """Increment the version (and set ``values``), atomically checking ``expected`` when given.

        The row stays locked until the transaction ends, so the audit head read with it stays current."""
        condition = P.c.id == passport_id
        if expected is not None:
            condition = and_(condition, P.c.version == expected)
        result = await self._exec(
            update(P)
            .where(condition)
            .values(version=P.c.version + 1, updated_at=now, **values)
            .returning(P.c.version, P.c.audit_head_seq, P.c.audit_head_hash)
        )
        row = result.first()
        if row is None:
            current = (await self._exec(select(P.c.version).where(P.c.id == passport_id))).scalar()
            if current is None:
                raise NotFound(f"no passport {passport_id!r}")
            raise StaleVersion(expected or 0, current)
        self._heads[passport_id] = (int(row[1]), str(row[2]))
        return int(row[0])

    async def versions_of(self, passport_ids: Sequence[str]) -> dict[str, int]:
        rows = await self._exec(select(P.c.id, P.c.version).where(P.c.id.in_(list(passport_ids))))
        return {r[0]: int(r[1]) for r in rows}

    async def lock_audit_head(self, passport_id: str) -> tuple[int, str] | None:
        if passport_id in self._heads:
            return self._heads[passport_id]
        row = (
            await self._exec(
                select(P.c.audit_head_seq, P.c.audit_head_hash).where(P.c.id == passport_id).with_for_update()
            )
        ).first()
        return (int(row[0]), str(row[1])) if row else None

    async def lock_audit_heads(self, passport_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
        rows = await self._exec(
            select(P.c.id, P.c.audit_head_seq, P.c.audit_head_hash)
            .where(P.c.id.in_(list(passport_ids)))
            .order_by(P.c.id)
            .with_for_update()
        )
        return {r[0]: (int(r[1]), str(r[2])) for r in rows}

    async def set_audit_head(self, passport_id: str, seq: int, digest: str) -> None:
        self._heads[passport_id] = (seq, digest)
        await self._exec(update(P).where(P.c.id == passport_id).values(audit_head_seq=seq, audit_head_hash=digest))

    async def set_audit_heads(self, heads: Sequence[dict[str, Any]]) -> None:
        await self._exec(
            update(P)
            .where(P.c.id == bindparam("pid"))
            .values(audit_head_seq=bindparam("seq"), audit_head_hash=bindparam("digest")),
            list(heads),
        )

    # --- skills and evidence -----------------------------------------------------------------------------

    async def skill_count(self, passport_id: str) -> int:
        return int(
            (await self._exec(select(func.count()).select_from(S).where(S.c.passport_id == passport_id))).scalar()
        )

    async def skill_ids_by_uri(self, passport_id: str, uris: Iterable[str] | None = None) -> dict[str, str]:
        query = select(S.c.skill_uri, S.c.id).where(S.c.passport_id == passport_id)
        if uris is not None:
            query = query.where(S.c.skill_uri.in_(list(uris)))
        return {r[0]: r[1] for r in await self._exec(query)}

    async def insert_skills(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self._exec(insert(S), list(rows))

    async def delete_skill(self, skill_id: str) -> None:
        await self._exec(delete(S).where(S.c.id == skill_id))

    async def insert_evidence(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self._exec(insert(E), list(rows))

    async def evidence_row(self, passport_id: str, evidence_id: str) -> Any:
        return (await self._exec(select(E).where(E.c.id == evidence_id, E.c.passport_id == passport_id))).first()

    async def evidence_rows(self, passport_id: str, evidence_ids: Sequence[str]) -> list[Any]:
        return list(await self._exec(select(E).where(E.c.passport_id == passport_id, E.c.id.in_(list(evidence_ids)))))

    async def evidence_count(self, skill_id: str) -> int:
        return int((await self._exec(select(func.count()).select_from(E).where(E.c.skill_id == skill_id))).scalar())

    async def delete_evidence(self, evidence_id: str) -> None:
        await self._exec(delete(E).where(E.c.id == evidence_id))

    async def confirm_evidence(self, evidence_ids: Sequence[str]) -> None:
        await self._exec(update(E).where(E.c.id.in_(list(evidence_ids))).values(confirmed=True))

    async def delete_skills_without_evidence(self, passport_id: str) -> int:
        orphan = select(S.c.id).where(
            S.c.passport_id == passport_id, ~select(E.c.id).where(E.c.skill_id == S.c.id).exists()
        )
        ids = [r[0] for r in await self._exec(orphan)]
        if ids:
            await self._exec(delete(S).where(S.c.id.in_(ids)))
        return len(ids)

    async def insert_validation(self, values: dict[str, Any]) -> None:
        await self._exec(insert(V).values(**values))

    async def skills(
        self,
        passport_id: str,
        *,
        uris: Sequence[str] | None = None,
        with_evidence: bool = True,
        decrypt_reference: Any = None,
    ) -> list[SkillRecord]:
        """Skills in the order they were added, with evidence and validation steps when ``with_evidence``.

        The hot read path: plain tuples, no per-row enum construction, evidence and steps scoped to the skills."""
        query = select(S.c.id, S.c.skill_uri, S.c.label, S.c.added_at).where(S.c.passport_id == passport_id)
        if uris is not None:
            query = query.where(S.c.skill_uri.in_(list(uris)))
        skills = [
            SkillRecord(r[0], r[1], r[2], _aware(r[3])) for r in await self._exec(query.order_by(S.c.added_at, S.c.id))
        ]
        if not skills:
            return skills
        by_id = {s.id: s for s in skills}
        scope = E.c.passport_id == passport_id if uris is None else E.c.skill_id.in_(list(by_id))
        vscope = V.c.passport_id == passport_id if uris is None else V.c.skill_id.in_(list(by_id))
        if with_evidence:
            actors: dict[tuple[str, str, str], Actor] = {}
            rows = sorted((await self._exec(select(*_EVIDENCE_COLUMNS).where(scope))), key=_added_order)
            for row in rows:
                skill = by_id.get(row[1])
                if skill is not None:
                    skill.evidence.append(_evidence(row, decrypt_reference, actors))
            rows = sorted((await self._exec(select(*_VALIDATION_COLUMNS).where(vscope))), key=_recorded_order)
            for row in rows:
                skill = by_id.get(row[1])
                if skill is not None:
                    skill.validations.append(_validation(row, actors))
        else:
            rows = await self._exec(select(E.c.skill_id, E.c.kind, E.c.derived, E.c.confirmed).where(scope))
            for skill_id, kind, derived, confirmed in rows:
                skill = by_id.get(skill_id)
                if skill is not None:
                    skill.evidence.append(
                        EvidenceRecord(
                            "",
                            skill_id,
                            EvidenceType.SELF_ASSESSMENT,
                            _KINDS[kind],
                            "",
                            "",
                            None,
                            None,
                            _NOBODY,
                            _EPOCH,
                            bool(derived),
                            bool(confirmed),
                        )
                    )
            rows = await self._exec(select(V.c.skill_id, V.c.phase).where(vscope))
            for skill_id, phase in rows:
                skill = by_id.get(skill_id)
                if skill is not None:
                    skill.validations.append(
                        ValidationRecord("", skill_id, int(phase), _NOBODY, _EPOCH.date(), _EPOCH, [])
                    )
        return skills

    async def skill_sets(self, passport_ids: Sequence[str]) -> dict[str, list[tuple[str, int, int, bool]]]:
        """Per passport: (skill URI, best evidence kind, validation level, unconfirmed) in one pass."""
        if not passport_ids:
            return {}
        ids = list(passport_ids)
        kinds = (
            select(
                S.c.passport_id,
                S.c.skill_uri,
                func.max(E.c.kind),
                func.min(func.cast(and_(E.c.derived, ~E.c.confirmed), Integer)),
                S.c.id,
            )
            .join(E, E.c.skill_id == S.c.id)
            .where(S.c.passport_id.in_(ids))
            .group_by(S.c.passport_id, S.c.id, S.c.skill_uri)
        )
        levels = {
            r[0]: int(r[1] or 0)
            for r in await self._exec(
                select(V.c.skill_id, func.max(V.c.phase)).where(V.c.passport_id.in_(ids)).group_by(V.c.skill_id)
            )
        }
        result: dict[str, list[tuple[str, int, int, bool]]] = defaultdict(list)
        for pid, uri, kind, unconfirmed, skill_id in await self._exec(kinds.order_by(S.c.passport_id, S.c.skill_uri)):
            result[pid].append((uri, int(kind), levels.get(skill_id, 0), bool(unconfirmed)))
        return result

    # --- work history and education ------------------------------------------------------------------------

    async def insert_work_history(self, values: dict[str, Any]) -> None:
        await self._exec(insert(W).values(**values))

    async def work_history_occupations(self, passport_ids: Sequence[str]) -> dict[str, list[str]]:
        """Per passport: the distinct ESCO occupation URIs of its work history."""
        if not passport_ids:
            return {}
        rows = await self._exec(
            select(W.c.passport_id, W.c.esco_occupation_uri)
            .where(W.c.passport_id.in_(list(passport_ids)))
            .distinct()
            .order_by(W.c.passport_id, W.c.esco_occupation_uri)
        )
        result: dict[str, list[str]] = defaultdict(list)
        for pid, uri in rows:
            result[pid].append(uri)
        return dict(result)

    async def work_history_count(self, passport_id: str) -> int:
        return int(
            (await self._exec(select(func.count()).select_from(W).where(W.c.passport_id == passport_id))).scalar()
        )

    async def work_history(self, passport_id: str, entry_id: str | None = None) -> list[WorkHistoryRecord]:
        counts = (
            select(E.c.work_history_id, func.count(func.distinct(E.c.skill_id)))
            .where(E.c.passport_id == passport_id, E.c.work_history_id.is_not(None))
            .group_by(E.c.work_history_id)
        )
        derived = {r[0]: int(r[1]) for r in await self._exec(counts)}
        query = select(W).where(W.c.passport_id == passport_id)
        if entry_id is not None:
            query = query.where(W.c.id == entry_id)
        rows = await self._exec(query.order_by(W.c.start_date, W.c.added_at, W.c.id))
        return [
            WorkHistoryRecord(
                r.id,
                r.occupation,
                r.esco_occupation_uri,
                r.occupation_label,
                r.start_date,
                r.end_date,
                r.employer,
                utc(r.added_at),
                derived.get(r.id, 0),
            )  # fmt: skip
            for r in rows
        ]

    async def delete_work_history(self, entry_id: str) -> int:
        removed = int(
            (await self._exec(select(func.count()).select_from(E).where(E.c.work_history_id == entry_id))).scalar()
        )
        await self._exec(delete(E).where(E.c.work_history_id == entry_id))
        await self._exec(delete(W).where(W.c.id == entry_id))
        return removed

    async def insert_education(self, values: dict[str, Any]) -> None:
        await self._exec(insert(D).values(**values))

    async def education_count(self, passport_id: str) -> int:
        return int(
            (await self._exec(select(func.count()).select_from(D).where(D.c.passport_id == passport_id))).scalar()
        )

    async def education(
        self, passport_id: str, entry_id: str | None = None, decrypt_reference: Any = None
    ) -> list[EducationRecord]:
        query = select(D).where(D.c.passport_id == passport_id)
        if entry_id is not None:
            query = query.where(D.c.id == entry_id)
        rows = await self._exec(query.order_by(D.c.added_at, D.c.id))
        return [
            EducationRecord(
                r.id,
                r.kind,
                r.title,
                r.level,
                r.institution,
                r.issued_on,
                r.valid_until,
                decrypt_reference("education.reference", r.reference_ct) if decrypt_reference else "",
                list(r.skill_uris or []),
                utc(r.added_at),
            )  # fmt: skip
            for r in rows
        ]

    async def delete_education(self, entry_id: str) -> int:
        removed = int(
            (await self._exec(select(func.count()).select_from(E).where(E.c.education_id == entry_id))).scalar()
        )
        await self._exec(delete(E).where(E.c.education_id == entry_id))
        await self._exec(delete(D).where(D.c.id == entry_id))
        return removed

    # --- erasure -------------------------------------------------------------------------------------------

    async def erase(self, passport_id: str) -> int:
        """Delete every row of the passport, its audit trail included (allowed by the erasure grant)."""
        deleted = 0
        await self._exec(insert(G).values(passport_id=passport_id))
        for table in (A, V, E, S, W, D, C):
            result = await self._exec(delete(table).where(table.c.passport_id == passport_id))
            deleted += int(result.rowcount or 0)
        result = await self._exec(delete(P).where(P.c.id == passport_id))
        deleted += int(result.rowcount or 0)
        await self._exec(delete(G).where(G.c.passport_id == passport_id))
        return deleted


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, values: dict[str, Any]) -> None:
        await self.session.execute(insert(C).values(**values))

    async def count(self, passport_id: str) -> int:
        return int(
            (
                await self.session.execute(select(func.count()).select_from(C).where(C.c.passport_id == passport_id))
            ).scalar()
        )

    async def get(self, passport_id: str, consent_id: str) -> ConsentRecord | None:
        row = (
            await self.session.execute(select(C).where(C.c.id == consent_id, C.c.passport_id == passport_id))
        ).first()
        return _consent(row) if row else None

    async def withdraw(self, consent_id: str, now: datetime) -> None:
        await self.session.execute(
            update(C).where(C.c.id == consent_id, C.c.withdrawn_at.is_(None)).values(withdrawn_at=now)
        )

    async def for_passport(self, passport_id: str) -> list[ConsentRecord]:
        rows = await self.session.execute(
            select(C).where(C.c.passport_id == passport_id).order_by(C.c.granted_at, C.c.id)
        )
        return [_consent(r) for r in rows]

    async def for_party(self, passport_id: str, party: str, purpose: Purpose) -> list[ConsentRecord]:
        rows = await self.session.execute(
            select(C).where(C.c.passport_id == passport_id, C.c.purpose == purpose.value, C.c.grantee.in_([party, "*"]))
        )
        return [_consent(r) for r in rows]

    def _in_force(self, party: str, purpose: Purpose, now: datetime) -> Any:
        return and_(
            C.c.purpose == purpose.value,
            C.c.grantee.in_([party, "*"]),
            C.c.valid_from <= now,
            or_(C.c.valid_to.is_(None), C.c.valid_to > now),
            or_(C.c.withdrawn_at.is_(None), C.c.withdrawn_at > now),
        )

    async def candidate_consents(
        self, party: str, purpose: Purpose, now: datetime, after: str, limit: int
    ) -> dict[str, list[ConsentRecord]]:
        """Consents in force for ``party`` and ``purpose``, for the next ``limit`` passports after id ``after``."""
        ids_query = (
            select(C.c.passport_id)
            .where(self._in_force(party, purpose, now), C.c.passport_id > after)
            .group_by(C.c.passport_id)
            .order_by(C.c.passport_id)
            .limit(limit)
        )
        ids = [r[0] for r in await self.session.execute(ids_query)]
        if not ids:
            return {}
        rows = await self.session.execute(
            select(C).where(self._in_force(party, purpose, now), C.c.passport_id.in_(ids))
        )
        result: dict[str, list[ConsentRecord]] = {pid: [] for pid in ids}
        for row in rows:
            result[row.passport_id].append(_consent(row))
        return result

    async def in_force_for(
        self, passport_ids: Sequence[str], party: str, purpose: Purpose, now: datetime
    ) -> dict[str, list[ConsentRecord]]:
        rows = await self.session.execute(
            select(C).where(self._in_force(party, purpose, now), C.c.passport_id.in_(list(passport_ids)))
        )
        result: dict[str, list[ConsentRecord]] = defaultdict(list)
        for row in rows:
            result[row.passport_id].append(_consent(row))
        return result


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(self, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        await self.session.execute(
            insert(A),
            [
                {
                    "passport_id": r.passport_id,
                    "seq": r.seq,
                    "at": r.at,
                    "actor_subject": r.actor_subject,
                    "actor_organisation": r.actor_organisation,
                    "actor_role": r.actor_role,
                    "action": r.action,
                    "purpose": r.purpose,
                    "outcome": r.outcome,
                    "consent_id": r.consent_id,
                    "details_json": r.details_json,
                    "prev_hash": r.prev_hash,
                    "hash": r.hash,
                }  # fmt: skip
                for r in records
            ],
        )

    async def entries(self, passport_id: str, after_seq: int = 0, limit: int | None = None) -> list[AuditRecord]:
        query = select(A).where(A.c.passport_id == passport_id, A.c.seq > after_seq).order_by(A.c.seq, A.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [
            AuditRecord(
                r.passport_id,
                int(r.seq),
                utc(r.at),
                r.actor_subject,
                r.actor_organisation or "",
                r.actor_role,
                r.action,
                r.purpose or "",
                r.outcome,
                r.consent_id or "",
                r.details_json,
                r.prev_hash,
                r.hash,
            )  # fmt: skip
            for r in await self.session.execute(query)
        ]


class KeyRepository:
    """The key store's one table, on the key store's own session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert(self, passport_id: str, key_id: str, wrapped: bytes, now: datetime) -> None:
        await self.session.execute(
            insert(K).values(passport_id=passport_id, key_id=key_id, wrapped=wrapped, created_at=now)
        )

    async def get(self, passport_id: str) -> tuple[str, bytes] | None:
        row = (
            await self.session.execute(select(K.c.key_id, K.c.wrapped).where(K.c.passport_id == passport_id))
        ).first()
        return (row[0], bytes(row[1])) if row else None

    async def delete(self, passport_id: str) -> int:
        return int((await self.session.execute(delete(K).where(K.c.passport_id == passport_id))).rowcount or 0)


# --- row -> record ---------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NOBODY = Actor("")


_TYPES = {t.value: t for t in EvidenceType}
_KINDS = {int(k): k for k in EvidenceKind}
_EVIDENCE_COLUMNS = (
    E.c.id, E.c.skill_id, E.c.type, E.c.kind, E.c.source, E.c.reference_ct, E.c.issued_on, E.c.valid_until,
    E.c.added_by_subject, E.c.added_by_organisation, E.c.added_by_role, E.c.added_at, E.c.derived, E.c.confirmed,
    E.c.work_history_id, E.c.education_id, E.c.derived_from, E.c.note,
)  # fmt: skip
_VALIDATION_COLUMNS = (
    V.c.id, V.c.skill_id, V.c.phase, V.c.actor_subject, V.c.actor_organisation, V.c.actor_role, V.c.performed_on,
    V.c.recorded_at, V.c.evidence_ids, V.c.note,
)  # fmt: skip


def _added_order(row: Any) -> tuple[datetime, str]:
    return _aware(row[11]), row[0]


def _recorded_order(row: Any) -> tuple[datetime, str]:
    return _aware(row[7]), row[0]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _cached_actor(actors: dict[tuple[str, str, str], Actor], subject: str, organisation: str, role: str) -> Actor:
    key = (subject, organisation or "", role or "person")
    actor = actors.get(key)
    if actor is None:
        actor = actors[key] = Actor(*key)
    return actor


def _evidence(row: Any, decrypt_reference: Any, actors: dict[tuple[str, str, str], Actor]) -> EvidenceRecord:
    (eid, skill_id, etype, kind, source, reference_ct, issued_on, valid_until, subject, organisation, role, added_at,
     derived, confirmed, work_history_id, education_id, derived_from, note) = row  # fmt: skip
    return EvidenceRecord(
        eid, skill_id, _TYPES[etype], _KINDS[kind], source,
        decrypt_reference("evidence.reference", reference_ct) if decrypt_reference and reference_ct else "",
        issued_on, valid_until, _cached_actor(actors, subject, organisation, role), _aware(added_at), bool(derived),
        bool(confirmed), work_history_id or "", education_id or "", derived_from or "", note or "",
    )  # fmt: skip


def _validation(row: Any, actors: dict[tuple[str, str, str], Actor]) -> ValidationRecord:
    vid, skill_id, phase, subject, organisation, role, performed_on, recorded_at, evidence_ids, note = row
    return ValidationRecord(
        vid, skill_id, int(phase), _cached_actor(actors, subject, organisation, role), performed_on,
        _aware(recorded_at), list(evidence_ids or []), note or "",
    )  # fmt: skip


def _consent(row: Any) -> ConsentRecord:
    return ConsentRecord(
        row.id, row.passport_id, row.grantee, Purpose(row.purpose), frozenset(Part(int(p)) for p in row.parts),
        utc(row.valid_from), utc(row.valid_to) if row.valid_to else None, utc(row.granted_at),
        utc(row.withdrawn_at) if row.withdrawn_at else None,
    )  # fmt: skip
