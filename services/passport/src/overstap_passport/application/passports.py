"""The passport use cases. Every public method is one request: authorise, validate, change, audit, commit."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from overstap_common.principal import Principal
from sqlalchemy.exc import IntegrityError

from overstap_passport.application import access as acl
from overstap_passport.application.access import Access, Rule
from overstap_passport.clients.taxonomy import TaxonomyClient
from overstap_passport.crypto.envelope import DataKey, DataKeyMissing
from overstap_passport.crypto.signing import SigningKey, verify_ed25519
from overstap_passport.domain import inputs
from overstap_passport.domain.audit import GENESIS_HASH, AuditRecord, ChainVerdict, chain_next, verify_chain
from overstap_passport.domain.consent import (
    ALL_PARTS,
    ConsentRecord,
    ConsentTerms,
    Part,
    Purpose,
    check_terms,
    evaluate,
    parse_parts,
    parse_purpose,
)
from overstap_passport.domain.credentials import add_proof, shape_errors, skill_credential, verify_proof
from overstap_passport.domain.errors import (
    AccessDenied,
    AlreadyExists,
    FailedPrecondition,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from overstap_passport.domain.evidence import EDUCATION_EVIDENCE_TYPE, EvidenceKind, EvidenceType, kind_of
from overstap_passport.domain.model import (
    Actor,
    Contact,
    EducationRecord,
    EvidenceRecord,
    Language,
    PassportRecord,
    PassportView,
    SelfProfile,
    SkillRecord,
    Wishes,
    WorkHistoryRecord,
)
from overstap_passport.domain.onet import MAX_LEVEL, MIN_LEVEL, ONET_SKILLS, normalise_element_id
from overstap_passport.domain.validation import PriorStep, ValidationPhase, check_step
from overstap_passport.storage import pgfast
from overstap_passport.storage.keystore import KeyStore
from overstap_passport.storage.pgfast import Change, PassportRows, PgFast, consent_from_tuple, skill_from_snapshot
from overstap_passport.storage.repositories import StoredPassport
from overstap_passport.storage.unit_of_work import UnitOfWork

log = logging.getLogger("overstap.passport.views")
Clock = Callable[[], datetime]
UPDATE_PATHS = ("contact", "wishes", "languages")
MAX_CANDIDATE_PAGE = 500
MAX_AUDIT_PAGE = 500
MAX_CHECK_IDS = 1000


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- inputs (already parsed from the wire format, not yet validated) ---------------------------------------


@dataclass(slots=True)
class EvidenceInput:
    type: EvidenceType | None
    source: str = ""
    reference: str = ""
    issued_on: str = ""
    valid_until: str = ""
    note: str = ""


@dataclass(slots=True)
class SkillInput:
    skill_uri: str
    evidence: list[EvidenceInput] = field(default_factory=list)


@dataclass(slots=True)
class CandidatePage:
    skill_sets: list[SkillSetRecord]
    next_token: str


@dataclass(frozen=True, slots=True)
class SkillSetRecord:
    passport_id: str
    version: int
    skills: list[tuple[str, int, int, bool]]  # uri, best kind, validation level, unconfirmed
    occupation_uris: list[str] = field(default_factory=list)  # ESCO occupations of the work history


@dataclass(frozen=True, slots=True)
class ViewChange:
    """What one write changed in the owner's full view, for bringing a cached rendering of it up to date.

    ``version`` and ``updated_at``: what the write set; ``skills``: skills as they are at ``version`` (complete:
    every piece of evidence, references decrypted, and every validation step), each replacing the skill with its URI
    or, for a new one, coming after every skill there was (ordered as the view orders them); ``passport``: the
    passport record at ``version`` with every part (contact decrypted), when the write changed its own fields."""

    version: int
    updated_at: datetime
    skills: tuple[SkillRecord, ...] = ()
    passport: PassportRecord | None = None


@dataclass(slots=True)
class ExportResult:
    passport_json: str
    credentials: list[dict[str, Any]]
    issuer_did: str


@dataclass(slots=True)
class _ValidEvidence:
    type: EvidenceType
    source: str
    reference: str
    issued_on: date | None
    valid_until: date | None
    note: str


class _KeyCache:
    """Unwrapped data keys for a short time (``ttl`` seconds, at most ``size`` of them, least recently used out
    first); erasure evicts. Keeps reads and writes to the passport database: the key store is asked once a minute
    per active person at most. ``ttl`` 0 turns it off."""

    def __init__(self, ttl: float = 60.0, size: int = 10_000) -> None:
        self.ttl, self.size = ttl, size
        self._items: OrderedDict[str, tuple[float, DataKey]] = OrderedDict()

    def get(self, passport_id: str) -> DataKey | None:
        item = self._items.get(passport_id)
        if item is None or item[0] < time.monotonic():
            self._items.pop(passport_id, None)
            return None
        self._items.move_to_end(passport_id)
        return item[1]

    def put(self, key: DataKey) -> None:
        if self.ttl <= 0 or self.size <= 0:
            return
        self._items[key.passport_id] = (time.monotonic() + self.ttl, key)
        self._items.move_to_end(key.passport_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, passport_id: str) -> bool:
        return self.get(passport_id) is not None

    def evict(self, passport_id: str) -> None:
        self._items.pop(passport_id, None)


class _ViewCache:
    """Rendered views by (passport, version, parts, owner, render): any change bumps the version, so an entry is
    either current or never asked for again; checking the version costs the one query a read needs anyway. The
    views of a passport are all at one version; a hot-path write brings them to the version it made (``advance``)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, dict[tuple[Any, ...], Any]] = OrderedDict()

    def get(self, passport_id: str, key: tuple[Any, ...]) -> Any:
        if not self.size:
            return None
        entries = self._items.get(passport_id)
        if entries is None:
            return None
        self._items.move_to_end(passport_id)
        return entries.get(key)

    def version_of(self, passport_id: str, rest: tuple[Any, ...]) -> int | None:
        """The version of the cached view of ``passport_id`` whose key ends with ``rest`` (parts, owner, render)."""
        entries = self._items.get(passport_id) if self.size else None
        if entries:
            for key in entries:
                if key[1:] == rest:
                    return key[0]
        return None

    def put(self, passport_id: str, key: tuple[Any, ...], value: Any) -> None:
        if not self.size:
            return
        entries = self._items.setdefault(passport_id, {})
        if entries and next(iter(entries))[0] > key[0]:
            return  # a read that began before a write: the newer views stay (this one can never be asked for)
        stale = [k for k in entries if k[0] != key[0]]
        for k in stale:
            del entries[k]
        entries[key] = value
        self._items.move_to_end(passport_id)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def evict(self, passport_id: str) -> None:
        self._items.pop(passport_id, None)

    def version(self, passport_id: str) -> int | None:
        """The version the cached views of ``passport_id`` are at (all are at one)."""
        entries = self._items.get(passport_id) if self.size else None
        return next(iter(entries))[0] if entries else None

    def advance(self, passport_id: str, seen: int, version: int, patch: Callable[[tuple[Any, ...], Any], Any]) -> None:
        """Replace the views of ``passport_id`` cached at version ``seen`` with ``patch(key, view)`` at ``version``
        (views it returns None for are dropped); nothing happens unless the cached views are at ``seen``."""
        entries = self._items.get(passport_id) if self.size else None
        if not entries or next(iter(entries))[0] != seen:
            return
        advanced = {}
        for key, value in entries.items():
            new = patch(key, value)
            if new is not None:
                advanced[(version, *key[1:])] = new
        if advanced:
            self._items[passport_id] = advanced
        else:
            del self._items[passport_id]


