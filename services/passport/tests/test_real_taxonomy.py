"""Derived ("aangemeten") skills from a work history through the real taxonomy service serving the committed bundle,
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest
from overstap.passport.v1 import passport_pb2 as pb
from overstap_bundle import ConceptType, MatchType, Relation
from overstap_taxonomy.domain.taxonomy import Taxonomy

from .conftest import Databases, Harness, real_bundle_path, serve_taxonomy, start_harness
from .helpers import fails, skill

Code = grpc.StatusCode
STRENGTH = {MatchType.EXACT: 0, MatchType.CLOSE: 1, MatchType.BROAD: 2, MatchType.NARROW: 2, MatchType.RELATED: 3}


@pytest.fixture(scope="session")
def real_taxonomy() -> Taxonomy:
    if real_bundle_path() is None:
        pytest.skip("the taxonomy bundle is not built (libs/taxonomy-bundle/.../taxonomy-bundle.json.gz)")
    taxonomy, _ = Taxonomy.load()
    return taxonomy


@pytest.fixture(scope="session")
async def real_taxonomy_target(real_taxonomy: Taxonomy) -> AsyncIterator[str]:
    server, target = await serve_taxonomy(real_taxonomy)
    yield target
    await server.stop()


@pytest.fixture(scope="session")
async def real(databases: Databases, real_taxonomy_target: str) -> AsyncIterator[Harness]:
    harness, server = await start_harness(databases, real_taxonomy_target)
    yield harness
    await harness.channel.close()
    await server.stop()
    await harness.runtime.close()


def occupation_by_label(taxonomy: Taxonomy, label: str) -> str:
    for hit in taxonomy.search_index.search(label, limit=10).hits:
        concept = taxonomy.catalog.concepts[hit.concept_id]
        if concept.type is ConceptType.OCCUPATION and concept.labels["nl"].preferred == label:
            return concept.id
    raise AssertionError(f"no ESCO occupation labelled {label!r}")


def unique_code(taxonomy: Taxonomy, prefix: str) -> tuple[str, str] | None:
    """A code of another scheme whose strongest mapping to ESCO is one occupation with skills."""
    for concept_id, concept in sorted(taxonomy.catalog.concepts.items()):
        if not (concept.code and concept_id.startswith(prefix)):
            continue
        targets = [
            t
            for t in taxonomy.crosswalks.map(concept_id, "esco")
            if taxonomy.catalog.concepts[t.concept_id].type is ConceptType.OCCUPATION
        ]
        if not targets:
            continue
        best = min(STRENGTH[t.match] for t in targets)
        top = [t for t in targets if STRENGTH[t.match] == best]
        if len(top) == 1 and taxonomy.catalog.occupation_skills.get(top[0].concept_id):
            return concept_id, top[0].concept_id
    return None


async def test_work_history_derives_the_occupations_skills(real: Harness, real_taxonomy: Taxonomy) -> None:
    h = real
    owner, p = await h.new_passport()
    cashier = occupation_by_label(real_taxonomy, "kassamedewerker")
    expected = dict(real_taxonomy.catalog.skills_of(cashier))
    assert any(r is Relation.ESSENTIAL for r in expected.values()) and any(
        r is Relation.OPTIONAL for r in expected.values()
    )
    reply = await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(
            passport_id=p.id,
            occupation=cashier,
            start_date="2015-03-01",
            end_date="2020-06-30",
            employer="Albert Heijn",
        ),
        metadata=h.meta(owner),
    )
    assert reply.entry.occupation_label == "kassamedewerker"
    assert {s.skill_uri for s in reply.derived_skills} == set(expected)
    assert reply.entry.derived_skill_count == len(expected)
    for derived in reply.derived_skills:
        (piece,) = derived.evidence
        assert piece.derived and not piece.confirmed and piece.kind == pb.EVIDENCE_KIND_SEMI_HARD
        relation = "essential" if expected[derived.skill_uri] is Relation.ESSENTIAL else "optional"
        assert relation in piece.note and piece.derived_from == cashier
        assert (
            derived.label == real_taxonomy.catalog.label(real_taxonomy.catalog.concepts[derived.skill_uri], "nl").text
        )
        assert derived.unconfirmed

    skill_set = await h.stub.GetSkillSet(pb.GetSkillSetRequest(passport_id=p.id), metadata=h.meta(owner))
    assert {e.skill_uri for e in skill_set.skill_set.skills} == set(expected)
    assert all(e.unconfirmed and e.best_evidence_kind == pb.EVIDENCE_KIND_SEMI_HARD for e in skill_set.skill_set.skills)

    # an ISCO-08 code that several ESCO occupations share: the caller is told which, and picks one
    details = await fails(
        Code.INVALID_ARGUMENT,
        h.stub.AddWorkHistory(
            pb.AddWorkHistoryRequest(passport_id=p.id, occupation="5230", scheme="isco08", start_date="2021-01-01"),
            metadata=h.meta(owner),
        ),
        "ESCO occupations equally well",
    )
    assert cashier in details
    chosen = await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(
            passport_id=p.id, occupation="isco08:5230", esco_occupation_uri=cashier, start_date="2021-01-01"
        ),
        metadata=h.meta(owner),
    )
    assert chosen.entry.esco_occupation_uri == cashier and chosen.entry.occupation == "isco08:5230"


@pytest.mark.parametrize("prefix", ["http://data.europa.eu/esco/isco/C", "onet:", "brc2014:"])
async def test_codes_of_other_schemes_that_map_to_one_occupation(
    real: Harness, real_taxonomy: Taxonomy, prefix: str
) -> None:
    found = unique_code(real_taxonomy, prefix)
    if found is None:
        pytest.skip(f"no {prefix} code maps to exactly one ESCO occupation in this bundle")
    code, occupation = found
    if code.startswith("http://data.europa.eu/esco/isco/C"):
        code = "isco08:" + code.removeprefix("http://data.europa.eu/esco/isco/C")
    h = real
    owner, p = await h.new_passport()
    reply = await h.stub.AddWorkHistory(
        pb.AddWorkHistoryRequest(passport_id=p.id, occupation=code, start_date="2000-01-01", end_date="2001-01-01"),
        metadata=h.meta(owner),
    )
    assert reply.entry.esco_occupation_uri == occupation
    assert {s.skill_uri for s in reply.derived_skills} == {
        sid for sid, _ in real_taxonomy.catalog.skills_of(occupation)
    }


async def test_skills_are_validated_against_the_real_taxonomy(real: Harness, real_taxonomy: Taxonomy) -> None:
    h = real
    owner, p = await h.new_passport()
    cashier = occupation_by_label(real_taxonomy, "kassamedewerker")
    real_skill = real_taxonomy.catalog.skills_of(cashier)[0][0]
    added = await h.stub.AddSkills(
        pb.AddSkillsRequest(passport_id=p.id, skills=[skill(real_skill)]), metadata=h.meta(owner)
    )
    assert added.skills[0].label
    await fails(
        Code.INVALID_ARGUMENT,
        h.stub.AddSkills(
            pb.AddSkillsRequest(
                passport_id=p.id,
                skills=[skill("http://data.europa.eu/esco/skill/00000000-0000-0000-0000-000000000000")],
            ),
            metadata=h.meta(owner),
        ),
        "not a known ESCO skill",
    )
