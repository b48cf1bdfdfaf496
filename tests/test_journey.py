"""The README journey over real processes (taxonomy, passport, vacancy, matcher, gateway), as `make run` starts
them: a person builds a passport from a work history as "kassamedewerker", consents to be found, gets transition
occupations; a job board posts a Dutch vacancy and finds the person as a candidate; after withdrawal, it no
longer does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from overstap_cli.stack import Stack, default_services, free_port
from overstap_gateway.auth.development import load_or_create

from .known import CASHIER

pytestmark = pytest.mark.slow

JOB_BOARD = "jobboard-x"
AD = """Kassamedewerker supermarkt (24 uur)

Wij zoeken een vriendelijke kassamedewerker voor onze supermarkt in Utrecht.
Wat ga je doen?
- Je rekent af met klanten en verwerkt betalingen (contant en pin).
- Je helpt klanten met vragen en zorgt voor een goede klantenservice.
- Je verwerkt retouren en terugbetalingen.
Wat vragen wij?
- Je kunt goed rekenen en werkt nauwkeurig.
- Ervaring met een kassa is een pré.
"""


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("journey")


@pytest.fixture(scope="module")
def gateway_url(var_dir: Path) -> Iterator[str]:
    ports = {name: free_port() for name in ("gateway", "taxonomy", "passport", "matcher", "vacancy")}
    services = default_services(
        {"OVERSTAP_LOG_LEVEL": "WARNING", "OVERSTAP_MATCHER_VACANCY_POLL_SECONDS": "0.2"},
        gateway_port=ports["gateway"],
        taxonomy_port=ports["taxonomy"],
        passport_port=ports["passport"],
        matcher_port=ports["matcher"],
        vacancy_port=ports["vacancy"],
        var_dir=var_dir,
    )
    with Stack(services):
        yield next(s for s in services if s.name == "gateway").address


def headers(var_dir: Path, subject: str, role: str, scopes: list[str], org: str | None = None) -> dict[str, str]:
    token = load_or_create(var_dir / "dev-keys").mint(subject, role, scopes, org)
    return {"Authorization": f"Bearer {token}"}


def eventually(check, within: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.3)


def test_the_readme_journey(gateway_url: str, var_dir: Path) -> None:
    person = headers(var_dir, "alice", "person", ["passport:read", "passport:write", "match:read"])
    job_board = headers(
        var_dir,
        f"{JOB_BOARD}-client",
        "organisation",
        ["vacancy:read", "vacancy:write", "passport:candidates"],
        JOB_BOARD,
    )
    with httpx.Client(base_url=gateway_url, timeout=30) as api:
        # A passport from a work history as kassamedewerker: its skills are derived ("aangemeten").
        created = api.post("/v1/passports", json={}, headers=person)
        assert created.status_code == 201, created.text
        pid = created.json()["id"]
        history = api.post(
            f"/v1/passports/{pid}/work-history",
            json={"occupation": CASHIER, "start_date": "2015-01-01", "end_date": "2020-06-30"},
            headers=person,
        )
        assert history.status_code == 201, history.text
        assert history.json()["derived_skills"]

        # Consent to be found by the job board for its vacancies.
        grant = api.post(
            f"/v1/passports/{pid}/consents",
            json={"grantee": JOB_BOARD, "purpose": "vacancy-candidates", "parts": ["skills"]},
            headers=person,
        )
        assert grant.status_code == 201, grant.text
        consent_id = grant.json()["id"]

        # Transition occupations, explained.
        matches = api.get(f"/v1/passports/{pid}/matches/occupations", params={"limit": 5}, headers=person)
        assert matches.status_code == 200, matches.text
        items = matches.json()["items"]
        assert len(items) == 5 and all(i["summary"] and i["parts"] for i in items)
        assert CASHIER not in {i["occupation"]["id"] for i in items}

        # A Dutch vacancy from the job board.
        posted = api.post(
            "/v1/vacancies",
            json={"external_id": "ah-utrecht-1", "title": "Kassamedewerker supermarkt", "text": AD},
            headers=job_board,
        )
        assert posted.status_code in (200, 201), posted.text
        vacancy_id = posted.json()["vacancy"]["id"]

        def candidates() -> list[str]:
            reply = api.get(f"/v1/vacancies/{vacancy_id}/candidates", headers=job_board)
            if reply.status_code != 200:
                return []
            return [c["passport_id"] for c in reply.json()["items"]]

        assert pid in eventually(lambda: pid in candidates() and candidates()), "the person was not found"

        # The person withdraws consent: the very next search no longer finds them.
        withdrawn = api.delete(f"/v1/passports/{pid}/consents/{consent_id}", headers=person)
        assert withdrawn.status_code == 200, withdrawn.text
        reply = api.get(f"/v1/vacancies/{vacancy_id}/candidates", headers=job_board)
        assert reply.status_code == 200, reply.text
        assert pid not in [c["passport_id"] for c in reply.json()["items"]]

        # Vacancies for the person: the job board's vacancy is among them.
        for_person = api.get(f"/v1/passports/{pid}/matches/vacancies", headers=person)
        assert for_person.status_code == 200, for_person.text
        assert vacancy_id in {i["vacancy"]["vacancy_id"] for i in for_person.json()["items"]}
