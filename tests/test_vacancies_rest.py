"""Vacancies through the gateway's REST face: real gateway app, real vacancy gRPC service (shipped classifier, committed
bundle, SQLite) in process; tokens from the development issuer. Extraction of a Dutch, an English and an HTML ad;
a job board's vacancies (upsert by external_id, idempotency, read, list, skill edits with ETag/If-Match, delete);
job boards kept apart; scopes and roles; bad input is a 4xx problem document, never a 500."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from overstap_gateway.schemas.vacancies import Extraction, Vacancy, VacancyPage, VacancyUpserted

from .conftest import Gateway
from .known import PROCESS_PAYMENTS, PYTHON

PROBLEM = "application/problem+json"
BOARD_SCOPES = ("vacancy:read", "vacancy:write")
NL_AD = """Magazijnmedewerker (m/v/x)
Wat vragen we?
- Je kan heftruck rijden en je hebt een rijbewijs B.
- Je spreekt vlot Nederlands; Engels spreken is een pluspunt.
- Samenwerken in een team vind je fijn.
- Je hebt ervaring met voorraadbeheer en orderpicking."""
EN_AD = """Backend developer (m/f/x)
What you bring:
- Three years of experience with Python and SQL.
- You enjoy teamwork and help customers when needed.
Nice to have:
- Docker
You speak English fluently. A driving licence is a plus."""
HTML_AD = (
    "<!DOCTYPE html><html><head><title>Vacature</title><style>li { color: red }</style></head><body>"
    "<h1>Backend developer</h1><p>What you bring:</p><ul><li>Three years of experience with <b>Python</b> &amp; "
    "SQL.</li><li>You enjoy&nbsp;teamwork.</li></ul><p>Nice to have:</p><ul><li>Java</li></ul>"
    "<script>var skills = ['cleaning'];</script></body></html>"
)
GERMAN_AD = "Wir suchen einen Lagermitarbeiter mit Erfahrung und Kenntnisse der deutschen Sprache."
UNKNOWN_SKILL = "http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000"


def problem(reply: httpx.Response, *statuses: int) -> dict[str, Any]:
    assert reply.status_code in statuses, f"{reply.status_code}: {reply.text}"
    assert reply.headers["content-type"].startswith(PROBLEM), reply.headers["content-type"]
    body = reply.json()
    assert body["status"] == reply.status_code and body["type"].startswith("https://") and body["title"]
    assert "Traceback" not in reply.text
    return body


def board(g: Gateway, name: str | None = None, scopes: tuple[str, ...] = BOARD_SCOPES) -> dict[str, str]:
    """Headers of a job board (an organisation with a client-credentials token); a new one unless named."""
    return g.organisation(name or f"jobboard-{uuid.uuid4().hex[:8]}", scopes)


def assert_spans(body: dict[str, Any], source: str) -> None:
    """Every mention points into the returned text (and, for plain text, into the input at the same place)."""
    text = body["text"]
    for s in body["skills"]:
        for m in s["mentions"] or ():
            assert 0 <= m["sentence_start"] <= m["start"] < m["end"] <= m["sentence_end"] <= len(text)
            assert text[m["start"] : m["end"]] == m["text"]
            assert 0 <= m["source_start"] < m["source_end"] <= len(source)
            if body["format"] == "plain":
                assert (m["source_start"], m["source_end"]) == (m["start"], m["end"])


async def extract(g: Gateway, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
    return await g.client.post(
        "/v1/vacancies/extract", json=body, headers=headers or board(g, scopes=("vacancy:read",))
    )


async def create(g: Gateway, who: dict[str, str], external_id: str, text: str = EN_AD, **fields: Any) -> dict:
    body = {"external_id": external_id, "title": fields.pop("title", "Backend developer"), "text": text, **fields}
    reply = await g.client.post("/v1/vacancies", json=body, headers=who)
    assert reply.status_code == 201, reply.text
    return reply.json()["vacancy"]


# --- extraction (nothing stored) -----------------------------------------------------------------------------------


async def test_extracts_skills_from_a_dutch_ad(gateway: Gateway) -> None:
    reply = await extract(gateway, text=NL_AD, title="Magazijnmedewerker")
    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    body = reply.json()
    Extraction.model_validate(body)
    assert body["language"] == "nl" and body["language_source"] == "detected"
    assert body["language_source_label"] == "herkend in de tekst"
    assert body["format"] == "plain" and body["text"] == NL_AD and body["sentence_count"] >= 5
    assert body["skills"], "no skill found in the Dutch ad"
    assert_spans(body, NL_AD)
    for s in body["skills"]:
        assert s["skill_id"].startswith("http://data.europa.eu/esco/skill/") and s["label"]
        assert 0 < s["confidence"] <= 1 and s["mentions"]
        assert s["required_label"] == ("vereist" if s["required"] else "pluspunt")
        assert s["suggested_min_evidence"] in ("soft", "semi_hard", "hard") and s["suggested_min_evidence_label"]
    assert [s["confidence"] for s in body["skills"]] == sorted((s["confidence"] for s in body["skills"]), reverse=True)
    occupations = body["occupations"]
    assert occupations and len(occupations) <= 5
    assert all(o["occupation_id"].startswith("http://data.europa.eu/esco/occupation/") for o in occupations)
    assert all(0 < o["score"] <= 1 and o["label"] for o in occupations)
    assert body["model_version"] and body["bundle_version"]


async def test_extracts_skills_from_an_english_ad(gateway: Gateway) -> None:
    reply = await extract(gateway, text=EN_AD, max_occupations=3)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["language"] == "en" and body["language_source"] == "detected"
    assert_spans(body, EN_AD)
    python = next((s for s in body["skills"] if s["skill_id"] == PYTHON), None)
    assert python is not None, [s["label"] for s in body["skills"]]
    assert python["required"] and python["label"].startswith("Python")
    assert any(m["text"].lower() == "python" for m in python["mentions"])
    assert python["suggested_min_evidence"] == "semi_hard"  # "Three years of experience with ..."
    assert 0 < len(body["occupations"]) <= 3


async def test_extracts_from_html_with_spans_into_the_text_and_the_html(gateway: Gateway) -> None:
    reply = await extract(gateway, text=HTML_AD, title="Backend developer")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["format"] == "html" and "<" not in body["text"] and "cleaning" not in body["text"]
    assert_spans(body, HTML_AD)
    for s in body["skills"]:
        for m in s["mentions"]:
            raw = HTML_AD[m["source_start"] : m["source_end"]]
            assert raw.replace("<b>", "").replace("</b>", "").replace("&amp;", "&").replace("&nbsp;", " ") == m["text"]
    # the language and format can be named instead of detected
    named = await extract(gateway, text="Python, SQL", language="en-GB", format="plain")
    assert named.status_code == 200, named.text
    assert (named.json()["language"], named.json()["language_source"], named.json()["format"]) == (
        "en",
        "requested",
        "plain",
    )


async def test_extraction_needs_vacancy_read(gateway: Gateway) -> None:
    client = gateway.client
    assert (await client.post("/v1/vacancies/extract", json={"text": EN_AD})).status_code == 401
    for headers in (gateway.person(), board(gateway, scopes=("match:read", "taxonomy:read"))):
        body = problem(await client.post("/v1/vacancies/extract", json={"text": EN_AD}, headers=headers), 403)
        assert "vacancy:read" in body["detail"]
    # reading an ad stores nothing and belongs to no job board: a person with the scope may do it too
    reader = gateway.person(scopes=["vacancy:read"])
    assert (await client.post("/v1/vacancies/extract", json={"text": EN_AD}, headers=reader)).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ({"text": ""}, 422, None),
        ({"text": " \n\t "}, 400, "empty"),
        ({}, 422, None),
        ({"text": "Heftruck\x00\x01\x02rijden" * 50}, 400, "binary"),
        ({"text": "\x01\x02\x03\x04\x05\x06\x07\x08" * 10 + "abc"}, 400, "binary"),
        ({"text": "<p></p><div><br></div>"}, 400, "no text"),
        ({"text": EN_AD, "language": "de"}, 400, "unsupported language"),
        ({"text": EN_AD, "language": "klingon-x"}, 400, "unsupported language"),
        ({"text": GERMAN_AD}, 400, "German"),
        ({"text": EN_AD, "format": "pdf"}, 422, None),
        ({"text": EN_AD, "max_occupations": 0}, 422, None),
        ({"text": EN_AD, "max_occupations": 21}, 422, None),
        ({"text": EN_AD, "extra": 1}, 422, None),
        ({"text": 42}, 422, None),
    ],
    ids=[
        "empty", "blank", "missing", "nul", "controls", "html-without-text", "language-de", "language-unknown",
        "german-ad", "format", "occupations-0", "occupations-21", "unknown-field", "not-a-string",
    ],
)  # fmt: skip
async def test_bad_ads_are_problems_not_errors(
    gateway: Gateway, body: dict[str, Any], status: int, detail: str | None
) -> None:
    reply = await gateway.client.post("/v1/vacancies/extract", json=body, headers=board(gateway))
    found = problem(reply, status)
    if detail:
        assert detail in found["detail"], found


async def test_oversized_lone_surrogate_and_broken_input(gateway: Gateway) -> None:
    client, headers = gateway.client, board(gateway)
    too_big = "Je kan heftruck rijden. " * (1024 * 1024 // 24 + 10)  # a little over 1 MiB
    body = problem(await client.post("/v1/vacancies/extract", json={"text": too_big}, headers=headers), 413)
    assert "exceeds" in body["detail"]
    # JSON can carry a lone surrogate, which is no text (and cannot go into a protobuf string): refused at the door
    raw = b'{"text": "Heftruck rijden \\ud800 en orderpicken"}'
    reply = await client.post(
        "/v1/vacancies/extract", content=raw, headers={**headers, "Content-Type": "application/json"}
    )
    assert "unicode" in problem(reply, 422)["errors"][0]["msg"]
    not_json = await client.post(
        "/v1/vacancies/extract", content=b"\xff\xfe\x00binary", headers={**headers, "Content-Type": "application/json"}
    )
    problem(not_json, 400, 422)
    # broken HTML is read as well as it goes, never an error
    broken = await client.post(
        "/v1/vacancies/extract",
        json={"text": "<p>Je kan <b>heftruck rijden<p>Je spreekt Nederlands</div><li>Python <a href='x"},
        headers=headers,
    )
    assert broken.status_code == 200, broken.text
    assert broken.json()["format"] == "html" and "heftruck rijden" in broken.json()["text"]
    assert_spans(broken.json(), "<p>Je kan <b>heftruck rijden<p>Je spreekt Nederlands</div><li>Python <a href='x")


# --- a job board's vacancies ---------------------------------------------------------------------------------------


async def test_create_then_upsert_is_idempotent(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    body = {
        "external_id": "JB-1",
        "title": "Backend developer",
        "text": EN_AD,
        "employer": "Acme",
        "location": "Utrecht",
        "hours": {"min": 32, "max": 40},
        "posted_on": "2025-01-01",
        "expires_on": "2099-12-31",
    }
    created = await client.post("/v1/vacancies", json=body, headers=jobboard)
    assert created.status_code == 201, created.text
    result = created.json()
    VacancyUpserted.model_validate(result)
    vacancy = result["vacancy"]
    assert result["created"] is True and result["changed"] is True and vacancy["version"] == 1
    assert created.headers["etag"] == '"1"' and created.headers["location"] == f"/v1/vacancies/{vacancy['id']}"
    assert created.headers["cache-control"] == "no-store"
    assert vacancy["external_id"] == "JB-1" and vacancy["job_board"].startswith("jobboard-")
    assert (vacancy["employer"], vacancy["location"], vacancy["hours"]) == ("Acme", "Utrecht", {"min": 32, "max": 40})
    assert (vacancy["posted_on"], vacancy["expires_on"], vacancy["expired"]) == ("2025-01-01", "2099-12-31", False)
    assert vacancy["text"] == EN_AD and vacancy["language"] == "en" and vacancy["format"] == "plain"
    assert vacancy["skills"] and vacancy["occupations"]
    assert_spans(vacancy, EN_AD)
    for s in vacancy["skills"]:
        assert s["status"] == "suggested" and s["origin"] == "extracted" and s["status_label"] and s["origin_label"]
        assert s["min_evidence"] in ("soft", "semi_hard", "hard") and s["mentions"]

    again = await client.post("/v1/vacancies", json=body, headers=jobboard)
    assert again.status_code == 200, again.text
    assert again.json()["created"] is False and again.json()["changed"] is False
    assert again.json()["vacancy"]["id"] == vacancy["id"] and again.headers["etag"] == '"1"'

    replaced = await client.post("/v1/vacancies", json={**body, "location": "Amersfoort"}, headers=jobboard)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["changed"] is True and replaced.json()["vacancy"]["version"] == 2
    assert replaced.json()["vacancy"]["id"] == vacancy["id"] and replaced.headers["etag"] == '"2"'


async def test_idempotency_key_replays_the_first_response(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    body = {"external_id": "JB-idem", "title": "Magazijnmedewerker", "text": NL_AD}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = await client.post("/v1/vacancies", json=body, headers={**jobboard, **key})
    assert first.status_code == 201, first.text
    replay = await client.post("/v1/vacancies", json=body, headers={**jobboard, **key})
    assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json() and replay.headers["etag"] == first.headers["etag"]
    assert replay.headers["location"] == first.headers["location"]
    other = await client.post("/v1/vacancies", json={**body, "title": "Orderpicker"}, headers={**jobboard, **key})
    problem(other, 422)
    # without the key the upsert is still idempotent by content
    plain = await client.post("/v1/vacancies", json=body, headers=jobboard)
    assert plain.status_code == 200 and plain.json()["changed"] is False


async def test_read_list_and_find_by_external_id(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    made = [await create(gateway, jobboard, f"list-{i}", title=f"Developer {i}") for i in range(3)]
    one = await client.get(f"/v1/vacancies/{made[0]['id']}", headers=jobboard)
    assert one.status_code == 200, one.text
    assert one.headers["etag"] == '"1"'
    read = Vacancy.model_validate(one.json())
    assert (read.id, read.version, read.text, read.external_id) == (made[0]["id"], 1, EN_AD, "list-0")
    assert [s.model_dump(mode="json") for s in read.skills] == made[0]["skills"]

    first = await client.get("/v1/vacancies", params={"limit": 2}, headers=jobboard)
    assert first.status_code == 200, first.text
    page = first.json()
    VacancyPage.model_validate(page)
    assert [v["external_id"] for v in page["items"]] == ["list-2", "list-1"] and page["next_cursor"]
    assert all(v["text"] is None and all(s["mentions"] is None for s in v["skills"]) for v in page["items"])
    second = await client.get("/v1/vacancies", params={"limit": 2, "cursor": page["next_cursor"]}, headers=jobboard)
    assert [v["external_id"] for v in second.json()["items"]] == ["list-0"] and second.json()["next_cursor"] is None

    found = (await client.get("/v1/vacancies", params={"external_id": "list-1"}, headers=jobboard)).json()
    assert [v["id"] for v in found["items"]] == [made[1]["id"]] and found["items"][0]["text"] is None
    none = (await client.get("/v1/vacancies", params={"external_id": "nope"}, headers=jobboard)).json()
    assert none == {"items": [], "next_cursor": None}

    problem(await client.get("/v1/vacancies", params={"limit": 101}, headers=jobboard), 422)
    problem(await client.get("/v1/vacancies", params={"limit": 0}, headers=jobboard), 422)
    problem(await client.get("/v1/vacancies", params={"cursor": "not-a-cursor"}, headers=jobboard), 400)
    problem(await client.get("/v1/vacancies/not-a-uuid", headers=jobboard), 422)
    problem(await client.get(f"/v1/vacancies/{uuid.uuid4()}", headers=jobboard), 404)


async def test_edit_skills_with_if_match(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    vacancy = await create(gateway, jobboard, "edit-1")
    path = f"/v1/vacancies/{vacancy['id']}/skills"
    suggested = [s["skill_id"] for s in vacancy["skills"]]
    assert len(suggested) >= 2, suggested
    keep, drop = suggested[0], suggested[1]
    edits = {
        "edits": [
            {"skill_id": keep, "action": "confirm", "required": False, "min_evidence": "hard"},
            {"skill_id": drop, "action": "remove"},
            {"skill_id": PROCESS_PAYMENTS, "action": "add"},
        ]
    }

    problem(await client.patch(path, json=edits, headers=jobboard), 428)
    problem(await client.patch(path, json=edits, headers={**jobboard, "If-Match": "*"}), 428)
    problem(await client.patch(path, json=edits, headers={**jobboard, "If-Match": 'W/"1"'}), 412)
    problem(await client.patch(path, json=edits, headers={**jobboard, "If-Match": '"7"'}), 412)

    edited = await client.patch(path, json=edits, headers={**jobboard, "If-Match": '"1"'})
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"2"'
    after = edited.json()
    Vacancy.model_validate(after)
    by_id = {s["skill_id"]: s for s in after["skills"]}
    assert by_id[keep]["status"] == "confirmed" and by_id[keep]["required"] is False
    assert by_id[keep]["min_evidence"] == "hard" and by_id[keep]["required_label"] == "pluspunt"
    assert drop not in by_id and after["removed_skill_ids"] == [drop]
    added = by_id[PROCESS_PAYMENTS]
    assert (added["origin"], added["status"], added["required"], added["confidence"]) == (
        "added",
        "confirmed",
        True,
        None,
    )
    assert added["min_evidence"] == "soft" and added["mentions"] == [] and added["label"]

    stale = await client.patch(path, json=edits, headers={**jobboard, "If-Match": '"1"'})
    assert "version" in problem(stale, 412)["detail"]

    unknown = {"edits": [{"skill_id": UNKNOWN_SKILL, "action": "add"}]}
    refused = await client.patch(path, json=unknown, headers={**jobboard, "If-Match": '"2"'})
    assert "not an ESCO skill" in problem(refused, 400)["detail"]
    not_there = {"edits": [{"skill_id": PYTHON + "x", "action": "confirm"}]}
    problem(await client.patch(path, json=not_there, headers={**jobboard, "If-Match": '"2"'}), 400)
    for bad in (
        {"edits": []},
        {"edits": [{"skill_id": keep, "action": "remove", "required": True}]},
        {"edits": [{"skill_id": keep, "action": "confirm"}, {"skill_id": keep, "action": "remove"}]},
        {"edits": [{"skill_id": keep, "action": "promote"}]},
        {"edits": [{"skill_id": keep, "action": "confirm", "min_evidence": "diploma"}]},
    ):
        problem(await client.patch(path, json=bad, headers={**jobboard, "If-Match": '"2"'}), 422)

    # a new text keeps the job board's decisions
    replaced = await client.post(
        "/v1/vacancies", json={"external_id": "edit-1", "title": "Backend developer", "text": EN_AD + "\nSQL!"},
        headers=jobboard,
    )  # fmt: skip
    assert replaced.status_code == 200, replaced.text
    again = {s["skill_id"]: s for s in replaced.json()["vacancy"]["skills"]}
    assert again[keep]["status"] == "confirmed" and again[PROCESS_PAYMENTS]["status"] == "confirmed"
    assert drop not in again and replaced.json()["vacancy"]["version"] == 3


async def test_upsert_with_if_match(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    vacancy = await create(gateway, jobboard, "cond-1")
    body = {"external_id": "cond-1", "title": "Backend developer", "text": EN_AD + "\nJava"}
    problem(await client.post("/v1/vacancies", json=body, headers={**jobboard, "If-Match": '"9"'}), 412)
    new = {**body, "external_id": "cond-new"}
    problem(await client.post("/v1/vacancies", json=new, headers={**jobboard, "If-Match": '"1"'}), 412)
    ok = await client.post("/v1/vacancies", json=body, headers={**jobboard, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["vacancy"]["version"] == 2
    assert ok.json()["vacancy"]["id"] == vacancy["id"]


async def test_delete(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    vacancy = await create(gateway, jobboard, "gone-1")
    path = f"/v1/vacancies/{vacancy['id']}"
    problem(await client.delete(path, headers={**jobboard, "If-Match": '"5"'}), 412)
    deleted = await client.delete(path, headers={**jobboard, "If-Match": '"1"'})
    assert deleted.status_code == 204 and not deleted.content
    problem(await client.get(path, headers=jobboard), 404)
    problem(await client.delete(path, headers=jobboard), 404)
    listed = (await client.get("/v1/vacancies", headers=jobboard)).json()
    assert vacancy["id"] not in {v["id"] for v in listed["items"]}
    back = await client.post(
        "/v1/vacancies", json={"external_id": "gone-1", "title": "Backend developer", "text": EN_AD}, headers=jobboard
    )
    assert back.status_code == 201 and back.json()["created"] is True


async def test_upsert_bad_input(gateway: Gateway) -> None:
    client, jobboard = gateway.client, board(gateway)
    base = {"external_id": "bad-1", "title": "Developer", "text": EN_AD}
    for body, status in (
        ({**base, "text": ""}, 422),
        ({**base, "text": "   "}, 400),
        ({**base, "title": ""}, 422),
        ({**base, "title": "Developer\nand more"}, 400),
        ({**base, "external_id": ""}, 422),
        ({**base, "external_id": "x" * 201}, 422),
        ({k: v for k, v in base.items() if k != "title"}, 422),
        ({**base, "posted_on": "2025-02-01", "expires_on": "2025-01-01"}, 422),
        ({**base, "posted_on": "2025-02-30"}, 422),
        ({**base, "hours": {"min": 40, "max": 32}}, 422),
        ({**base, "hours": {"min": 200}}, 422),
        ({**base, "language": "fr"}, 400),
        ({**base, "text": "Heftruck\x00rijden"}, 400),
        ({**base, "vacancy_id": "x"}, 422),
    ):
        problem(await client.post("/v1/vacancies", json=body, headers=jobboard), status)
    assert (await client.get("/v1/vacancies", params={"external_id": "bad-1"}, headers=jobboard)).json()["items"] == []


# --- who may -------------------------------------------------------------------------------------------------------


async def test_another_job_board_gets_404_on_every_vacancy(gateway: Gateway) -> None:
    client, owner, other = gateway.client, board(gateway), board(gateway)
    vacancy = await create(gateway, owner, "mine-1")
    path = f"/v1/vacancies/{vacancy['id']}"
    edits = {"edits": [{"skill_id": PROCESS_PAYMENTS, "action": "add"}]}
    problem(await client.get(path, headers=other), 404)
    problem(await client.patch(f"{path}/skills", json=edits, headers={**other, "If-Match": '"1"'}), 404)
    problem(await client.delete(path, headers=other), 404)
    problem(await client.delete(path, headers={**other, "If-Match": '"1"'}), 404)
    assert (await client.get("/v1/vacancies", headers=other)).json()["items"] == []
    assert (await client.get("/v1/vacancies", params={"external_id": "mine-1"}, headers=other)).json()["items"] == []
    # the same external_id is another vacancy for another job board
    theirs = await create(gateway, other, "mine-1")
    assert theirs["id"] != vacancy["id"]
    # and the owner's is untouched
    still = await client.get(path, headers=owner)
    assert still.status_code == 200 and still.json()["version"] == 1


async def test_scopes_and_roles(gateway: Gateway) -> None:
    client = gateway.client
    owner = board(gateway)
    vacancy = await create(gateway, owner, "scoped-1")
    path = f"/v1/vacancies/{vacancy['id']}"
    upsert = {"external_id": "scoped-2", "title": "Developer", "text": EN_AD}
    edits = {"edits": [{"skill_id": PROCESS_PAYMENTS, "action": "add"}]}

    def calls(headers: dict[str, str]) -> list[tuple[str, Any]]:
        return [
            ("vacancy:write", client.post("/v1/vacancies", json=upsert, headers=headers)),
            ("vacancy:read", client.get("/v1/vacancies", headers=headers)),
            ("vacancy:read", client.get(path, headers=headers)),
            ("vacancy:write", client.patch(f"{path}/skills", json=edits, headers={**headers, "If-Match": '"1"'})),
            ("vacancy:write", client.delete(path, headers=headers)),
        ]

    # no token: 401; a person with the usual scopes: 403 naming the scope
    for _, reply in calls({}):
        assert (await reply).status_code == 401
    for scope, reply in calls(gateway.person()):
        assert scope in problem(await reply, 403)["detail"]
    # persons and coaches hold no vacancies, even with the scopes
    for headers in (gateway.person(scopes=BOARD_SCOPES), gateway.coach(org="uwv", scopes=BOARD_SCOPES)):
        for _, reply in calls(headers):
            assert "job boards" in problem(await reply, 403)["detail"]
    # a read-only job board client reads but does not change
    reader = board(gateway, name=vacancy["job_board"], scopes=("vacancy:read",))
    assert (await client.get(path, headers=reader)).status_code == 200
    problem(await client.delete(path, headers=reader), 403)
    problem(await client.post("/v1/vacancies", json=upsert, headers=reader), 403)
    # another client of the same job board sees its vacancies
    colleague = gateway.organisation(vacancy["job_board"], BOARD_SCOPES, client_id="second-client")
    assert (await client.get(path, headers=colleague)).status_code == 200


async def test_vacancy_routes_are_documented(gateway: Gateway) -> None:
    spec = (await gateway.client.get("/openapi.json")).json()
    paths = spec["paths"]
    assert {"post"} <= set(paths["/v1/vacancies/extract"])
    assert {"get", "post"} <= set(paths["/v1/vacancies"])
    assert {"get", "delete"} <= set(paths["/v1/vacancies/{id}"])
    assert "patch" in paths["/v1/vacancies/{id}/skills"]
    assert {"200", "201", "412"} <= set(paths["/v1/vacancies"]["post"]["responses"])
    assert {"412", "428"} <= set(paths["/v1/vacancies/{id}/skills"]["patch"]["responses"])


# --- anything at all -----------------------------------------------------------------------------------------------

AD_TEXT = st.text(st.characters(codec="utf-8"), max_size=300) | st.sampled_from(
    [NL_AD, EN_AD, HTML_AD, "<", "<!--", "&#xD800;", "<p>&nbsp;</p>", "\ufeffPython", "<![CDATA[x", "<a href='"]
)
VALUES = (
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | AD_TEXT
)
FIELDS = st.sampled_from(
    ["text", "title", "language", "format", "max_occupations", "external_id", "employer", "location", "hours",
     "posted_on", "expires_on", "edits", "skill_id", "action", "required", "min_evidence"]
)  # fmt: skip
BODIES = st.fixed_dictionaries(
    {"text": AD_TEXT, "external_id": st.text(min_size=1, max_size=20), "title": st.text(min_size=1, max_size=20)},
    optional={"language": st.sampled_from(["", "nl", "en", "EN_gb", "de", "x" * 40]), "format": VALUES},
) | st.dictionaries(FIELDS, VALUES | st.lists(st.dictionaries(FIELDS, VALUES, max_size=4), max_size=3), max_size=6)


@pytest.fixture(scope="module")
async def owned(gateway: Gateway) -> tuple[dict[str, str], str]:
    jobboard = board(gateway)
    return jobboard, (await create(gateway, jobboard, "fuzz-1"))["id"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    endpoint=st.sampled_from(
        [("POST", "/v1/vacancies/extract"), ("POST", "/v1/vacancies"), ("PATCH", "/v1/vacancies/{id}/skills")]
    ),
    body=BODIES,
)
async def test_any_json_body_gets_an_answer_below_500(
    gateway: Gateway, owned: tuple[dict[str, str], str], endpoint: tuple[str, str], body: Any
) -> None:
    jobboard, vacancy_id = owned
    method, path = endpoint
    if path == "/v1/vacancies":
        body = (
            {**body, "external_id": "fuzz-" + str(body.get("external_id", ""))[:20]} if isinstance(body, dict) else body
        )
    reply = await gateway.client.request(
        method, path.replace("{id}", vacancy_id), json=body, headers={**jobboard, "If-Match": '"1"'}
    )
    assert reply.status_code < 500, reply.text
    if reply.status_code >= 400:
        problem(reply, reply.status_code)
