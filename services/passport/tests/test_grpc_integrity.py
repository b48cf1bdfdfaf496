"""Integrity over real gRPC, on SQLite and PostgreSQL: concurrent edits, the tamper-evident audit trail, export as
signed VC 2.0 / OB 3.0 credentials, and erasure that leaves no row behind."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from overstap.passport.v1 import passport_pb2 as pb
from overstap_passport.crypto.envelope import DataKeyMissing, DecryptionError
from overstap_passport.crypto.signing import verify_ed25519
from overstap_passport.domain.credentials import public_key_of_did, shape_errors, verify_proof
from overstap_passport.storage.models import Base, KeystoreBase
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from .conftest import Harness
from .helpers import evidence, fails, skill
from .synthetic_taxonomy import CARE, CASH, CASHIER, CUSTOMERS, HYGIENE, NUMBERED

Code = grpc.StatusCode
SKILLS, EVIDENCE, WISHES, CONTACT = (
    pb.CONSENT_PART_SKILLS,
    pb.CONSENT_PART_EVIDENCE,
    pb.CONSENT_PART_WISHES,
    pb.CONSENT_PART_CONTACT,
)


async def coached_passport(h: Harness, coaches: int = 2):  # noqa: ANN201
    owner, p = await h.new_passport(wishes=pb.Wishes(region="Den Haag"))
    await h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CASH)]), metadata=h.meta(owner))
    organisation = f"coaching-{uuid.uuid4().hex[:6]}"
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id, grantee=organisation, purpose="coaching", parts=[SKILLS, EVIDENCE, WISHES]
        ),
        metadata=h.meta(owner),
    )
    return owner, p, [h.party(organisation) for _ in range(coaches)]


async def test_two_coaches_editing_at_once_never_lose_an_update_silently(passport_service: Harness) -> None:
    h = passport_service
    owner, p, (anna, bram) = await coached_passport(h)
    read = pb.GetPassportRequest(passport_id=p.id, purpose="coaching")
    seen_a = (await h.stub.GetPassport(read, metadata=h.meta(anna))).passport
    seen_b = (await h.stub.GetPassport(read, metadata=h.meta(bram))).passport
    assert seen_a.version == seen_b.version

    def update(coach, region):  # noqa: ANN001, ANN202
        return h.stub.UpdatePassport(
            pb.UpdatePassportRequest(
                passport_id=p.id,
                expected_version=seen_a.version,
                wishes=pb.Wishes(region=region),
                update_mask=FieldMask(paths=["wishes"]),
            ),
            metadata=h.meta(coach),
        )

    results = await asyncio.gather(update(anna, "Rotterdam"), update(bram, "Leiden"), return_exceptions=True)
    ok = [r for r in results if isinstance(r, pb.UpdatePassportResponse)]
    lost = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(ok) == 1 and len(lost) == 1
    assert lost[0].code() == Code.ABORTED and "read it again and retry" in lost[0].details()
    final = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    assert final.wishes.region == ok[0].passport.wishes.region and final.version == seen_a.version + 1


async def test_concurrent_additions_and_reads_all_land_and_keep_the_chain(passport_service: Harness) -> None:
    h = passport_service
    owner, p, coaches = await coached_passport(h, coaches=4)
    start = await h.version(owner, p.id)
    n = 24

    async def add(i: int) -> None:
        who = coaches[i % len(coaches)] if i % 3 else owner
        await h.stub.AddEvidence(
            pb.AddEvidenceRequest(
                passport_id=p.id, skill_uri=CASH, evidence=evidence(pb.EVIDENCE_TYPE_TIMESHEET, source=f"week {i}")
            ),
            metadata=h.meta(who),
        )

    async def read(i: int) -> None:
        await h.stub.GetPassport(
            pb.GetPassportRequest(passport_id=p.id, purpose="coaching"), metadata=h.meta(coaches[i % len(coaches)])
        )

    await asyncio.gather(*(add(i) for i in range(n)), *(read(i) for i in range(8)))
    final = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    assert final.version == start + n
    assert sorted(e.source for e in final.skills[0].evidence if e.source) == sorted(f"week {i}" for i in range(n))
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid, verdict.reason

    # the same new skill added by two coaches at once: one wins, the other is told, never a duplicate
    def add_skill(coach):  # noqa: ANN001, ANN202
        return h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(HYGIENE)]), metadata=h.meta(coach))

    results = await asyncio.gather(add_skill(coaches[0]), add_skill(coaches[1]), return_exceptions=True)
    errors = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(errors) == 1 and errors[0].code() in (Code.ALREADY_EXISTS, Code.ABORTED)
    final = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    assert [s.skill_uri for s in final.skills].count(HYGIENE) == 1


@asynccontextmanager
async def audit_triggers_off(h: Harness) -> AsyncIterator[None]:
    """What someone with direct database access could do: switch the append-only triggers off."""
    engine = h.runtime.engine
    if h.backend == "postgresql":
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER audit_entries_append_only"))
        try:
            yield
        finally:
            async with engine.begin() as conn:
                await conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER audit_entries_append_only"))
    else:
        async with engine.begin() as conn:
            rows = (
                await conn.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'")
                )
            ).all()
            for name, _ in rows:
                await conn.execute(text(f"DROP TRIGGER {name}"))
        try:
            yield
        finally:
            async with engine.begin() as conn:
                for _, sql in rows:
                    await conn.execute(text(sql))


async def test_audit_trail_is_append_only_and_detects_a_changed_removed_or_reordered_row(
    passport_service: Harness,
) -> None:
    h = passport_service
    owner, p, (coach, _) = await coached_passport(h)
    await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id, purpose="coaching"), metadata=h.meta(coach))
    await fails(
        Code.PERMISSION_DENIED,
        h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id, purpose="matching"), metadata=h.meta(coach)),
    )

    async def verdict() -> pb.VerifyAuditTrailResponse:
        return await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))

    assert (await verdict()).valid and (await verdict()).entry_count == 5
    engine = h.runtime.engine
    params = {"p": p.id}
    for statement in (
        "UPDATE audit_entries SET actor_subject = 'nobody' WHERE passport_id = :p AND seq = 4",
        "DELETE FROM audit_entries WHERE passport_id = :p AND seq = 5",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as conn:
                await conn.execute(text(statement), params)
    assert (await verdict()).valid

    async with audit_triggers_off(h):
        # a changed row: the coach's read of someone else's data made to look like the owner's
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE audit_entries SET actor_subject = :o WHERE passport_id = :p AND seq = 4"),
                {**params, "o": owner.subject},
            )
        bad = await verdict()
        assert not bad.valid and bad.first_invalid_seq == 4 and "changed" in bad.reason
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE audit_entries SET actor_subject = :c WHERE passport_id = :p AND seq = 4"),
                {**params, "c": coach.subject},
            )
        assert (await verdict()).valid

        # a removed row (the denied attempt)
        async with engine.begin() as conn:
            row = (
                (await conn.execute(text("SELECT * FROM audit_entries WHERE passport_id = :p AND seq = 5"), params))
                .mappings()
                .one()
            )
            await conn.execute(text("DELETE FROM audit_entries WHERE passport_id = :p AND seq = 5"), params)
        bad = await verdict()
        assert not bad.valid and bad.first_invalid_seq == 5
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_entries WHERE passport_id = :p AND seq = 3"), params)
        assert not (await verdict()).valid
        # reordered rows
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE audit_entries SET seq = 99 WHERE passport_id = :p AND seq = 1"), params)
            await conn.execute(text("UPDATE audit_entries SET seq = 1 WHERE passport_id = :p AND seq = 2"), params)
            await conn.execute(text("UPDATE audit_entries SET seq = 2 WHERE passport_id = :p AND seq = 99"), params)
        bad = await verdict()
        assert not bad.valid and bad.first_invalid_seq == 1
    assert row["outcome"] == "denied"


async def test_export_as_json_and_signed_credentials(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport(contact=pb.Contact(name="Noor El Amrani"), wishes=pb.Wishes(region="Tilburg"))
    meta = h.meta(owner)
    await h.stub.AddSkills(
        pb.AddSkillsRequest(
            passport_id=p.id,
            skills=[skill(CARE, evidence(pb.EVIDENCE_TYPE_REGISTRATION, source="BIG-register", reference="BIG-42"))],
        ),
        metadata=meta,
    )
    await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(passport_id=p.id, occupation=CASHIER, start_date="2012-01-01", end_date="2014-01-01"),
        metadata=meta,
    )
    await h.stub.AddValidationStep(
        pb.AddValidationStepRequest(passport_id=p.id, skill_uri=CARE, phase=pb.VALIDATION_PHASE_IDENTIFICATION),
        metadata=meta,
    )
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(passport_id=p.id, grantee="uwv", purpose="matching", parts=[SKILLS]), metadata=meta
    )
    exported = await h.stub.ExportPassport(pb.ExportPassportRequest(passport_id=p.id), metadata=meta)

    document = json.loads(exported.passport_json)
    passport = document["passport"]
    assert passport["id"] == p.id and passport["contact"]["name"] == "Noor El Amrani"
    assert passport["wishes"]["region"] == "Tilburg" and len(passport["work_history"]) == 1
    skills = {s["skill_uri"]: s for s in passport["skills"]}
    assert set(skills) == {CARE, CASH, CUSTOMERS, "http://data.europa.eu/esco/skill/consumer-law"}
    assert skills[CARE]["evidence"][0]["reference"] == "BIG-42"
    assert skills[CARE]["validation_level"] == "identification"
    assert [c["purpose"] for c in document["consents"]] == ["matching"]
    assert document["audit_trail"]["verification"]["valid"]
    assert document["audit_trail"]["entries"][-1]["action"] == "passport.export"

    assert exported.issuer_did == h.runtime.service.signing_key.issuer.did
    assert public_key_of_did(exported.issuer_did) == h.runtime.service.signing_key.public_bytes
    credentials = [json.loads(c) for c in exported.credentials_json]
    assert len(credentials) == len(skills)
    for credential in credentials:
        assert shape_errors(credential) == []
        assert "OpenBadgeCredential" in credential["type"]
        assert credential["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] in skills
        assert verify_proof(credential, verify_ed25519, [exported.issuer_did])
    care = next(c for c in credentials if c["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] == CARE)
    assert {r["value"] for r in care["credentialSubject"]["result"]} == {"identification", "hard"}
    assert "BIG-42" not in json.dumps(care)  # registration numbers stay out of shareable credentials
    care["credentialSubject"]["result"][0]["value"] = "certification"
    assert not verify_proof(care, verify_ed25519, [exported.issuer_did])


async def _rows_of(h: Harness, passport_id: str, owner_subject: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    async with h.runtime.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            column = "id" if table.name == "passports" else "passport_id"
            counts[table.name] = (
                await conn.execute(text(f"SELECT count(*) FROM {table.name} WHERE {column} = :p"), {"p": passport_id})
            ).scalar()
        counts["audit_entries by the owner"] = (
            await conn.execute(
                text("SELECT count(*) FROM audit_entries WHERE actor_subject = :s"), {"s": owner_subject}
            )
        ).scalar()
        counts["passports of the owner"] = (
            await conn.execute(text("SELECT count(*) FROM passports WHERE owner_subject = :s"), {"s": owner_subject})
        ).scalar()
    async with h.runtime.keystore_engine.connect() as conn:
        for table in KeystoreBase.metadata.sorted_tables:
            counts[f"keystore {table.name}"] = (
                await conn.execute(
                    text(f"SELECT count(*) FROM {table.name} WHERE passport_id = :p"), {"p": passport_id}
                )
            ).scalar()
    return counts


async def test_erasure_leaves_no_row_behind_and_backups_unreadable(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport(
        contact=pb.Contact(name="Kees Visser", email="kees@example.nl"),
        languages=[pb.LanguageSkill(language="nl", level="native")],
    )
    meta = h.meta(owner)
    await h.stub.AddSkills(
        pb.AddSkillsRequest(
            passport_id=p.id,
            skills=[skill(CARE, evidence(pb.EVIDENCE_TYPE_REGISTRATION, reference="BIG-777")), skill(NUMBERED[5])],
        ),
        metadata=meta,
    )
    await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(passport_id=p.id, occupation=CASHIER, start_date="2001-01-01"), metadata=meta
    )
    await h.stub.AddEducation(
        pb.AddEducationRequest(
            passport_id=p.id, kind=pb.EDUCATION_KIND_DIPLOMA, title="MBO 4", reference="D-1", skill_uris=[HYGIENE]
        ),
        metadata=meta,
    )
    await h.stub.AddValidationStep(
        pb.AddValidationStepRequest(passport_id=p.id, skill_uri=CARE, phase=1), metadata=meta
    )
    await h.stub.SetSelfProfile(
        pb.SetSelfProfileRequest(passport_id=p.id, ratings=[pb.OnetSkillRating(element_id="2.A.1.a", level=4)]),
        metadata=meta,
    )
    board = f"jobboard-{uuid.uuid4().hex[:6]}"
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(passport_id=p.id, grantee=board, purpose="vacancy-candidates", parts=[SKILLS, CONTACT]),
        metadata=meta,
    )
    employer = h.party(board, role="organisation", scopes=("passport:read", "passport:candidates"))
    await h.stub.GetPassport(
        pb.GetPassportRequest(passport_id=p.id, purpose="vacancy-candidates"), metadata=h.meta(employer)
    )
    assert p.id in {
        s.passport_id
        async for b in h.stub.ListCandidateSkillSets(
            pb.ListCandidateSkillSetsRequest(page_size=500), metadata=h.meta(employer)
        )
        for s in b.skill_sets
    }
    before = await _rows_of(h, p.id, owner.subject)
    for table in (
        "passports",
        "skills",
        "evidence",
        "validation_steps",
        "work_history",
        "education",
        "consents",
        "audit_entries",
        "keystore data_keys",
    ):
        assert before[table] > 0, table

    # a backup of the passport database, taken before the erasure
    async with h.runtime.engine.connect() as conn:
        backup = {
            "contact": (
                await conn.execute(text("SELECT contact_ct FROM passports WHERE id = :p"), {"p": p.id})
            ).scalar(),
            "reference": (
                await conn.execute(
                    text("SELECT reference_ct FROM evidence WHERE passport_id = :p AND reference_ct IS NOT NULL"),
                    {"p": p.id},
                )
            ).scalar(),
        }
    key = await h.runtime.service.keystore.get(p.id)
    assert b"Kees" in key.decrypt("contact", backup["contact"])

    erased = await h.stub.ErasePassport(pb.ErasePassportRequest(passport_id=p.id), metadata=meta)
    assert (
        erased.deleted_rows
        == sum(v for k, v in before.items() if k in {t.name for t in Base.metadata.sorted_tables}) + 1
    )
    after = await _rows_of(h, p.id, owner.subject)
    assert after == dict.fromkeys(after, 0), after

    # the backup is unreadable: the person's data key is gone, and no other key opens it
    with pytest.raises(DataKeyMissing):
        await h.runtime.service.keystore.get(p.id)
    other_owner, other = await h.new_passport(contact=pb.Contact(name="Someone Else"))
    other_key = await h.runtime.service.keystore.get(other.id)
    for field, ciphertext in (("contact", backup["contact"]), ("evidence.reference", backup["reference"])):
        with pytest.raises(DecryptionError):
            other_key.decrypt(field, ciphertext)

    await fails(Code.NOT_FOUND, h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta))
    await fails(Code.NOT_FOUND, h.stub.GetPassport(pb.GetPassportRequest(), metadata=meta), "no passport")
    assert p.id not in {
        s.passport_id
        async for b in h.stub.ListCandidateSkillSets(
            pb.ListCandidateSkillSetsRequest(page_size=500), metadata=h.meta(employer)
        )
        for s in b.skill_sets
    }
    # the person may start again
    _, fresh = await h.new_passport(owner)
    assert fresh.id != p.id and fresh.version == 1
