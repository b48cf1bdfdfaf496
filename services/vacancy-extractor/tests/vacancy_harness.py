"""What the service tests share: a small synthetic taxonomy, a deterministic keyword classifier standing in for the
trained model (the model itself is exercised in test_service_extract.py), databases (SQLite and a real
PostgreSQL) and the vacancy service on a real grpc.aio server with signed callers."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from overstap.vacancy.v1 import vacancy_pb2_grpc as pb_grpc
from overstap_bundle import Concept, ConceptType, LabelSet, OccupationSkill, Relation, TaxonomyBundle
from overstap_common.grpc_client import create_channel
from overstap_common.grpc_server import GrpcServer
from overstap_common.principal import DEVELOPMENT_KEY, Principal, encode_principal
from overstap_extractor.application.extraction import Classifier
from overstap_extractor.domain.model import ModelMention, ModelOutput, ModelSkill, RankedSkill
from overstap_extractor.server import SERVICE_NAME, Runtime, build
from overstap_extractor.settings import VacancySettings
from overstap_storage.scratch import fresh_databases

SKILL = "http://data.europa.eu/esco/skill/"
OCCUPATION = "http://data.europa.eu/esco/occupation/"
READ_WRITE = ("vacancy:read", "vacancy:write")

# key: (English label, Dutch label, phrases that mention it in an ad)
SKILLS = {
    "python": ("Python (computer programming)", "Python (computerprogrammering)", ["python"]),
    "sql": ("SQL", "SQL", ["sql"]),
    "java": ("Java (computer programming)", "Java (computerprogrammering)", ["java"]),
    "teams": ("work in teams", "in teams werken", ["teamwork", "samenwerken in een team", "work in a team"]),
    "forklift": ("operate forklift", "heftruck besturen", ["forklift", "heftruck rijden", "heftruck"]),
    "dutch": ("Dutch", "Nederlands", ["dutch", "nederlands"]),
    "english": ("English", "Engels", ["english", "engels"]),
    "driving": ("drive vehicles", "voertuigen besturen", ["driving licence", "rijbewijs"]),
    "cleaning": ("clean rooms", "kamers schoonmaken", ["cleaning", "schoonmaken"]),
    "customers": ("assist customers", "klanten helpen", ["help customers", "klanten helpen"]),
}
OCCUPATIONS = {
    "developer": ("software developer", "softwareontwikkelaar", "2512",
                  {"python": Relation.ESSENTIAL, "sql": Relation.ESSENTIAL, "java": Relation.OPTIONAL,
                   "teams": Relation.OPTIONAL}),
    "warehouse": ("warehouse worker", "magazijnmedewerker", "9333",
                  {"forklift": Relation.ESSENTIAL, "teams": Relation.ESSENTIAL, "dutch": Relation.OPTIONAL,
                   "driving": Relation.OPTIONAL}),
    "cleaner": ("cleaner", "schoonmaker", "9112", {"cleaning": Relation.ESSENTIAL, "teams": Relation.OPTIONAL}),
}  # fmt: skip


def skill(key: str) -> str:
    return SKILL + key


def occupation(key: str) -> str:
    return OCCUPATION + key


def synthetic_bundle() -> TaxonomyBundle:
    concepts = [
        Concept(id=skill(k), type=ConceptType.SKILL, labels={"en": LabelSet(en), "nl": LabelSet(nl)})
        for k, (en, nl, _) in SKILLS.items()
    ]
    relations = []
    for k, (en, nl, isco, skills) in OCCUPATIONS.items():
        concepts.append(
            Concept(id=occupation(k), type=ConceptType.OCCUPATION, labels={"en": LabelSet(en), "nl": LabelSet(nl)},
                    attributes={"isco_code": isco})
        )  # fmt: skip
        relations += [OccupationSkill(occupation(k), skill(s), r) for s, r in skills.items()]
    return TaxonomyBundle("synthetic-1", {}, concepts, relations, [], [])


_SENTENCE = re.compile(r"[^\n.!?;]+[.!?;]?")
_PLUS = re.compile(r"\b(?:a plus|nice to have|pluspunt|pré|bij voorkeur|preferably)\b", re.IGNORECASE)


class KeywordClassifier:
    """Finds the phrases of SKILLS in each sentence: deterministic spans for the service tests."""

    version = "keywords-1"

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, text: str, language: str) -> ModelOutput:
        self.calls += 1
        found: dict[str, list[ModelMention]] = {}
        sentences = [m for m in _SENTENCE.finditer(text) if m.group().strip()]
        section_plus = False
        for sentence in sentences:
            body = sentence.group()
            if body.strip().endswith(":"):
                section_plus = bool(_PLUS.search(body))
            required = not (section_plus or _PLUS.search(body))
            lower = body.lower()
            for key, (_, _, phrases) in SKILLS.items():
                for phrase in phrases:
                    at = re.search(rf"\b{re.escape(phrase)}\b", lower)
                    if at:
                        start = sentence.start() + at.start()
                        found.setdefault(skill(key), []).append(
                            ModelMention(start, start + len(phrase), sentence.start(), sentence.end(), 0.9, required)
                        )
                        break
        skills = tuple(
            ModelSkill(sid, SKILLS[sid.removeprefix(SKILL)][0], 0.9, any(m.required for m in ms), tuple(ms))
            for sid, ms in found.items()
        )
        return ModelOutput(len(sentences), skills)

    def rank(self, text: str, language: str, limit: int) -> list[RankedSkill]:
        lower = text.lower()
        scored = [(sum(p in lower for p in phrases) / len(phrases), k, en) for k, (en, _, phrases) in SKILLS.items()]
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [RankedSkill(skill(k), en, float(score)) for score, k, en in scored[:limit]]


class FakeClock:
    """Real time plus an offset the test may move."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@dataclass