class PassportService:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        keystore: KeyStore,
        taxonomy: TaxonomyClient,
        signing_key: SigningKey,
        clock: Clock = utcnow,
        view_cache_size: int = 256,
        fast: PgFast | None = None,
        key_cache_seconds: float = 60.0,
        key_cache_size: int = 10_000,
    ) -> None:
        self._uow = uow_factory
        self._views = _ViewCache(view_cache_size)
        # PostgreSQL hot paths (reads, evidence, skills, passport updates); None: the repositories for everything.
        self._fast = fast
        self.keystore = keystore
        self.taxonomy = taxonomy
        self.signing_key = signing_key
        self.clock = clock
        self._keys = _KeyCache(key_cache_seconds, key_cache_size)

    # --- plumbing ------------------------------------------------------------------------------------------

    def _now(self) -> datetime:
        now = self.clock()
        return now if now.tzinfo else now.replace(tzinfo=UTC)

    async def _key(self, passport_id: str) -> DataKey:
        key = self._keys.get(passport_id)
        if key is None:
            key = await self.keystore.get(passport_id)
            self._keys.put(key)
        return key

    async def _audit(
        self,
        uow: UnitOfWork,
        passport_id: str,
        principal: Principal,
        action: str,
        now: datetime,
        access: Access | None = None,
        details: dict[str, Any] | None = None,
        outcome: str = "allowed",
        purpose: str = "",
    ) -> AuditRecord:
        head = await uow.passports.lock_audit_head(passport_id)
        if head is None:
            raise NotFound(f"no passport {passport_id!r}")
        seq, digest = head
        record = chain_next(
            passport_id, seq, digest if seq else GENESIS_HASH, now, principal.subject, principal.organisation or "",
            principal.role, action, purpose or (access.purpose if access else ""), outcome,
            access.consent_id if access else "", details or {},
        )  # fmt: skip
        await uow.audit.append([record])
        await uow.passports.set_audit_head(passport_id, record.seq, record.hash)
        return record

    async def _authorize(
        self,
        uow: UnitOfWork,
        principal: Principal,
        passport_id: str,
        rule: Rule,
        action: str,
        now: datetime,
        purpose: str = "",
    ) -> Access:
        """Owner, or a consent in force; a refused non-owner is audited (and committed) before the error."""
        owner = await uow.passports.owner_of(passport_id)
        if owner is None:
            raise NotFound(f"no passport {passport_id!r}")

        async def consents(candidate: Purpose) -> list[ConsentRecord]:
            return await uow.consents.for_party(passport_id, principal.party, candidate)

        access, reason = await self._decide(principal, owner, rule, action, now, purpose, consents)
        if access is not None:
            return access
        await self._refuse(uow, principal, passport_id, rule, action, now, purpose, reason)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _decide(
        self,
        principal: Principal,
        owner: str,
        rule: Rule,
        action: str,
        now: datetime,
        purpose: str,
        consents: Callable[[Purpose], Awaitable[list[ConsentRecord]]],
    ) -> tuple[Access | None, str]:
        """The access ``principal`` has to a passport owned by ``owner`` under ``rule``, or None and the reason."""
        if acl.is_owner(principal, owner):
            if not principal.has_scope(rule.scope):
                raise AccessDenied(f"missing scope {rule.scope}")
            return Access.as_owner(), ""
        reason = ""
        if not principal.has_scope(rule.scope):
            reason = f"missing scope {rule.scope}"
        elif not rule.purposes:
            reason = "only the passport's owner may do this"
        else:
            purposes = rule.purposes
            if purpose:
                requested = parse_purpose(purpose)
                if requested not in purposes:
                    allowed = ", ".join(p.value for p in purposes)
                    raise InvalidInput(
                        f"purpose {requested.value!r} does not admit {action}; use: {allowed}", "purpose"
                    )
                purposes = (requested,)
            for candidate in purposes:
                decision = evaluate(await consents(candidate), principal.party, candidate, now, rule.needs)
                if decision.allowed:
                    return Access(False, decision.parts, candidate.value, decision.consent_id), ""
                reason = decision.reason
        return None, reason

    async def _refuse(
        self,
        uow: UnitOfWork | None,
        principal: Principal,
        passport_id: str,
        rule: Rule,
        action: str,
        now: datetime,
        purpose: str,
        reason: str,
    ) -> None:
        """Audit a refused access (committed, on ``uow`` or a unit of work of its own), then raise AccessDenied."""

        async def record(work: UnitOfWork) -> None:
            await self._audit(
                work, passport_id, principal, action, now, details={"reason": reason}, outcome="denied",
                purpose=purpose or ",".join(p.value for p in rule.purposes),
            )  # fmt: skip
            await work.commit()

        if uow is not None:
            await record(uow)
        else:
            async with self._uow() as own:
                await record(own)
        raise AccessDenied(f"{action} refused: {reason}")

    async def _resolve_id(self, uow: UnitOfWork, principal: Principal, passport_id: str) -> str:
        if passport_id:
            return inputs.uuid_text(passport_id, "passport_id", "passport")
        found = await uow.passports.id_of_owner(principal.subject) if principal.role == acl.OWNER_ROLE else None
        if found is None:
            raise NotFound("the caller has no passport")
        return found

    async def _record(self, stored: StoredPassport, key: DataKey | None, parts: frozenset[Part]) -> PassportRecord:
        contact = None
        if Part.CONTACT in parts and stored.contact_ct is not None and key is not None:
            data = json.loads(key.decrypt("contact", stored.contact_ct))
            contact = Contact(data.get("name", ""), data.get("email", ""), data.get("phone", ""))
        return PassportRecord(
            stored.id, stored.owner_subject, stored.version, stored.created_at, stored.updated_at, contact,
            stored.wishes if Part.WISHES in parts else Wishes(),
            stored.languages if Part.WISHES in parts else [],
            stored.self_profile if Part.SKILLS in parts else SelfProfile(),
            stored.audit_head_seq, stored.audit_head_hash,
        )  # fmt: skip

    async def _view(self, uow: UnitOfWork, stored: StoredPassport, access: Access) -> PassportView:
        parts = access.parts
        needs_key = Part.EVIDENCE in parts or (Part.CONTACT in parts and stored.contact_ct is not None)
        key = await self._key(stored.id) if needs_key else None
        decrypt = key.decrypt_text if key else None
        view = PassportView(await self._record(stored, key, parts), parts, access.owner)
        if Part.SKILLS in parts:
            view.skills = await uow.passports.skills(
                stored.id, with_evidence=Part.EVIDENCE in parts, decrypt_reference=decrypt
            )
        if Part.EVIDENCE in parts:
            view.work_history = await uow.passports.work_history(stored.id)
            view.education = await uow.passports.education(stored.id, decrypt_reference=decrypt)
            _count_derived(view.skills, view.work_history)
        return view

    # --- passports -----------------------------------------------------------------------------------------

    async def create_passport(
        self, principal: Principal, contact: Contact, wishes: Wishes, languages: Sequence[Language]
    ) -> PassportView:
        if not principal.has_scope(acl.WRITE):
            raise AccessDenied(f"missing scope {acl.WRITE}")
        if principal.role != acl.OWNER_ROLE:
            raise AccessDenied("a passport is created by its owner (role person), not on someone's behalf")
        contact = _valid_contact(contact)
        wishes = _valid_wishes(wishes)
        languages = _valid_languages(languages)
        now = self._now()
        async with self._uow() as uow:
            if await uow.passports.id_of_owner(principal.subject) is not None:
                raise AlreadyExists("the caller already has a passport")
        passport_id = str(uuid.uuid4())
        key = await self.keystore.create(passport_id, now)
        self._keys.put(key)
        try:
            async with self._uow() as uow:
                await uow.passports.insert(
                    {
                        "id": passport_id,
                        "owner_subject": principal.subject,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                        "contact_ct": _encrypt_contact(key, contact),
                        "wishes": wishes.as_dict(),
                        "languages": [{"language": x.language, "level": x.level} for x in languages],
                        "self_profile": {},
                        "self_profile_at": None,
                        "audit_head_seq": 0,
                        "audit_head_hash": "",
                    }  # fmt: skip
                )
                await self._audit(uow, passport_id, principal, "passport.create", now)
                await uow.commit()
        except IntegrityError:
            await self.keystore.destroy(passport_id)
            raise AlreadyExists("the caller already has a passport") from None
        return await self.get_passport(principal, passport_id)

    async def get_passport(self, principal: Principal, passport_id: str, purpose: str = "") -> PassportView:
        return await self.render_passport(principal, passport_id, purpose, _same)

    async def render_passport(
        self, principal: Principal, passport_id: str, purpose: str, render: Callable[[PassportView], Any]
    ) -> Any:
        """The caller's view of a passport, passed through ``render`` (e.g. to protobuf); rendered views are cached
        by version, so a repeated read costs one query (plus the audit entry for anyone but the owner)."""
        if self._fast is not None:
            return await self._fast_render(principal, passport_id, purpose, render)
        return await self._locked_render(principal, passport_id, purpose, render)

    async def _locked_render(
        self, principal: Principal, passport_id: str, purpose: str, render: Callable[[PassportView], Any]
    ) -> Any:
        now = self._now()
        async with self._uow() as uow:
            pid = await self._resolve_id(uow, principal, passport_id)
            stored = await uow.passports.get(pid)
            if stored is None:
                raise NotFound(f"no passport {pid!r}")
            if acl.is_owner(principal, stored.owner_subject):
                if not principal.has_scope(acl.READ):
                    raise AccessDenied(f"missing scope {acl.READ}")
                access = Access.as_owner()
            else:
                if not purpose:
                    raise InvalidInput("is required when reading someone else's passport", "purpose")
                wanted = parse_purpose(purpose)
                access = await self._authorize(
                    uow, principal, pid, acl.rule(acl.READ, (wanted,)), "passport.read", now, purpose
                )
                details = {"parts": sorted(p.label for p in access.parts)}
                await self._audit(uow, pid, principal, "passport.read", now, access, details)
            key = (stored.version, access.parts, access.owner, render)
            rendered = self._views.get(pid, key)
            if rendered is None:
                rendered = render(await self._view(uow, stored, access))
                self._views.put(pid, key, rendered)
            if not access.owner:
                await uow.commit()
            return rendered

    async def update_passport(
        self,
        principal: Principal,
        passport_id: str,
        expected_version: int,
        paths: Sequence[str],
        contact: Contact,
        wishes: Wishes,
        languages: Sequence[Language],
    ) -> PassportView:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        expected = inputs.expected_version(expected_version, required=True)
        if not paths:
            raise InvalidInput(f"must name at least one of: {', '.join(UPDATE_PATHS)}", "update_mask")
        unknown = [p for p in paths if p not in UPDATE_PATHS]
        if unknown:
            raise InvalidInput(f"unknown path {unknown[0]!r}; known: {', '.join(UPDATE_PATHS)}", "update_mask")
        fields = sorted(set(paths))
        values: dict[str, Any] = {}
        if "wishes" in fields:
            values["wishes"] = _valid_wishes(wishes).as_dict()
        if "languages" in fields:
            values["languages"] = [{"language": x.language, "level": x.level} for x in _valid_languages(languages)]
        valid_contact = _valid_contact(contact) if "contact" in fields else None
        needs = {Part.CONTACT} if "contact" in fields else set()
        if "wishes" in fields or "languages" in fields:
            needs.add(Part.WISHES)
        now = self._now()
        rule = acl.rule(acl.WRITE, (Purpose.COACHING,), *needs)
        if self._fast is not None:
            done = await self._fast_update_passport(principal, pid, expected, rule, fields, values, valid_contact, now)
            if done is not None:
                return done
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, rule, "passport.update", now)
            if valid_contact is not None:
                values["contact_ct"] = _encrypt_contact(await self._key(pid), valid_contact)
            await uow.passports.bump_version(pid, expected, now, **values)
            await self._audit(uow, pid, principal, "passport.update", now, access, {"fields": fields})
            await uow.commit()
        return await self._read_back(principal, pid, access)

    async def _read_back(self, principal: Principal, pid: str, access: Access) -> PassportView:
        async with self._uow() as uow:
            stored = await uow.passports.get(pid)
            if stored is None:
                raise NotFound(f"no passport {pid!r}")
            return await self._view(uow, stored, access)

    # --- PostgreSQL hot paths (see storage.pgfast): one statement per read, two per write ----------------------

    def _candidate_owner(self, principal: Principal) -> str | None:
        return principal.subject if principal.role == acl.OWNER_ROLE else None

    def _advance_views(self, pid: str, seen: int, change: ViewChange) -> None:
        """After a hot-path write took the passport from version ``seen`` to ``change.version``: bring the owner's
        cached full view along (the render's ``patched``), so that the next read of the new version is served from
        the cache instead of reading and rendering the whole passport again.

        Sound because the write's one statement applied only while the passport was still at ``seen`` (and its
        audit head unmoved), so the new version is exactly the cached one plus this change. Views of other callers
        are dropped (they are rendered again, with their consents checked, on their next read, as before). Never
        stale either way: a read serves a cached view only at the version the same read finds in the database."""
        if change.version != seen + 1:
            return

        def patch(key: tuple[Any, ...], rendered: Any) -> Any:
            _, parts, owner, render = key
            patched = getattr(render, "patched", None)
            if not owner or parts != ALL_PARTS or patched is None:
                return None
            try:
                return patched(rendered, change)
            except Exception:  # the write has landed: never fail it over its cache; the next read renders anew
                log.exception("could not bring the cached view of a passport up to date; dropped it")
                return None

        self._views.advance(pid, seen, change.version, patch)

    async def _fast_access(
        self,
        principal: Principal,
        pid: str,
        owner: str,
        rule: Rule,
        action: str,
        now: datetime,
        purpose: str,
        prefetched: Sequence[ConsentRecord],
    ) -> Access:
        """:meth:`_authorize` on a snapshot: consents were fetched with it; a refusal is audited as usual."""

        async def consents(candidate: Purpose) -> list[ConsentRecord]:
            return [c for c in prefetched if c.purpose is candidate]

        access, reason = await self._decide(principal, owner, rule, action, now, purpose, consents)
        if access is None:
            await self._refuse(None, principal, pid, rule, action, now, purpose, reason)
        assert access is not None
        return access

    @staticmethod
    def _audit_row(
        pid: str, head: tuple[int, str], principal: Principal, action: str, now: datetime, access: Access,
        details: dict[str, Any], purpose: str = "",
    ) -> AuditRecord:  # fmt: skip
        seq, digest = head
        return chain_next(
            pid, seq, digest if seq else GENESIS_HASH, now, principal.subject, principal.organisation or "",
            principal.role, action, purpose or access.purpose, "allowed", access.consent_id, details,
        )  # fmt: skip

    def _change(
        self, pid: str, snapshot: Any, record: AuditRecord, now: datetime, *, bump: bool = True, **extra: Any
    ) -> Change:
        return Change(
            pid, int(snapshot["version"]), int(snapshot["audit_head_seq"]), record.seq, record.hash,
            [_audit_tuple(record)], bump, now, **extra,
        )  # fmt: skip

    async def _fast_view(self, rows: PassportRows, access: Access) -> PassportView:
        """:meth:`_view` on the rows of one read."""
        record, decrypt = await self._fast_record(rows, access)
        return self._view_of_rows(record, rows, access, decrypt)

    async def _fast_record(
        self, rows: PassportRows, access: Access
    ) -> tuple[PassportRecord, Callable[[str, bytes | None], str] | None]:
        """The passport record of one read's rows (contact decrypted when shown) and the person's decryption of
        references when the view shows evidence."""
        stored = rows.passport
        assert stored is not None
        parts = access.parts
        needs_key = Part.EVIDENCE in parts or (Part.CONTACT in parts and stored.contact_ct is not None)
        key = await self._key(stored.id) if needs_key else None
        return await self._record(stored, key, parts), key.decrypt_text if key else None

    async def _fast_rendered(self, rows: PassportRows, access: Access, render: Callable[[PassportView], Any]) -> Any:
        """``render`` of the view of one read's rows; a render with ``from_rows`` (the gRPC response) builds its
        result from the rows directly, without the records of a view in between."""
        record, decrypt = await self._fast_record(rows, access)
        from_rows = getattr(render, "from_rows", None)
        if from_rows is not None:
            return from_rows(record, rows, access.parts, access.owner, decrypt)
        return render(self._view_of_rows(record, rows, access, decrypt))

    @staticmethod
    def _view_of_rows(
        record: PassportRecord, rows: PassportRows, access: Access, decrypt: Callable[[str, bytes | None], str] | None
    ) -> PassportView:
        parts = access.parts
        view = PassportView(record, parts, access.owner)
        if Part.SKILLS in parts:
            view.skills = rows.skills(decrypt, with_evidence=Part.EVIDENCE in parts)
        if Part.EVIDENCE in parts:
            view.work_history = rows.work_history()
            view.education = rows.education(decrypt)
            _count_derived(view.skills, view.work_history)
        return view

    async def _fast_render(
        self, principal: Principal, passport_id: str, purpose: str, render: Callable[[PassportView], Any]
    ) -> Any:
        now = self._now()
        pid = inputs.uuid_text(passport_id, "passport_id", "passport") if passport_id else None
        candidate = self._candidate_owner(principal)
        if pid is None and candidate is None:
            raise NotFound("the caller has no passport")
        owner_rest = (ALL_PARTS, True, render)
        try:
            wanted: Purpose | None = parse_purpose(purpose) if purpose else None
        except InvalidInput:
            wanted = None  # an owner's read ignores the purpose; anyone else gets the error below
        for _attempt in range(OPTIMISTIC_TRIES):
            cached = self._views.version_of(pid, owner_rest) if pid else None
            rows = PassportRows(
                await self._fast.read(  # type: ignore[union-attr]
                    passport_id=pid,
                    owner_subject=principal.subject,
                    candidate_owner=candidate,
                    cached_version=cached,
                    purposes=[wanted.value] if wanted else None,
                    party=principal.party,
                )  # fmt: skip
            )
            stored = rows.passport
            if stored is None:
                raise NotFound(f"no passport {pid!r}" if pid else "the caller has no passport")
            pid = stored.id
            if acl.is_owner(principal, stored.owner_subject):
                if not principal.has_scope(acl.READ):
                    raise AccessDenied(f"missing scope {acl.READ}")
                access = Access.as_owner()
                key = (stored.version, access.parts, access.owner, render)
                rendered = self._views.get(pid, key) if cached == stored.version else None
                if rendered is None:
                    if cached == stored.version:  # the cached view went in the meantime: read the children
                        rows = PassportRows(await self._fast.view(pid, pgfast.FULL))  # type: ignore[union-attr]
                        if rows.passport is None:
                            raise NotFound(f"no passport {pid!r}")
                        key = (rows.passport.version, access.parts, access.owner, render)
                    rendered = await self._fast_rendered(rows, access, render)
                    self._views.put(pid, key, rendered)
                return rendered
            if not purpose:
                raise InvalidInput("is required when reading someone else's passport", "purpose")
            wanted = parse_purpose(purpose)
            rule = acl.rule(acl.READ, (wanted,))
            access = await self._fast_access(
                principal, pid, stored.owner_subject, rule, "passport.read", now, purpose, rows.consents
            )
            details = {"parts": sorted(p.label for p in access.parts)}
            head = (stored.audit_head_seq, stored.audit_head_hash)
            record = self._audit_row(pid, head, principal, "passport.read", now, access, details)
            snapshot = {"version": stored.version, "audit_head_seq": stored.audit_head_seq}
            if await self._fast.apply(self._change(pid, snapshot, record, now, bump=False)) is None:  # type: ignore[union-attr]
                continue  # the passport or its trail moved: decide again on a new snapshot
            mode = pgfast.FULL if Part.EVIDENCE in access.parts else pgfast.SKILLS_ONLY
            if Part.SKILLS not in access.parts:
                mode = pgfast.NO_CHILDREN
            key = (stored.version, access.parts, access.owner, render)
            rendered = self._views.get(pid, key)
            if rendered is None:
                rows = PassportRows(await self._fast.view(pid, mode))  # type: ignore[union-attr]
                if rows.passport is None:
                    raise NotFound(f"no passport {pid!r}")
                rendered = await self._fast_rendered(rows, access, render)
                self._views.put(pid, (rows.passport.version, access.parts, access.owner, render), rendered)
            return rendered
        # Under a stream of changes to this passport: the locked path.
        return await self._locked_render(principal, passport_id, purpose, render)

    async def _fast_add_evidence(
        self, principal: Principal, pid: str, uri: str, valid: _ValidEvidence, expected: int | None, now: datetime
    ) -> tuple[SkillRecord, str, int] | None:
        rule = acl.EDIT_SKILLS
        purposes = [p.value for p in rule.purposes]
        for _attempt in range(OPTIMISTIC_TRIES):
            snap = await self._fast.skill_snapshot(  # type: ignore[union-attr]
                pid, self._candidate_owner(principal), uri, purposes, principal.party
            )
            if snap is None:
                raise NotFound(f"no passport {pid!r}")
            consents = [consent_from_tuple(c) for c in snap["consents"] or ()]
            owner = snap["owner_subject"]
            access = await self._fast_access(principal, pid, owner, rule, "evidence.add", now, "", consents)
            skill_id = snap["skill_id"]
            if skill_id is None:
                raise NotFound(f"skill {uri!r} is not in the passport; add it with AddSkills")
            if len(snap["evidence"]) >= inputs.MAX_EVIDENCE_PER_SKILL:
                raise InvalidInput(
                    f"a skill holds at most {inputs.MAX_EVIDENCE_PER_SKILL} pieces of evidence", "evidence"
                )
            _check_version(expected, snap["version"])
            key = await self._key(pid)
            row = _evidence_row(pid, skill_id, valid, principal, now, key if valid.reference else None)
            details = {"skill": uri, "evidence": row["id"], "type": valid.type.value}
            record = self._audit_row(pid, _head(snap), principal, "evidence.add", now, access, details)
            change = self._change(pid, snap, record, now, inserts={"evidence": [_evidence_tuple(row)]})
            version = await self._fast.apply(change)  # type: ignore[union-attr]
            if version is None:
                continue
            skill = skill_from_snapshot(snap, key.decrypt_text)
            skill.evidence.append(_evidence_record(row, valid.reference))
            skill.evidence.sort(key=_added_key)
            self._advance_views(pid, int(snap["version"]), ViewChange(version, now, (skill,)))
            return skill, row["id"], version
        return None

    async def _fast_add_skills(
        self,
        principal: Principal,
        pid: str,
        expected: int | None,
        valid: dict[str, list[_ValidEvidence]],
        fields: dict[str, str],
        now: datetime,
    ) -> tuple[list[SkillRecord], int] | None:
        rule = acl.EDIT_SKILLS
        purposes = [p.value for p in rule.purposes]
        concepts = None
        for _attempt in range(OPTIMISTIC_TRIES):
            snap = await self._fast.skills_snapshot(  # type: ignore[union-attr]
                pid, self._candidate_owner(principal), list(valid), purposes, principal.party
            )
            if snap is None:
                raise NotFound(f"no passport {pid!r}")
            consents = [consent_from_tuple(c) for c in snap["consents"] or ()]
            owner = snap["owner_subject"]
            access = await self._fast_access(principal, pid, owner, rule, "skill.add", now, "", consents)
            if concepts is None:
                concepts = await self.taxonomy.skills(valid, fields)
            existing = set(snap["existing"])
            if existing:
                uri = next(u for u in valid if u in existing)
                raise AlreadyExists(f"{fields[uri]}: {uri!r} is already in the passport; add evidence to it instead")
            if int(snap["skill_count"]) + len(valid) > inputs.MAX_SKILLS_PER_PASSPORT:
                raise InvalidInput(f"a passport holds at most {inputs.MAX_SKILLS_PER_PASSPORT} skills", "skills")
            _check_version(expected, snap["version"])
            key = await self._key(pid) if any(e.reference for ev in valid.values() for e in ev) else None
            skill_rows, evidence_rows, added = [], [], []
            for uri, evidence in valid.items():
                skill_id = str(uuid.uuid4())
                skill_row = _skill_row(skill_id, pid, uri, concepts[uri].label, now)
                skill_rows.append(skill_row)
                skill = SkillRecord(skill_id, uri, skill_row["label"], now)
                for piece in evidence:
                    row = _evidence_row(pid, skill_id, piece, principal, now, key)
                    evidence_rows.append(row)
                    skill.evidence.append(_evidence_record(row, piece.reference if key else ""))
                skill.evidence.sort(key=_added_key)
                added.append(skill)
            details = {"skills": list(valid), "evidence": len(evidence_rows)}
            record = self._audit_row(pid, _head(snap), principal, "skill.add", now, access, details)
            change = self._change(
                pid, snap, record, now,
                inserts={
                    "skills": [tuple(r[c] for c, _ in pgfast.SKILL_COLUMNS) for r in skill_rows],
                    "evidence": [_evidence_tuple(r) for r in evidence_rows],
                },
            )  # fmt: skip
            version = await self._fast.apply(change)  # type: ignore[union-attr]
            if version is None:
                continue
            added.sort(key=_added_key)
            self._advance_views(pid, int(snap["version"]), ViewChange(version, now, tuple(added)))
            return added, version
        return None

    async def _fast_update_passport(
        self,
        principal: Principal,
        pid: str,
        expected: int | None,
        rule: Rule,
        fields: list[str],
        values: dict[str, Any],
        contact: Contact | None,
        now: datetime,
    ) -> PassportView | None:
        purposes = [p.value for p in rule.purposes]
        for _attempt in range(OPTIMISTIC_TRIES):
            snap = await self._fast.passport_snapshot(  # type: ignore[union-attr]
                pid, self._candidate_owner(principal), purposes, principal.party
            )
            if snap is None:
                raise NotFound(f"no passport {pid!r}")
            consents = [consent_from_tuple(c) for c in snap["consents"] or ()]
            access = await self._fast_access(
                principal, pid, snap["owner_subject"], rule, "passport.update", now, "", consents
            )
            _check_version(expected, snap["version"])
            changed = dict(values)
            if contact is not None:
                changed["contact_ct"] = _encrypt_contact(await self._key(pid), contact)
            record = self._audit_row(pid, _head(snap), principal, "passport.update", now, access, {"fields": fields})
            version = await self._fast.apply(self._change(pid, snap, record, now, values=changed))  # type: ignore[union-attr]
            if version is None:
                continue
            mode = pgfast.FULL if Part.EVIDENCE in access.parts else pgfast.SKILLS_ONLY
            if Part.SKILLS not in access.parts:
                mode = pgfast.NO_CHILDREN
            rows = PassportRows(await self._fast.view(pid, mode))  # type: ignore[union-attr]
            stored = rows.passport
            if stored is None:
                raise NotFound(f"no passport {pid!r}")
            seen = int(snap["version"])
            if stored.version == version and self._views.version(pid) == seen:
                # nothing else landed since: this is the owner's record at the very version the write made
                try:
                    key = await self._key(pid) if stored.contact_ct is not None else None
                    whole = await self._record(stored, key, ALL_PARTS)
                except DataKeyMissing:  # erased meanwhile: nothing to bring along (erasure evicted the views)
                    pass
                else:
                    self._advance_views(pid, seen, ViewChange(version, now, passport=whole))
            return await self._fast_view(rows, access)
        return None

    # --- skills and evidence ----------------------------------------------------------------------------------

    async def add_skills(
        self, principal: Principal, passport_id: str, expected_version: int, skills: Sequence[SkillInput]
    ) -> tuple[list[SkillRecord], int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        expected = inputs.expected_version(expected_version)
        if not skills:
            raise InvalidInput("must hold at least one skill", "skills")
        if len(skills) > inputs.MAX_SKILLS_PER_REQUEST:
            raise InvalidInput(f"at most {inputs.MAX_SKILLS_PER_REQUEST} skills per request", "skills")
        now = self._now()
        today = now.date()
        valid: dict[str, list[_ValidEvidence]] = {}
        fields: dict[str, str] = {}
        for i, skill in enumerate(skills):
            uri = inputs.skill_uri(skill.skill_uri, f"skills[{i}].skill_uri")
            if uri in valid:
                raise InvalidInput(f"{uri!r} appears more than once", f"skills[{i}].skill_uri")
            if not skill.evidence:
                raise InvalidInput("a skill needs at least one piece of evidence", f"skills[{i}].evidence")
            if len(skill.evidence) > inputs.MAX_EVIDENCE_PER_SKILL_INPUT:
                raise InvalidInput(f"at most {inputs.MAX_EVIDENCE_PER_SKILL_INPUT} pieces", f"skills[{i}].evidence")
            valid[uri] = [_valid_evidence(e, f"skills[{i}].evidence[{j}]", today) for j, e in enumerate(skill.evidence)]
            fields[uri] = f"skills[{i}].skill_uri"
        if self._fast is not None:
            added = await self._fast_add_skills(principal, pid, expected, valid, fields, now)
            if added is not None:
                return added
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "skill.add", now)
            concepts = await self.taxonomy.skills(valid, fields)
            existing = await uow.passports.skill_ids_by_uri(pid, valid)
            if existing:
                uri = next(iter(existing))
                raise AlreadyExists(f"{fields[uri]}: {uri!r} is already in the passport; add evidence to it instead")
            if await uow.passports.skill_count(pid) + len(valid) > inputs.MAX_SKILLS_PER_PASSPORT:
                raise InvalidInput(f"a passport holds at most {inputs.MAX_SKILLS_PER_PASSPORT} skills", "skills")
            version = await uow.passports.bump_version(pid, expected, now)
            key = await self._key(pid) if any(e.reference for ev in valid.values() for e in ev) else None
            skill_rows, evidence_rows = [], []
            for uri, evidence in valid.items():
                skill_id = str(uuid.uuid4())
                skill_rows.append(_skill_row(skill_id, pid, uri, concepts[uri].label, now))
                evidence_rows += [_evidence_row(pid, skill_id, e, principal, now, key) for e in evidence]
            await uow.passports.insert_skills(skill_rows)
            await uow.passports.insert_evidence(evidence_rows)
            await self._audit(
                uow, pid, principal, "skill.add", now, access,
                {"skills": list(valid), "evidence": len(evidence_rows)},
            )  # fmt: skip
            added = await uow.passports.skills(
                pid, uris=list(valid), decrypt_reference=key.decrypt_text if key else None
            )
            await uow.commit()
        return added, version

    async def remove_skill(self, principal: Principal, passport_id: str, skill_uri: str, expected_version: int) -> int:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        uri = inputs.skill_uri(skill_uri, "skill_uri")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "skill.remove", now)
            skill_id = (await uow.passports.skill_ids_by_uri(pid, [uri])).get(uri)
            if skill_id is None:
                raise NotFound(f"skill {uri!r} is not in the passport")
            version = await uow.passports.bump_version(pid, expected, now)
            await uow.passports.delete_skill(skill_id)
            await self._audit(uow, pid, principal, "skill.remove", now, access, {"skill": uri})
            await uow.commit()
        return version

    async def add_evidence(
        self, principal: Principal, passport_id: str, skill_uri: str, evidence: EvidenceInput, expected_version: int
    ) -> tuple[SkillRecord, str, int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        uri = inputs.skill_uri(skill_uri, "skill_uri")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        valid = _valid_evidence(evidence, "evidence", now.date())
        if self._fast is not None:
            done = await self._fast_add_evidence(principal, pid, uri, valid, expected, now)
            if done is not None:
                return done
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "evidence.add", now)
            skill_id = (await uow.passports.skill_ids_by_uri(pid, [uri])).get(uri)
            if skill_id is None:
                raise NotFound(f"skill {uri!r} is not in the passport; add it with AddSkills")
            if await uow.passports.evidence_count(skill_id) >= inputs.MAX_EVIDENCE_PER_SKILL:
                raise InvalidInput(
                    f"a skill holds at most {inputs.MAX_EVIDENCE_PER_SKILL} pieces of evidence", "evidence"
                )
            version = await uow.passports.bump_version(pid, expected, now)
            key = await self._key(pid) if valid.reference else None
            row = _evidence_row(pid, skill_id, valid, principal, now, key)
            await uow.passports.insert_evidence([row])
            await self._audit(
                uow, pid, principal, "evidence.add", now, access,
                {"skill": uri, "evidence": row["id"], "type": valid.type.value},
            )  # fmt: skip
            reader = await self._key(pid)  # the skill's other evidence may carry references
            skill = (await uow.passports.skills(pid, uris=[uri], decrypt_reference=reader.decrypt_text))[0]
            await uow.commit()
        return skill, row["id"], version

    async def remove_evidence(
        self, principal: Principal, passport_id: str, evidence_id: str, expected_version: int
    ) -> tuple[int, bool]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        eid = inputs.uuid_text(evidence_id, "evidence_id", "evidence")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "evidence.remove", now)
            row = await uow.passports.evidence_row(pid, eid)
            if row is None:
                raise NotFound(f"no evidence {eid!r} in the passport")
            version = await uow.passports.bump_version(pid, expected, now)
            await uow.passports.delete_evidence(eid)
            skill_removed = await uow.passports.evidence_count(row.skill_id) == 0
            if skill_removed:
                await uow.passports.delete_skill(row.skill_id)
            await self._audit(
                uow, pid, principal, "evidence.remove", now, access, {"evidence": eid, "skill_removed": skill_removed}
            )
            await uow.commit()
        return version, skill_removed

    async def confirm_derived(
        self, principal: Principal, passport_id: str, evidence_ids: Sequence[str], expected_version: int
    ) -> tuple[list[SkillRecord], list[str], int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        expected = inputs.expected_version(expected_version)
        if not evidence_ids:
            raise InvalidInput("must name at least one piece of evidence", "evidence_ids")
        if len(evidence_ids) > inputs.MAX_SKILLS_PER_REQUEST:
            raise InvalidInput(f"at most {inputs.MAX_SKILLS_PER_REQUEST} per request", "evidence_ids")
        ids = list(
            dict.fromkeys(inputs.uuid_text(e, f"evidence_ids[{i}]", "evidence") for i, e in enumerate(evidence_ids))
        )
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.OWNER_WRITE, "evidence.confirm", now)
            rows = {r.id: r for r in await uow.passports.evidence_rows(pid, ids)}
            for i, eid in enumerate(ids):
                if eid not in rows:
                    raise NotFound(f"no evidence {eid!r} in the passport")
                if not rows[eid].derived:
                    raise InvalidInput(
                        f"evidence {eid!r} was not derived; only derived evidence is confirmed", f"evidence_ids[{i}]"
                    )
            version = await uow.passports.bump_version(pid, expected, now)
            await uow.passports.confirm_evidence(ids)
            await self._audit(uow, pid, principal, "evidence.confirm", now, access, {"evidence": ids})
            key = await self._key(pid)
            skill_ids = {r.skill_id for r in rows.values()}
            skills = [
                s for s in await uow.passports.skills(pid, decrypt_reference=key.decrypt_text) if s.id in skill_ids
            ]
            await uow.commit()
        return skills, ids, version

    async def add_validation_step(
        self,
        principal: Principal,
        passport_id: str,
        skill_uri: str,
        phase: int,
        evidence_ids: Sequence[str],
        performed_on: str,
        note: str,
        expected_version: int,
    ) -> tuple[SkillRecord, str, int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        uri = inputs.skill_uri(skill_uri, "skill_uri")
        expected = inputs.expected_version(expected_version)
        try:
            step_phase = ValidationPhase(phase)
        except ValueError:
            raise InvalidInput(
                f"unknown phase {phase}; phases: identification, documentation, assessment, certification", "phase"
            ) from None
        now = self._now()
        today = now.date()
        day = inputs.past_date(performed_on, "performed_on", today, default=today)
        assert day is not None
        note = inputs.text(note, "note", limit=inputs.MAX_NOTE)
        ids = list(
            dict.fromkeys(inputs.uuid_text(e, f"evidence_ids[{i}]", "evidence") for i, e in enumerate(evidence_ids))
        )
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.VALIDATE, "validation.add", now)
            skills = await uow.passports.skills(pid, uris=[uri])
            if not skills:
                raise NotFound(f"skill {uri!r} is not in the passport")
            skill = skills[0]
            own = {e.id: e for e in skill.evidence}
            for i, eid in enumerate(ids):
                if eid not in own:
                    raise InvalidInput(f"evidence {eid!r} is not evidence of {uri!r}", f"evidence_ids[{i}]")
            check_step(
                step_phase, day, today,
                [PriorStep(ValidationPhase(v.phase), v.performed_on) for v in skill.validations],
                [own[e].kind for e in ids], by_owner=access.owner,
            )  # fmt: skip
            version = await uow.passports.bump_version(pid, expected, now)
            step_id = str(uuid.uuid4())
            await uow.passports.insert_validation(
                {
                    "id": step_id,
                    "passport_id": pid,
                    "skill_id": skill.id,
                    "phase": int(step_phase),
                    "actor_subject": principal.subject,
                    "actor_organisation": principal.organisation or "",
                    "actor_role": principal.role,
                    "performed_on": day,
                    "recorded_at": now,
                    "evidence_ids": ids,
                    "note": note,
                }  # fmt: skip
            )
            await self._audit(
                uow, pid, principal, "validation.add", now, access,
                {"skill": uri, "phase": step_phase.label, "evidence": ids},
            )  # fmt: skip
            key = await self._key(pid)
            skill = (await uow.passports.skills(pid, uris=[uri], decrypt_reference=key.decrypt_text))[0]
            await uow.commit()
        return skill, step_id, version

    # --- work history and education ----------------------------------------------------------------------------

    async def add_work_history(
        self,
        principal: Principal,
        passport_id: str,
        occupation: str,
        scheme: str,
        esco_occupation_uri: str,
        start_date: str,
        end_date: str,
        employer: str,
        expected_version: int,
    ) -> tuple[WorkHistoryRecord, list[SkillRecord], int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        today = now.date()
        occupation = inputs.text(occupation, "occupation", limit=300, required=True)
        start = inputs.past_date(start_date, "start_date", today)
        if start is None:
            raise InvalidInput("is required (YYYY-MM-DD)", "start_date")
        end = inputs.past_date(end_date, "end_date", today)
        inputs.ordered(start, end, "start_date", "end_date")
        employer = inputs.text(employer, "employer")
        chosen = inputs.text(esco_occupation_uri, "esco_occupation_uri", limit=300)
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "work_history.add", now)
            if await uow.passports.work_history_count(pid) >= inputs.MAX_WORK_HISTORY:
                raise InvalidInput(
                    f"a passport holds at most {inputs.MAX_WORK_HISTORY} work history entries", "occupation"
                )
            resolved = await self.taxonomy.resolve_occupation(occupation, scheme.strip(), chosen)
            links = await self.taxonomy.occupation_skills(resolved.uri)
            existing = await uow.passports.skill_ids_by_uri(pid)
            new = [link for link in links if link.uri not in existing]
            if len(existing) + len(new) > inputs.MAX_SKILLS_PER_PASSPORT:
                raise InvalidInput(f"a passport holds at most {inputs.MAX_SKILLS_PER_PASSPORT} skills", "occupation")
            version = await uow.passports.bump_version(pid, expected, now)
            entry_id = str(uuid.uuid4())
            await uow.passports.insert_work_history(
                {
                    "id": entry_id,
                    "passport_id": pid,
                    "occupation": occupation,
                    "esco_occupation_uri": resolved.uri,
                    "occupation_label": resolved.label[:300],
                    "start_date": start,
                    "end_date": end,
                    "employer": employer,
                    "added_at": now,
                    "added_by_subject": principal.subject,
                }  # fmt: skip
            )
            skill_rows = []
            for link in new:
                existing[link.uri] = str(uuid.uuid4())
                skill_rows.append(_skill_row(existing[link.uri], pid, link.uri, link.label, now))
            await uow.passports.insert_skills(skill_rows)
            evidence_rows = []
            label = resolved.label or resolved.uri
            for link in links:
                relation = "essential" if link.essential else "optional"
                derived = _ValidEvidence(
                    EvidenceType.WORK_EXPERIENCE, f"work history: {label}"[: inputs.MAX_TEXT], "", end or today, None,
                    f"{relation} skill of the occupation {label}",
                )  # fmt: skip
                row = _evidence_row(pid, existing[link.uri], derived, principal, now, None)
                row.update(derived=True, confirmed=False, work_history_id=entry_id, derived_from=resolved.uri)
                evidence_rows.append(row)
            await uow.passports.insert_evidence(evidence_rows)
            await self._audit(
                uow, pid, principal, "work_history.add", now, access,
                {"entry": entry_id, "occupation": occupation, "esco_occupation": resolved.uri,
                 "derived_skills": len(links)},
            )  # fmt: skip
            entry = (await uow.passports.work_history(pid, entry_id))[0]
            entry.derived_skill_count = len({link.uri for link in links})
            key = await self._key(pid)
            skills = await uow.passports.skills(
                pid, uris=[link.uri for link in links], decrypt_reference=key.decrypt_text
            )
            await uow.commit()
        return entry, skills, version

    async def remove_work_history(
        self, principal: Principal, passport_id: str, entry_id: str, expected_version: int
    ) -> tuple[int, int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        eid = inputs.uuid_text(entry_id, "entry_id", "work history entry")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "work_history.remove", now)
            if not await uow.passports.work_history(pid, eid):
                raise NotFound(f"no work history entry {eid!r} in the passport")
            version = await uow.passports.bump_version(pid, expected, now)
            removed = await uow.passports.delete_work_history(eid)
            skills_removed = await uow.passports.delete_skills_without_evidence(pid)
            await self._audit(
                uow, pid, principal, "work_history.remove", now, access,
                {"entry": eid, "evidence_removed": removed, "skills_removed": skills_removed},
            )  # fmt: skip
            await uow.commit()
        return version, removed

    async def add_education(
        self,
        principal: Principal,
        passport_id: str,
        kind: str,
        title: str,
        level: int,
        institution: str,
        issued_on: str,
        valid_until: str,
        reference: str,
        skill_uris: Sequence[str],
        expected_version: int,
    ) -> tuple[EducationRecord, list[SkillRecord], int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        today = now.date()
        if kind not in EDUCATION_EVIDENCE_TYPE:
            raise InvalidInput("must be diploma or certificate", "kind")
        title = inputs.text(title, "title", required=True)
        if not 0 <= level <= 8:
            raise InvalidInput(f"{level} is not an EQF/NLQF level (1..8, 0 = not given)", "level")
        institution = inputs.text(institution, "institution")
        issued = inputs.past_date(issued_on, "issued_on", today)
        until = inputs.optional_date(valid_until, "valid_until", today)
        inputs.ordered(issued, until, "issued_on", "valid_until")
        reference = inputs.text(reference, "reference")
        if len(skill_uris) > 200:
            raise InvalidInput("at most 200 skills per diploma or certificate", "skill_uris")
        uris = [inputs.skill_uri(u, f"skill_uris[{i}]") for i, u in enumerate(skill_uris)]
        fields = {u: f"skill_uris[{i}]" for i, u in enumerate(uris)}
        uris = list(dict.fromkeys(uris))
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "education.add", now)
            if await uow.passports.education_count(pid) >= inputs.MAX_EDUCATION:
                raise InvalidInput(f"a passport holds at most {inputs.MAX_EDUCATION} education entries", "title")
            concepts = await self.taxonomy.skills(uris, fields) if uris else {}
            existing = await uow.passports.skill_ids_by_uri(pid)
            new = [u for u in uris if u not in existing]
            if len(existing) + len(new) > inputs.MAX_SKILLS_PER_PASSPORT:
                raise InvalidInput(f"a passport holds at most {inputs.MAX_SKILLS_PER_PASSPORT} skills", "skill_uris")
            version = await uow.passports.bump_version(pid, expected, now)
            key = await self._key(pid)
            education_id = str(uuid.uuid4())
            await uow.passports.insert_education(
                {
                    "id": education_id,
                    "passport_id": pid,
                    "kind": kind,
                    "title": title,
                    "level": level,
                    "institution": institution,
                    "issued_on": issued,
                    "valid_until": until,
                    "reference_ct": key.encrypt_text("education.reference", reference),
                    "skill_uris": uris,
                    "added_at": now,
                    "added_by_subject": principal.subject,
                }  # fmt: skip
            )
            skill_rows = []
            for uri in new:
                existing[uri] = str(uuid.uuid4())
                skill_rows.append(_skill_row(existing[uri], pid, uri, concepts[uri].label, now))
            await uow.passports.insert_skills(skill_rows)
            hard = _ValidEvidence(EDUCATION_EVIDENCE_TYPE[kind], institution or title, "", issued, until, title)
            rows = []
            for uri in uris:
                row = _evidence_row(pid, existing[uri], hard, principal, now, None)
                row["education_id"] = education_id
                rows.append(row)
            await uow.passports.insert_evidence(rows)
            await self._audit(
                uow, pid, principal, "education.add", now, access, {"entry": education_id, "kind": kind, "skills": uris}
            )
            entry = (await uow.passports.education(pid, education_id, decrypt_reference=key.decrypt_text))[0]
            skills = await uow.passports.skills(pid, uris=uris, decrypt_reference=key.decrypt_text) if uris else []
            await uow.commit()
        return entry, skills, version

    async def remove_education(
        self, principal: Principal, passport_id: str, education_id: str, expected_version: int
    ) -> tuple[int, int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        eid = inputs.uuid_text(education_id, "education_id", "education entry")
        expected = inputs.expected_version(expected_version)
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_SKILLS, "education.remove", now)
            if not await uow.passports.education(pid, eid):
                raise NotFound(f"no education entry {eid!r} in the passport")
            version = await uow.passports.bump_version(pid, expected, now)
            removed = await uow.passports.delete_education(eid)
            skills_removed = await uow.passports.delete_skills_without_evidence(pid)
            await self._audit(
                uow, pid, principal, "education.remove", now, access,
                {"entry": eid, "evidence_removed": removed, "skills_removed": skills_removed},
            )  # fmt: skip
            await uow.commit()
        return version, removed

    async def set_self_profile(
        self, principal: Principal, passport_id: str, ratings: Sequence[tuple[str, int]], expected_version: int
    ) -> tuple[SelfProfile, int]:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        expected = inputs.expected_version(expected_version)
        profile: dict[str, int] = {}
        for i, (element, level) in enumerate(ratings):
            code = normalise_element_id(element)
            if code not in ONET_SKILLS:
                raise InvalidInput(f"{element!r} is not one of the 35 O*NET skills", f"ratings[{i}].element_id")
            if code in profile:
                raise InvalidInput(f"{code} is rated more than once", f"ratings[{i}].element_id")
            if not MIN_LEVEL <= level <= MAX_LEVEL:
                raise InvalidInput(
                    f"{level} is outside the O*NET level scale {MIN_LEVEL}..{MAX_LEVEL}", f"ratings[{i}].level"
                )
            profile[code] = level
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.EDIT_PROFILE, "self_profile.set", now)
            version = await uow.passports.bump_version(
                pid, expected, now, self_profile=profile, self_profile_at=now if profile else None
            )
            await self._audit(uow, pid, principal, "self_profile.set", now, access, {"ratings": len(profile)})
            await uow.commit()
        return SelfProfile(profile, now if profile else None), version

    # --- consents ----------------------------------------------------------------------------------------------

    async def grant_consent(
        self,
        principal: Principal,
        passport_id: str,
        grantee: str,
        purpose: str,
        parts: Sequence[int],
        valid_from: datetime | None,
        valid_to: datetime | None,
    ) -> ConsentRecord:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        now = self._now()
        terms = ConsentTerms(grantee, parse_purpose(purpose), parse_parts(parts), valid_from or now, valid_to)
        check_terms(terms, now)
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.OWNER_WRITE, "consent.grant", now)
            if await uow.consents.count(pid) >= inputs.MAX_CONSENTS:
                raise FailedPrecondition(f"a passport holds at most {inputs.MAX_CONSENTS} consents")
            consent = ConsentRecord(
                str(uuid.uuid4()), pid, terms.grantee, terms.purpose, terms.parts, terms.valid_from, terms.valid_to, now
            )
            await uow.consents.insert(
                {
                    "id": consent.id,
                    "passport_id": pid,
                    "grantee": consent.grantee,
                    "purpose": consent.purpose.value,
                    "parts": sorted(int(p) for p in consent.parts),
                    "valid_from": consent.valid_from,
                    "valid_to": consent.valid_to,
                    "granted_at": now,
                    "granted_by": principal.subject,
                    "withdrawn_at": None,
                }  # fmt: skip
            )
            await self._audit(uow, pid, principal, "consent.grant", now, access, _consent_details(consent))
            await uow.commit()
        return consent

    async def withdraw_consent(self, principal: Principal, passport_id: str, consent_id: str) -> ConsentRecord:
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        cid = inputs.uuid_text(consent_id, "consent_id", "consent")
        now = self._now()
        async with self._uow() as uow:
            access = await self._authorize(uow, principal, pid, acl.OWNER_WRITE, "consent.withdraw", now)
            consent = await uow.consents.get(pid, cid)
            if consent is None:
                raise NotFound(f"no consent {cid!r} on this passport")
            if consent.withdrawn_at is not None:
                return consent  # withdrawing twice changes nothing
            await uow.consents.withdraw(cid, now)
            await self._audit(uow, pid, principal, "consent.withdraw", now, access, {"consent": cid})
            await uow.commit()
            return (await self._refetch_consent(pid, cid)) or consent

    async def _refetch_consent(self, pid: str, cid: str) -> ConsentRecord | None:
        async with self._uow() as uow:
            return await uow.consents.get(pid, cid)

    async def list_consents(self, principal: Principal, passport_id: str) -> list[ConsentRecord]:
        now = self._now()
        async with self._uow() as uow:
            pid = await self._resolve_id(uow, principal, passport_id)
            await self._authorize(uow, principal, pid, acl.OWNER_READ, "consent.list", now)
            return await uow.consents.for_passport(pid)

    # --- audit -------------------------------------------------------------------------------------------------

    async def list_audit(
        self, principal: Principal, passport_id: str, page_size: int, page_token: str
    ) -> tuple[list[AuditRecord], str]:
        if page_size < 0 or page_size > MAX_AUDIT_PAGE:
            raise InvalidInput(f"must be between 1 and {MAX_AUDIT_PAGE}", "page_size")
        size = page_size or 100
        after = _decode_token(page_token, "a")
        now = self._now()
        async with self._uow() as uow:
            pid = await self._resolve_id(uow, principal, passport_id)
            await self._authorize(uow, principal, pid, acl.OWNER_READ, "audit.read", now)
            entries = await uow.audit.entries(pid, int(after or 0), size + 1)
        more = len(entries) > size
        entries = entries[:size]
        return entries, _encode_token("a", str(entries[-1].seq)) if more and entries else ""

    async def verify_audit(self, principal: Principal, passport_id: str) -> ChainVerdict:
        now = self._now()
        async with self._uow() as uow:
            pid = await self._resolve_id(uow, principal, passport_id)
            await self._authorize(uow, principal, pid, acl.OWNER_READ, "audit.verify", now)
            stored = await uow.passports.get(pid)
            assert stored is not None
            entries = await uow.audit.entries(pid)
        return verify_chain(pid, entries, stored.audit_head_seq, stored.audit_head_hash)

    # --- export and erasure ---------------------------------------------------------------------------------

    async def export(self, principal: Principal, passport_id: str) -> ExportResult:
        now = self._now()
        async with self._uow() as uow:
            pid = await self._resolve_id(uow, principal, passport_id)
            access = await self._authorize(uow, principal, pid, acl.OWNER_READ, "passport.export", now)
            await self._audit(uow, pid, principal, "passport.export", now, access)
            stored = await uow.passports.get(pid)
            assert stored is not None
            view = await self._view(uow, stored, access)
            consents = await uow.consents.for_passport(pid)
            entries = await uow.audit.entries(pid)
            await uow.commit()
        verdict = verify_chain(pid, entries, stored.audit_head_seq, stored.audit_head_hash)
        issuer = self.signing_key.issuer
        credentials = []
        for skill in view.skills:
            credential = add_proof(skill_credential(pid, skill, issuer, now), self.signing_key.sign, issuer, now)
            problems = shape_errors(credential)
            if problems or not verify_proof(credential, verify_ed25519, [issuer.did]):
                raise RuntimeError(f"credential for {skill.uri} does not conform: {problems[:3]}")
            credentials.append(credential)
        document = {
            "format": "overstap-passport-export/1",
            "exported_at": now.isoformat(),
            "passport": view_to_dict(view),
            "consents": [consent_to_dict(c, now) for c in consents],
            "audit_trail": {
                "entries": [audit_to_dict(e) for e in entries],
                "verification": {"valid": verdict.valid, "entries": verdict.entry_count, "reason": verdict.reason},
            },
            "credentials_issuer": issuer.did,
        }
        return ExportResult(json.dumps(document, ensure_ascii=False, indent=2), credentials, issuer.did)

    async def erase(self, principal: Principal, passport_id: str) -> int:
        """Crypto-shred the data key first (backups become unreadable at once), then delete every row."""
        pid = inputs.uuid_text(passport_id, "passport_id", "passport")
        now = self._now()
        async with self._uow() as uow:
            await self._authorize(uow, principal, pid, acl.OWNER_WRITE, "passport.erase", now)
        self._keys.evict(pid)
        self._views.evict(pid)
        deleted = await self.keystore.destroy(pid)
        async with self._uow() as uow:
            deleted += await uow.passports.erase(pid)
            await uow.commit()
        self._keys.evict(pid)
        self._views.evict(pid)
        return deleted

    # --- skill sets for matching ------------------------------------------------------------------------------

    async def skill_set(self, principal: Principal, passport_id: str) -> SkillSetRecord:
        now = self._now()
        async with self._uow() as uow:
            pid = await self._resolve_id(uow, principal, passport_id)
            access = await self._authorize(uow, principal, pid, acl.SKILL_SET, "skillset.read", now)
            stored = await uow.passports.get(pid)
            assert stored is not None
            skills = (await uow.passports.skill_sets([pid])).get(pid, [])
            # The work history belongs to the evidence part: the owner, or a consent that covers evidence.
            occupations = []
            if access.owner or Part.EVIDENCE in access.parts:
                occupations = (await uow.passports.work_history_occupations([pid])).get(pid, [])
            if not access.owner:
                await self._audit(uow, pid, principal, "skillset.read", now, access, {"skills": len(skills)})
                await uow.commit()
        return SkillSetRecord(pid, stored.version, skills, occupations)

    async def candidate_pages(
        self, principal: Principal, page_size: int, page_token: str, max_passports: int
    ) -> AsyncIterator[CandidatePage]:
        """Pages of consenting passports' skill sets; consent is evaluated as each page is read."""
        if not principal.has_scope(acl.CANDIDATES):
            raise AccessDenied(f"missing scope {acl.CANDIDATES}")
        if page_size < 0 or page_size > MAX_CANDIDATE_PAGE:
            raise InvalidInput(f"must be between 1 and {MAX_CANDIDATE_PAGE}", "page_size")
        if max_passports < 0:
            raise InvalidInput("must not be negative", "max_passports")
        size = page_size or 100
        after = _decode_token(page_token, "c") or ""
        if after:
            inputs.uuid_text(after, "page_token", "page")
        party = principal.party
        sent = 0
        while True:
            limit = size if not max_passports else min(size, max_passports - sent)
            if limit <= 0:
                return
            now = self._now()
            async with self._uow() as uow:
                found = await uow.consents.candidate_consents(party, Purpose.VACANCY_CANDIDATES, now, after, limit)
                allowed = {
                    pid: decision
                    for pid, consents in found.items()
                    if (decision := evaluate(consents, party, Purpose.VACANCY_CANDIDATES, now, {Part.SKILLS})).allowed
                }
                sets = await uow.passports.skill_sets(list(allowed))
                versions = {}
                if allowed:
                    heads = await uow.passports.lock_audit_heads(sorted(allowed))
                    records, new_heads = [], []
                    for pid in sorted(heads):
                        seq, digest = heads[pid]
                        record = chain_next(
                            pid, seq, digest if seq else GENESIS_HASH, now, principal.subject,
                            principal.organisation or "", principal.role, "candidates.list",
                            Purpose.VACANCY_CANDIDATES.value, "allowed", allowed[pid].consent_id,
                            {"skills": len(sets.get(pid, []))},
                        )  # fmt: skip
                        records.append(record)
                        new_heads.append({"pid": pid, "seq": record.seq, "digest": record.hash})
                    await uow.audit.append(records)
                    await uow.passports.set_audit_heads(new_heads)
                    versions = await uow.passports.versions_of(sorted(heads))
                await uow.commit()
            ids = sorted(found)
            sent += len(ids)
            last_page = len(ids) < limit or (max_passports and sent >= max_passports)
            after = ids[-1] if ids else after
            page = [SkillSetRecord(pid, versions.get(pid, 0), sets.get(pid, [])) for pid in sorted(allowed)]
            yield CandidatePage(page, "" if last_page else _encode_token("c", after))
            if last_page:
                return

    async def check_candidates(self, principal: Principal, passport_ids: Sequence[str]) -> list[str]:
        if not principal.has_scope(acl.CANDIDATES):
            raise AccessDenied(f"missing scope {acl.CANDIDATES}")
        if len(passport_ids) > MAX_CHECK_IDS:
            raise InvalidInput(f"at most {MAX_CHECK_IDS} ids", "passport_ids")
        ids = []
        for i, pid in enumerate(passport_ids):
            try:
                ids.append(str(uuid.UUID(pid)))
            except ValueError:
                raise InvalidInput(f"{pid!r} is not a passport id", f"passport_ids[{i}]") from None
        if not ids:
            return []
        now = self._now()
        async with self._uow() as uow:
            found = await uow.consents.in_force_for(ids, principal.party, Purpose.VACANCY_CANDIDATES, now)
        return [
            pid
            for pid in dict.fromkeys(ids)
            if evaluate(found.get(pid, []), principal.party, Purpose.VACANCY_CANDIDATES, now, {Part.SKILLS}).allowed
        ]


