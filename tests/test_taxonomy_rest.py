"""The taxonomy through the gateway's REST face, against the committed bundle and a real gRPC server."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from .conftest import Gateway
from .known import CASHIER, FORKLIFT_OPERATOR, ISCO_5230, PROCESS_PAYMENTS, SOFTWARE_DEVELOPER

PROBLEM = "application/problem+json"


async def test_health_and_readiness(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok", "services": {}}
    ready = await api.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["services"] == {
        "taxonomy": "serving",
        "passport": "serving",
        "matcher": "serving",
        "vacancy": "serving",
    }


async def test_taxonomy_needs_a_token_with_taxonomy_read(gateway: Gateway) -> None:
    client = gateway.client
    reply = await client.get("/v1/taxonomy/search", params={"q": "kassamedewerker"})
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert reply.headers["content-type"].startswith(PROBLEM)
    no_scope = await client.get(
        "/v1/taxonomy/search", params={"q": "kassamedewerker"}, headers=gateway.person(scopes=["passport:read"])
    )
    assert no_scope.status_code == 403
    assert no_scope.headers["content-type"].startswith(PROBLEM)
    assert "taxonomy:read" in no_scope.json()["detail"]
    allowed = await client.get(
        "/v1/taxonomy/search", params={"q": "kassamedewerker"}, headers=gateway.person(scopes=["taxonomy:read"])
    )
    assert allowed.status_code == 200
    for public in ("/healthz", "/readyz", "/openapi.json", "/docs"):
        assert (await client.get(public)).status_code == 200, public


async def test_search_kassamedewerker_in_dutch(api: httpx.AsyncClient) -> None:
    reply = await api.get("/v1/taxonomy/search", params={"q": "kassamedewerker", "type": "occupation"})
    assert reply.status_code == 200
    body = reply.json()
    assert body["bundle_version"]
    first = body["items"][0]
    assert first["concept"]["id"] == CASHIER
    assert first["concept"]["label"] == {"text": "kassamedewerker", "language": "nl"}


async def test_search_pages_with_cursor(api: httpx.AsyncClient) -> None:
    first = (await api.get("/v1/taxonomy/search", params={"q": "verpleegkundige", "limit": 3})).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = (
        await api.get(
            "/v1/taxonomy/search", params={"q": "verpleegkundige", "limit": 3, "cursor": first["next_cursor"]}
        )
    ).json()
    ids_first = {h["concept"]["id"] for h in first["items"]}
    assert not ids_first & {h["concept"]["id"] for h in second["items"]}
    assert second["total"] == first["total"]


async def test_concept_by_uri_raw_and_encoded(api: httpx.AsyncClient) -> None:
    for path in (CASHIER, quote(CASHIER, safe="")):
        reply = await api.get(f"/v1/taxonomy/concepts/{path}", params={"language": "en"})
        assert reply.status_code == 200, reply.text
        concept = reply.json()["concept"]
        assert concept["preferred_label"] == {"text": "cashier", "language": "en"}
        assert concept["attributes"]["isco_code"] == "5230"
        assert ISCO_5230 in {b["id"] for b in concept["broader"]}


async def test_concepts_batch_and_codes(api: httpx.AsyncClient) -> None:
    reply = await api.get("/v1/taxonomy/concepts", params=[("id", CASHIER), ("id", "isco08:5230"), ("id", "nope")])
    body = reply.json()
    assert [c["id"] for c in body["concepts"]] == [CASHIER, ISCO_5230]
    assert body["not_found"] == ["nope"]
    by_code = await api.get("/v1/taxonomy/concepts/5230", params={"scheme": "isco08"})
    assert by_code.json()["concept"]["id"] == ISCO_5230


async def test_occupation_skills_essential_first(api: httpx.AsyncClient) -> None:
    reply = await api.get(f"/v1/taxonomy/occupations/{CASHIER}/skills")
    assert reply.status_code == 200
    skills = reply.json()["skills"]
    assert PROCESS_PAYMENTS in {s["skill"]["id"] for s in skills if s["relation"] == "essential"}
    relations = [s["relation"] for s in skills]
    assert relations == sorted(relations)  # essential before optional
    only_optional = await api.get(f"/v1/taxonomy/occupations/{CASHIER}/skills", params={"relation": "optional"})
    assert {s["relation"] for s in only_optional.json()["skills"]} == {"optional"}


async def test_skill_occupations_reverse(api: httpx.AsyncClient) -> None:
    reply = await api.get(f"/v1/taxonomy/skills/{PROCESS_PAYMENTS}/occupations", params={"limit": 5})
    body = reply.json()
    assert body["total"] >= 5 and len(body["items"]) == 5
    assert body["next_cursor"]


async def test_mapping_esco_to_isco_to_brc(api: httpx.AsyncClient) -> None:
    isco = (await api.get("/v1/taxonomy/mappings", params={"id": CASHIER, "target_scheme": "isco08"})).json()
    assert [t["concept"]["id"] for t in isco["targets"]] == [ISCO_5230]
    brc = (await api.get("/v1/taxonomy/mappings", params={"id": CASHIER, "target_scheme": "brc2014"})).json()
    assert "brc2014:0333" in {t["concept"]["id"] for t in brc["targets"]}
    assert all(t["path"] for t in brc["targets"])


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/taxonomy/search", {}, 422),
        ("/v1/taxonomy/search", {"q": ""}, 422),
        ("/v1/taxonomy/search", {"q": "   "}, 400),
        ("/v1/taxonomy/search", {"q": "x" * 201}, 422),
        ("/v1/taxonomy/search", {"q": "kassa", "limit": 0}, 422),
        ("/v1/taxonomy/search", {"q": "kassa", "limit": 1000}, 422),
        ("/v1/taxonomy/search", {"q": "kassa", "type": "planet"}, 422),
        ("/v1/taxonomy/search", {"q": "kassa", "language": "fr"}, 422),
        ("/v1/taxonomy/search", {"q": "kassa", "cursor": "not-a-cursor"}, 400),
        ("/v1/taxonomy/concepts/http://data.europa.eu/esco/occupation/nope", {}, 404),
        ("/v1/taxonomy/concepts/5230", {"scheme": "nope"}, 422),
        ("/v1/taxonomy/concepts", {}, 422),
        (f"/v1/taxonomy/occupations/{PROCESS_PAYMENTS}/skills", {}, 404),
        ("/v1/taxonomy/occupations/nope/skills", {}, 404),
        (f"/v1/taxonomy/occupations/{CASHIER}/skills", {"relation": "sometimes"}, 422),
        ("/v1/taxonomy/skills/nope/occupations", {}, 404),
        (f"/v1/taxonomy/skills/{PROCESS_PAYMENTS}/occupations", {"limit": 501}, 422),
        ("/v1/taxonomy/mappings", {"id": CASHIER}, 422),
        ("/v1/taxonomy/mappings", {"id": CASHIER, "target_scheme": "mars"}, 422),
        ("/v1/taxonomy/mappings", {"id": "nope", "target_scheme": "isco08"}, 404),
        ("/v1/nothing-here", {}, 404),
    ],
)
async def test_bad_input_is_a_problem_document(
    api: httpx.AsyncClient, path: str, params: dict[str, object], status: int
) -> None:
    reply = await api.get(path, params=params)
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith(PROBLEM)
    problem = reply.json()
    assert problem["status"] == status
    assert problem["type"].startswith("https://")
    assert problem["title"]
    assert "Traceback" not in reply.text


async def test_wrong_method_and_oversized_body(api: httpx.AsyncClient) -> None:
    reply = await api.post("/v1/taxonomy/search", content=b"x" * (2 * 1024 * 1024))
    assert reply.status_code == 413
    assert reply.headers["content-type"].startswith(PROBLEM)
    reply = await api.post("/v1/taxonomy/search", json={})
    assert reply.status_code == 405
    assert reply.headers["content-type"].startswith(PROBLEM)


async def test_openapi_documents_every_route(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    for route in (
        "/v1/taxonomy/search",
        "/v1/taxonomy/concepts/{id}",
        "/v1/taxonomy/occupations/{id}/skills",
        "/v1/taxonomy/mappings",
        "/healthz",
        "/readyz",
    ):
        assert route in spec["paths"], route
    assert (await api.get("/docs")).status_code == 200


@pytest.mark.parametrize(
    ("query", "expected"),
    [("heftruckchauffeur", FORKLIFT_OPERATOR), ("software developer", SOFTWARE_DEVELOPER)],
)
async def test_search_obvious_occupations(api: httpx.AsyncClient, query: str, expected: str) -> None:
    body = (await api.get("/v1/taxonomy/search", params={"q": query})).json()
    assert body["items"][0]["concept"]["id"] == expected
