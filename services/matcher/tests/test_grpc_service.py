"""The matcher gRPC service in-process on the real bundle: rankings with explanations, filters, bad input."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from overstap.matcher.v1 import matcher_pb2 as pb
from overstap.matcher.v1 import matcher_pb2_grpc as pb_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.grpc_server import GrpcServer
from overstap_common.principal import DEVELOPMENT_KEY, Principal, encode_principal
from overstap_matcher.api.grpc_service import MatcherServicer
from overstap_matcher.domain.service import OccupationMatcher
from overstap_matcher.server import SERVICE_NAME
from overstap_matcher.settings import MatcherSettings

OCC = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"
CASHIER = OCC + "2b871272-bd61-4206-bd1a-0b96d7023098"
PROCESS_PAYMENTS = SKILL + "bdcac0c8-b77a-4640-9eaf-c0cf3efd1e23"
CUSTOMER_SERVICE = SKILL + "15a33d76-4640-438d-ae64-fdc0c1d3eebc"


@pytest.fixture(scope="module")
async def stub() -> AsyncIterator[pb_grpc.MatcherServiceStub]:
    matcher, _ = OccupationMatcher.load()
    servicer = MatcherServicer(matcher, DEVELOPMENT_KEY)
    server = GrpcServer(
        MatcherSettings(grpc_port=0),
        [SERVICE_NAME],
        lambda s: pb_grpc.add_MatcherServiceServicer_to_server(servicer, s),
    )
    port = await server.start()
    await server.set_serving(True)
    channel = create_channel(f"127.0.0.1:{port}", deadline_seconds=10)
    yield pb_grpc.MatcherServiceStub(channel)
    await channel.close()
    await server.stop()


def signed() -> list[tuple[str, str]]:
    return encode_principal(Principal("person-1", role="person", scopes=("match:read",)), DEVELOPMENT_KEY)


async def test_transition_occupations_for_a_cashier_explain_themselves(stub: pb_grpc.MatcherServiceStub) -> None:
    reply = await stub.MatchOccupations(pb.MatchOccupationsRequest(occupations=[CASHIER], limit=10), metadata=signed())
    assert reply.bundle_version and len(reply.matches) == 10
    assert CASHIER not in {m.occupation.id for m in reply.matches}  # own occupation is no transition
    scores = [m.score for m in reply.matches]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for m in reply.matches:
        assert sum(p.value for p in m.parts) == pytest.approx(m.score, abs=1e-5)
        assert m.occupation.label.language in ("nl", "en") and m.occupation.label.text
        assert m.summary.startswith("U heeft")
        essential = [s.relation for s in m.shortage]
        assert essential == sorted(essential)  # essential shortage first
    assert any(m.background.origin.id == CASHIER for m in reply.matches)


async def test_include_own_shows_the_fit_with_the_current_job(stub: pb_grpc.MatcherServiceStub) -> None:
    reply = await stub.MatchOccupations(
        pb.MatchOccupationsRequest(occupations=[CASHIER], include_own=True, limit=100), metadata=signed()
    )
    assert CASHIER in {m.occupation.id for m in reply.matches}


async def test_skills_only_with_evidence_and_english_labels(stub: pb_grpc.MatcherServiceStub) -> None:
    request = pb.MatchOccupationsRequest(
        skills=[
            pb.OfferedSkill(skill_id=PROCESS_PAYMENTS, evidence=pb.EVIDENCE_LEVEL_HARD),
            pb.OfferedSkill(skill_id=CUSTOMER_SERVICE, evidence=pb.EVIDENCE_LEVEL_SOFT),
        ],
        language="en",
        limit=5,
    )
    reply = await stub.MatchOccupations(request, metadata=signed())
    top = reply.matches[0]
    assert top.summary.startswith("You have")
    assert {reply.skills[p.skill].id for p in top.productive} <= {PROCESS_PAYMENTS, CUSTOMER_SERVICE}
    assert top.productive


async def test_skills_are_named_by_position_and_labelled_once_per_response(stub: pb_grpc.MatcherServiceStub) -> None:
    request = pb.MatchOccupationsRequest(occupations=[CASHIER], language="en", limit=10)
    reply = await stub.MatchOccupations(request, metadata=signed())
    named = set()
    for m in reply.matches:
        named |= {p.skill for p in m.productive} | set(m.surplus) | {s.skill for s in m.shortage}
        named |= {s.group for s in m.shortage if s.group} | {s.related_via for s in m.shortage if s.related_via}
        assert all(p.skill for p in m.productive) and all(s.skill for s in m.shortage) and all(m.surplus)
    assert reply.skills[0] == pb.ConceptRef(), "position 0 means none"
    table = [c.id for c in reply.skills[1:]]
    assert len(table) == len(set(table)), "each skill is labelled once"
    assert named == set(range(1, len(reply.skills))), "the table holds exactly the skills the matches name"
    assert all(c.label.text and c.label.language in ("en", "nl") for c in reply.skills[1:])
    assert sum(c.label.language == "en" for c in reply.skills[1:]) > len(table) / 2
    groups = {reply.skills[s.group].id for m in reply.matches for s in m.shortage if s.group}
    assert groups and all("/skill/" in g or "/isced-f/" in g for g in groups)


async def test_filters_isco_major_group_dutch_labels_and_job_zone(stub: pb_grpc.MatcherServiceStub) -> None:
    request = pb.MatchOccupationsRequest(
        occupations=[CASHIER],
        filters=pb.Filters(isco_major_groups=["4"], dutch_label_only=True, job_zones=[1, 2], min_score=0.1),
        limit=20,
    )
    reply = await stub.MatchOccupations(request, metadata=signed())
    assert reply.matches
    assert all(m.isco_code.startswith("4") for m in reply.matches)
    assert all(m.occupation.label.language == "nl" for m in reply.matches)
    assert all(m.score >= 0.1 for m in reply.matches)


@pytest.mark.parametrize(
    "request_message",
    [
        pb.MatchOccupationsRequest(),
        pb.MatchOccupationsRequest(skills=[pb.OfferedSkill(skill_id=SKILL + "nope")]),
        pb.MatchOccupationsRequest(occupations=[OCC + "nope"]),
        pb.MatchOccupationsRequest(occupations=[CASHIER], limit=101),
        pb.MatchOccupationsRequest(occupations=[CASHIER], limit=-1),
        pb.MatchOccupationsRequest(occupations=[CASHIER], language="fr"),
        pb.MatchOccupationsRequest(occupations=[CASHIER], filters=pb.Filters(min_score=2)),
        pb.MatchOccupationsRequest(occupations=[CASHIER], filters=pb.Filters(isco_major_groups=["12"])),
        pb.MatchOccupationsRequest(occupations=[CASHIER], filters=pb.Filters(job_zones=[9])),
        pb.MatchOccupationsRequest(skills=[pb.OfferedSkill(skill_id=PROCESS_PAYMENTS, evidence=9)]),
        pb.MatchOccupationsRequest(skills=[pb.OfferedSkill(skill_id=PROCESS_PAYMENTS, weight=3)]),
    ],
)
async def test_bad_input_is_invalid_argument(stub: pb_grpc.MatcherServiceStub, request_message: object) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.MatchOccupations(request_message, metadata=signed())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details()


async def test_callers_without_the_gateways_signature_are_refused(stub: pb_grpc.MatcherServiceStub) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.MatchOccupations(pb.MatchOccupationsRequest(occupations=[CASHIER]))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    forged = encode_principal(Principal("x", scopes=("match:read",)), "not-the-key")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.MatchOccupations(pb.MatchOccupationsRequest(occupations=[CASHIER]), metadata=forged)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def cashier_profile() -> list[pb.OnetSkillLevel]:
    from overstap_bundle import load_bundle

    ratings = [r for r in load_bundle().onet_skill_ratings if r.onet_id == "onet:41-2011.00"]
    return [pb.OnetSkillLevel(skill_id=r.skill_id, level=r.level) for r in ratings]


async def test_paskamer_profile_match_explains_gaps(stub: pb_grpc.MatcherServiceStub) -> None:
    levels = cashier_profile()
    reply = await stub.MatchOnetProfile(pb.MatchOnetProfileRequest(levels=levels, limit=5), metadata=signed())
    assert CASHIER in {m.occupation.id for m in reply.matches}
    top = reply.matches[0]
    assert top.onet_occupation.id == "onet:41-2011.00"
    assert top.summary.startswith("Uw vaardighedenprofiel past")
    lowered = [pb.OnetSkillLevel(skill_id=x.skill_id, level=0.0) if i < 5 else x for i, x in enumerate(levels)]
    reply = await stub.MatchOnetProfile(
        pb.MatchOnetProfileRequest(levels=lowered, limit=100, filters=pb.Filters(isco_major_groups=["5"])),
        metadata=signed(),
    )
    assert all(m.isco_code.startswith("5") for m in reply.matches)
    cashier = next(m for m in reply.matches if m.occupation.id == CASHIER)
    assert cashier.shortage and cashier.score < 1


@pytest.mark.parametrize(
    "levels",
    [
        [],
        [pb.OnetSkillLevel(skill_id="onet-skill:nope", level=3)],
        [pb.OnetSkillLevel(skill_id="onet-skill:2.A.1.a", level=9)],
        [pb.OnetSkillLevel(skill_id="onet-skill:2.A.1.a", level=3)] * 2,
    ],
)
async def test_paskamer_bad_profiles(stub: pb_grpc.MatcherServiceStub, levels: list[pb.OnetSkillLevel]) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stub.MatchOnetProfile(pb.MatchOnetProfileRequest(levels=levels), metadata=signed())
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
