"""The passport service over real gRPC, on SQLite and on PostgreSQL: passports, skills, every kind of evidence,
validations, work history with derived ("aangemeten") skills, education, self-profile, and bad input."""

from __future__ import annotations

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.passport.v1 import passport_pb2 as pb
from overstap_common.principal import Principal, encode_principal
from overstap_passport.server import SERVICE_NAME
from sqlalchemy import text

from .conftest import Harness
from .helpers import evidence, fails, skill
from .synthetic_taxonomy import CARE, CASH, CASHIER, CUSTOMERS, HYGIENE, LAW, NUMBERED, NURSE, SHOP_ASSISTANT

Code = grpc.StatusCode


async def test_health_is_serving(passport_service: Harness) -> None:
    health = health_pb2_grpc.HealthStub(passport_service.channel)
    for name in ("", SERVICE_NAME):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=name))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_caller_identity_is_required_and_checked(passport_service: Harness) -> None:
    h = passport_service
    request = pb.CreatePassportRequest()
    await fails(Code.UNAUTHENTICATED, h.stub.CreatePassport(request), "no caller identity")
    forged = encode_principal(h.person(), "not-the-gateway-key")
    await fails(Code.UNAUTHENTICATED, h.stub.CreatePassport(request, metadata=forged), "not signed")
    stale = encode_principal(h.person(), h.key, now=1_000_000)
    await fails(Code.UNAUTHENTICATED, h.stub.CreatePassport(request, metadata=stale), "expired")


async def test_create_read_update(passport_service: Harness) -> None:
    h = passport_service
    owner, created = await h.new_passport(
        contact=pb.Contact(name="Fatima de Vries", email="fatima@example.nl", phone="+31 6 12345678"),
        wishes=pb.Wishes(
            desired_occupations=["verpleegkundige"], min_hours_per_week=24, max_hours_per_week=32, region="Utrecht"
        ),
        languages=[pb.LanguageSkill(language="nl", level="native"), pb.LanguageSkill(language="EN", level="b2")],
    )
    assert created.version == 1 and created.owner_subject == owner.subject
    assert created.contact.email == "fatima@example.nl"
    assert [(x.language, x.level) for x in created.languages] == [("nl", "native"), ("en", "B2")]
    assert list(created.parts) == [
        pb.CONSENT_PART_SKILLS,
        pb.CONSENT_PART_EVIDENCE,
        pb.CONSENT_PART_WISHES,
        pb.CONSENT_PART_CONTACT,
    ]
    await fails(Code.ALREADY_EXISTS, h.stub.CreatePassport(pb.CreatePassportRequest(), metadata=h.meta(owner)))
    coach = h.party("uwv")
    await fails(Code.PERMISSION_DENIED, h.stub.CreatePassport(pb.CreatePassportRequest(), metadata=h.meta(coach)))

    own = await h.stub.GetPassport(pb.GetPassportRequest(), metadata=h.meta(owner))  # empty id: my own
    assert own.passport.id == created.id

    update = pb.UpdatePassportRequest(
        passport_id=created.id,
        expected_version=1,
        wishes=pb.Wishes(region="Amersfoort"),
        contact=pb.Contact(name="Fatima"),
        update_mask=FieldMask(paths=["wishes"]),
    )
    updated = await h.stub.UpdatePassport(update, metadata=h.meta(owner))
    assert updated.passport.version == 2
    assert updated.passport.wishes.region == "Amersfoort"
    assert updated.passport.contact.name == "Fatima de Vries"  # not in the mask: unchanged
    await fails(
        Code.ABORTED, h.stub.UpdatePassport(update, metadata=h.meta(owner)), "expected version 1, current version 2"
    )
    update.expected_version = 0
    await fails(Code.INVALID_ARGUMENT, h.stub.UpdatePassport(update, metadata=h.meta(owner)), "expected_version")
    update.expected_version = 2
    update.update_mask.paths[:] = ["wishes", "salary"]
    await fails(Code.INVALID_ARGUMENT, h.stub.UpdatePassport(update, metadata=h.meta(owner)), "unknown path 'salary'")
    update.update_mask.paths[:] = ["wishes"]
    update.wishes.min_hours_per_week, update.wishes.max_hours_per_week = 36, 20
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.UpdatePassport(update, metadata=h.meta(owner)),
        "wishes.max_hours_per_week: 20 is less than min_hours_per_week 36",
    )
    update.update_mask.paths[:] = ["contact"]
    update.contact.email = "not-an-email"
    await fails(Code.INVALID_ARGUMENT, h.stub.UpdatePassport(update, metadata=h.meta(owner)), "contact.email")
    assert await h.version(owner, created.id) == 2  # bad input changed nothing
    await fails(
        Code.NOT_FOUND,
        h.stub.GetPassport(
            pb.GetPassportRequest(passport_id="2b1f0e8e-0000-4000-8000-00000000dead"), metadata=h.meta(owner)
        ),
    )


