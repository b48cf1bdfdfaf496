"""The gRPC service in-process: a real grpc.aio server on a free port, a real channel, the synthetic taxonomy."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from overstap.taxonomy.v1 import taxonomy_pb2 as pb
from overstap.taxonomy.v1 import taxonomy_pb2_grpc as pb_grpc
from overstap_common.grpc_client import create_channel
from overstap_common.grpc_server import GrpcServer
from overstap_taxonomy.api.grpc_service import TaxonomyServicer
from overstap_taxonomy.domain.taxonomy import Taxonomy
from overstap_taxonomy.server import SERVICE_NAME
from overstap_taxonomy.settings import TaxonomySettings

from .synthetic import ISCO, OCC, SKILL, synthetic_bundle


@pytest.fixture(scope="module")
async def channel() -> AsyncIterator[grpc.aio.Channel]:
    servicer = TaxonomyServicer(Taxonomy(synthetic_bundle()))
    settings = TaxonomySettings(grpc_port=0, environment="development")
    server = GrpcServer(settings, [SERVICE_NAME], lambda s: pb_grpc.add_TaxonomyServiceServicer_to_server(servicer, s))
    port = await server.start()
    await server.set_serving(True)
    chan = create_channel(f"127.0.0.1:{port}", deadline_seconds=5)
    yield chan
    await chan.close()
    await server.stop()


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> pb_grpc.TaxonomyServiceStub:
    return pb_grpc.TaxonomyServiceStub(channel)


async def test_health_reports_serving(channel: grpc.aio.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for name in ("", SERVICE_NAME):
        reply = await health.Check(health_pb2.HealthCheckRequest(service=name))
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_get_concepts_batch_with_language_fallback(stub: pb_grpc.TaxonomyServiceStub) -> None:
    reply = await stub.GetConcepts(pb.GetConceptsRequest(ids=[OCC + "cashier", "isco08:5230", "nope"], language="nl"))
    assert reply.bundle_version == "test-1"
    assert [c.id for c in reply.concepts] == [OCC + "cashier", ISCO + "5230"]
    assert list(reply.not_found) == ["nope"]
    cashier = reply.concepts[0]
    assert (cashier.preferred_label.text, cashier.preferred_label.language) == ("kassamedewerker", "nl")
    assert cashier.description.language == "en"
    assert [b.id for b in cashier.broader] == [ISCO + "5230"]
    assert cashier.type == pb.CONCEPT_TYPE_OCCUPATION


async def test_search_pages_with_tokens(stub: pb_grpc.TaxonomyServiceStub) -> None:
    first = await stub.SearchConcepts(pb.SearchConceptsRequest(query="cash", page_size=1))
    assert first.total_size >= 2 and len(first.hits) == 1 and first.next_page_token
    second = await stub.SearchConcepts(
        pb.SearchConceptsRequest(query="cash", page_size=1, page_token=first.next_page_token)
    )
    assert second.hits[0].concept.id != first.hits[0].concept.id
    typed = await stub.SearchConcepts(pb.SearchConceptsRequest(query="cash", types=[pb.CONCEPT_TYPE_SKILL]))
    assert {h.concept.id for h in typed.hits} == {SKILL + "cash"}


async def test_occupation_skills_and_reverse(stub: pb_grpc.TaxonomyServiceStub) -> None:
    reply = await stub.GetOccupationSkills(pb.GetOccupationSkillsRequest(occupation_id=OCC + "cashier"))
    assert [(s.skill.id, s.relation) for s in reply.skills] == [
        (SKILL + "cash", pb.SKILL_RELATION_ESSENTIAL),
        (SKILL + "law", pb.SKILL_RELATION_OPTIONAL),
    ]
    reverse = await stub.GetSkillOccupations(pb.GetSkillOccupationsRequest(skill_id=SKILL + "cash"))
    assert [o.occupation.id for o in reverse.occupations] == [OCC + "cashier"]


async def test_map_concept_reports_path_and_match(stub: pb_grpc.TaxonomyServiceStub) -> None:
    reply = await stub.MapConcept(pb.MapConceptRequest(id=OCC + "cashier", target_scheme="brc2014"))
    [target] = reply.targets
    assert target.concept.id == "brc2014:0111"
    assert target.match_type == pb.MATCH_TYPE_BROAD
    assert [s.provenance for s in target.path] == ["esco-isco", "cbs-isco-brc"]


@pytest.mark.parametrize(
    ("call", "request_message", "code"),
    [
        ("GetConcepts", pb.GetConceptsRequest(), grpc.StatusCode.INVALID_ARGUMENT),
        ("GetConcepts", pb.GetConceptsRequest(ids=["x"] * 501), grpc.StatusCode.INVALID_ARGUMENT),
        ("GetConcepts", pb.GetConceptsRequest(ids=["x"], language="fr"), grpc.StatusCode.INVALID_ARGUMENT),
        ("GetConcepts", pb.GetConceptsRequest(ids=["x"], scheme="nope"), grpc.StatusCode.INVALID_ARGUMENT),
        ("SearchConcepts", pb.SearchConceptsRequest(query=" "), grpc.StatusCode.INVALID_ARGUMENT),
        ("SearchConcepts", pb.SearchConceptsRequest(query="x" * 201), grpc.StatusCode.INVALID_ARGUMENT),
        ("SearchConcepts", pb.SearchConceptsRequest(query="x", page_size=101), grpc.StatusCode.INVALID_ARGUMENT),
        (
            "SearchConcepts",
            pb.SearchConceptsRequest(query="x", page_token="garbage!"),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        ("SearchConcepts", pb.SearchConceptsRequest(query="x", types=[99]), grpc.StatusCode.INVALID_ARGUMENT),
        ("GetOccupationSkills", pb.GetOccupationSkillsRequest(occupation_id="nope"), grpc.StatusCode.NOT_FOUND),
        ("GetOccupationSkills", pb.GetOccupationSkillsRequest(occupation_id=SKILL + "cash"), grpc.StatusCode.NOT_FOUND),
        (
            "GetOccupationSkills",
            pb.GetOccupationSkillsRequest(occupation_id=OCC + "cashier", relation=7),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        ("GetSkillOccupations", pb.GetSkillOccupationsRequest(skill_id="nope"), grpc.StatusCode.NOT_FOUND),
        (
            "GetSkillOccupations",
            pb.GetSkillOccupationsRequest(skill_id=SKILL + "cash", page_size=-1),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        ("MapConcept", pb.MapConceptRequest(id="nope", target_scheme="isco08"), grpc.StatusCode.NOT_FOUND),
        (
            "MapConcept",
            pb.MapConceptRequest(id=OCC + "cashier", target_scheme="nope"),
            grpc.StatusCode.INVALID_ARGUMENT,
        ),
        ("MapConcept", pb.MapConceptRequest(id=OCC + "cashier"), grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
async def test_bad_input_gets_a_precise_status(
    stub: pb_grpc.TaxonomyServiceStub, call: str, request_message: object, code: grpc.StatusCode
) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await getattr(stub, call)(request_message)
    assert caught.value.code() == code
    assert caught.value.details()
