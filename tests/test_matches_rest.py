"""Transition occupations through the gateway: a skill set or work history in, explained matches out."""

from __future__ import annotations

import pytest
from overstap_gateway.schemas.matches import OccupationMatchResponse

from .conftest import Gateway
from .known import CASHIER, PROCESS_PAYMENTS

PROBLEM = "application/problem+json"


async def test_work_history_gives_explained_transitions(gateway: Gateway) -> None:
    reply = await gateway.client.post(
        "/v1/matches/occupations", json={"occupations": [CASHIER], "limit": 5}, headers=gateway.person()
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    OccupationMatchResponse.model_validate(body)  # the fast path keeps the documented contract
    assert body["bundle_version"] and len(body["items"]) == 5
    for item in body["items"]:
        assert item["occupation"]["id"] != CASHIER
        assert sum(item["parts"].values()) == pytest.approx(item["score"], abs=1e-3)
        assert item["summary"].startswith("U heeft")
        assert item["occupation"]["label"]["language"] in ("nl", "en")
        assert item["productive"] and item["shortage"] is not None


async def test_top_explanations_are_the_head_of_the_full_ones(gateway: Gateway) -> None:
    async def matches(**extra: str) -> list[dict]:
        body = {"occupations": [CASHIER], "limit": 5, **extra}
        reply = await gateway.client.post("/v1/matches/occupations", json=body, headers=gateway.person())
        assert reply.status_code == 200, reply.text
        OccupationMatchResponse.model_validate(reply.json())
        return reply.json()["items"]

    top, full = await matches(), await matches(explain="full")
    assert [t["occupation"]["id"] for t in top] == [f["occupation"]["id"] for f in full]
    for t, f in zip(top, full, strict=True):
        assert (t["score"], t["productive"], t["summary"]) == (f["score"], f["productive"], f["summary"])
        assert len(f["shortage"]) == f["shortage_total"] == t["shortage_total"]
        assert len(f["surplus"]) == f["surplus_total"] == t["surplus_total"]
        assert t["shortage"] == f["shortage"][:5] and t["surplus"] == f["surplus"][:5]
    assert any(t["shortage_total"] > 5 for t in top), "the cashier's transitions miss more than five skills"
    reply = await gateway.client.post(
        "/v1/matches/occupations", json={"occupations": [CASHIER], "explain": "all"}, headers=gateway.person()
    )
    assert reply.status_code == 422 and reply.headers["content-type"].startswith(PROBLEM)


async def test_skills_with_evidence_and_filters(gateway: Gateway) -> None:
    body = {
        "skills": [{"id": PROCESS_PAYMENTS, "evidence": "hard"}],
        "filters": {"isco_major_groups": ["5"], "dutch_label_only": True},
        "language": "en",
        "limit": 3,
    }
    reply = await gateway.client.post("/v1/matches/occupations", json=body, headers=gateway.person())
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert items and all(i["isco_code"].startswith("5") for i in items)
    assert items[0]["summary"].startswith("You have")
    assert items[0]["productive"][0]["evidence"] == "hard"


async def test_onet_profile_mode(gateway: Gateway) -> None:
    levels = [{"skill": "onet-skill:2.B.1.f", "level": 5}, {"skill": "onet-skill:2.A.1.b", "level": 4}]
    reply = await gateway.client.post(
        "/v1/matches/onet-profile", json={"levels": levels, "limit": 3}, headers=gateway.person()
    )
    assert reply.status_code == 200, reply.text
    items = reply.json()["items"]
    assert len(items) == 3 and items[0]["onet_occupation"]["id"].startswith("onet:")
    assert items[0]["summary"].startswith("Uw vaardighedenprofiel")


async def test_passport_matches_for_the_owner_and_by_consent(gateway: Gateway) -> None:
    owner = gateway.person("matcher-owner")
    created = await gateway.client.post("/v1/passports", json={}, headers=owner)
    assert created.status_code == 201, created.text
    passport_id = created.json()["id"]
    history = await gateway.client.post(
        f"/v1/passports/{passport_id}/work-history",
        json={"occupation": CASHIER, "start_date": "2015-01-01", "end_date": "2020-06-30"},
        headers=owner,
    )
    assert history.status_code in (200, 201), history.text
    mine = await gateway.client.get(f"/v1/passports/{passport_id}/matches/occupations?limit=5", headers=owner)
    assert mine.status_code == 200, mine.text
    assert len(mine.json()["items"]) == 5
    me = await gateway.client.get("/v1/passports/me/matches/occupations?limit=5", headers=owner)
    assert [i["occupation"]["id"] for i in me.json()["items"]] == [i["occupation"]["id"] for i in mine.json()["items"]]

    uwv = gateway.organisation("uwv-match", scopes=("passport:read", "match:read"))
    refused = await gateway.client.get(f"/v1/passports/{passport_id}/matches/occupations", headers=uwv)
    assert refused.status_code in (403, 404)
    assert refused.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({}, 400),
        ({"skills": [{"id": "http://data.europa.eu/esco/skill/nope"}]}, 400),
        ({"occupations": ["http://data.europa.eu/esco/occupation/nope"]}, 400),
        ({"occupations": [CASHIER], "limit": 0}, 422),
        ({"occupations": [CASHIER], "limit": 10_000}, 422),
        ({"occupations": [CASHIER], "language": "fr"}, 422),
        ({"skills": [{"id": PROCESS_PAYMENTS, "evidence": "rumour"}]}, 422),
        ({"skills": [{"id": PROCESS_PAYMENTS, "weight": 2}]}, 422),
        ({"occupations": [CASHIER], "filters": {"isco_major_groups": ["12"]}}, 422),
        ({"occupations": [CASHIER], "filters": {"job_zones": [-13932359603]}}, 422),
        ({"occupations": [CASHIER], "filters": {"min_score": 5}}, 422),
    ],
)
async def test_bad_match_requests(gateway: Gateway, body: dict, status: int) -> None:
    reply = await gateway.client.post("/v1/matches/occupations", json=body, headers=gateway.person())
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith(PROBLEM)


async def test_matching_needs_a_token_and_the_scope(gateway: Gateway) -> None:
    assert (await gateway.client.post("/v1/matches/occupations", json={"occupations": [CASHIER]})).status_code == 401
    no_scope = gateway.person(scopes=("passport:read",))
    reply = await gateway.client.post("/v1/matches/occupations", json={"occupations": [CASHIER]}, headers=no_scope)
    assert reply.status_code == 403


async def test_unpaired_surrogates_are_a_bad_request(gateway: Gateway) -> None:
    body = '{"skills": [{"id": "\\uda0f\\udf92x"}]}'
    reply = await gateway.client.post(
        "/v1/matches/occupations",
        content=body,
        headers={**gateway.person(), "Content-Type": "application/json"},
    )
    assert reply.status_code == 400, reply.text
    assert reply.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("query", ["job_zone=9", "job_zone=-13932359603", "isco_major_group=12", "min_score=2"])
async def test_bad_passport_match_filters_are_422(gateway: Gateway, query: str) -> None:
    reply = await gateway.client.get(f"/v1/passports/me/matches/occupations?{query}", headers=gateway.person())
    assert reply.status_code == 422, reply.text