# --- helpers ---------------------------------------------------------------------------------------------------


OPTIMISTIC_TRIES = 4  # hot-path attempts on fresh snapshots before the locked path


def _check_version(expected: int | None, seen: int) -> None:
    if expected is not None and expected != seen:
        raise StaleVersion(expected, int(seen))


def _head(snapshot: Any) -> tuple[int, str]:
    return int(snapshot["audit_head_seq"]), str(snapshot["audit_head_hash"])


def _added_key(record: Any) -> tuple[datetime, str]:
    return record.added_at, record.id


def _audit_tuple(r: AuditRecord) -> tuple[Any, ...]:
    return (
        r.passport_id, r.seq, r.at, r.actor_subject, r.actor_organisation, r.actor_role, r.action, r.purpose,
        r.outcome, r.consent_id, r.details_json, r.prev_hash, r.hash,
    )  # fmt: skip


def _evidence_tuple(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row[c] for c, _ in pgfast.EVIDENCE_COLUMNS)


def _evidence_record(row: dict[str, Any], reference: str) -> EvidenceRecord:
    """The record of an evidence row this request inserts (``reference``: its plaintext)."""
    return EvidenceRecord(
        row["id"], row["skill_id"], EvidenceType(row["type"]), EvidenceKind(row["kind"]), row["source"],
        reference if row["reference_ct"] is not None else "", row["issued_on"], row["valid_until"],
        Actor(row["added_by_subject"], row["added_by_organisation"] or "", row["added_by_role"] or "person"),
        row["added_at"], bool(row["derived"]), bool(row["confirmed"]), row["work_history_id"] or "",
        row["education_id"] or "", row["derived_from"] or "", row["note"] or "",
    )  # fmt: skip


