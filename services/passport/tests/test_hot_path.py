"""The PostgreSQL hot paths (storage/pgfast.py) against the locked SQLAlchemy path they stand in for, the cache
of unwrapped data keys, and the server's runtime set-up."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import grpc
import pytest
from overstap.passport.v1 import passport_pb2 as pb
from overstap_common.runtime import run
from overstap_passport.api import convert
from overstap_passport.application import passports as app
from overstap_passport.application.passports import OPTIMISTIC_TRIES, _KeyCache
from overstap_passport.crypto.envelope import DataKey, DataKeyMissing

from .conftest import Harness
from .helpers import evidence, fails, skill
from .synthetic_taxonomy import CARE, CASH, CASHIER, HYGIENE, NUMBERED

Code = grpc.StatusCode
SKILLS, EVIDENCE, WISHES, CONTACT = (
    pb.CONSENT_PART_SKILLS,
    pb.CONSENT_PART_EVIDENCE,
    pb.CONSENT_PART_WISHES,
    pb.CONSENT_PART_CONTACT,
)


def postgres_only(h: Harness) -> None:
    if h.backend != "postgresql":
        pytest.skip("the hot paths are PostgreSQL's")
    assert h.runtime.fast is not None


# --- the data-key cache ----------------------------------------------------------------------------------------


def test_key_cache_expires_is_bounded_and_evicts(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(app.time, "monotonic", lambda: clock[0])
    cache = _KeyCache(ttl=60, size=2)
    a, b, c = (DataKey(str(uuid.uuid4()), bytes(32)) for _ in range(3))
    cache.put(a)
    cache.put(b)
    assert cache.get(a.passport_id) is a  # a is now the most recently used
    cache.put(c)
    assert len(cache) == 2 and b.passport_id not in cache and a.passport_id in cache and c.passport_id in cache
    cache.evict(a.passport_id)
    assert cache.get(a.passport_id) is None
    clock[0] += 61
    assert cache.get(c.passport_id) is None and len(cache) == 0
    off = _KeyCache(ttl=0)
    off.put(a)
    assert off.get(a.passport_id) is None


async def test_reads_use_the_cached_key_and_erasure_evicts_it(
    passport_service: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = passport_service
    service = h.runtime.service
    owner, p = await h.new_passport(contact=pb.Contact(name="Ria de Wit", email="ria@example.nl"))
    await h.stub.AddSkills(
        pb.AddSkillsRequest(
            passport_id=p.id, skills=[skill(CARE, evidence(pb.EVIDENCE_TYPE_REGISTRATION, reference="BIG-1"))]
        ),
        metadata=h.meta(owner),
    )
    fetched: list[str] = []
    real_get = service.keystore.get

    async def counting_get(passport_id: str) -> DataKey:
        fetched.append(passport_id)
        return await real_get(passport_id)

    monkeypatch.setattr(service.keystore, "get", counting_get)
    read = pb.GetPassportRequest(passport_id=p.id)
    for _ in range(3):
        got = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
        assert got.contact.name == "Ria de Wit" and got.skills[0].evidence[0].reference == "BIG-1"
    assert fetched == []  # the key made at creation is still cached
    service._keys.evict(p.id)
    service._views.evict(p.id)
    await h.stub.GetPassport(read, metadata=h.meta(owner))
    await h.stub.GetPassport(read, metadata=h.meta(owner))
    assert fetched == [p.id]  # asked once, then cached again

    await h.stub.ErasePassport(pb.ErasePassportRequest(passport_id=p.id), metadata=h.meta(owner))
    assert p.id not in service._keys
    with pytest.raises(DataKeyMissing):
        await real_get(p.id)
    await fails(Code.NOT_FOUND, h.stub.GetPassport(read, metadata=h.meta(owner)))


# --- hot paths against the locked path ------------------------------------------------------------------------


async def rich_passport(h: Harness) -> tuple[Any, pb.Passport, dict[str, Any]]:
    """A passport with every part filled in, and parties with consents for evidence, skills only, and wishes."""
    owner, p = await h.new_passport(
        contact=pb.Contact(name="Kees Visser", email="kees@example.nl", phone="+31 6 1234 5678"),
        wishes=pb.Wishes(desired_fields=["zorg"], region="Utrecht", min_hours_per_week=24, max_hours_per_week=32),
        languages=[pb.LanguageSkill(language="nl", level="native"), pb.LanguageSkill(language="en", level="B2")],
    )
    meta = h.meta(owner)
    await h.stub.AddSkills(
        pb.AddSkillsRequest(
            passport_id=p.id,
            skills=[
                skill(CARE, evidence(pb.EVIDENCE_TYPE_REGISTRATION, reference="BIG-777", source="BIG-register")),
                skill(CASH, evidence(), evidence(pb.EVIDENCE_TYPE_TIMESHEET, note="2 jaar", valid_until="2099-01-01")),
            ],
        ),
        metadata=meta,
    )
    await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(passport_id=p.id, occupation=CASHIER, start_date="2001-01-01", employer="Winkel"),
        metadata=meta,
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
    parties = {}
    for name, purpose, parts in (
        ("coach", "coaching", [EVIDENCE, WISHES, CONTACT]),
        ("matcher", "matching", [SKILLS]),
        ("wishes", "matching", [WISHES]),
    ):
        organisation = f"{name}-{uuid.uuid4().hex[:6]}"
        await h.stub.GrantConsent(
            pb.GrantConsentRequest(passport_id=p.id, grantee=organisation, purpose=purpose, parts=parts), metadata=meta
        )
        parties[name] = (h.party(organisation), purpose)
    return owner, p, parties


async def test_hot_reads_render_what_the_locked_path_renders(passport_service: Harness) -> None:
    h = passport_service
    postgres_only(h)
    service = h.runtime.service
    owner, p, parties = await rich_passport(h)

    def hot(view: Any) -> pb.Passport:
        return convert.passport_pb(view)

    def locked(view: Any) -> pb.Passport:  # another render function: its own view-cache entries
        return convert.passport_pb(view)

    for who, purpose in [(owner, ""), *parties.values()]:
        fast = await service.render_passport(who, p.id, purpose, hot)
        slow = await service._locked_render(who, p.id, purpose, locked)
        assert fast.SerializeToString(deterministic=True) == slow.SerializeToString(deterministic=True), who
        again = await service.render_passport(who, p.id, purpose, hot)  # from the view cache
        assert again.SerializeToString(deterministic=True) == slow.SerializeToString(deterministic=True)
    mine = await service.render_passport(owner, "", "", hot)  # the caller's own passport, found by owner
    assert mine.SerializeToString(deterministic=True) == (
        await service._locked_render(owner, "", "", locked)
    ).SerializeToString(deterministic=True)
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid, verdict.reason
    reads = [
        e for e in (await h.stub.ListAuditEntries(
            pb.ListAuditEntriesRequest(passport_id=p.id, page_size=500), metadata=h.meta(owner))).entries
        if e.action == "passport.read"
    ]  # fmt: skip
    assert len(reads) == 3 * len(parties)  # every non-owner read audited, cached or not, on either path


async def test_hot_writes_answer_like_the_locked_path(passport_service: Harness) -> None:
    h = passport_service
    postgres_only(h)
    owner, p, parties = await rich_passport(h)
    coach, _ = parties["coach"]
    added = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(
            passport_id=p.id, skill_uri=CARE, evidence=evidence(pb.EVIDENCE_TYPE_CERTIFICATE, reference="C-9")
        ),
        metadata=h.meta(coach),
    )
    read = pb.GetPassportRequest(passport_id=p.id)
    full = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert added.version == full.version
    assert [s for s in full.skills if s.skill_uri == CARE][0] == added.skill  # every reference decrypted
    assert added.evidence.reference == "C-9" and added.evidence.added_by.organisation == coach.organisation
    skills = await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, expected_version=full.version,
                            skills=[skill(NUMBERED[1], evidence(reference="R-1"), evidence(pb.EVIDENCE_TYPE_DIPLOMA)),
                                    skill(NUMBERED[2])]),
        metadata=h.meta(coach),
    )  # fmt: skip
    full = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert skills.version == full.version and [
        s for s in full.skills if s.skill_uri in (NUMBERED[1], NUMBERED[2])
    ] == list(skills.skills)
    await fails(
        Code.ABORTED,
        h.stub.AddEvidence(
            pb.AddEvidenceRequest(
                passport_id=p.id, skill_uri=CARE, evidence=evidence(), expected_version=full.version - 1
            ),
            metadata=h.meta(owner),
        ),
        "read it again and retry",
    )
    await fails(
        Code.ALREADY_EXISTS,
        h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CASH)]), metadata=h.meta(owner)),
    )
    matcher, _ = parties["matcher"]
    await fails(
        Code.PERMISSION_DENIED,
        h.stub.AddEvidence(
            pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CARE, evidence=evidence()), metadata=h.meta(matcher)
        ),
    )
    entries = (await h.stub.ListAuditEntries(
        pb.ListAuditEntriesRequest(passport_id=p.id, page_size=500), metadata=h.meta(owner))).entries  # fmt: skip
    assert entries[-1].action == "evidence.add" and entries[-1].outcome == pb.AUDIT_OUTCOME_DENIED
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid, verdict.reason


async def test_a_write_whose_snapshot_went_stale_is_retried_on_a_new_one(
    passport_service: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = passport_service
    postgres_only(h)
    owner, p, parties = await rich_passport(h)
    coach, purpose = parties["coach"]
    fast = h.runtime.fast
    assert fast is not None
    real_apply = fast.apply
    meddled: list[int] = []

    async def meddling_apply(change: Any) -> int | None:
        if not meddled:  # someone else reads (an audit entry) and writes between snapshot and apply
            meddled.append(1)
            monkeypatch.setattr(fast, "apply", real_apply)
            await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id, purpose=purpose), metadata=h.meta(coach))
            await h.stub.AddEvidence(
                pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(note="tussendoor")),
                metadata=h.meta(coach),
            )
            monkeypatch.setattr(fast, "apply", meddling_apply)
        return await real_apply(change)

    start = await h.version(owner, p.id)
    monkeypatch.setattr(fast, "apply", meddling_apply)
    added = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(note="de mijne")),
        metadata=h.meta(owner),
    )
    assert meddled and added.version == start + 2
    assert {e.note for e in added.skill.evidence} >= {"tussendoor", "de mijne"}
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid and verdict.entry_count > 0, verdict.reason


async def test_after_repeated_conflicts_the_locked_path_does_it(
    passport_service: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = passport_service
    postgres_only(h)
    owner, p, parties = await rich_passport(h)
    fast = h.runtime.fast
    assert fast is not None
    attempts: list[Any] = []

    async def always_stale(change: Any) -> None:
        attempts.append(change)
        return None

    monkeypatch.setattr(fast, "apply", always_stale)
    start = await h.version(owner, p.id)
    added = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(note="toch")), metadata=h.meta(owner)
    )
    assert len(attempts) == OPTIMISTIC_TRIES and added.version == start + 1
    attempts.clear()
    skills = await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, skills=[skill(NUMBERED[3])]), metadata=h.meta(owner)
    )
    assert len(attempts) == OPTIMISTIC_TRIES and skills.version == start + 2
    coach, purpose = parties["coach"]
    seen = (
        await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id, purpose=purpose), metadata=h.meta(coach))
    ).passport
    assert seen.version == start + 2 and seen.contact.name == "Kees Visser"
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid, verdict.reason


async def test_many_writers_on_one_passport_all_land_once(passport_service: Harness) -> None:
    h = passport_service
    owner, p, parties = await rich_passport(h)
    coach, _ = parties["coach"]
    start = await h.version(owner, p.id)
    n = 30

    async def add(i: int) -> int:
        reply = await h.stub.AddEvidence(
            pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(note=f"n{i}")),
            metadata=h.meta(coach if i % 2 else owner),
        )
        return reply.version

    versions = await asyncio.gather(*(add(i) for i in range(n)))
    assert sorted(versions) == list(range(start + 1, start + n + 1))
    final = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    cash = [s for s in final.skills if s.skill_uri == CASH][0]
    assert sorted(e.note for e in cash.evidence if e.note.startswith("n")) == sorted(f"n{i}" for i in range(n))
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid, verdict.reason


# --- runtime ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("loop", ["asyncio", "auto"])
def test_the_server_runs_on_either_event_loop(loop: str) -> None:
    seen: list[str] = []

    async def probe() -> None:
        seen.append(type(asyncio.get_running_loop()).__module__)

    run(probe(), loop)
    assert len(seen) == 1
    if loop == "asyncio":
        assert seen[0].startswith("asyncio")
