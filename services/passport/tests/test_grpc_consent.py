"""Consent over real gRPC, on SQLite and PostgreSQL: for each party and purpose, nothing without a consent in force
(and the attempt is audited), the granted parts with one, nothing again once it expires or is withdrawn; candidate
search and skill sets for the matcher."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp
from overstap.passport.v1 import passport_pb2 as pb
from overstap_common.principal import Principal

from .conftest import Harness
from .helpers import evidence, fails, skill
from .synthetic_taxonomy import CARE, CASH, CUSTOMERS

Code = grpc.StatusCode
SKILLS, EVIDENCE, WISHES, CONTACT = (
    pb.CONSENT_PART_SKILLS,
    pb.CONSENT_PART_EVIDENCE,
    pb.CONSENT_PART_WISHES,
    pb.CONSENT_PART_CONTACT,
)


def stamp(moment: datetime) -> Timestamp:
    result = Timestamp()
    result.FromDatetime(moment)
    return result


async def full_passport(h: Harness) -> tuple[Principal, pb.Passport]:
    owner, p = await h.new_passport(
        contact=pb.Contact(name="Sanne Bakker", email="sanne@example.nl"),
        wishes=pb.Wishes(desired_fields=["zorg"], region="Zwolle"),
        languages=[pb.LanguageSkill(language="nl", level="native")],
    )
    await h.stub.AddSkills(
        pb.AddSkillsRequest(
            passport_id=p.id,
            skills=[
                skill(CARE, evidence(pb.EVIDENCE_TYPE_REGISTRATION, source="BIG-register", reference="BIG-123")),
                skill(CUSTOMERS),
            ],
        ),
        metadata=h.meta(owner),
    )
    return owner, p


async def audit(h: Harness, owner: Principal, passport_id: str) -> list[pb.AuditEntry]:
    reply = await h.stub.ListAuditEntries(
        pb.ListAuditEntriesRequest(passport_id=passport_id, page_size=500), metadata=h.meta(owner)
    )
    return list(reply.entries)


# (organisation, role, purpose, parts granted) — the parties of the issue: coach, UWV, municipality, employer,
# the matcher acting for a job board, an assessor.
PARTIES = [
    ("reintegratie-coach", "coach", "coaching", [SKILLS, EVIDENCE, WISHES]),
    ("uwv", "organisation", "matching", [SKILLS]),
    ("gemeente-zwolle", "organisation", "coaching", [WISHES, CONTACT]),
    ("werkgever-zorggroep", "organisation", "vacancy-candidates", [SKILLS, CONTACT]),
    ("jobboard-werkzoeken", "service", "vacancy-candidates", [SKILLS]),
    ("evc-centrum", "assessor", "validation", [EVIDENCE]),
]


@pytest.mark.parametrize(("organisation", "role", "purpose", "parts"), PARTIES, ids=[p[0] for p in PARTIES])
async def test_consent_granted_expired_withdrawn(
    passport_service: Harness, organisation: str, role: str, purpose: str, parts: list[int]
) -> None:
    h = passport_service
    owner, p = await full_passport(h)
    party = h.party(f"{organisation}-{uuid.uuid4().hex[:6]}", role=role)
    read = pb.GetPassportRequest(passport_id=p.id, purpose=purpose)

    # 1. no consent: nothing, and the attempt is in the owner's audit trail
    await fails(Code.PERMISSION_DENIED, h.stub.GetPassport(read, metadata=h.meta(party)), "no consent in force")
    denied = (await audit(h, owner, p.id))[-1]
    assert (denied.action, denied.outcome, denied.actor.organisation) == (
        "passport.read",
        pb.AUDIT_OUTCOME_DENIED,
        party.organisation,
    )
    assert denied.purpose == purpose

    # 2. granted, valid for a day: exactly the granted parts
    now = h.clock()
    granted = await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id,
            grantee=party.organisation,
            purpose=purpose,
            parts=parts,
            valid_to=stamp(now + timedelta(days=1)),
        ),
        metadata=h.meta(owner),
    )
    assert granted.consent.in_force and granted.consent.purpose == purpose
    seen = (await h.stub.GetPassport(read, metadata=h.meta(party))).passport
    expanded = set(parts) | ({SKILLS} if EVIDENCE in parts else set())
    assert set(seen.parts) == expanded
    assert seen.owner_subject == ""  # never shown to others
    assert bool(seen.skills) == (SKILLS in expanded)
    assert bool(seen.skills and seen.skills[0].evidence) == (EVIDENCE in expanded)
    assert (seen.wishes.region == "Zwolle") == (WISHES in expanded)
    assert bool(seen.languages) == (WISHES in expanded)
    assert (seen.contact.email == "sanne@example.nl") == (CONTACT in expanded)
    if SKILLS in expanded:
        assert {s.best_evidence_kind for s in seen.skills} == {pb.EVIDENCE_KIND_HARD, pb.EVIDENCE_KIND_SOFT}
    allowed = (await audit(h, owner, p.id))[-1]
    assert (allowed.action, allowed.outcome, allowed.consent_id) == (
        "passport.read",
        pb.AUDIT_OUTCOME_ALLOWED,
        granted.consent.id,
    )
    # the consent is for this purpose only
    other = next(x for x in ("matching", "coaching", "validation") if x != purpose)
    await fails(
        Code.PERMISSION_DENIED,
        h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id, purpose=other), metadata=h.meta(party)),
    )

    # 3. expired: nothing
    h.clock.advance(timedelta(days=1, seconds=1))
    await fails(Code.PERMISSION_DENIED, h.stub.GetPassport(read, metadata=h.meta(party)))
    h.clock.offset = timedelta(0)
    assert (await h.stub.GetPassport(read, metadata=h.meta(party))).passport.id == p.id

    # 4. withdrawn: nothing, at once
    withdrawn = await h.stub.WithdrawConsent(
        pb.WithdrawConsentRequest(passport_id=p.id, consent_id=granted.consent.id), metadata=h.meta(owner)
    )
    assert not withdrawn.consent.in_force and withdrawn.consent.withdrawn_at.seconds > 0
    await fails(Code.PERMISSION_DENIED, h.stub.GetPassport(read, metadata=h.meta(party)))
    trail = await audit(h, owner, p.id)
    assert [e.action for e in trail].count("consent.grant") == 1
    assert [e.action for e in trail].count("consent.withdraw") == 1
    grant = next(e for e in trail if e.action == "consent.grant")
    assert json.loads(grant.details_json)["grantee"] == party.organisation
    assert sum(1 for e in trail if e.outcome == pb.AUDIT_OUTCOME_DENIED) == 4
    verdict = await h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(owner))
    assert verdict.valid and verdict.entry_count == len(trail)


async def test_consent_that_is_not_yet_in_force(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await full_passport(h)
    uwv = h.party(f"uwv-{uuid.uuid4().hex[:6]}")
    start = h.clock() + timedelta(days=7)
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id, grantee=uwv.organisation, purpose="matching", parts=[SKILLS], valid_from=stamp(start)
        ),
        metadata=h.meta(owner),
    )
    read = pb.GetPassportRequest(passport_id=p.id, purpose="matching")
    await fails(Code.PERMISSION_DENIED, h.stub.GetPassport(read, metadata=h.meta(uwv)))
    h.clock.advance(timedelta(days=7))
    assert (await h.stub.GetPassport(read, metadata=h.meta(uwv))).passport.skills


async def test_only_the_owner_manages_consents_and_reads_the_audit(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await full_passport(h)
    coach = h.party(f"coach-{uuid.uuid4().hex[:6]}")
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id, grantee=coach.organisation, purpose="coaching", parts=[SKILLS, EVIDENCE, WISHES, CONTACT]
        ),
        metadata=h.meta(owner),
    )
    for call in (
        h.stub.GrantConsent(
            pb.GrantConsentRequest(passport_id=p.id, grantee="x", purpose="matching", parts=[SKILLS]),
            metadata=h.meta(coach),
        ),
        h.stub.ListConsents(pb.ListConsentsRequest(passport_id=p.id), metadata=h.meta(coach)),
        h.stub.ListAuditEntries(pb.ListAuditEntriesRequest(passport_id=p.id), metadata=h.meta(coach)),
        h.stub.VerifyAuditTrail(pb.VerifyAuditTrailRequest(passport_id=p.id), metadata=h.meta(coach)),
        h.stub.ExportPassport(pb.ExportPassportRequest(passport_id=p.id), metadata=h.meta(coach)),
        h.stub.ErasePassport(pb.ErasePassportRequest(passport_id=p.id), metadata=h.meta(coach)),
    ):
        await fails(Code.PERMISSION_DENIED, call, "only the passport's owner")
    # a person with the same subject but another role is not the owner
    impostor = Principal(owner.subject, "uwv", "coach", owner.scopes)
    await fails(
        Code.PERMISSION_DENIED, h.stub.ListConsents(pb.ListConsentsRequest(passport_id=p.id), metadata=h.meta(impostor))
    )
    # scopes bound what anyone may attempt, the owner too
    read_only = Principal(owner.subject, None, "person", ("passport:read",))
    await fails(
        Code.PERMISSION_DENIED,
        h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CASH)]), metadata=h.meta(read_only)),
        "missing scope passport:write",
    )
    listed = await h.stub.ListConsents(pb.ListConsentsRequest(passport_id=p.id), metadata=h.meta(owner))
    assert len(listed.consents) == 1 and listed.consents[0].in_force
    page = await h.stub.ListAuditEntries(
        pb.ListAuditEntriesRequest(passport_id=p.id, page_size=2), metadata=h.meta(owner)
    )
    assert [e.seq for e in page.entries] == [1, 2] and page.next_page_token
    rest = await h.stub.ListAuditEntries(
        pb.ListAuditEntriesRequest(passport_id=p.id, page_size=500, page_token=page.next_page_token),
        metadata=h.meta(owner),
    )
    assert rest.entries[0].seq == 3 and not rest.next_page_token
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.ListAuditEntries(
            pb.ListAuditEntriesRequest(passport_id=p.id, page_token="bogus"), metadata=h.meta(owner)
        ),
        "page_token",
    )


async def test_bad_consents_are_refused(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await full_passport(h)
    now = h.clock()

    def grant(**fields: object):  # noqa: ANN202
        request = {"passport_id": p.id, "grantee": "uwv", "purpose": "matching", "parts": [SKILLS], **fields}
        return h.stub.GrantConsent(pb.GrantConsentRequest(**request), metadata=h.meta(owner))

    await fails(Code.INVALID_ARGUMENT, grant(purpose="marketing"), "purpose: unknown purpose 'marketing'")
    await fails(Code.INVALID_ARGUMENT, grant(parts=[]), "parts: a consent must cover at least one part")
    await fails(Code.INVALID_ARGUMENT, grant(parts=[42]), "unknown part 42")
    await fails(
        Code.INVALID_ARGUMENT,
        grant(valid_from=stamp(now + timedelta(days=2)), valid_to=stamp(now + timedelta(days=1))),
        "valid_to",
    )
    await fails(Code.INVALID_ARGUMENT, grant(valid_to=stamp(now - timedelta(days=1))), "in the past")
    await fails(Code.INVALID_ARGUMENT, grant(grantee="*"), "only possible for purpose vacancy-candidates")
    await fails(
        Code.INVALID_ARGUMENT,
        grant(grantee="*", purpose="vacancy-candidates", parts=[SKILLS, CONTACT]),
        "contact details cannot be shared with any party",
    )
    await fails(Code.INVALID_ARGUMENT, grant(grantee=""), "grantee")
    await fails(
        Code.NOT_FOUND,
        h.stub.WithdrawConsent(
            pb.WithdrawConsentRequest(passport_id=p.id, consent_id=str(uuid.uuid4())), metadata=h.meta(owner)
        ),
    )
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(h.party("uwv"))),
        "purpose: is required",
    )
    listed = await h.stub.ListConsents(pb.ListConsentsRequest(passport_id=p.id), metadata=h.meta(owner))
    assert not listed.consents


async def test_coach_edits_within_the_consent(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await full_passport(h)
    coach = h.party(f"coach-{uuid.uuid4().hex[:6]}")
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(passport_id=p.id, grantee=coach.organisation, purpose="coaching", parts=[WISHES]),
        metadata=h.meta(owner),
    )
    add = pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CASH, evidence(pb.EVIDENCE_TYPE_TIMESHEET))])
    await fails(Code.PERMISSION_DENIED, h.stub.AddSkills(add, metadata=h.meta(coach)), "does not cover: evidence")
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(passport_id=p.id, grantee=coach.organisation, purpose="coaching", parts=[EVIDENCE]),
        metadata=h.meta(owner),
    )
    added = await h.stub.AddSkills(add, metadata=h.meta(coach))
    assert added.skills[0].evidence[0].added_by.organisation == coach.organisation
    trail = await audit(h, owner, p.id)
    assert (trail[-1].action, trail[-1].actor.subject, trail[-1].purpose) == ("skill.add", coach.subject, "coaching")


async def test_skill_set_for_matching(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await full_passport(h)
    mine = await h.stub.GetSkillSet(pb.GetSkillSetRequest(), metadata=h.meta(owner))
    entries = {e.skill_uri: e for e in mine.skill_set.skills}
    assert entries[CARE].best_evidence_kind == pb.EVIDENCE_KIND_HARD
    assert entries[CUSTOMERS].best_evidence_kind == pb.EVIDENCE_KIND_SOFT
    assert mine.skill_set.passport_id == p.id and mine.skill_set.version == 2
    uwv = h.party(f"uwv-{uuid.uuid4().hex[:6]}")
    request = pb.GetSkillSetRequest(passport_id=p.id)
    await fails(Code.PERMISSION_DENIED, h.stub.GetSkillSet(request, metadata=h.meta(uwv)))
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id, grantee=uwv.organisation, purpose="vacancy-candidates", parts=[SKILLS]
        ),
        metadata=h.meta(owner),
    )
    await fails(Code.PERMISSION_DENIED, h.stub.GetSkillSet(request, metadata=h.meta(uwv)))  # wrong purpose
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(passport_id=p.id, grantee=uwv.organisation, purpose="matching", parts=[SKILLS]),
        metadata=h.meta(owner),
    )
    theirs = await h.stub.GetSkillSet(request, metadata=h.meta(uwv))
    assert theirs.skill_set == mine.skill_set
    assert (await audit(h, owner, p.id))[-1].action == "skillset.read"


async def test_candidate_search_honours_consent_and_withdrawal_at_once(passport_service: Harness) -> None:
    h = passport_service
    board = f"jobboard-{uuid.uuid4().hex[:6]}"
    other_board = f"jobboard-{uuid.uuid4().hex[:6]}"
    matcher = h.party(board, role="service", scopes=("passport:candidates",))
    people = {}
    for name in ("anyone", "this-board", "other-board", "no-consent", "expired", "contact-only"):
        people[name] = await full_passport(h)

    async def grant(name: str, grantee: str, parts: list[int], **extra: object) -> pb.Consent:
        owner, p = people[name]
        reply = await h.stub.GrantConsent(
            pb.GrantConsentRequest(
                passport_id=p.id, grantee=grantee, purpose="vacancy-candidates", parts=parts, **extra
            ),
            metadata=h.meta(owner),
        )
        return reply.consent

    anyone = await grant("anyone", "*", [SKILLS])
    await grant("this-board", board, [SKILLS, CONTACT])
    await grant("other-board", other_board, [SKILLS])
    await grant("expired", board, [SKILLS], valid_to=stamp(h.clock() + timedelta(hours=1)))
    await grant("contact-only", board, [CONTACT, SKILLS])
    ids = {name: p.id for name, (_, p) in people.items()}
    ours = set(ids.values())

    async def candidates(who: Principal, page_size: int = 2) -> list[pb.SkillSet]:
        found, token, batches = [], "", 0
        while True:
            stream = h.stub.ListCandidateSkillSets(
                pb.ListCandidateSkillSetsRequest(page_size=page_size, page_token=token), metadata=h.meta(who)
            )
            last = None
            async for batch in stream:
                batches += 1
                found += [s for s in batch.skill_sets if s.passport_id in ours]
                last = batch
                if batch.next_page_token and batches % 3 == 0:  # resume from a token now and then
                    break
            if last is None or not last.next_page_token:
                return found
            token = last.next_page_token

    h.clock.advance(timedelta(hours=2))  # "expired" is now out of force
    found = await candidates(matcher)
    assert {s.passport_id for s in found} == {ids["anyone"], ids["this-board"], ids["contact-only"]}
    assert all({e.skill_uri for e in s.skills} == {CARE, CUSTOMERS} for s in found)
    other = h.party(other_board, role="service", scopes=("passport:candidates",))
    assert {s.passport_id for s in await candidates(other, page_size=100)} == {ids["anyone"], ids["other-board"]}
    checked = await h.stub.CheckCandidateConsents(
        pb.CheckCandidateConsentsRequest(passport_ids=list(ids.values())), metadata=h.meta(matcher)
    )
    assert set(checked.passport_ids) == {ids["anyone"], ids["this-board"], ids["contact-only"]}

    # withdrawal: gone from the very next search and check
    owner, p = people["anyone"]
    await h.stub.WithdrawConsent(
        pb.WithdrawConsentRequest(passport_id=p.id, consent_id=anyone.id), metadata=h.meta(owner)
    )
    assert ids["anyone"] not in {s.passport_id for s in await candidates(matcher)}
    checked = await h.stub.CheckCandidateConsents(
        pb.CheckCandidateConsentsRequest(passport_ids=[ids["anyone"]]), metadata=h.meta(matcher)
    )
    assert list(checked.passport_ids) == []
    # each listing is in the owner's trail; a search by a party without consent leaves no trace
    trail = await audit(h, owner, p.id)
    listed = [e for e in trail if e.action == "candidates.list"]
    assert {e.actor.organisation for e in listed} == {board, other_board}
    no_owner, no_passport = people["no-consent"]
    assert (await audit(h, no_owner, no_passport.id))[-1].action == "skill.add"
    # the scope is required
    no_scope = h.party(board, role="service", scopes=("passport:read",))
    await fails(Code.PERMISSION_DENIED, candidates(no_scope), "missing scope passport:candidates")
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.CheckCandidateConsents(
            pb.CheckCandidateConsentsRequest(passport_ids=["not-an-id"]), metadata=h.meta(matcher)
        ),
        "passport_ids[0]",
    )
    limited = h.stub.ListCandidateSkillSets(
        pb.ListCandidateSkillSetsRequest(page_size=1, max_passports=1), metadata=h.meta(matcher)
    )
    batches = [b async for b in limited]
    assert len(batches) == 1 and not batches[0].next_page_token