async def test_contact_details_and_references_are_encrypted_at_rest(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport(contact=pb.Contact(name="Jan Jansen", email="jan@example.nl"))
    big = evidence(pb.EVIDENCE_TYPE_REGISTRATION, source="BIG-register", reference="BIG-19012345601")
    await h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CARE, big)]), metadata=h.meta(owner))
    async with h.runtime.engine.connect() as conn:
        contact = (await conn.execute(text("SELECT contact_ct FROM passports WHERE id = :i"), {"i": p.id})).scalar()
        reference = (
            await conn.execute(text("SELECT reference_ct FROM evidence WHERE passport_id = :i"), {"i": p.id})
        ).scalar()
    assert b"Jan" not in contact and b"jan@example.nl" not in contact
    assert b"BIG-19012345601" not in reference
    got = await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))
    assert got.passport.skills[0].evidence[0].reference == "BIG-19012345601"


async def test_every_evidence_type_and_the_best_kind(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    types = {
        pb.EVIDENCE_TYPE_DIPLOMA: pb.EVIDENCE_KIND_HARD,
        pb.EVIDENCE_TYPE_CERTIFICATE: pb.EVIDENCE_KIND_HARD,
        pb.EVIDENCE_TYPE_REGISTRATION: pb.EVIDENCE_KIND_HARD,
        pb.EVIDENCE_TYPE_WORK_EXPERIENCE: pb.EVIDENCE_KIND_SEMI_HARD,
        pb.EVIDENCE_TYPE_TIMESHEET: pb.EVIDENCE_KIND_SEMI_HARD,
        pb.EVIDENCE_TYPE_EMPLOYER_STATEMENT: pb.EVIDENCE_KIND_SEMI_HARD,
        pb.EVIDENCE_TYPE_SELF_ASSESSMENT: pb.EVIDENCE_KIND_SOFT,
    }
    inputs = [skill(NUMBERED[i], evidence(t, source="bron", issued_on="2021-03-04")) for i, t in enumerate(types)]
    reply = await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, expected_version=1, skills=inputs), metadata=h.meta(owner)
    )
    assert reply.version == 2
    by_uri = {s.skill_uri: s for s in reply.skills}
    for i, (kind_type, kind) in enumerate(types.items()):
        added = by_uri[NUMBERED[i]]
        assert added.label == f"vaardigheid {i}"
        assert [(e.type, e.kind) for e in added.evidence] == [(kind_type, kind)]
        assert added.best_evidence_kind == kind
        piece = added.evidence[0]
        assert (piece.source, piece.issued_on, piece.added_by.subject) == ("bron", "2021-03-04", owner.subject)
        assert piece.added_at.seconds > 0 and not piece.derived

    # a stronger piece raises the best kind; a weaker one does not lower it
    soft_skill = NUMBERED[6]
    more = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(
            passport_id=p.id,
            skill_uri=soft_skill,
            evidence=evidence(pb.EVIDENCE_TYPE_EMPLOYER_STATEMENT, source="Albert Heijn"),
        ),
        metadata=h.meta(owner),
    )
    assert more.skill.best_evidence_kind == pb.EVIDENCE_KIND_SEMI_HARD and len(more.skill.evidence) == 2
    cert = evidence(pb.EVIDENCE_TYPE_CERTIFICATE, issued_on="2020-01-01", valid_until="2025-12-31")
    more = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(passport_id=p.id, skill_uri=soft_skill, evidence=cert), metadata=h.meta(owner)
    )
    assert more.skill.best_evidence_kind == pb.EVIDENCE_KIND_HARD and more.evidence.valid_until == "2025-12-31"

    # removing evidence: the best kind follows; the last piece takes the skill with it
    removed = await h.stub.RemoveEvidence(
        pb.RemoveEvidenceRequest(passport_id=p.id, evidence_id=more.evidence.id), metadata=h.meta(owner)
    )
    assert not removed.skill_removed
    only = by_uri[NUMBERED[0]].evidence[0].id
    removed = await h.stub.RemoveEvidence(
        pb.RemoveEvidenceRequest(passport_id=p.id, evidence_id=only), metadata=h.meta(owner)
    )
    assert removed.skill_removed
    await h.stub.RemoveSkill(pb.RemoveSkillRequest(passport_id=p.id, skill_uri=NUMBERED[1]), metadata=h.meta(owner))
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    skills = {s.skill_uri: s for s in got.skills}
    assert NUMBERED[0] not in skills and NUMBERED[1] not in skills
    assert skills[soft_skill].best_evidence_kind == pb.EVIDENCE_KIND_SEMI_HARD
    assert got.version == 7