def _same(view: PassportView) -> PassportView:
    return view


def _count_derived(skills: list[SkillRecord], work_history: list[WorkHistoryRecord]) -> None:
    counts: dict[str, set[str]] = {}
    for skill in skills:
        for piece in skill.evidence:
            if piece.work_history_id:
                counts.setdefault(piece.work_history_id, set()).add(skill.id)
    for entry in work_history:
        entry.derived_skill_count = len(counts.get(entry.id, ()))


def _encode_token(kind: str, value: str) -> str:
    import base64

    return base64.urlsafe_b64encode(f"{kind}:{value}".encode()).decode().rstrip("=")


def _decode_token(token: str, kind: str) -> str | None:
    import base64
    import binascii

    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput("is not a token this service issued", "page_token") from None
    prefix, sep, value = raw.partition(":")
    if prefix != kind or not sep or not value:
        raise InvalidInput("is not a token this service issued", "page_token")
    if kind == "a" and not value.isdigit():
        raise InvalidInput("is not a token this service issued", "page_token")
    return value


def _valid_contact(contact: Contact) -> Contact:
    return Contact(
        inputs.text(contact.name, "contact.name"),
        inputs.email(contact.email, "contact.email"),
        inputs.phone(contact.phone, "contact.phone"),
    )


def _encrypt_contact(key: DataKey, contact: Contact) -> bytes | None:
    if contact.is_empty():
        return None
    return key.encrypt("contact", json.dumps(contact.as_dict(), ensure_ascii=False).encode())


