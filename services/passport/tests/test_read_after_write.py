"""Reads right after writes: the owner's cached view brought along by the hot-path writes (PostgreSQL), responses
rendered straight from the rows, and that a cached view is never served stale, nor past a consent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from overstap.passport.v1 import passport_pb2 as pb
from overstap_common.principal import Principal
from overstap_passport.api import convert
from overstap_passport.application.passports import EvidenceInput, PassportService, _ViewCache
from overstap_passport.domain.evidence import EvidenceType

from .conftest import Harness
from .helpers import evidence, fails, skill
from .synthetic_taxonomy import CARE, CASH, CASHIER, NUMBERED
from .test_hot_path import postgres_only, rich_passport

Code = grpc.StatusCode


def wire(message: Any) -> bytes:
    return message.SerializeToString(deterministic=True)


async def rendered_anew(h: Harness, who: Principal, pid: str, purpose: str = "") -> pb.GetPassportResponse:
    """What a read returns with nothing cached: the locked path, from the database, with a render of its own (a
    new function each time, so no cached entry can answer it)."""
    return await h.runtime.service._locked_render(who, pid, purpose, lambda view: convert.get_passport_response(view))


def count_row_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every full rendering of a gRPC read from the database's rows, counted."""
    calls: list[int] = []
    render = convert.get_passport_response
    real = render.from_rows

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(render, "from_rows", counting, raising=False)
    return calls


async def test_responses_from_rows_equal_responses_from_views(
    passport_service: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = passport_service
    postgres_only(h)
    service = h.runtime.service
    owner, p, parties = await rich_passport(h)
    read = pb.GetPassportRequest(passport_id=p.id)
    full = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    derived = [e.id for s in full.skills for e in s.evidence if e.derived]
    assert derived and full.work_history[0].derived_skill_count > 0
    await h.stub.ConfirmDerivedEvidence(
        pb.ConfirmDerivedEvidenceRequest(passport_id=p.id, evidence_ids=derived[:1]), metadata=h.meta(owner)
    )  # one confirmed derived piece, the others not
    row_renders = count_row_renders(monkeypatch)
    for who, purpose in [(owner, ""), *parties.values()]:
        service._views.evict(p.id)
        fast = await service.render_passport(who, p.id, purpose, convert.get_passport_response)
        assert wire(fast) == wire(await rendered_anew(h, who, p.id, purpose)), who
    assert len(row_renders) == 1 + len(parties)  # each of them from the rows
    owner_view = await service.render_passport(owner, p.id, "", convert.get_passport_response)
    assert {e.reference for s in owner_view.passport.skills for e in s.evidence} >= {"BIG-777"}
    assert owner_view.passport.contact.name == "Kees Visser" and owner_view.passport.education[0].reference == "D-1"


async def test_a_read_right_after_each_hot_write_is_current_and_served_from_the_cache(
    passport_service: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = passport_service
    postgres_only(h)
    service = h.runtime.service
    owner, p, parties = await rich_passport(h)
    coach, _ = parties["coach"]
    read = pb.GetPassportRequest(passport_id=p.id)
    version = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport.version  # the owner's view cached
    row_renders = count_row_renders(monkeypatch)

    def update(version: int, paths: list[str], **fields: Any) -> pb.UpdatePassportRequest:
        return pb.UpdatePassportRequest(
            passport_id=p.id, expected_version=version, update_mask=FieldMask(paths=paths), **fields
        )

    writes: list[tuple[str, Principal, Callable[[int], Awaitable[Any]]]] = [
        ("evidence on a skill with derived evidence", owner, lambda v: h.stub.AddEvidence(
            pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(pb.EVIDENCE_TYPE_TIMESHEET,
                                  note="3 jaar", issued_on="2020-02-02")), metadata=h.meta(owner))),
        ("evidence with a reference, by a coach", coach, lambda v: h.stub.AddEvidence(
            pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CARE, expected_version=v,
                                  evidence=evidence(pb.EVIDENCE_TYPE_CERTIFICATE, reference="C-9", source="NVZ")),
            metadata=h.meta(coach))),
        ("two new skills", owner, lambda v: h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[
            skill(NUMBERED[20], evidence(reference="R-1"), evidence(pb.EVIDENCE_TYPE_DIPLOMA)),
            skill(NUMBERED[21])]), metadata=h.meta(owner))),
        ("a new skill, by a coach", coach, lambda v: h.stub.AddSkills(
            pb.AddSkillsRequest(passport_id=p.id, skills=[skill(NUMBERED[22], evidence(pb.EVIDENCE_TYPE_DIPLOMA))]),
            metadata=h.meta(coach))),
        ("wishes and languages", owner, lambda v: h.stub.UpdatePassport(update(
            v, ["wishes", "languages"], wishes=pb.Wishes(region="Zwolle", desired_fields=["zorg", "retail"]),
            languages=[pb.LanguageSkill(language="de", level="A2")]), metadata=h.meta(owner))),
        ("contact", owner, lambda v: h.stub.UpdatePassport(
            update(v, ["contact"], contact=pb.Contact(name="Kees de Vries", email="kees@example.org")),
            metadata=h.meta(owner))),
        ("contact, by a coach", coach, lambda v: h.stub.UpdatePassport(
            update(v, ["contact"], contact=pb.Contact(phone="+31 6 8765 4321")), metadata=h.meta(coach))),
        ("contact cleared", owner, lambda v: h.stub.UpdatePassport(update(v, ["contact"], contact=pb.Contact()),
                                                                     metadata=h.meta(owner))),
    ]  # fmt: skip
    for what, _who, write in writes:
        reply = await write(version)
        version = reply.passport.version if isinstance(reply, pb.UpdatePassportResponse) else reply.version
        assert service._views.version(p.id) == version, what  # brought along by the write itself
        before = len(row_renders)
        served = await h.stub.GetPassport(read, metadata=h.meta(owner))
        assert len(row_renders) == before, what  # from the cache: no rows read and rendered
        assert served.passport.version == version
        assert wire(served) == wire(await rendered_anew(h, owner, p.id)), what
    final = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert not final.HasField("contact") and final.wishes.region == "Zwolle"
    uris = [s.skill_uri for s in final.skills]
    assert set(uris[-3:-1]) == {NUMBERED[20], NUMBERED[21]} and uris[-1] == NUMBERED[22]  # the pair: by skill id
    care = next(s for s in final.skills if s.skill_uri == CARE)
    assert {e.reference for e in care.evidence} == {"BIG-777", "C-9"}
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid, verdict.reason