async def test_bad_skill_and_evidence_input_is_refused_precisely_and_changes_nothing(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    await h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CASH)]), metadata=h.meta(owner))
    meta = h.meta(owner)

    def add(*skills: pb.SkillInput):  # noqa: ANN202
        return h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=list(skills)), metadata=meta)

    unknown = "http://data.europa.eu/esco/skill/does-not-exist"
    await fails(
        Code.INVALID_ARGUMENT,
        add(skill(CUSTOMERS), skill(unknown)),
        f"skills[1].skill_uri: '{unknown}' is not a known ESCO skill",
    )
    await fails(Code.INVALID_ARGUMENT, add(skill("https://example.org/skill")), "is not an ESCO skill URI")
    await fails(
        Code.INVALID_ARGUMENT,
        add(skill(CUSTOMERS, evidence(pb.EVIDENCE_TYPE_UNSPECIFIED))),
        "skills[0].evidence[0].type: unknown evidence type",
    )
    await fails(Code.INVALID_ARGUMENT, add(skill(CUSTOMERS, evidence(99))), "unknown evidence type")
    await fails(Code.INVALID_ARGUMENT, add(pb.SkillInput(skill_uri=CUSTOMERS)), "at least one piece of evidence")
    await fails(
        Code.INVALID_ARGUMENT,
        add(skill(CUSTOMERS, evidence(pb.EVIDENCE_TYPE_CERTIFICATE, issued_on="2022-05-01", valid_until="2021-05-01"))),
        "skills[0].evidence[0].valid_until: 2021-05-01 is before issued_on 2022-05-01",
    )
    await fails(Code.INVALID_ARGUMENT, add(skill(CUSTOMERS, evidence(issued_on="2999-01-01"))), "in the future")
    await fails(
        Code.INVALID_ARGUMENT, add(skill(CUSTOMERS, evidence(issued_on="01-02-2020"))), "not a date (YYYY-MM-DD)"
    )
    await fails(Code.INVALID_ARGUMENT, add(skill(CUSTOMERS, evidence(source="x" * 201))), "longer than 200")
    await fails(Code.INVALID_ARGUMENT, add(skill(CUSTOMERS), skill(CUSTOMERS)), "appears more than once")
    # an occupation is not a skill (the URI is checked against the taxonomy, not only its shape)
    occupation_as_skill = "http://data.europa.eu/esco/skill/../occupation/cashier"
    await fails(Code.INVALID_ARGUMENT, add(skill(occupation_as_skill)), "not a known ESCO skill")
    await fails(Code.ALREADY_EXISTS, add(skill(CASH)), "already in the passport")
    await fails(
        Code.NOT_FOUND,
        h.stub.AddEvidence(pb.AddEvidenceRequest(passport_id=p.id, skill_uri=LAW, evidence=evidence()), metadata=meta),
        "not in the passport",
    )
    await fails(
        Code.NOT_FOUND,
        h.stub.RemoveEvidence(
            pb.RemoveEvidenceRequest(passport_id=p.id, evidence_id="00000000-0000-4000-8000-000000000000"),
            metadata=meta,
        ),
    )
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.AddSkills(pb.AddSkillsRequest(passport_id="", skills=[skill(CASH)]), metadata=meta),
        "passport_id: is required",
    )
    await fails(
        Code.INVALID_ARGUMENT,
        add(*(skill(u) for u in NUMBERED[:400]), *(skill(f"{CASH}-{i}") for i in range(101))),
        "at most 500 skills per request",
    )
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta)).passport
    assert got.version == 2 and [s.skill_uri for s in got.skills] == [CASH]