def _valid_wishes(wishes: Wishes) -> Wishes:
    def texts(values: Sequence[str], name: str) -> list[str]:
        if len(values) > inputs.MAX_LIST:
            raise InvalidInput(f"at most {inputs.MAX_LIST} entries", name)
        cleaned = [inputs.text(v, f"{name}[{i}]", required=True) for i, v in enumerate(values)]
        return list(dict.fromkeys(cleaned))

    low, high = wishes.min_hours_per_week, wishes.max_hours_per_week
    for value, name in ((low, "wishes.min_hours_per_week"), (high, "wishes.max_hours_per_week")):
        if not 0 <= value <= inputs.MAX_HOURS:
            raise InvalidInput(f"{value} is outside 0..{inputs.MAX_HOURS}", name)
    if low and high and high < low:
        raise InvalidInput(f"{high} is less than min_hours_per_week {low}", "wishes.max_hours_per_week")
    return Wishes(
        texts(wishes.desired_occupations, "wishes.desired_occupations"),
        texts(wishes.desired_fields, "wishes.desired_fields"),
        low,
        high,
        inputs.text(wishes.region, "wishes.region"),
    )


def _valid_languages(languages: Sequence[Language]) -> list[Language]:
    if len(languages) > inputs.MAX_LIST:
        raise InvalidInput(f"at most {inputs.MAX_LIST} languages", "languages")
    result: dict[str, Language] = {}
    for i, item in enumerate(languages):
        code = inputs.language_code(item.language, f"languages[{i}].language")
        if code in result:
            raise InvalidInput(f"{code!r} appears more than once", f"languages[{i}].language")
        result[code] = Language(code, inputs.cefr_level(item.level, f"languages[{i}].level"))
    return list(result.values())