class Harness:
    backend: str
    runtime: Runtime
    server: GrpcServer
    channel: grpc.aio.Channel
    stub: pb_grpc.VacancyServiceStub
    clock: FakeClock
    address: str

    def meta(self, principal: Principal) -> list[tuple[str, str]]:
        return encode_principal(principal, DEVELOPMENT_KEY)

    @staticmethod
    def board(name: str | None = None, scopes: tuple[str, ...] = READ_WRITE) -> Principal:
        return Principal(f"client-{uuid.uuid4().hex[:8]}", name or f"jobboard-{uuid.uuid4().hex[:8]}", "organisation",
                         scopes)  # fmt: skip

    @staticmethod
    def matcher() -> Principal:
        return Principal("matcher", None, "service", ("vacancy:index",))


@asynccontextmanager
async def running_service(
    backend: str, database_url: str, classifier: Classifier | None = None, bundle: TaxonomyBundle | None = None,
    **settings: object,
) -> AsyncIterator[Harness]:  # fmt: skip
    clock = FakeClock()
    config = VacancySettings(environment="test", grpc_port=0, database_url=database_url, **settings)
    runtime = await build(config, classifier=classifier or KeywordClassifier(), bundle=bundle or synthetic_bundle(),
                          clock=clock)  # fmt: skip
    server = GrpcServer(config, [SERVICE_NAME], runtime.register)
    port = await server.start()
    await server.set_serving(True)
    address = f"127.0.0.1:{port}"
    channel = create_channel(address, deadline_seconds=60, max_message_bytes=16 * 1024 * 1024)
    try:
        yield Harness(backend, runtime, server, channel, pb_grpc.VacancyServiceStub(channel), clock, address)
    finally:
        await channel.close()
        await server.stop()
        await runtime.close()


@asynccontextmanager
async def database_url(request: pytest.FixtureRequest, backend: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        root = request.getfixturevalue("tmp_path_factory").mktemp("vacancy-sqlite")
        yield f"sqlite+aiosqlite:///{root / 'vacancy.db'}"
    else:
        async with fresh_databases(request.getfixturevalue("postgres_url"), "overstap_vacancy_test") as (url,):
            yield url


async def fails(code: grpc.StatusCode, call: Awaitable[object], match: str = "") -> str:
    """Await ``call`` and assert it fails with ``code`` (and ``match`` in the details); return the details."""
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    assert caught.value.code() == code, f"{caught.value.code()}: {caught.value.details()}"
    details = caught.value.details() or ""
    assert match in details, details
    return details