async def test_oversized_messages_are_refused(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    huge = [skill(NUMBERED[0], evidence(note="n" * 2000)) for _ in range(1500)]  # ~3 MB > the 2 MiB cap
    await fails(
        Code.RESOURCE_EXHAUSTED,
        h.stub.AddSkills(pb.AddSkillsRequest(passport_id=p.id, skills=huge), metadata=h.meta(owner)),
    )
    assert await h.version(owner, p.id) == 1


async def test_validation_through_every_phase(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    soft = evidence(pb.EVIDENCE_TYPE_SELF_ASSESSMENT, issued_on="2024-01-10")
    semi = evidence(pb.EVIDENCE_TYPE_EMPLOYER_STATEMENT, source="Zorggroep", issued_on="2024-01-10")
    added = await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CARE, soft, semi), skill(HYGIENE)]), metadata=h.meta(owner)
    )
    care = next(s for s in added.skills if s.skill_uri == CARE)
    soft_id, semi_id = (e.id for e in care.evidence)
    other_id = next(s for s in added.skills if s.skill_uri == HYGIENE).evidence[0].id
    assessor = h.party("evc-centrum-midden", role="assessor")
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id, grantee="evc-centrum-midden", purpose="validation", parts=[pb.CONSENT_PART_EVIDENCE]
        ),
        metadata=h.meta(owner),
    )

    def step(who: Principal, phase: int, ids: list[str], day: str = "2024-02-01"):  # noqa: ANN202
        return h.stub.AddValidationStep(
            pb.AddValidationStepRequest(
                passport_id=p.id, skill_uri=CARE, phase=phase, evidence_ids=ids, performed_on=day, note="gesprek"
            ),
            metadata=h.meta(who),
        )

    await fails(
        Code.INVALID_ARGUMENT,
        step(owner, pb.VALIDATION_PHASE_DOCUMENTATION, [soft_id]),
        "documentation needs identification first",
    )
    await fails(Code.INVALID_ARGUMENT, step(owner, 7, []), "phase: unknown phase 7")
    first = await step(owner, pb.VALIDATION_PHASE_IDENTIFICATION, [], "2024-01-15")
    assert first.skill.validation_level == pb.VALIDATION_PHASE_IDENTIFICATION
    assert first.step.actor.subject == owner.subject and first.step.performed_on == "2024-01-15"
    await fails(Code.INVALID_ARGUMENT, step(owner, pb.VALIDATION_PHASE_DOCUMENTATION, []), "must name the evidence")
    await fails(
        Code.INVALID_ARGUMENT, step(owner, pb.VALIDATION_PHASE_DOCUMENTATION, [other_id]), "evidence_ids[0]: evidence"
    )
    await fails(
        Code.INVALID_ARGUMENT,
        step(owner, pb.VALIDATION_PHASE_DOCUMENTATION, [soft_id], "2024-01-01"),
        "before the identification",
    )
    await fails(
        Code.INVALID_ARGUMENT, step(owner, pb.VALIDATION_PHASE_DOCUMENTATION, [soft_id], "2999-01-01"), "in the future"
    )
    documented = await step(owner, pb.VALIDATION_PHASE_DOCUMENTATION, [soft_id, semi_id])
    assert list(documented.step.evidence_ids) == [soft_id, semi_id]
    await fails(Code.INVALID_ARGUMENT, step(owner, pb.VALIDATION_PHASE_ASSESSMENT, [semi_id]), "someone other than")
    stranger = h.party("some-other-bureau", role="assessor")
    await fails(Code.PERMISSION_DENIED, step(stranger, pb.VALIDATION_PHASE_ASSESSMENT, [semi_id]), "no consent")
    assessed = await step(assessor, pb.VALIDATION_PHASE_ASSESSMENT, [semi_id], "2024-03-01")
    assert assessed.step.actor.organisation == "evc-centrum-midden"
    assert assessed.skill.validation_level == pb.VALIDATION_PHASE_ASSESSMENT
    await fails(
        Code.INVALID_ARGUMENT,
        step(assessor, pb.VALIDATION_PHASE_CERTIFICATION, [semi_id], "2024-04-01"),
        "hard evidence",
    )
    certificate = await h.stub.AddEvidence(
        pb.AddEvidenceRequest(
            passport_id=p.id,
            skill_uri=CARE,
            evidence=evidence(
                pb.EVIDENCE_TYPE_CERTIFICATE,
                source="EVC-centrum Midden",
                issued_on="2024-04-01",
                note="ervaringscertificaat",
            ),
        ),
        metadata=h.meta(owner),
    )
    certified = await step(assessor, pb.VALIDATION_PHASE_CERTIFICATION, [certificate.evidence.id], "2024-04-01")
    assert certified.skill.validation_level == pb.VALIDATION_PHASE_CERTIFICATION
    assert [v.phase for v in certified.skill.validations] == [1, 2, 3, 4]
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=h.meta(owner))).passport
    shown = {s.skill_uri: s.validation_level for s in got.skills}
    assert shown == {CARE: pb.VALIDATION_PHASE_CERTIFICATION, HYGIENE: pb.VALIDATION_PHASE_UNSPECIFIED}


