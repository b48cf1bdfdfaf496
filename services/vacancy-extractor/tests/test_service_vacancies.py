"""Vacancies through gRPC on SQLite and on a real PostgreSQL: upsert (idempotent), read, list, skill edits,
delete, job boards kept apart, optimistic concurrency, scopes, and the matcher's feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import grpc
import pytest
from overstap.vacancy.v1 import vacancy_pb2 as pb
from overstap_common.principal import Principal, encode_principal

from .vacancy_harness import Harness, database_url, fails, running_service, skill

BACKENDS = ["sqlite", "postgresql"]
AD = """Backend developer
What you bring:
- Experience with Python and SQL.
- You like teamwork.
Nice to have:
- Java
A driving licence is a plus."""
HTML_AD = "<h1>Magazijnmedewerker</h1><p>Wat vragen we?</p><ul><li>Je kan <b>heftruck rijden</b>.</li>" \
          "<li>Je spreekt Nederlands &amp; Engels is een pluspunt.</li></ul>"  # fmt: skip
CODE = grpc.StatusCode


@pytest.fixture(scope="module", params=BACKENDS)
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    async with database_url(request, request.param) as url, running_service(request.param, url) as h:
        yield h


@pytest.fixture
def service(harness: Harness) -> Harness:
    harness.clock.offset = timedelta(0)
    return harness


def upsert_request(external_id: str, text: str = AD, **fields: object) -> pb.UpsertVacancyRequest:
    return pb.UpsertVacancyRequest(external_id=external_id, title=str(fields.pop("title", "Backend developer")),
                                   text=text, **fields)  # type: ignore[arg-type]  # fmt: skip


async def upsert(h: Harness, who: Principal, external_id: str, text: str = AD, **fields: object):  # noqa: ANN201
    return await h.stub.UpsertVacancy(upsert_request(external_id, text, **fields), metadata=h.meta(who))


def skills_of(vacancy: pb.Vacancy) -> dict[str, pb.DemandedSkill]:
    return {s.skill_id.removeprefix(skill("")): s for s in vacancy.skills}


# --- create, read, list ------------------------------------------------------------------------------------


async def test_upsert_creates_then_is_idempotent(service: Harness) -> None:
    board = service.board()
    fields = {"employer": "Acme", "location": "Utrecht", "hours": pb.HoursPerWeek(min=32, max=40),
              "posted_on": "2025-01-01", "expires_on": "2099-12-31"}  # fmt: skip
    first = await upsert(service, board, "ad-1", **fields)
    assert first.created and first.changed and first.vacancy.version == 1
    v = first.vacancy
    assert v.job_board == board.organisation and v.external_id == "ad-1" and v.language == "en"
    assert (v.employer, v.location, v.hours.min, v.hours.max) == ("Acme", "Utrecht", 32, 40)
    assert (v.posted_on, v.expires_on, v.expired) == ("2025-01-01", "2099-12-31", False)
    found = skills_of(v)
    assert {"python", "sql", "teams", "java", "driving"} <= set(found)
    assert found["python"].required and not found["java"].required and not found["driving"].required
    assert found["python"].status == pb.SKILL_STATUS_SUGGESTED and found["python"].origin == pb.SKILL_ORIGIN_EXTRACTED
    assert found["python"].min_evidence == pb.EVIDENCE_LEVEL_SEMI_HARD  # "Experience with ..."
    assert found["driving"].min_evidence == pb.EVIDENCE_LEVEL_HARD  # "driving licence"
    for s in v.skills:
        for m in s.mentions:
            assert v.text[m.start : m.end] == m.text and m.sentence_start <= m.start < m.end <= m.sentence_end
    assert v.occupations[0].occupation_id.endswith("/developer")

    calls = service.runtime.pipeline.classifier.calls  # type: ignore[attr-defined]
    again = await upsert(service, board, "ad-1", **fields)
    assert not again.created and not again.changed
    assert again.vacancy.version == 1 and again.vacancy.vacancy_id == v.vacancy_id
    assert service.runtime.pipeline.classifier.calls == calls  # type: ignore[attr-defined]  # not extracted again

    by_id = await service.stub.GetVacancy(pb.GetVacancyRequest(vacancy_id=v.vacancy_id), metadata=service.meta(board))
    by_external = await service.stub.GetVacancy(pb.GetVacancyRequest(external_id="ad-1"), metadata=service.meta(board))
    assert by_id.vacancy == by_external.vacancy
    assert by_id.vacancy.text == AD and by_id.vacancy.skills == v.skills


async def test_html_vacancy_stores_the_plain_text_the_spans_point_into(service: Harness) -> None:
    board = service.board()
    v = (await upsert(service, board, "html-1", HTML_AD, title="Magazijnmedewerker")).vacancy
    assert v.source_format == pb.TEXT_FORMAT_HTML and "<" not in v.text and v.language == "nl"
    assert v.text.startswith("Magazijnmedewerker\n\nWat vragen we?\n\n- Je kan heftruck rijden.")
    found = skills_of(v)
    assert found["forklift"].required and not found["english"].required
    for s in v.skills:
        for m in s.mentions:
            assert v.text[m.start : m.end] == m.text
            assert HTML_AD[m.source_start : m.source_end].replace("<b>", "").replace("</b>", "") == m.text
    assert v.occupations[0].occupation_id.endswith("/warehouse") and v.occupations[0].title_score == 1.0


async def test_raw_content_bytes_are_accepted(service: Harness) -> None:
    request = pb.UpsertVacancyRequest(external_id="bytes-1", title="Developer", content=AD.encode())
    v = (await service.stub.UpsertVacancy(request, metadata=service.meta(service.board()))).vacancy
    assert v.text == AD


async def test_list_pages_newest_first_and_hides_expired(service: Harness) -> None:
    board = service.board()
    ids = [(await upsert(service, board, f"page-{i}", f"Python {i}. SQL.")).vacancy.vacancy_id for i in range(5)]
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    expired = (await upsert(service, board, "old", "Python.", expires_on=yesterday)).vacancy
    assert expired.expired
    seen, token = [], ""
    while True:
        page = await service.stub.ListVacancies(
            pb.ListVacanciesRequest(page_size=2, page_token=token), metadata=service.meta(board)
        )
        assert len(page.vacancies) <= 2
        for v in page.vacancies:
            assert v.text == "" and all(not s.mentions for s in v.skills) and v.skills
        seen += [v.vacancy_id for v in page.vacancies]
        token = page.next_page_token
        if not token:
            break
    assert seen == list(reversed(ids))
    everything = await service.stub.ListVacancies(
        pb.ListVacanciesRequest(page_size=100, include_expired=True), metadata=service.meta(board)
    )
    assert [v.vacancy_id for v in everything.vacancies] == [expired.vacancy_id, *reversed(ids)]
    await fails(CODE.INVALID_ARGUMENT, service.stub.ListVacancies(
        pb.ListVacanciesRequest(page_size=101), metadata=service.meta(board)), "page_size")  # fmt: skip
    await fails(CODE.INVALID_ARGUMENT, service.stub.ListVacancies(
        pb.ListVacanciesRequest(page_token="bm9wZQ"), metadata=service.meta(board)), "page_token")  # fmt: skip


# --- skill edits and new content ---------------------------------------------------------------------------


async def test_edits_then_new_text_keeps_the_job_boards_decisions(service: Harness) -> None:
    board = service.board()
    v = (await upsert(service, board, "edit-1")).vacancy
    edits = [
        pb.SkillEdit(skill_id=skill("python"), action=pb.SKILL_ACTION_CONFIRM, required=False,
                     min_evidence=pb.EVIDENCE_LEVEL_HARD),
        pb.SkillEdit(skill_id=skill("sql"), action=pb.SKILL_ACTION_REMOVE),
        pb.SkillEdit(skill_id=skill("cleaning"), action=pb.SKILL_ACTION_ADD),
    ]  # fmt: skip
    edited = (await service.stub.UpdateVacancySkills(
        pb.UpdateVacancySkillsRequest(vacancy_id=v.vacancy_id, expected_version=1, edits=edits),
        metadata=service.meta(board))).vacancy  # fmt: skip
    assert edited.version == 2
    found = skills_of(edited)
    assert "sql" not in found and list(edited.removed_skill_ids) == [skill("sql")]
    assert found["python"].status == pb.SKILL_STATUS_CONFIRMED and not found["python"].required
    assert found["python"].min_evidence == pb.EVIDENCE_LEVEL_HARD and found["python"].mentions
    assert found["cleaning"].origin == pb.SKILL_ORIGIN_ADDED and found["cleaning"].required
    assert found["cleaning"].label == "clean rooms" and found["cleaning"].min_evidence == pb.EVIDENCE_LEVEL_SOFT

    same = (await service.stub.UpdateVacancySkills(
        pb.UpdateVacancySkillsRequest(vacancy_id=v.vacancy_id, expected_version=2, edits=edits[:1]),
        metadata=service.meta(board))).vacancy  # fmt: skip
    assert same.version == 2  # nothing changed, no new version

    new_text = "Backend developer\nYou know Python, SQL and Dutch.\nJava is a plus."
    after = (await upsert(service, board, "edit-1", new_text)).vacancy
    assert after.version == 3
    found = skills_of(after)
    assert (
        found["python"].status == pb.SKILL_STATUS_CONFIRMED and found["python"].min_evidence == pb.EVIDENCE_LEVEL_HARD
    )
    assert "sql" not in found and skill("sql") in after.removed_skill_ids  # removed stays removed
    assert found["cleaning"].status == pb.SKILL_STATUS_CONFIRMED and not found["cleaning"].mentions
    assert "teams" not in found and found["dutch"].status == pb.SKILL_STATUS_SUGGESTED  # suggestions replaced
    for s in after.skills:
        for m in s.mentions:
            assert after.text[m.start : m.end] == m.text  # offsets point into the new text


async def test_unknown_skill_and_bad_edits_are_invalid(service: Harness) -> None:
    board = service.board()
    v = (await upsert(service, board, "bad-edit")).vacancy

    def update(*edits: pb.SkillEdit, version: int = 1) -> object:
        return service.stub.UpdateVacancySkills(
            pb.UpdateVacancySkillsRequest(vacancy_id=v.vacancy_id, expected_version=version, edits=list(edits)),
            metadata=service.meta(board),
        )

    unknown = pb.SkillEdit(skill_id="http://data.europa.eu/esco/skill/not-a-skill", action=pb.SKILL_ACTION_ADD)
    await fails(CODE.INVALID_ARGUMENT, update(unknown), "not an ESCO skill")
    await fails(CODE.INVALID_ARGUMENT, update(pb.SkillEdit(skill_id=skill("python"))), "action")
    await fails(CODE.INVALID_ARGUMENT, update(pb.SkillEdit(skill_id=skill("forklift"), action=pb.SKILL_ACTION_CONFIRM)),
                "use ADD")  # fmt: skip
    await fails(CODE.INVALID_ARGUMENT, update(pb.SkillEdit(skill_id=skill("python"), action=pb.SKILL_ACTION_CONFIRM),
                                              version=0), "expected_version")  # fmt: skip
    await fails(CODE.INVALID_ARGUMENT, update(), "at least one edit")


# --- optimistic concurrency --------------------------------------------------------------------------------


async def test_stale_version_is_aborted(service: Harness) -> None:
    board = service.board()
    v = (await upsert(service, board, "stale-1")).vacancy
    await upsert(service, board, "stale-1", AD + "\nSQL again.", expected_version=1)  # now version 2
    confirm = pb.SkillEdit(skill_id=skill("python"), action=pb.SKILL_ACTION_CONFIRM)
    await fails(CODE.ABORTED, service.stub.UpdateVacancySkills(
        pb.UpdateVacancySkillsRequest(vacancy_id=v.vacancy_id, expected_version=1, edits=[confirm]),
        metadata=service.meta(board)), "expected version 1, current version 2")  # fmt: skip
    await fails(CODE.ABORTED, upsert(service, board, "stale-1", AD + "\nJava.", expected_version=1), "version")
    stale_delete = pb.DeleteVacancyRequest(vacancy_id=v.vacancy_id, expected_version=1)
    await fails(CODE.ABORTED, service.stub.DeleteVacancy(stale_delete, metadata=service.meta(board)))
    await fails(CODE.NOT_FOUND, upsert(service, board, "never-created", expected_version=3), "expected_version 0")
    # The same content again is no change, whatever version it was based on.
    assert not (await upsert(service, board, "stale-1", AD + "\nSQL again.", expected_version=1)).changed


async def test_concurrent_upserts(service: Harness) -> None:
    board = service.board()
    same = await asyncio.gather(*(upsert(service, board, "race-1") for _ in range(5)))
    assert sum(r.created for r in same) == 1
    assert {r.vacancy.vacancy_id for r in same} == {same[0].vacancy.vacancy_id}
    assert {r.vacancy.version for r in same} == {1}
    texts = [AD + f"\nVariant {i}: Java." for i in range(4)]
    outcomes = await asyncio.gather(
        *(upsert(service, board, "race-1", t, expected_version=1) for t in texts), return_exceptions=True
    )
    won = [o for o in outcomes if not isinstance(o, BaseException)]
    lost = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(won) == 1 and won[0].vacancy.version == 2
    assert all(isinstance(e, grpc.aio.AioRpcError) and e.code() == CODE.ABORTED for e in lost), lost


# --- delete ------------------------------------------------------------------------------------------------


async def test_delete_then_send_again(service: Harness) -> None:
    board = service.board()
    v = (await upsert(service, board, "del-1")).vacancy
    gone = await service.stub.DeleteVacancy(
        pb.DeleteVacancyRequest(vacancy_id=v.vacancy_id), metadata=service.meta(board)
    )
    assert gone.vacancy_id == v.vacancy_id
    await fails(CODE.NOT_FOUND, service.stub.GetVacancy(pb.GetVacancyRequest(vacancy_id=v.vacancy_id),
                                                        metadata=service.meta(board)))  # fmt: skip
    await fails(CODE.NOT_FOUND, service.stub.DeleteVacancy(pb.DeleteVacancyRequest(vacancy_id=v.vacancy_id),
                                                           metadata=service.meta(board)))  # fmt: skip
    listed = await service.stub.ListVacancies(pb.ListVacanciesRequest(), metadata=service.meta(board))
    assert not listed.vacancies
    again = await upsert(service, board, "del-1")
    assert again.created and again.changed
    assert again.vacancy.vacancy_id == v.vacancy_id and again.vacancy.version == 3
    assert skills_of(again.vacancy)["python"].status == pb.SKILL_STATUS_SUGGESTED


# --- job boards kept apart, identity and scopes -------------------------------------------------------------


async def test_another_job_board_cannot_see_or_change_it(service: Harness) -> None:
    owner, other = service.board(), service.board()
    v = (await upsert(service, owner, "shared-id")).vacancy
    meta = service.meta(other)
    await fails(CODE.NOT_FOUND, service.stub.GetVacancy(pb.GetVacancyRequest(vacancy_id=v.vacancy_id), metadata=meta))
    await fails(CODE.NOT_FOUND, service.stub.GetVacancy(pb.GetVacancyRequest(external_id="shared-id"), metadata=meta))
    edit = pb.SkillEdit(skill_id=skill("python"), action=pb.SKILL_ACTION_REMOVE)
    request = pb.UpdateVacancySkillsRequest(vacancy_id=v.vacancy_id, expected_version=1, edits=[edit])
    await fails(CODE.NOT_FOUND, service.stub.UpdateVacancySkills(request, metadata=meta))
    await fails(CODE.NOT_FOUND, service.stub.DeleteVacancy(pb.DeleteVacancyRequest(vacancy_id=v.vacancy_id),
                                                           metadata=meta))  # fmt: skip
    assert not (await service.stub.ListVacancies(pb.ListVacanciesRequest(), metadata=meta)).vacancies
    mine = (await upsert(service, other, "shared-id", "Cleaning offices.")).vacancy  # the same external id: its own
    assert mine.vacancy_id != v.vacancy_id and mine.version == 1
    still = await service.stub.GetVacancy(pb.GetVacancyRequest(vacancy_id=v.vacancy_id), metadata=service.meta(owner))
    assert still.vacancy.version == 1 and still.vacancy.text == AD


async def test_identity_and_scopes(service: Harness) -> None:
    board = service.board()
    v = (await upsert(service, board, "scoped")).vacancy
    get = pb.GetVacancyRequest(vacancy_id=v.vacancy_id)
    await fails(CODE.UNAUTHENTICATED, service.stub.GetVacancy(get), "no caller identity")
    forged = encode_principal(board, "not-the-key")
    await fails(CODE.UNAUTHENTICATED, service.stub.GetVacancy(get, metadata=forged), "not signed")
    expired = encode_principal(board, "overstap-development-principal-key-not-for-production", now=0)
    await fails(CODE.UNAUTHENTICATED, service.stub.GetVacancy(get, metadata=expired), "expired")
    reader = Principal("r", board.organisation, "organisation", ("vacancy:read",))
    await fails(CODE.PERMISSION_DENIED, upsert(service, reader, "scoped", "Java."), "vacancy:write")
    writer = Principal("w", board.organisation, "organisation", ("vacancy:write",))
    await fails(CODE.PERMISSION_DENIED, service.stub.GetVacancy(get, metadata=service.meta(writer)), "vacancy:read")
    person = Principal("p", None, "person", ("vacancy:read", "vacancy:write"))
    await fails(CODE.PERMISSION_DENIED, upsert(service, person, "x"), "no organisation")
    nobody = Principal("n", "jobboard-x", "organisation", ())
    await fails(CODE.PERMISSION_DENIED, service.stub.ExtractSkills(pb.ExtractSkillsRequest(text=AD),
                                                                   metadata=service.meta(nobody)))  # fmt: skip
    changes = service.stub.ListVacancyChanges(pb.ListVacancyChangesRequest(), metadata=service.meta(board))
    await fails(CODE.PERMISSION_DENIED, changes, "vacancy:index")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in service.stub.ListVacancySkillSets(
            pb.ListVacancySkillSetsRequest(), metadata=service.meta(board)
        ):
            pass
    assert caught.value.code() == CODE.PERMISSION_DENIED


# --- the matcher's feed ------------------------------------------------------------------------------------


async def _all_skill_sets(h: Harness, page_size: int = 2) -> tuple[list[pb.VacancySkillSet], str, int]:
    sets, tokens, messages = [], set(), 0
    async for message in h.stub.ListVacancySkillSets(
        pb.ListVacancySkillSetsRequest(page_size=page_size), metadata=h.meta(h.matcher())
    ):
        messages += 1
        sets += message.skill_sets
        tokens.add(message.change_token)
    assert len(tokens) == 1
    return sets, tokens.pop(), messages


async def _changes(h: Harness, token: str, page_size: int = 1000) -> tuple[list[pb.VacancyChange], str]:
    changes = []
    while True:
        page = await h.stub.ListVacancyChanges(
            pb.ListVacancyChangesRequest(change_token=token, page_size=page_size), metadata=h.meta(h.matcher())
        )
        changes += page.changes
        token = page.next_change_token
        if not page.has_more:
            return changes, token


async def test_feed_streams_current_skill_sets_then_changes(service: Harness) -> None:
    board = service.board()
    kept = (await upsert(service, board, "feed-kept")).vacancy
    edited = (await upsert(service, board, "feed-edited")).vacancy
    deleted = (await upsert(service, board, "feed-deleted")).vacancy
    expired_day = (date.today() - timedelta(days=3)).isoformat()
    expired = (await upsert(service, board, "feed-expired", expires_on=expired_day)).vacancy
    await service.stub.DeleteVacancy(
        pb.DeleteVacancyRequest(vacancy_id=deleted.vacancy_id), metadata=service.meta(board)
    )

    sets, token, messages = await _all_skill_sets(service)
    mine = {s.vacancy_id: s for s in sets if s.job_board == board.organisation}
    assert set(mine) == {kept.vacancy_id, edited.vacancy_id}  # not deleted, not expired
    assert messages >= 2 and len(sets) == len({s.vacancy_id for s in sets})
    python = next(d for d in mine[kept.vacancy_id].skills if d.skill_id == skill("python"))
    assert python.required and not python.confirmed and python.min_evidence == pb.EVIDENCE_LEVEL_SEMI_HARD
    assert mine[kept.vacancy_id].occupations[0].occupation_id.endswith("/developer")

    # Nothing changed yet: no changes after the token.
    changes, same = await _changes(service, token)
    assert changes == [] and same == token

    await service.stub.UpdateVacancySkills(
        pb.UpdateVacancySkillsRequest(vacancy_id=edited.vacancy_id, expected_version=1, edits=[
            pb.SkillEdit(skill_id=skill("python"), action=pb.SKILL_ACTION_CONFIRM, min_evidence=pb.EVIDENCE_LEVEL_HARD),
            pb.SkillEdit(skill_id=skill("sql"), action=pb.SKILL_ACTION_REMOVE)]),
        metadata=service.meta(board))  # fmt: skip
    created = (await upsert(service, board, "feed-new", "Cleaning offices; teamwork.")).vacancy
    await service.stub.DeleteVacancy(pb.DeleteVacancyRequest(vacancy_id=kept.vacancy_id), metadata=service.meta(board))
    await upsert(service, board, "feed-expired", AD + "\nJava.", expires_on=expired_day)  # changed but expired

    changes, next_token = await _changes(service, token, page_size=1)
    by_id = {c.vacancy_id: c for c in changes}
    assert [c.vacancy_id for c in changes] == [edited.vacancy_id, created.vacancy_id, kept.vacancy_id,
                                               expired.vacancy_id]  # fmt: skip
    assert by_id[edited.vacancy_id].kind == pb.CHANGE_KIND_UPSERTED
    demand = {d.skill_id: d for d in by_id[edited.vacancy_id].skill_set.skills}
    assert skill("sql") not in demand
    assert demand[skill("python")].confirmed and demand[skill("python")].min_evidence == pb.EVIDENCE_LEVEL_HARD
    assert demand[skill("python")].confidence == 1.0
    assert by_id[edited.vacancy_id].skill_set.version == 2
    assert by_id[created.vacancy_id].kind == pb.CHANGE_KIND_UPSERTED
    assert by_id[kept.vacancy_id].kind == pb.CHANGE_KIND_REMOVED and not by_id[kept.vacancy_id].HasField("skill_set")
    assert by_id[expired.vacancy_id].kind == pb.CHANGE_KIND_REMOVED

    assert (await _changes(service, next_token)) == ([], next_token)
    after, _, _ = await _all_skill_sets(service, page_size=500)
    assert {s.vacancy_id for s in after if s.job_board == board.organisation} == {edited.vacancy_id, created.vacancy_id}


async def test_feed_stream_resumes_from_its_page_token(service: Harness) -> None:
    board = service.board()
    for i in range(3):
        await upsert(service, board, f"resume-{i}", f"Python {i}.")
    stream = service.stub.ListVacancySkillSets(pb.ListVacancySkillSetsRequest(page_size=1),
                                               metadata=service.meta(service.matcher()))  # fmt: skip
    first = await stream.read()
    stream.cancel()
    rest = []
    async for message in service.stub.ListVacancySkillSets(
        pb.ListVacancySkillSetsRequest(page_size=50, page_token=first.next_page_token),
        metadata=service.meta(service.matcher()),
    ):
        assert message.change_token == first.change_token
        rest += message.skill_sets
    everything, _, _ = await _all_skill_sets(service, page_size=500)
    assert [s.vacancy_id for s in first.skill_sets] + [s.vacancy_id for s in rest] == [s.vacancy_id for s in everything]


async def test_feed_refuses_bad_tokens(service: Harness) -> None:
    meta = service.meta(service.matcher())
    await fails(CODE.INVALID_ARGUMENT, service.stub.ListVacancyChanges(
        pb.ListVacancyChangesRequest(change_token="garbage!"), metadata=meta), "change_token")  # fmt: skip
    await fails(CODE.INVALID_ARGUMENT, service.stub.ListVacancyChanges(
        pb.ListVacancyChangesRequest(page_size=1001), metadata=meta), "page_size")  # fmt: skip
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        async for _ in service.stub.ListVacancySkillSets(
            pb.ListVacancySkillSetsRequest(page_token="eA"), metadata=meta
        ):
            pass
    assert caught.value.code() == CODE.INVALID_ARGUMENT


async def test_vacancy_expires_with_time(service: Harness) -> None:
    board = service.board()
    soon = (date.today() + timedelta(days=1)).isoformat()
    v = (await upsert(service, board, "expiring", expires_on=soon)).vacancy
    assert not v.expired
    service.clock.offset = timedelta(days=3)
    got = await service.stub.GetVacancy(pb.GetVacancyRequest(vacancy_id=v.vacancy_id), metadata=service.meta(board))
    assert got.vacancy.expired
    assert not (await service.stub.ListVacancies(pb.ListVacanciesRequest(), metadata=service.meta(board))).vacancies
    sets, _, _ = await _all_skill_sets(service, page_size=500)
    assert v.vacancy_id not in {s.vacancy_id for s in sets}