def _valid_evidence(evidence: EvidenceInput, name: str, today: date) -> _ValidEvidence:
    if evidence.type is None:
        raise InvalidInput("unknown evidence type; types: " + ", ".join(t.value for t in EvidenceType), f"{name}.type")
    issued = inputs.past_date(evidence.issued_on, f"{name}.issued_on", today, default=today)
    until = inputs.optional_date(evidence.valid_until, f"{name}.valid_until", today)
    inputs.ordered(issued, until, "issued_on", f"{name}.valid_until")
    return _ValidEvidence(
        evidence.type,
        inputs.text(evidence.source, f"{name}.source"),
        inputs.text(evidence.reference, f"{name}.reference"),
        issued,
        until,
        inputs.text(evidence.note, f"{name}.note", limit=inputs.MAX_NOTE),
    )


def _skill_row(skill_id: str, pid: str, uri: str, label: str, now: datetime) -> dict[str, Any]:
    return {"id": skill_id, "passport_id": pid, "skill_uri": uri, "label": label[:300], "added_at": now}


def _evidence_row(
    pid: str, skill_id: str, evidence: _ValidEvidence, principal: Principal, now: datetime, key: DataKey | None
) -> dict[str, Any]:
    reference_ct = key.encrypt_text("evidence.reference", evidence.reference) if key and evidence.reference else None
    return {
        "id": str(uuid.uuid4()), "passport_id": pid, "skill_id": skill_id, "type": evidence.type.value,
        "kind": int(kind_of(evidence.type)), "source": evidence.source, "reference_ct": reference_ct,
        "issued_on": evidence.issued_on, "valid_until": evidence.valid_until, "added_by_subject": principal.subject,
        "added_by_organisation": principal.organisation or "", "added_by_role": principal.role, "added_at": now,
        "derived": False, "confirmed": False, "work_history_id": None, "education_id": None, "derived_from": "",
        "note": evidence.note,
    }  # fmt: skip