async def test_work_history_fills_in_derived_skills(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    meta = h.meta(owner)
    await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, skills=[skill(CASH, evidence(pb.EVIDENCE_TYPE_DIPLOMA))]), metadata=meta
    )
    added = await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(
            passport_id=p.id, occupation=CASHIER, start_date="2016-02-01", end_date="2019-08-31", employer="Jumbo"
        ),
        metadata=meta,
    )
    assert added.entry.esco_occupation_uri == CASHIER and added.entry.occupation_label == "kassamedewerker"
    assert added.entry.derived_skill_count == 3
    derived = {s.skill_uri: s for s in added.derived_skills}
    assert set(derived) == {CASH, CUSTOMERS, LAW}
    for uri in (CUSTOMERS, LAW):
        (piece,) = derived[uri].evidence
        assert (piece.type, piece.kind, piece.derived, piece.confirmed) == (
            pb.EVIDENCE_TYPE_WORK_EXPERIENCE,
            pb.EVIDENCE_KIND_SEMI_HARD,
            True,
            False,
        )
        assert piece.work_history_id == added.entry.id and piece.derived_from == CASHIER
        assert piece.issued_on == "2019-08-31"
        assert derived[uri].unconfirmed
    assert "essential" in derived[CUSTOMERS].evidence[0].note and "optional" in derived[LAW].evidence[0].note
    assert derived[CASH].best_evidence_kind == pb.EVIDENCE_KIND_HARD and not derived[CASH].unconfirmed

    # the person confirms one and removes another
    confirm_id = derived[CUSTOMERS].evidence[0].id
    coach = h.party("reintegratie-bv")
    await h.stub.GrantConsent(
        pb.GrantConsentRequest(
            passport_id=p.id, grantee="reintegratie-bv", purpose="coaching", parts=[pb.CONSENT_PART_EVIDENCE]
        ),
        metadata=meta,
    )
    await fails(
        Code.PERMISSION_DENIED,
        h.stub.ConfirmDerivedEvidence(
            pb.ConfirmDerivedEvidenceRequest(passport_id=p.id, evidence_ids=[confirm_id]), metadata=h.meta(coach)
        ),
        "only the passport's owner",
    )
    hard_id = derived[CASH].evidence[0].id
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.ConfirmDerivedEvidence(
            pb.ConfirmDerivedEvidenceRequest(passport_id=p.id, evidence_ids=[hard_id]), metadata=meta
        ),
        "was not derived",
    )
    confirmed = await h.stub.ConfirmDerivedEvidence(
        pb.ConfirmDerivedEvidenceRequest(passport_id=p.id, evidence_ids=[confirm_id]), metadata=meta
    )
    assert [e.confirmed for e in confirmed.evidence] == [True]
    removed = await h.stub.RemoveEvidence(
        pb.RemoveEvidenceRequest(passport_id=p.id, evidence_id=derived[LAW].evidence[0].id), metadata=h.meta(coach)
    )
    assert removed.skill_removed
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta)).passport
    skills = {s.skill_uri: s for s in got.skills}
    assert set(skills) == {CASH, CUSTOMERS} and not skills[CUSTOMERS].unconfirmed
    assert got.work_history[0].derived_skill_count == 2 and got.work_history[0].employer == "Jumbo"

    # removing the entry removes its evidence; skills with other evidence stay
    gone = await h.stub.RemoveWorkHistory(
        pb.RemoveWorkHistoryRequest(passport_id=p.id, entry_id=added.entry.id), metadata=meta
    )
    assert gone.removed_evidence_count == 2
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta)).passport
    assert [s.skill_uri for s in got.skills] == [CASH] and not got.work_history