async def test_a_read_after_any_write_returns_the_new_state(passport_service: Harness) -> None:
    """Every kind of write, on either backend and path, then the owner's read (its view was cached before each)."""
    h = passport_service
    owner, p, parties = await rich_passport(h)
    meta = h.meta(owner)
    read = pb.GetPassportRequest(passport_id=p.id)

    async def current() -> pb.Passport:
        served = await h.stub.GetPassport(read, metadata=meta)
        assert wire(served) == wire(await rendered_anew(h, owner, p.id))
        return served.passport

    full = await current()
    cash = next(s for s in full.skills if s.skill_uri == CASH)
    derived = next(e.id for e in cash.evidence if e.derived)
    own = next(e.id for e in cash.evidence if not e.derived)
    care = next(s for s in full.skills if s.skill_uri == CARE)
    writes: list[Callable[[int], Awaitable[Any]]] = [
        lambda v: h.stub.AddEvidence(pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CARE, evidence=evidence(),
                                                           expected_version=v), metadata=meta),
        lambda v: h.stub.ConfirmDerivedEvidence(pb.ConfirmDerivedEvidenceRequest(
            passport_id=p.id, evidence_ids=[derived], expected_version=v), metadata=meta),
        lambda v: h.stub.RemoveEvidence(pb.RemoveEvidenceRequest(passport_id=p.id, evidence_id=own,
                                                                 expected_version=v), metadata=meta),
        lambda v: h.stub.AddValidationStep(pb.AddValidationStepRequest(
            passport_id=p.id, skill_uri=CARE, phase=2, evidence_ids=[care.evidence[0].id], expected_version=v),
            metadata=meta),
        lambda v: h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(NUMBERED[30])],
                                                       expected_version=v), metadata=meta),
        lambda v: h.stub.RemoveSkill(pb.RemoveSkillRequest(passport_id=p.id, skill_uri=NUMBERED[30],
                                                           expected_version=v), metadata=meta),
        lambda v: h.stub.RemoveWorkHistory(pb.RemoveWorkHistoryRequest(
            passport_id=p.id, entry_id=full.work_history[0].id, expected_version=v), metadata=meta),
        lambda v: h.stub.AddWorkHistory(pb.AddWorkHistoryRequest(
            passport_id=p.id, occupation=CASHIER, start_date="2010-05-01", expected_version=v), metadata=meta),
        lambda v: h.stub.RemoveEducation(pb.RemoveEducationRequest(
            passport_id=p.id, education_id=full.education[0].id, expected_version=v), metadata=meta),
        lambda v: h.stub.SetSelfProfile(pb.SetSelfProfileRequest(
            passport_id=p.id, ratings=[pb.OnetSkillRating(element_id="2.A.1.b", level=5)], expected_version=v),
            metadata=meta),
        lambda v: h.stub.UpdatePassport(pb.UpdatePassportRequest(
            passport_id=p.id, expected_version=v, wishes=pb.Wishes(region="Assen"),
            update_mask=FieldMask(paths=["wishes"])), metadata=meta),
    ]  # fmt: skip
    for i, write in enumerate(writes):
        await write(full.version)
        now = await current()
        assert now.version == full.version + 1, i
        full = now
    assert full.wishes.region == "Assen" and full.self_profile.ratings[0].element_id == "2.A.1.b"
    assert not full.education and full.work_history[0].start_date == "2010-05-01"
    assert all(s.skill_uri != NUMBERED[30] for s in full.skills)