def _consent_details(consent: ConsentRecord) -> dict[str, Any]:
    return {
        "consent": consent.id,
        "grantee": consent.grantee,
        "purpose": consent.purpose.value,
        "parts": sorted(p.label for p in consent.parts),
        "valid_from": consent.valid_from.isoformat(),
        "valid_to": consent.valid_to.isoformat() if consent.valid_to else None,
    }


# --- JSON export ------------------------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def view_to_dict(view: PassportView) -> dict[str, Any]:
    p = view.passport
    return {
        "id": p.id,
        "owner_subject": p.owner_subject if view.owner else None,
        "version": p.version,
        "created_at": p.created_at.isoformat(),
        "updated_at": p.updated_at.isoformat(),
        "contact": p.contact.as_dict() if p.contact else None,
        "wishes": p.wishes.as_dict(),
        "languages": [{"language": x.language, "level": x.level} for x in p.languages],
        "self_profile": {
            "ratings": [
                {"element_id": k, "name": ONET_SKILLS[k], "level": v} for k, v in sorted(p.self_profile.ratings.items())
            ],
            "rated_at": p.self_profile.rated_at.isoformat() if p.self_profile.rated_at else None,
        },
        "skills": [
            {
                "skill_uri": s.uri,
                "label": s.label,
                "best_evidence_kind": s.best_kind.label if s.best_kind else None,
                "validation_level": ValidationPhase(s.validation_level).label if s.validation_level else None,
                "unconfirmed": s.unconfirmed,
                "evidence": [
                    {
                        "id": e.id,
                        "type": e.type.value,
                        "kind": e.kind.label,
                        "source": e.source,
                        "reference": e.reference or None,
                        "issued_on": _day(e.issued_on),
                        "valid_until": _day(e.valid_until),
                        "added_by": e.added_by.subject,
                        "added_by_organisation": e.added_by.organisation or None,
                        "added_at": e.added_at.isoformat(),
                        "derived": e.derived,
                        "confirmed": e.confirmed,
                        "work_history_id": e.work_history_id or None,
                        "education_id": e.education_id or None,
                        "derived_from": e.derived_from or None,
                        "note": e.note or None,
                    }  # fmt: skip
                    for e in s.evidence
                ],
                "validations": [
                    {
                        "id": v.id,
                        "phase": ValidationPhase(v.phase).label,
                        "actor": v.actor.subject,
                        "actor_organisation": v.actor.organisation or None,
                        "performed_on": v.performed_on.isoformat(),
                        "recorded_at": v.recorded_at.isoformat(),
                        "evidence_ids": v.evidence_ids,
                        "note": v.note or None,
                    }  # fmt: skip
                    for v in s.validations
                ],
            }
            for s in view.skills
        ],
        "work_history": [
            {
                "id": w.id,
                "occupation": w.occupation,
                "esco_occupation_uri": w.esco_occupation_uri,
                "occupation_label": w.occupation_label,
                "start_date": w.start_date.isoformat(),
                "end_date": _day(w.end_date),
                "employer": w.employer or None,
                "derived_skills": w.derived_skill_count,
            }  # fmt: skip
            for w in view.work_history
        ],
        "education": [
            {
                "id": d.id,
                "kind": d.kind,
                "title": d.title,
                "level": d.level or None,
                "institution": d.institution,
                "issued_on": _day(d.issued_on),
                "valid_until": _day(d.valid_until),
                "reference": d.reference or None,
                "skill_uris": d.skill_uris,
            }  # fmt: skip
            for d in view.education
        ],
    }


def consent_to_dict(consent: ConsentRecord, now: datetime) -> dict[str, Any]:
    return {
        "id": consent.id,
        "grantee": consent.grantee,
        "purpose": consent.purpose.value,
        "parts": sorted(p.label for p in consent.parts),
        "valid_from": consent.valid_from.isoformat(),
        "valid_to": consent.valid_to.isoformat() if consent.valid_to else None,
        "granted_at": consent.granted_at.isoformat(),
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "in_force": consent.in_force(now),
    }


def audit_to_dict(entry: AuditRecord) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": {
            "subject": entry.actor_subject,
            "organisation": entry.actor_organisation or None,
            "role": entry.actor_role,
        },
        "action": entry.action,
        "purpose": entry.purpose or None,
        "outcome": entry.outcome,
        "consent_id": entry.consent_id or None,
        "details": json.loads(entry.details_json),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


__all__ = ["ALL_PARTS", "EvidenceKind", "PassportService"]
