"""Passports through the gateway's REST face: real gateway app, real passport gRPC service (SQLite; PostgreSQL for the
main flow when reachable), real taxonomy service on the committed bundle; tokens from the development issuer."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Gateway
from .known import CASHIER, PROCESS_PAYMENTS

PROBLEM = "application/problem+json"
ANOTHER_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"  # Python


def problem(reply: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert reply.status_code in statuses, f"{reply.status_code}: {reply.text}"
    assert reply.headers["content-type"].startswith(PROBLEM), reply.headers["content-type"]
    body = reply.json()
    assert body["status"] == reply.status_code and body["type"].startswith("https://") and body["title"]
    assert "Traceback" not in reply.text
    return body


def etag(reply: httpx.Response) -> str:
    return reply.headers["etag"]


async def new_passport(g: Gateway, owner: dict[str, str] | None = None, **body: Any) -> tuple[dict[str, str], dict]:
    owner = owner or g.person()
    reply = await g.client.post("/v1/passports", json=body, headers=owner)
    assert reply.status_code == 201, reply.text
    return owner, reply.json()


# --- the main flow ---------------------------------------------------------------------------------------------------


async def test_kassamedewerker_work_history_consent_for_matching_and_withdrawal(any_gateway: Gateway) -> None:
    g = any_gateway
    api = g.client
    owner = g.person("sanne")
    created = await api.post(
        "/v1/passports",
        json={
            "contact": {"name": "Sanne de Vries", "email": "sanne@example.nl"},
            "wishes": {"desired_fields": ["detailhandel"], "region": "Utrecht en omgeving"},
            "languages": [{"language": "nl", "level": "native"}],
        },
        headers=owner,
    )
    assert created.status_code == 201, created.text
    passport = created.json()
    pid = passport["id"]
    assert created.headers["location"] == f"/v1/passports/{pid}"
    assert created.headers["etag"] == f'"{passport["version"]}"'
    assert created.headers["cache-control"] == "no-store"
    assert passport["contact"]["name"] == "Sanne de Vries" and passport["owner_subject"]
    assert passport["parts"] == ["skills", "evidence", "wishes", "contact"]

    added = await api.post(
        f"/v1/passports/{pid}/work-history",
        json={"occupation": CASHIER, "start_date": "2016-03-01", "end_date": "2023-08-31", "employer": "Albert Heijn"},
        headers=owner,
    )
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["entry"]["esco_occupation_uri"] == CASHIER
    assert body["entry"]["occupation_label"] == "kassamedewerker"
    derived = {s["skill_uri"]: s for s in body["derived_skills"]}
    assert PROCESS_PAYMENTS in derived and body["entry"]["derived_skill_count"] == len(derived)
    payments = derived[PROCESS_PAYMENTS]
    assert payments["label"] and payments["unconfirmed"] is True
    assert payments["best_evidence_kind"] == "semi_hard"
    evidence = payments["evidence"][0]
    assert evidence["derived"] is True and evidence["confirmed"] is False
    assert evidence["kind_label"].startswith("aangemeten")
    assert added.headers["etag"] == f'"{body["version"]}"'

    mine = (await api.get("/v1/passports/me", headers=owner)).json()
    assert mine["id"] == pid
    assert {s["skill_uri"] for s in mine["skills"]} == set(derived)
    assert mine["work_history"][0]["employer"] == "Albert Heijn"

    uwv = g.organisation("uwv")
    refused = await api.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=uwv)
    problem(refused, 403)

    grant = await api.post(
        f"/v1/passports/{pid}/consents",
        json={"grantee": "uwv", "purpose": "matching", "parts": ["skills"]},
        headers=owner,
    )
    assert grant.status_code == 201, grant.text
    consent = grant.json()
    assert consent["in_force"] is True and consent["purpose_label"] and consent["parts_labels"] == ["vaardigheden"]

    seen = await api.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=uwv)
    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert view["parts"] == ["skills"]
    assert {s["skill_uri"] for s in view["skills"]} == set(derived)
    assert view["contact"] is None and view["wishes"] is None and view["work_history"] is None
    assert view["owner_subject"] is None
    assert all(s["evidence"] is None for s in view["skills"])
    # Without a purpose, for another purpose, or as another organisation: no.
    problem(await api.get(f"/v1/passports/{pid}", headers=uwv), 400)
    problem(await api.get(f"/v1/passports/{pid}", params={"purpose": "coaching"}, headers=uwv), 403)
    problem(await api.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=g.organisation("x")), 403)
    # A person who signed in through UWV's portal does not inherit UWV's consent.
    uwv_person = g.issuer.mint("pietje", "person", ["passport:read"], organisation="uwv")
    problem(
        await api.get(
            f"/v1/passports/{pid}", params={"purpose": "matching"}, headers={"Authorization": f"Bearer {uwv_person}"}
        ),
        403,
    )
    # The consent lets UWV read, not write.
    uwv_writer = g.organisation("uwv", scopes=["passport:read", "passport:write"])
    problem(
        await api.patch(f"/v1/passports/{pid}", json={"wishes": {}}, headers={**uwv_writer, "If-Match": etag(seen)}),
        403,
    )

    listed = (await api.get(f"/v1/passports/{pid}/consents", headers=owner)).json()["consents"]
    assert [c["id"] for c in listed] == [consent["id"]]
    withdrawn = await api.delete(f"/v1/passports/{pid}/consents/{consent['id']}", headers=owner)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["in_force"] is False and withdrawn.json()["withdrawn_at"]
    problem(await api.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=uwv), 403)

    audit = (await api.get(f"/v1/passports/{pid}/audit", headers=owner)).json()["entries"]
    reads = [(e["action"], e["outcome"], e["actor"]["organisation"]) for e in audit if e["actor"]["role"] != "person"]
    assert ("passport.read", "allowed", "uwv") in reads
    assert sum(1 for r in reads if r[1] == "denied") >= 3
    assert all(e["outcome_label"] in ("toegestaan", "geweigerd") for e in audit)
    verified = (await api.get(f"/v1/passports/{pid}/audit/verify", headers=owner)).json()
    assert verified["valid"] is True and verified["first_invalid_seq"] is None
    assert verified["entry_count"] == len(audit) and verified["head_hash"] == audit[-1]["hash"]


async def test_skills_evidence_validation_education_self_profile_export_and_erase(gateway: Gateway) -> None:
    api = gateway.client
    owner, passport = await new_passport(gateway)
    pid = passport["id"]
    skills = await api.post(
        f"/v1/passports/{pid}/skills",
        json={"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "self_assessment"}]}]},
        headers=owner,
    )
    assert skills.status_code == 201, skills.text
    skill = skills.json()["skills"][0]
    assert skill["best_evidence_kind"] == "soft" and skill["best_evidence_kind_label"] == "zacht bewijs"
    assert skill["validation_level"] is None and skill["validation_level_label"] == "niet gevalideerd"
    problem(
        await api.post(
            f"/v1/passports/{pid}/skills",
            json={"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "self_assessment"}]}]},
            headers=owner,
        ),
        409,
    )

    evidence = await api.post(
        f"/v1/passports/{pid}/skills/{PROCESS_PAYMENTS}/evidence",
        json={"type": "employer_statement", "source": "Albert Heijn", "issued_on": "2023-09-01"},
        headers=owner,
    )
    assert evidence.status_code == 201, evidence.text
    piece = evidence.json()["evidence"]
    assert piece["type_label"] == "werkgeversverklaring" and piece["kind"] == "semi_hard"

    step = await api.post(
        f"/v1/passports/{pid}/skills/{PROCESS_PAYMENTS}/validations",
        json={"phase": "identification", "evidence_ids": [piece["id"]]},
        headers=owner,
    )
    assert step.status_code == 201, step.text
    assert step.json()["step"]["phase_label"] == "identificatie"
    assert step.json()["skill"]["validation_level"] == "identification"
    # Certification before documentation and assessment: the service says no, as a 400 problem.
    problem(
        await api.post(
            f"/v1/passports/{pid}/skills/{PROCESS_PAYMENTS}/validations",
            json={"phase": "certification", "evidence_ids": [piece["id"]]},
            headers=owner,
        ),
        400,
    )

    education = await api.post(
        f"/v1/passports/{pid}/education",
        json={"kind": "diploma", "title": "MBO Verkoopmedewerker", "level": 2, "skill_uris": [ANOTHER_SKILL]},
        headers=owner,
    )
    assert education.status_code == 201, education.text
    diploma = education.json()["education"]
    assert diploma["kind_label"] == "diploma"
    assert education.json()["skills"][0]["best_evidence_kind"] == "hard"

    profile = await api.put(
        f"/v1/passports/{pid}/self-profile",
        json={"ratings": [{"element_id": "2.A.1.a", "level": 4}, {"element_id": "2.B.1.f", "level": 6}]},
        headers=owner,
    )
    assert profile.status_code == 200, profile.text
    assert [r["name"] for r in profile.json()["self_profile"]["ratings"]] == [
        "Reading Comprehension",
        "Service Orientation",
    ]

    work = await api.post(
        f"/v1/passports/{pid}/work-history", json={"occupation": CASHIER, "start_date": "2019-01-01"}, headers=owner
    )
    entry = work.json()["entry"]
    derived_ids = [e["id"] for s in work.json()["derived_skills"] for e in s["evidence"] if e["derived"]][:3]
    confirmed = await api.post(
        f"/v1/passports/{pid}/evidence/confirmations", json={"evidence_ids": derived_ids}, headers=owner
    )
    assert confirmed.status_code == 200, confirmed.text
    assert all(e["confirmed"] for e in confirmed.json()["evidence"])

    removed = await api.delete(f"/v1/passports/{pid}/work-history/{entry['id']}", headers=owner)
    assert removed.status_code == 200 and removed.json()["removed_evidence_count"] >= 1
    removed = await api.delete(f"/v1/passports/{pid}/education/{diploma['id']}", headers=owner)
    assert removed.status_code == 200 and removed.json()["removed_evidence_count"] == 1
    removed = await api.delete(f"/v1/passports/{pid}/evidence/{piece['id']}", headers=owner)
    assert removed.status_code == 200 and removed.json()["skill_removed"] is False

    exported = await api.get(f"/v1/passports/{pid}/export", headers=owner)
    assert exported.status_code == 200, exported.text
    assert exported.json()["issuer_did"].startswith("did:key:")
    assert isinstance(exported.json()["passport"], dict)
    credentials = (await api.get(f"/v1/passports/{pid}/export/credentials", headers=owner)).json()
    assert credentials["credentials"] and all(c["proof"] for c in credentials["credentials"])

    removed = await api.delete(f"/v1/passports/{pid}/skills/{PROCESS_PAYMENTS}", headers=owner)
    assert removed.status_code == 200, removed.text
    erased = await api.delete(f"/v1/passports/{pid}", headers=owner)
    assert erased.status_code == 204, erased.text
    problem(await api.get(f"/v1/passports/{pid}", headers=owner), 404)
    problem(await api.get("/v1/passports/me", headers=owner), 404)


async def test_a_coach_with_a_coaching_consent_edits_skills(gateway: Gateway) -> None:
    api = gateway.client
    owner, passport = await new_passport(gateway)
    pid = passport["id"]
    coach = gateway.coach("gemeente-utrecht")
    body = {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "employer_statement"}]}]}
    problem(await api.post(f"/v1/passports/{pid}/skills", json=body, headers=coach), 403)
    grant = await api.post(
        f"/v1/passports/{pid}/consents",
        json={"grantee": "gemeente-utrecht", "purpose": "coaching", "parts": ["evidence", "wishes"]},
        headers=owner,
    )
    assert grant.status_code == 201, grant.text
    added = await api.post(f"/v1/passports/{pid}/skills", json=body, headers=coach)
    assert added.status_code == 201, added.text
    assert added.json()["skills"][0]["evidence"][0]["added_by"]["organisation"] == "gemeente-utrecht"
    view = (await api.get(f"/v1/passports/{pid}", params={"purpose": "coaching"}, headers=coach)).json()
    assert view["contact"] is None and view["wishes"] is not None and view["skills"]
    # Consents, audit and export stay the owner's.
    for path in ("consents", "audit", "audit/verify", "export", "export/credentials"):
        problem(await api.get(f"/v1/passports/{pid}/{path}", headers=coach), 403)


# --- ownership: every {id} route, as somebody else ---------------------------------------------------------------


async def test_every_passport_route_refuses_someone_else(gateway: Gateway) -> None:
    api = gateway.client
    owner, passport = await new_passport(gateway, contact={"name": "Eigenaar"})
    pid = passport["id"]
    work = (
        await api.post(
            f"/v1/passports/{pid}/work-history", json={"occupation": CASHIER, "start_date": "2019-01-01"}, headers=owner
        )
    ).json()
    entry_id = work["entry"]["id"]
    evidence_id = work["derived_skills"][0]["evidence"][0]["id"]
    skill_uri = work["derived_skills"][0]["skill_uri"]
    diploma_id = (
        await api.post(
            f"/v1/passports/{pid}/education",
            json={"kind": "diploma", "title": "MBO 2", "skill_uris": [skill_uri]},
            headers=owner,
        )
    ).json()["education"]["id"]
    consent_id = (
        await api.post(
            f"/v1/passports/{pid}/consents",
            json={"grantee": "uwv", "purpose": "matching", "parts": ["skills"]},
            headers=owner,
        )
    ).json()["id"]
    before = await api.get(f"/v1/passports/{pid}", headers=owner)
    version = etag(before)

    p = f"/v1/passports/{pid}"
    calls: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", p, None),
        ("GET", p + "?purpose=matching", None),
        ("GET", p + "?purpose=coaching", None),
        ("PATCH", p, {"wishes": {"region": "ergens"}}),
        ("DELETE", p, None),
        ("POST", p + "/skills", {"skills": [{"skill_uri": ANOTHER_SKILL, "evidence": [{"type": "diploma"}]}]}),
        ("DELETE", f"{p}/skills/{skill_uri}", None),
        ("POST", f"{p}/skills/{skill_uri}/evidence", {"type": "timesheet"}),
        ("POST", f"{p}/skills/{skill_uri}/validations", {"phase": "identification"}),
        ("DELETE", f"{p}/evidence/{evidence_id}", None),
        ("POST", f"{p}/evidence/confirmations", {"evidence_ids": [evidence_id]}),
        ("POST", f"{p}/work-history", {"occupation": CASHIER, "start_date": "2020-01-01"}),
        ("DELETE", f"{p}/work-history/{entry_id}", None),
        ("POST", f"{p}/education", {"kind": "certificate", "title": "VCA"}),
        ("DELETE", f"{p}/education/{diploma_id}", None),
        ("PUT", f"{p}/self-profile", {"ratings": [{"element_id": "2.A.1.a", "level": 7}]}),
        ("POST", f"{p}/consents", {"grantee": "intruder", "purpose": "matching", "parts": ["contact"]}),
        ("GET", f"{p}/consents", None),
        ("DELETE", f"{p}/consents/{consent_id}", None),
        ("GET", f"{p}/audit", None),
        ("GET", f"{p}/audit/verify", None),
        ("GET", f"{p}/export", None),
        ("GET", f"{p}/export/credentials", None),
    ]
    spec = (await api.get("/openapi.json")).json()
    routes = {
        (m.upper(), path) for path, ops in spec["paths"].items() if path.startswith("/v1/passports/{id}") for m in ops
    }
    covered = {
        (method, _template(url.split("?")[0], pid, skill_uri, evidence_id, entry_id, diploma_id, consent_id))
        for method, url, _ in calls
    }
    assert routes <= covered, f"routes without an ownership test: {sorted(routes - covered)}"

    intruders = {
        "another person": gateway.person("intruder"),
        "an organisation without consent": gateway.organisation(
            "gemeente-x", scopes=["passport:read", "passport:write"]
        ),
        "the consented organisation, beyond its consent": gateway.organisation(
            "uwv", scopes=["passport:read", "passport:write"]
        ),
    }
    for who, headers in intruders.items():
        for method, url, body in calls:
            if who.startswith("the consented") and url.endswith("purpose=matching"):
                continue  # that one is the consent at work
            reply = await api.request(method, url, json=body, headers={**headers, "If-Match": version})
            if method == "GET" and url == p:
                problem(reply, 400)  # someone else's passport is read only for a stated purpose
                continue
            problem(reply, 403, 404)
            assert reply.status_code != 404 or method != "GET" or "purpose" not in url, (who, method, url)
    after = await api.get(f"/v1/passports/{pid}", headers=owner)
    assert etag(after) == version, "someone else changed the passport"
    assert after.json()["contact"]["name"] == "Eigenaar"
    consents = (await api.get(f"/v1/passports/{pid}/consents", headers=owner)).json()["consents"]
    assert [(c["grantee"], c["in_force"]) for c in consents] == [("uwv", True)]


def _template(path: str, pid: str, *ids: str) -> str:
    path = path.replace(pid, "{id}")
    names = ["skill_uri", "evidence_id", "entry_id", "education_id", "consent_id"]
    for value, name in zip(ids, names, strict=True):
        path = path.replace(value, "{" + name + "}")
    return path


async def test_a_token_without_passport_scopes_is_refused_before_the_service(gateway: Gateway) -> None:
    api = gateway.client
    owner, passport = await new_passport(gateway)
    reader = gateway.person(scopes=["passport:read"])
    body = problem(await api.post("/v1/passports", json={}, headers=reader), 403)
    assert "passport:write" in body["detail"]
    assert 'error="insufficient_scope"' in (await api.post("/v1/passports", headers=reader)).headers["www-authenticate"]
    problem(await api.get(f"/v1/passports/{passport['id']}", headers=gateway.person(scopes=["taxonomy:read"])), 403)
    missing = problem(await api.get("/v1/passports/me"), 401)
    assert "access token" in missing["detail"]
    bad = await api.get("/v1/passports/me", headers={"Authorization": "Bearer not-a-jwt"})
    problem(bad, 401)
    assert 'error="invalid_token"' in bad.headers["www-authenticate"]
    basic = await api.get("/v1/passports/me", headers={"Authorization": "Basic YWxpY2U6c2VjcmV0"})
    problem(basic, 401)
    # An organisation has no passport of its own and cannot create one.
    problem(await api.post("/v1/passports", json={}, headers=gateway.organisation("uwv", ["passport:write"])), 403)
    problem(await api.get("/v1/passports/me", headers=gateway.organisation("uwv")), 404)
    # A person has one passport.
    problem(await api.post("/v1/passports", json={}, headers=owner), 409)


# --- versions: ETag / If-Match ---------------------------------------------------------------------------------------


async def test_patch_needs_if_match_and_refuses_a_stale_version(gateway: Gateway) -> None:
    api = gateway.client
    owner, passport = await new_passport(gateway, wishes={"region": "Utrecht"})
    url = f"/v1/passports/{passport['id']}"
    first = etag(await api.get(url, headers=owner))
    assert first == f'"{passport["version"]}"'
    change = {"wishes": {"region": "Amersfoort", "min_hours_per_week": 24, "max_hours_per_week": 32}}
    problem(await api.patch(url, json=change, headers=owner), 428)
    problem(await api.patch(url, json=change, headers={**owner, "If-Match": "*"}), 428)
    problem(await api.patch(url, json=change, headers={**owner, "If-Match": '"1", "2"'}), 400)
    for wrong in ('W/"1"', '"abc"', '"0"', "1", '"999"'):
        problem(await api.patch(url, json=change, headers={**owner, "If-Match": wrong}), 412)
    updated = await api.patch(url, json=change, headers={**owner, "If-Match": first})
    assert updated.status_code == 200, updated.text
    assert updated.json()["wishes"]["region"] == "Amersfoort"
    assert updated.json()["languages"] == []  # untouched parts stay as they were
    second = etag(updated)
    assert second != first and second == f'"{updated.json()["version"]}"'
    stale = problem(await api.patch(url, json={"languages": []}, headers={**owner, "If-Match": first}), 412)
    assert "version" in stale["detail"]
    # Other changes honour If-Match when it is sent, and work without it.
    body = {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "self_assessment"}]}]}
    problem(await api.post(f"{url}/skills", json=body, headers={**owner, "If-Match": first}), 412)
    added = await api.post(f"{url}/skills", json=body, headers={**owner, "If-Match": second})
    assert added.status_code == 201, added.text
    removed = await api.delete(f"{url}/skills/{PROCESS_PAYMENTS}", headers=owner)
    assert removed.status_code == 200
    assert etag(removed) == f'"{removed.json()["version"]}"'
    # Bodies: at least one part, no nulls, no unknown fields.
    for bad in ({}, {"contact": None}, {"owner_subject": "me"}, {"wishes": {"min_hours_per_week": 81}}):
        problem(await api.patch(url, json=bad, headers={**owner, "If-Match": etag(removed)}), 422)


# --- Idempotency-Key -------------------------------------------------------------------------------------------------


async def test_idempotency_key_replays_the_first_response(gateway: Gateway) -> None:
    api = gateway.client
    owner = gateway.person()
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"wishes": {"region": "Zwolle"}}
    first = await api.post("/v1/passports", json=body, headers={**owner, **key})
    assert first.status_code == 201, first.text
    again = await api.post("/v1/passports", json=body, headers={**owner, **key})
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true" and again.headers["etag"] == first.headers["etag"]
    assert again.headers["location"] == first.headers["location"]
    # The same JSON written differently is the same request.
    spaced = await api.post(
        "/v1/passports",
        content=json.dumps(body, indent=4),
        headers={**owner, **key, "Content-Type": "application/json"},
    )
    assert spaced.status_code == 201 and spaced.json()["id"] == first.json()["id"]
    problem(await api.post("/v1/passports", json={"wishes": {"region": "Deventer"}}, headers={**owner, **key}), 422)
    # Without the key the second create is a conflict: the key is what made the retry safe.
    problem(await api.post("/v1/passports", json=body, headers=owner), 409)
    # Keys belong to their caller: someone else's request with the same key is their own.
    other = await api.post("/v1/passports", json=body, headers={**gateway.person(), **key})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]

    pid = first.json()["id"]
    skill_key = {"Idempotency-Key": "add-payments-1"}
    skills = {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "self_assessment"}]}]}
    added = await api.post(f"/v1/passports/{pid}/skills", json=skills, headers={**owner, **skill_key})
    replay = await api.post(f"/v1/passports/{pid}/skills", json=skills, headers={**owner, **skill_key})
    assert added.status_code == replay.status_code == 201 and replay.json() == added.json()
    # A deterministic client error is replayed too; a different path with the same key is a different request.
    bad_key = {"Idempotency-Key": "bad-skill"}
    bad = {"skills": [{"skill_uri": "http://example.org/not-esco", "evidence": [{"type": "self_assessment"}]}]}
    problem(await api.post(f"/v1/passports/{pid}/skills", json=bad, headers={**owner, **bad_key}), 400)
    replayed = await api.post(f"/v1/passports/{pid}/skills", json=bad, headers={**owner, **bad_key})
    problem(replayed, 400)
    assert replayed.headers["idempotent-replayed"] == "true"
    problem(await api.post(f"/v1/passports/{pid}/consents", json=bad, headers={**owner, **bad_key}), 422)
    for unusable in ("", "x" * 256, "met spatie"):
        problem(await api.post("/v1/passports", json=body, headers={**owner, "Idempotency-Key": unusable}), 400, 422)


# --- bad input is a problem document, never a 500 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/v1/passports", {"unknown": 1}, 422),
        ("POST", "/v1/passports", {"contact": {"email": "not an e-mail"}}, 400),
        ("POST", "/v1/passports", {"languages": [{"language": "nl", "level": "Z9"}]}, 422),
        ("POST", "/v1/passports", {"contact": {"name": "x" * 201}}, 422),
        ("POST", "/v1/passports", [1, 2, 3], 422),
        ("GET", "/v1/passports/not-a-uuid", None, 422),
        ("GET", f"/v1/passports/{uuid.uuid4()}", None, 404),
        ("GET", "/v1/passports/{pid}?purpose=curiosity", None, 422),
        ("POST", "/v1/passports/{pid}/skills", {"skills": []}, 422),
        ("POST", "/v1/passports/{pid}/skills", {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": []}]}, 422),
        (
            "POST",
            "/v1/passports/{pid}/skills",
            {"skills": [{"skill_uri": CASHIER, "evidence": [{"type": "diploma"}]}]},
            400,
        ),
        (
            "POST",
            "/v1/passports/{pid}/skills",
            {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "diploma", "issued_on": "2999-01-01"}]}]},
            400,
        ),
        (
            "POST",
            "/v1/passports/{pid}/skills",
            {
                "skills": [
                    {"skill_uri": "http://data.europa.eu/esco/skill/nope", "evidence": [{"type": "self_assessment"}]}
                ]
            },
            400,
        ),
        ("POST", "/v1/passports/{pid}/work-history", {"occupation": CASHIER, "start_date": "yesterday"}, 422),
        ("POST", "/v1/passports/{pid}/work-history", {"occupation": CASHIER, "start_date": "2999-01-01"}, 400),
        (
            "POST",
            "/v1/passports/{pid}/work-history",
            {"occupation": CASHIER, "start_date": "2020-01-01", "end_date": "2019-01-01"},
            400,
        ),
        ("POST", "/v1/passports/{pid}/work-history", {"occupation": "nope", "start_date": "2020-01-01"}, 400),
        ("POST", "/v1/passports/{pid}/education", {"kind": "diploma", "title": ""}, 422),
        ("POST", "/v1/passports/{pid}/education", {"kind": "diploma", "title": "x", "level": 9}, 422),
        ("PUT", "/v1/passports/{pid}/self-profile", {"ratings": [{"element_id": "2.A.1.a", "level": 8}]}, 422),
        ("PUT", "/v1/passports/{pid}/self-profile", {"ratings": [{"element_id": "9.Z.9", "level": 3}]}, 400),
        ("POST", "/v1/passports/{pid}/consents", {"grantee": "*", "purpose": "matching", "parts": ["skills"]}, 400),
        ("POST", "/v1/passports/{pid}/consents", {"grantee": "uwv", "purpose": "matching", "parts": []}, 422),
        (
            "POST",
            "/v1/passports/{pid}/consents",
            {"grantee": "uwv", "purpose": "matching", "parts": ["skills"], "valid_to": "2001-01-01T00:00:00Z"},
            400,
        ),
        (
            "POST",
            "/v1/passports/{pid}/consents",
            {"grantee": "uwv", "purpose": "matching", "parts": ["skills"], "valid_to": "2031-01-01T00:00:00"},
            422,
        ),
        ("DELETE", "/v1/passports/{pid}/consents/" + str(uuid.uuid4()), None, 404),
        ("DELETE", "/v1/passports/{pid}/evidence/not-a-uuid", None, 422),
        ("POST", "/v1/passports/{pid}/evidence/confirmations", {"evidence_ids": [str(uuid.uuid4())]}, 404),
        ("GET", "/v1/passports/{pid}/audit?limit=0", None, 422),
        ("GET", "/v1/passports/{pid}/audit?limit=501", None, 422),
        ("GET", "/v1/passports/{pid}/audit?cursor=garbage", None, 400),
        ("PATCH", "/v1/passports/{pid}/skills", {}, 405),
    ],
)
async def test_bad_input_is_a_problem_document(
    gateway: Gateway, owned: tuple[dict[str, str], str], method: str, path: str, body: Any, status: int
) -> None:
    owner, pid = owned
    reply = await gateway.client.request(method, path.replace("{pid}", pid), json=body, headers=owner)
    problem(reply, status)


@pytest.fixture(scope="module")
async def owned(gateway: Gateway) -> tuple[dict[str, str], str]:
    owner, passport = await new_passport(gateway)
    return owner, passport["id"]


async def test_malformed_and_oversized_bodies(gateway: Gateway, owned: tuple[dict[str, str], str]) -> None:
    owner, pid = owned
    api = gateway.client
    json_type = {"Content-Type": "application/json"}
    problem(await api.post(f"/v1/passports/{pid}/skills", content=b"{not json", headers={**owner, **json_type}), 422)
    huge = {"skills": [{"skill_uri": PROCESS_PAYMENTS, "evidence": [{"type": "diploma", "note": "x" * 2_000_000}]}]}
    problem(await api.post(f"/v1/passports/{pid}/skills", json=huge, headers=owner), 413)
    too_many = {
        "skills": [{"skill_uri": f"{PROCESS_PAYMENTS}{i}", "evidence": [{"type": "diploma"}]} for i in range(501)]
    }
    problem(await api.post(f"/v1/passports/{pid}/skills", json=too_many, headers=owner), 422)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["skills", "evidence", "skill_uri", "type", "occupation", "start_date", "end_date", "grantee", "purpose",
     "parts", "ratings", "element_id", "level", "kind", "title", "contact", "wishes", "languages", "evidence_ids",
     "phase", "valid_to", "issued_on"]
)  # fmt: skip
BODIES = JSON | st.dictionaries(FIELDS, JSON, max_size=6)
ENDPOINTS = st.sampled_from(
    [
        ("POST", "/v1/passports"),
        ("POST", "/v1/passports/{pid}/skills"),
        ("POST", "/v1/passports/{pid}/work-history"),
        ("POST", "/v1/passports/{pid}/education"),
        ("POST", "/v1/passports/{pid}/consents"),
        ("POST", "/v1/passports/{pid}/evidence/confirmations"),
        ("PUT", "/v1/passports/{pid}/self-profile"),
        ("PATCH", "/v1/passports/{pid}"),
        ("POST", "/v1/passports/{pid}/skills/" + PROCESS_PAYMENTS + "/evidence"),
        ("POST", "/v1/passports/{pid}/skills/" + PROCESS_PAYMENTS + "/validations"),
    ]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(endpoint=ENDPOINTS, body=BODIES)
async def test_any_json_body_gets_an_answer_below_500(
    gateway: Gateway, owned: tuple[dict[str, str], str], endpoint: tuple[str, str], body: Any
) -> None:
    owner, pid = owned
    method, path = endpoint
    reply = await gateway.client.request(
        method, path.replace("{pid}", pid), json=body, headers={**owner, "If-Match": '"1"'}
    )
    assert reply.status_code < 500, reply.text
    if reply.status_code >= 400:
        problem(reply, reply.status_code)


# --- audit paging, logs ----------------------------------------------------------------------------------------------


async def test_audit_pages_with_a_cursor(gateway: Gateway) -> None:
    api = gateway.client
    owner, passport = await new_passport(gateway)
    pid = passport["id"]
    uwv = gateway.organisation("uwv")
    for _ in range(4):
        await api.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=uwv)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await api.get(f"/v1/passports/{pid}/audit", params=params, headers=owner)).json()
        assert len(page["entries"]) <= 2
        seen += [e["seq"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(range(1, len(seen) + 1)) and len(seen) >= 5


async def test_no_personal_data_in_logs(gateway: Gateway, caplog: pytest.LogCaptureFixture) -> None:
    api = gateway.client
    caplog.set_level(logging.INFO)  # the default level; DEBUG logs of drivers (aiosqlite) show SQL parameters
    subject = f"logcheck-{uuid.uuid4().hex}"
    owner = {"Authorization": "Bearer " + gateway.issuer.mint(subject, "person", ["passport:read", "passport:write"])}
    secret_name, secret_mail = "Geheime Naam Jansen", "geheim.jansen@example.nl"
    _, passport = await new_passport(gateway, owner, contact={"name": secret_name, "email": secret_mail})
    pid = passport["id"]
    await api.get(f"/v1/passports/{pid}", params={"purpose": "matching"}, headers=gateway.organisation("uwv"))
    await api.get("/v1/passports/me", headers={"Authorization": "Bearer " + "x" * 40})
    await api.post(
        f"/v1/passports/{pid}/work-history", json={"occupation": "nope", "start_date": "2020-01-01"}, headers=owner
    )
    for record in caplog.records:
        if record.name.startswith(("httpx", "httpcore")):
            continue  # the test's own HTTP client, not the gateway
        text = f"{record.getMessage()} {record.__dict__}"
        for personal in (secret_name, secret_mail, subject, pid):
            assert personal not in text, f"{personal!r} in the log record {record.name}: {text[:2000]}"