async def test_a_change_the_cache_did_not_see_is_never_served_stale(passport_service: Harness) -> None:
    """Another replica (a second service on the same database) changes the passport: this one's cached view is at
    the old version, and stays unread; a later hot write here finds it behind and leaves it alone."""
    h = passport_service
    service = h.runtime.service
    owner, p, _ = await rich_passport(h)
    read = pb.GetPassportRequest(passport_id=p.id)
    before = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    other = PassportService(
        service._uow, service.keystore, service.taxonomy, service.signing_key, h.clock, fast=h.runtime.fast
    )
    _, _, version = await other.add_evidence(
        owner, p.id, CASH, EvidenceInput(EvidenceType.TIMESHEET, "", "", "", "", "elders"), 0
    )
    assert version == before.version + 1
    after = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert after.version == version and "elders" in {e.note for s in after.skills for e in s.evidence}
    assert wire(after) == wire((await rendered_anew(h, owner, p.id)).passport)

    await other.add_evidence(owner, p.id, CASH, EvidenceInput(EvidenceType.TIMESHEET, "", "", "", "", "daar"), 0)
    added = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CARE, evidence=evidence(note="hier")), metadata=h.meta(owner)
    )  # this service's cached view is two versions behind the write's snapshot: not brought along
    assert added.version == version + 2 and service._views.version(p.id) in (None, version)
    latest = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert latest.version == added.version and {"daar", "hier"} <= {e.note for s in latest.skills for e in s.evidence}
    assert wire(latest) == wire((await rendered_anew(h, owner, p.id)).passport)


async def test_consent_withdrawal_takes_effect_at_once(passport_service: Harness) -> None:
    h = passport_service
    owner, p, parties = await rich_passport(h)
    coach, purpose = parties["coach"]
    as_coach = pb.GetPassportRequest(passport_id=p.id, purpose=purpose)
    seen = (await h.stub.GetPassport(as_coach, metadata=h.meta(coach))).passport  # the coach's view cached
    await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))
    added = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(note="nieuw")), metadata=h.meta(owner)
    )
    again = (await h.stub.GetPassport(as_coach, metadata=h.meta(coach))).passport
    assert again.version == added.version == seen.version + 1 and "nieuw" in {
        e.note for s in again.skills for e in s.evidence
    }
    assert wire(again) == wire((await rendered_anew(h, coach, p.id, purpose)).passport)
    consents = (await h.stub.ListConsents(pb.ListConsentsRequest(passport_id=p.id), metadata=h.meta(owner))).consents
    consent = next(c for c in consents if c.grantee == coach.organisation)
    await h.stub.WithdrawConsent(
        pb.WithdrawConsentRequest(passport_id=p.id, consent_id=consent.id), metadata=h.meta(owner)
    )
    await fails(Code.PERMISSION_DENIED, h.stub.GetPassport(as_coach, metadata=h.meta(coach)))
    await fails(
        Code.PERMISSION_DENIED,
        h.stub.AddEvidence(
            pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence()), metadata=h.meta(coach)
        ),
    )
    entries = (await h.stub.ListAuditEntries(
        pb.ListAuditEntriesRequest(passport_id=p.id, page_size=500), metadata=h.meta(owner))).entries  # fmt: skip
    assert [e.action for e in entries[-2:]] == ["passport.read", "evidence.add"]
    assert all(e.outcome == pb.AUDIT_OUTCOME_DENIED for e in entries[-2:])
    mine = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    assert mine.version >= added.version and mine.contact.name == "Kees Visser"


