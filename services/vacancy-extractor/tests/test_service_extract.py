"""ExtractSkills and RankSkills through gRPC: bad input of every kind is INVALID_ARGUMENT (never INTERNAL or
UNKNOWN), HTML input, and a Dutch and an English ad through the shipped model (spans point into the returned
text, and back into the HTML as sent)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import grpc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from overstap.vacancy.v1 import vacancy_pb2 as pb
from overstap_extractor.application.extraction import CHUNK_CHARS, chunks
from overstap_extractor.domain.errors import InvalidInput
from overstap_extractor.domain.text import MAX_TEXT_BYTES
from overstap_extractor.model.artifact import default_artifact_path

from .vacancy_harness import Harness, fails, running_service, skill

CODE = grpc.StatusCode
EN_AD = """Backend developer (m/f/x)
What you bring:
- Three years of experience with Python and SQL.
- You enjoy teamwork and help customers when needed.
Nice to have:
- Docker
You speak English fluently. A driving licence is a plus."""
NL_AD = """Magazijnmedewerker (m/v/x)
Wat vragen we?
- Je kan heftruck rijden en je hebt een rijbewijs B.
- Je spreekt vlot Nederlands; Engels spreken is een pluspunt.
- Samenwerken in een team vind je fijn.
- Je hebt ervaring met voorraadbeheer en orderpicking."""
HTML_AD = (
    "<!DOCTYPE html><html><head><title>Vacature</title><style>li { color: red }</style></head><body>"
    "<h1>Backend developer</h1><p>What you bring:</p><ul><li>Three years of experience with <b>Python</b> &amp; "
    "SQL.</li><li>You enjoy&nbsp;teamwork.</li></ul><p>Nice to have:</p><ul><li>Java</li></ul>"
    "<script>var skills = ['cleaning'];</script></body></html>"
)


@pytest.fixture(scope="module")
async def service(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('extract') / 'vacancy.db'}"
    async with running_service("sqlite", url) as harness:
        yield harness


def extract(h: Harness, scopes: tuple[str, ...] = ("vacancy:write",), **fields: object):  # noqa: ANN201
    return h.stub.ExtractSkills(pb.ExtractSkillsRequest(**fields), metadata=h.meta(h.board(scopes=scopes)))  # type: ignore[arg-type]


def assert_spans(response: pb.ExtractSkillsResponse, source: str) -> None:
    text = response.text
    for s in response.skills:
        assert 0 < s.confidence <= 1 and s.mentions
        for m in s.mentions:
            assert 0 <= m.sentence_start <= m.start < m.end <= m.sentence_end <= len(text)
            assert text[m.start : m.end] == m.text
            assert 0 <= m.source_start < m.source_end <= len(source)
            if response.format == pb.TEXT_FORMAT_PLAIN:
                assert (m.source_start, m.source_end) == (m.start, m.end)


# --- through gRPC, with the keyword classifier -------------------------------------------------------------


async def test_plain_text_extraction(service: Harness) -> None:
    response = await extract(service, text=EN_AD)
    assert response.language == "en" and response.language_source == pb.LANGUAGE_SOURCE_DETECTED
    assert response.format == pb.TEXT_FORMAT_PLAIN and response.text == EN_AD and response.sentence_count > 5
    found = {s.skill_id: s for s in response.skills}
    assert found[skill("python")].required and not found[skill("driving")].required
    assert found[skill("python")].suggested_min_evidence == pb.EVIDENCE_LEVEL_SEMI_HARD
    assert found[skill("driving")].suggested_min_evidence == pb.EVIDENCE_LEVEL_HARD
    assert response.occupations[0].occupation_id.endswith("/developer")
    assert response.model_version == "keywords-1" and response.bundle_version == "synthetic-1"
    assert_spans(response, EN_AD)


async def test_html_extraction_maps_back_to_the_html(service: Harness) -> None:
    response = await extract(service, text=HTML_AD, max_occupations=2)
    assert response.format == pb.TEXT_FORMAT_HTML
    assert response.text == ("Backend developer\n\nWhat you bring:\n\n- Three years of experience with Python & SQL.\n"
                             "- You enjoy teamwork.\n\nNice to have:\n\n- Java")  # fmt: skip
    found = {s.skill_id: s for s in response.skills}
    assert set(found) == {skill("python"), skill("sql"), skill("teams"), skill("java")}  # not the script's
    assert not found[skill("java")].required and found[skill("python")].required
    for s in response.skills:
        for m in s.mentions:
            assert HTML_AD[m.source_start : m.source_end] == m.text
    assert_spans(response, HTML_AD)
    assert len(response.occupations) <= 2
    as_plain = await extract(service, text="<p>Python</p>", format=pb.TEXT_FORMAT_PLAIN)
    assert as_plain.text == "<p>Python</p>" and as_plain.format == pb.TEXT_FORMAT_PLAIN


async def test_broken_html_gives_a_result(service: Harness) -> None:
    broken_documents = [
        "<p>Python <b>and SQL",
        "<div><li>Python</div></li></ul>",
        "<p>Python<![ x SQL</p>",
        "<p class='x>Python</p> SQL",
        "Python </p></p></div> SQL <",
        "<p>Python &#99999999; &bogus; SQL",
    ]
    for broken in broken_documents:
        response = await extract(service, text=broken, format=pb.TEXT_FORMAT_HTML)
        assert_spans(response, broken)


async def test_language_given_or_defaulted(service: Harness) -> None:
    given = await extract(service, text="Python, SQL", language="EN-gb")
    assert (given.language, given.language_source) == ("en", pb.LANGUAGE_SOURCE_REQUESTED)
    short = await extract(service, text="Python, SQL")
    assert (short.language, short.language_source) == ("nl", pb.LANGUAGE_SOURCE_DEFAULT)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "is empty"),
        ({"text": ""}, "is empty"),
        ({"text": " \n\t "}, "is empty"),
        ({"content": b""}, "is empty"),
        ({"text": "x" * (MAX_TEXT_BYTES + 1)}, "at most 1,048,576"),
        ({"content": b"x" * (MAX_TEXT_BYTES + 1)}, "at most 1,048,576"),
        ({"text": "Python\x00SQL"}, "NUL"),
        ({"content": b"\x00\x01\x02\x03binary\x00"}, "NUL"),
        ({"content": bytes(range(1, 32)) * 20}, "control characters"),
        ({"content": b"Python \xc3\x28 SQL"}, "not valid UTF-8"),
        ({"content": b"\xff\xd8\xff\xe0JFIF"}, "not valid UTF-8"),
        ({"text": "<html><script>x()</script></html>"}, "no text"),
        ({"text": "Python", "language": "de"}, "unsupported language"),
        ({"text": "Python", "language": "klingon"}, "unsupported language"),
        ({"text": "Sie haben Erfahrung mit Python und SQL und wir bieten ein gutes Gehalt für Sie."}, "German"),
        ({"text": "Python", "format": 7}, "format"),
        ({"text": "Python", "max_occupations": 21}, "max_occupations"),
        ({"text": "Python", "max_occupations": -1}, "max_occupations"),
    ],
)
async def test_bad_input_is_invalid_argument(service: Harness, fields: dict[str, object], message: str) -> None:
    await fails(CODE.INVALID_ARGUMENT, extract(service, **fields), message)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": ""}, "is empty"),
        ({"text": "x" * 10_001}, "at most 10,000"),
        ({"text": "Python", "limit": 101}, "limit"),
        ({"text": "Python", "language": "fr"}, "unsupported language"),
        ({"text": "a\x00b"}, "NUL"),
    ],
)
async def test_bad_rank_input_is_invalid_argument(service: Harness, fields: dict[str, object], message: str) -> None:
    await fails(CODE.INVALID_ARGUMENT, service.stub.RankSkills(
        pb.RankSkillsRequest(**fields), metadata=service.meta(service.board())), message)  # type: ignore[arg-type]  # fmt: skip


async def test_invalid_utf8_in_a_string_field_is_invalid_argument(service: Harness) -> None:
    """A hand-rolled client can put any bytes in a string field; gRPC alone would answer UNKNOWN."""
    call = service.channel.unary_unary(
        "/overstap.vacancy.v1.VacancyService/ExtractSkills",
        request_serializer=lambda raw: raw,
        response_deserializer=pb.ExtractSkillsResponse.FromString,
    )
    raw = b"\x0a\x06Py\xfe\xffon"  # field 1 (text), 6 bytes, not UTF-8
    await fails(CODE.INVALID_ARGUMENT, call(raw, metadata=service.meta(service.board())), "content field")
    await fails(CODE.INVALID_ARGUMENT, call(b"\xff\xff\xff", metadata=service.meta(service.board())), "not a valid")


async def test_upsert_with_bad_text_is_invalid_argument(service: Harness) -> None:
    board = service.board()
    for body in ({"text": ""}, {"text": "a\x00"}, {"content": b"\xff"}, {"text": "x" * (MAX_TEXT_BYTES + 1)}):
        request = pb.UpsertVacancyRequest(external_id="bad", title="Developer", **body)  # type: ignore[arg-type]
        await fails(CODE.INVALID_ARGUMENT, service.stub.UpsertVacancy(request, metadata=service.meta(board)))
    await fails(CODE.NOT_FOUND, service.stub.GetVacancy(pb.GetVacancyRequest(external_id="bad"),
                                                        metadata=service.meta(board)))  # fmt: skip


async def test_rank_skills(service: Harness) -> None:
    response = await service.stub.RankSkills(pb.RankSkillsRequest(text="heftruck rijden", limit=3),
                                             metadata=service.meta(service.board()))  # fmt: skip
    assert [s.rank for s in response.skills] == [1, 2, 3]
    assert response.skills[0].skill_id == skill("forklift") and response.skills[0].label == "heftruck besturen"
    assert response.language == "nl"


async def test_model_failure_is_internal_without_details(tmp_path_factory: pytest.TempPathFactory) -> None:
    class Broken:
        version = "broken"
        armed = False

        def extract(self, text: str, language: str):  # noqa: ANN202
            if self.armed:
                raise ValueError("secret internals")
            from .vacancy_harness import KeywordClassifier

            return KeywordClassifier().extract(text, language)

        def rank(self, text: str, language: str, limit: int):  # noqa: ANN202
            return []

    broken = Broken()
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('broken') / 'vacancy.db'}"
    async with running_service("sqlite", url, classifier=broken) as h:  # type: ignore[arg-type]
        broken.armed = True
        details = await fails(CODE.INTERNAL, extract(h, text=EN_AD), "has been logged")
        assert "secret" not in details


# --- long texts: chunks, and work that stops when the caller gives up ---------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab .\n\t", max_size=400), st.integers(4, 60))
def test_chunks_cover_the_text_in_order(text: str, size: int) -> None:
    pieces = chunks(text, size)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    for (_, end), (start, _) in zip(pieces, pieces[1:], strict=False):
        assert end == start
    assert all(0 < end - start <= size for start, end in pieces if text) or text == ""


def test_a_long_ad_is_scored_in_chunks_with_exact_offsets(service: Harness) -> None:
    paragraph = "Backend developer\nYou have experience with Python and SQL.\nJava is a plus.\n\n"
    text = paragraph * (3 * CHUNK_CHARS // len(paragraph))
    classifier = service.runtime.pipeline.classifier
    before = classifier.calls  # type: ignore[attr-defined]
    result = service.runtime.pipeline.extract(text, None, "en")
    assert classifier.calls - before >= 3  # type: ignore[attr-defined]
    found = {s.skill_id: s for s in result.skills}
    assert len(found) == len(result.skills) and not found[skill("java")].required
    python = found[skill("python")]
    assert len(python.mentions) == text.count("Python")
    for s in result.skills:
        for m in s.mentions:
            assert text[m.start : m.end].lower() in {"python", "sql", "java"}
            assert m.sentence_start <= m.start < m.end <= m.sentence_end


async def test_work_stops_when_the_caller_gives_up(tmp_path_factory: pytest.TempPathFactory) -> None:
    from .vacancy_harness import KeywordClassifier

    class Slow(KeywordClassifier):
        def extract(self, text: str, language: str):  # noqa: ANN202
            time.sleep(0.2)
            return super().extract(text, language)

    slow = Slow()
    text = ("You have experience with Python and SQL.\n" * 1000)[: 12 * CHUNK_CHARS]
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('slow') / 'vacancy.db'}"
    async with running_service("sqlite", url, classifier=slow) as h:
        started = slow.calls
        request = pb.ExtractSkillsRequest(text=text, language="en")
        await fails(CODE.DEADLINE_EXCEEDED, h.stub.ExtractSkills(request, metadata=h.meta(h.board()), timeout=0.5))
        await asyncio.sleep(1.0)
        assert slow.calls - started <= 6  # of 12 chunks: the rest was skipped
        assert h.runtime.runner.pending == 0


# --- the shipped model -------------------------------------------------------------------------------------

needs_model = pytest.mark.skipif(not default_artifact_path().exists(), reason="no trained model artifact shipped")


@pytest.fixture(scope="module")
async def real(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Harness]:
    from overstap_bundle import load_bundle
    from overstap_extractor.adapters.classifier import SkillClassifier

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('real') / 'vacancy.db'}"
    async with running_service("sqlite", url, classifier=SkillClassifier.load(), bundle=load_bundle()) as harness:
        yield harness


@needs_model
async def test_english_ad_through_the_model(real: Harness) -> None:
    response = await extract(real, text=EN_AD)
    assert response.language == "en" and response.model_version.startswith("skill-ranker@")
    assert response.skills, "the model found no skill in the English ad"
    assert_spans(response, EN_AD)
    assert any(s.label.startswith("Python") and s.required for s in response.skills)
    assert response.occupations and all(0 < o.score <= 1 for o in response.occupations)


@needs_model
async def test_dutch_ad_through_the_model(real: Harness) -> None:
    response = await extract(real, text=NL_AD)
    assert response.language == "nl" and response.language_source == pb.LANGUAGE_SOURCE_DETECTED
    assert response.skills, "the model found no skill in the Dutch ad"
    assert_spans(response, NL_AD)
    assert response.occupations


@needs_model
async def test_html_ad_through_the_model(real: Harness) -> None:
    response = await extract(real, text=HTML_AD)
    assert response.format == pb.TEXT_FORMAT_HTML and "<" not in response.text
    assert_spans(response, HTML_AD)
    for s in response.skills:
        for m in s.mentions:
            raw = HTML_AD[m.source_start : m.source_end]
            assert raw.replace("<b>", "").replace("</b>", "").replace("&amp;", "&").replace("&nbsp;", " ") == m.text


@needs_model
async def test_rank_skills_through_the_model(real: Harness) -> None:
    response = await real.stub.RankSkills(pb.RankSkillsRequest(text="operate a forklift truck", limit=5),
                                          metadata=real.meta(real.board()))  # fmt: skip
    assert len(response.skills) == 5 and response.language == "en"
    assert all(0 <= s.probability <= 1 for s in response.skills)
    assert [s.probability for s in response.skills] == sorted((s.probability for s in response.skills), reverse=True)


PIECES = ["Python", "SQL", "heftruck", " en ", " and ", "\n", "- ", "•", ":", "<p>", "</li>", "&amp;", "é", "🙂",
          "\u200b", "\r\n", ".", "!!!", "C++", "x" * 50]  # fmt: skip
ODD_TEXT = st.one_of(st.text(max_size=300), st.lists(st.sampled_from(PIECES), max_size=80).map("".join))


@needs_model
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(ODD_TEXT, st.sampled_from(["", "nl", "en"]))
def test_any_text_gives_a_result_or_a_clear_refusal(real_pipeline, text: str, language: str) -> None:  # noqa: ANN001
    """Whatever the text, the pipeline (checks, HTML, language, the model, spans) answers or says why not."""
    try:
        result = real_pipeline.extract(text, None, language)
    except InvalidInput:
        return
    for s in result.skills:
        for m in s.mentions:
            assert 0 <= m.start < m.end <= len(result.ad.text)


@pytest.fixture(scope="module")
def real_pipeline(real: Harness):  # noqa: ANN201
    return real.runtime.pipeline