async def test_work_history_codes_of_other_schemes(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    meta = h.meta(owner)

    def add(occupation: str, scheme: str = "", chosen: str = "", start: str = "2010-01-01", end: str = ""):  # noqa: ANN202
        return h.stub.AddWorkHistory(
            pb.AddWorkHistoryRequest(
                passport_id=p.id,
                occupation=occupation,
                scheme=scheme,
                esco_occupation_uri=chosen,
                start_date=start,
                end_date=end,
            ),
            metadata=meta,
        )

    by_isco = await add("isco08:2221")  # ISCO-08 unit group with one ESCO occupation
    assert by_isco.entry.esco_occupation_uri == NURSE and by_isco.entry.occupation == "isco08:2221"
    assert {s.skill_uri for s in by_isco.derived_skills} == {CARE, HYGIENE, CUSTOMERS}
    by_brc = await add("0211", scheme="brc2014")  # CBS BRC 2014, two hops (BRC -> ISCO -> ESCO)
    assert by_brc.entry.esco_occupation_uri == NURSE
    by_onet = await add("onet:41-2011.00")  # O*NET-SOC, exact match
    assert by_onet.entry.esco_occupation_uri == CASHIER
    details = await fails(Code.INVALID_ARGUMENT, add("isco08:5230"), "maps to 2 ESCO occupations equally well")
    assert CASHIER in details and SHOP_ASSISTANT in details
    chosen = await add("isco08:5230", chosen=SHOP_ASSISTANT)
    assert chosen.entry.esco_occupation_uri == SHOP_ASSISTANT
    await fails(Code.INVALID_ARGUMENT, add("isco08:5230", chosen=NURSE), "is not one of the ESCO occupations")
    await fails(Code.INVALID_ARGUMENT, add("isco08:9999"), "not a code the taxonomy knows")
    await fails(Code.INVALID_ARGUMENT, add("0111", scheme="kbo"), "unknown scheme 'kbo'")
    await fails(Code.INVALID_ARGUMENT, add(CASH), "is an ESCO skill, not an occupation")
    await fails(
        Code.INVALID_ARGUMENT,
        add(CASHIER, start="2020-01-01", end="2019-12-31"),
        "end_date: 2019-12-31 is before start_date 2020-01-01",
    )
    await fails(Code.INVALID_ARGUMENT, add(CASHIER, start=""), "start_date: is required")
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta)).passport
    assert len(got.work_history) == 4 and got.version == 5