async def test_a_new_skill_that_does_not_sort_last_drops_the_cached_view(passport_service: Harness) -> None:
    """The response has no skill ids, so a skill added at an instant not later than every other skill (a clock
    behind another replica's) cannot be placed in it: the view is read and rendered anew instead."""
    h = passport_service
    postgres_only(h)
    service = h.runtime.service
    owner, p, _ = await rich_passport(h)
    read = pb.GetPassportRequest(passport_id=p.id)
    await h.stub.GetPassport(read, metadata=h.meta(owner))
    h.clock.advance(timedelta(days=-1))
    added = await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, skills=[skill(NUMBERED[40])]), metadata=h.meta(owner)
    )
    assert service._views.version(p.id) is None
    served = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert served.version == added.version and served.skills[0].skill_uri == NUMBERED[40]
    assert wire(served) == wire((await rendered_anew(h, owner, p.id)).passport)


async def test_a_failure_to_bring_the_view_along_never_fails_the_write(
    passport_service: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = passport_service
    postgres_only(h)
    service = h.runtime.service
    owner, p, _ = await rich_passport(h)
    read = pb.GetPassportRequest(passport_id=p.id)
    await h.stub.GetPassport(read, metadata=h.meta(owner))

    def broken(*args: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(convert.get_passport_response, "patched", broken, raising=False)
    added = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence(note="toch")), metadata=h.meta(owner)
    )
    assert service._views.version(p.id) is None
    served = (await h.stub.GetPassport(read, metadata=h.meta(owner))).passport
    assert served.version == added.version and wire(served) == wire((await rendered_anew(h, owner, p.id)).passport)


async def test_erasure_leaves_nothing_to_bring_along(passport_service: Harness) -> None:
    h = passport_service
    service = h.runtime.service
    owner, p, _ = await rich_passport(h)
    await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))
    assert service._views.version(p.id) is not None
    await h.stub.ErasePassport(pb.ErasePassportRequest(passport_id=p.id), metadata=h.meta(owner))
    assert service._views.version(p.id) is None
    await fails(Code.NOT_FOUND, h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner)))
    await fails(
        Code.NOT_FOUND,
        h.stub.AddEvidence(
            pb.AddEvidenceRequest(passport_id=p.id, skill_uri=CASH, evidence=evidence()), metadata=h.meta(owner)
        ),
    )
    assert service._views.version(p.id) is None


def test_view_cache_advances_only_from_the_version_written_over() -> None:
    cache = _ViewCache(size=4)
    cache.put("p", (3, "all", True, "render"), "owner@3")
    cache.put("p", (3, "skills", False, "render"), "party@3")
    cache.advance("p", 2, 4, lambda key, value: value + "+")  # the write rested on version 2: not this cache's
    assert cache.version("p") == 3 and cache.get("p", (3, "all", True, "render")) == "owner@3"
    cache.advance("p", 3, 4, lambda key, value: value.replace("@3", "@4") if key[2] else None)
    assert cache.version("p") == 4 and cache.get("p", (4, "all", True, "render")) == "owner@4"
    assert cache.get("p", (4, "skills", False, "render")) is None and cache.get("p", (3, "all", True, "render")) is None
    cache.put("p", (3, "skills", False, "render"), "late@3")  # rendered by a read that began before the write
    assert cache.version("p") == 4 and cache.get("p", (3, "skills", False, "render")) is None
    cache.advance("p", 4, 5, lambda key, value: None)
    assert cache.version("p") is None and cache.version_of("p", ("all", True, "render")) is None
    cache.advance("absent", 1, 2, lambda key, value: value)
    assert cache.version("absent") is None
    off = _ViewCache(size=0)
    off.put("p", (1, "all", True, "render"), "x")
    off.advance("p", 1, 2, lambda key, value: value)
    assert off.version("p") is None