async def test_education_is_hard_evidence_for_the_skills_it_proves(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    meta = h.meta(owner)
    added = await h.stub.AddEducation(
        pb.AddEducationRequest(
            passport_id=p.id,
            kind=pb.EDUCATION_KIND_DIPLOMA,
            title="MBO Verpleegkunde",
            level=4,
            institution="ROC Midden",
            issued_on="2018-07-01",
            reference="DIPL-2018-0042",
            skill_uris=[CARE, HYGIENE],
        ),
        metadata=meta,
    )
    assert added.education.reference == "DIPL-2018-0042" and list(added.education.skill_uris) == [CARE, HYGIENE]
    for s in added.skills:
        assert s.best_evidence_kind == pb.EVIDENCE_KIND_HARD
        assert s.evidence[0].type == pb.EVIDENCE_TYPE_DIPLOMA and s.evidence[0].education_id == added.education.id
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.AddEducation(
            pb.AddEducationRequest(passport_id=p.id, kind=pb.EDUCATION_KIND_CERTIFICATE, title="VCA", level=9),
            metadata=meta,
        ),
        "level",
    )
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.AddEducation(pb.AddEducationRequest(passport_id=p.id, title="X"), metadata=meta),
        "kind: must be diploma or certificate",
    )
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.AddEducation(
            pb.AddEducationRequest(
                passport_id=p.id,
                kind=pb.EDUCATION_KIND_CERTIFICATE,
                title="VCA",
                issued_on="2020-01-01",
                valid_until="2019-01-01",
            ),
            metadata=meta,
        ),
        "valid_until",
    )
    gone = await h.stub.RemoveEducation(
        pb.RemoveEducationRequest(passport_id=p.id, education_id=added.education.id), metadata=meta
    )
    assert gone.removed_evidence_count == 2
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta)).passport
    assert not got.skills and not got.education


async def test_onet_self_profile(passport_service: Harness) -> None:
    h = passport_service
    owner, p = await h.new_passport()
    meta = h.meta(owner)
    ratings = [
        pb.OnetSkillRating(element_id="2.A.1.a", level=5),
        pb.OnetSkillRating(element_id="onet-skill:2.B.5.d", level=0),
    ]
    reply = await h.stub.SetSelfProfile(pb.SetSelfProfileRequest(passport_id=p.id, ratings=ratings), metadata=meta)
    assert [(r.element_id, r.name, r.level) for r in reply.self_profile.ratings] == [
        ("2.A.1.a", "Reading Comprehension", 5),
        ("2.B.5.d", "Management of Personnel Resources", 0),
    ]
    for bad, message in (
        ([pb.OnetSkillRating(element_id="2.A.1.a", level=8)], "outside the O*NET level scale 0..7"),
        ([pb.OnetSkillRating(element_id="9.Z", level=1)], "not one of the 35 O*NET skills"),
        (ratings[:1] * 2, "rated more than once"),
    ):
        await fails(
            Code.INVALID_ARGUMENT,
            h.stub.SetSelfProfile(pb.SetSelfProfileRequest(passport_id=p.id, ratings=bad), metadata=meta),
            message,
        )
    got = (await h.stub.GetPassport(pb.GetPassportRequest(passport_id=p.id), metadata=meta)).passport
    assert len(got.self_profile.ratings) == 2 and got.version == 2
