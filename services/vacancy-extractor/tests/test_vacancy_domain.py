"""Vacancy rules: what a job board may send, merging a new extraction with its decisions, skill edits,
evidence hints and the occupation guess (synthetic taxonomy)."""

from __future__ import annotations

from datetime import date

import pytest
from overstap_extractor.domain.errors import InvalidInput
from overstap_extractor.domain.model import (
    Action,
    DemandedSkill,
    Evidence,
    ExtractedSkill,
    Mention,
    Origin,
    Status,
)
from overstap_extractor.domain.occupations import AdSkill, OccupationIndex, SkillCatalog, title_from_text
from overstap_extractor.domain.text import TextFormat
from overstap_extractor.domain.vacancy import (
    MAX_SUGGESTIONS,
    SkillEdit,
    apply_edits,
    content_hash,
    evidence_for,
    merge_extraction,
    vacancy_input,
)

from .vacancy_harness import occupation, skill, synthetic_bundle

M = Mention(0, 6, 0, 20, 0, 6, 0.9, True)


def extracted(key: str, required: bool = True, confidence: float = 0.9) -> ExtractedSkill:
    return ExtractedSkill(skill(key), key, confidence, required, Evidence.SOFT, (M,))


def demanded(key: str, status: Status, origin: Origin = Origin.EXTRACTED, **kw: object) -> DemandedSkill:
    fields = {"required": True, "min_evidence": Evidence.SOFT, "confidence": 0.8, "mentions": (M,)} | kw
    return DemandedSkill(skill(key), key, origin, status, **fields)  # type: ignore[arg-type]


def by_id(skills: list[DemandedSkill]) -> dict[str, DemandedSkill]:
    return {s.skill_id.rsplit("/", 1)[-1]: s for s in skills}


# --- input -------------------------------------------------------------------------------------------------


def _input(**kw: object):  # noqa: ANN202
    fields = {"external_id": "ad-1", "title": "Developer", "source": "Python", "fmt": None, "language": ""} | kw
    return vacancy_input(**fields)  # type: ignore[arg-type]


def test_input_is_trimmed_and_parsed() -> None:
    data = _input(external_id="  ad-1 ", posted_on="2025-01-31", expires_on="2025-03-01", hours_min=32.0,
                  hours_max=0.0)  # fmt: skip
    assert data.external_id == "ad-1"
    assert data.posted_on == date(2025, 1, 31) and data.expires_on == date(2025, 3, 1)
    assert (data.hours_min, data.hours_max) == (32.0, 32.0)
    assert _input(hours_min=0.0, hours_max=0.0).hours_min is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"external_id": ""}, "external_id: is required"),
        ({"external_id": "x" * 201}, "external_id: is 201 characters"),
        ({"external_id": "a\nb"}, "one line"),
        ({"title": " "}, "title: is required"),
        ({"posted_on": "31-01-2025"}, "not a date"),
        ({"posted_on": "2025-02-30"}, "not a valid date"),
        ({"posted_on": "2025-03-01", "expires_on": "2025-02-01"}, "before posted_on"),
        ({"hours_min": 40.0, "hours_max": 32.0}, "more than max"),
        ({"hours_min": 200.0}, "between 0 and 168"),
        ({"hours_min": float("nan")}, "between 0 and 168"),
    ],
)
def test_bad_input_names_the_field(fields: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        _input(**fields)


def test_content_hash_covers_every_field() -> None:
    base = content_hash(_input())
    assert content_hash(_input()) == base
    for change in ({"source": "Python "}, {"title": "Dev"}, {"fmt": TextFormat.HTML}, {"language": "en"},
                   {"expires_on": "2030-01-01"}, {"location": "Utrecht"}, {"hours_min": 8.0}):  # fmt: skip
        assert content_hash(_input(**change)) != base, change


# --- merging a new extraction ------------------------------------------------------------------------------


def test_new_extraction_keeps_decisions_and_replaces_suggestions() -> None:
    current = [
        demanded("python", Status.CONFIRMED, required=False, min_evidence=Evidence.HARD),
        demanded("sql", Status.SUGGESTED),
        demanded("java", Status.REMOVED),
        demanded("teams", Status.CONFIRMED, Origin.ADDED, confidence=None, mentions=()),
        demanded("dutch", Status.CONFIRMED),
    ]
    merged = by_id(merge_extraction(current, [extracted("python", confidence=0.7), extracted("java"),
                                              extracted("forklift")]))  # fmt: skip
    assert set(merged) == {"python", "java", "teams", "dutch", "forklift"}  # sql: an old suggestion, gone
    assert merged["python"].status is Status.CONFIRMED and merged["python"].required is False
    assert merged["python"].min_evidence is Evidence.HARD and merged["python"].confidence == 0.7
    assert merged["java"].status is Status.REMOVED  # found again, stays removed
    assert merged["dutch"].mentions == ()  # confirmed but not in the new text: no stale offsets
    assert merged["forklift"].status is Status.SUGGESTED
    assert merged["teams"].origin is Origin.ADDED


def test_suggestions_are_capped_but_decisions_are_not() -> None:
    many = [extracted(f"s{i:04d}", confidence=i / 1000) for i in range(MAX_SUGGESTIONS + 50)]
    decided = [demanded("s0000", Status.CONFIRMED), demanded("s0001", Status.REMOVED)]
    merged = by_id(merge_extraction(decided, many))
    assert len(merged) == MAX_SUGGESTIONS + 2
    assert "s0000" in merged and "s0001" in merged and f"s{MAX_SUGGESTIONS + 49:04d}" in merged
    assert "s0002" not in merged  # among the least confident suggestions


def test_required_skills_come_first() -> None:
    merged = merge_extraction([], [extracted("python", required=False, confidence=0.99), extracted("sql")])
    assert [s.skill_id for s in merged] == [skill("sql"), skill("python")]


# --- edits -------------------------------------------------------------------------------------------------


def _label(skill_id: str) -> str | None:
    return "label" if skill_id.removeprefix(skill("")) in {"python", "sql", "java", "teams", "cleaning"} else None


def test_edits_confirm_add_remove() -> None:
    current = [demanded("python", Status.SUGGESTED), demanded("sql", Status.SUGGESTED, required=False),
               demanded("java", Status.REMOVED)]  # fmt: skip
    edits = [
        SkillEdit(skill("python"), Action.CONFIRM, required=False, min_evidence=Evidence.HARD),
        SkillEdit(skill("sql"), Action.REMOVE),
        SkillEdit(skill("java"), Action.ADD),
        SkillEdit(skill("cleaning"), Action.ADD, min_evidence=Evidence.SEMI_HARD),
    ]
    after = by_id(apply_edits(current, edits, _label))
    assert after["python"].status is Status.CONFIRMED and not after["python"].required
    assert after["python"].min_evidence is Evidence.HARD
    assert after["sql"].status is Status.REMOVED
    assert after["java"].status is Status.CONFIRMED and after["java"].required and after["java"].mentions == (M,)
    assert after["cleaning"].origin is Origin.ADDED and after["cleaning"].min_evidence is Evidence.SEMI_HARD
    assert after["cleaning"].confidence is None


def test_confirm_keeps_what_is_not_given_and_add_of_present_skill_confirms() -> None:
    current = [demanded("python", Status.SUGGESTED, required=False, min_evidence=Evidence.SEMI_HARD)]
    after = apply_edits(current, [SkillEdit(skill("python"), Action.ADD)], _label)[0]
    assert (after.status, after.required, after.min_evidence) == (Status.CONFIRMED, False, Evidence.SEMI_HARD)


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ([], "at least one edit"),
        ([SkillEdit(skill("cleaning"), Action.CONFIRM)], "use ADD"),
        ([SkillEdit(skill("java"), Action.CONFIRM)], "use ADD"),  # removed: add it again
        ([SkillEdit(skill("cleaning"), Action.REMOVE)], "not among"),
        ([SkillEdit(skill("nope"), Action.ADD)], "not an ESCO skill"),
        ([SkillEdit("", Action.ADD)], "skill_id is required"),
        ([SkillEdit(skill("python"), Action.REMOVE), SkillEdit(skill("python"), Action.ADD)], "more than once"),
        ([SkillEdit(skill("python"), Action.REMOVE)] * 501, "at most 500"),
    ],
)
def test_bad_edits_are_refused(edits: list[SkillEdit], message: str) -> None:
    current = [demanded("python", Status.SUGGESTED), demanded("java", Status.REMOVED)]
    with pytest.raises(InvalidInput, match=message):
        apply_edits(current, edits, _label)


# --- evidence hints ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "level"),
    [
        ("Je hebt een rijbewijs B.", Evidence.HARD),
        ("Een VCA-certificaat is vereist.", Evidence.HARD),
        ("MBO-niveau 3 in de logistiek.", Evidence.HARD),
        ("You hold a bachelor's degree in computer science.", Evidence.HARD),
        ("Three years of experience with Python.", Evidence.SEMI_HARD),
        ("Je hebt aantoonbare ervaring met voorraadbeheer.", Evidence.SEMI_HARD),
        ("Knowledge of SQL.", Evidence.SOFT),
        ("A big plus is Docker.", Evidence.SOFT),
    ],
)
def test_evidence_hint(sentence: str, level: Evidence) -> None:
    assert evidence_for(sentence) is level


# --- occupation guess --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def occupations() -> OccupationIndex:
    return OccupationIndex.from_bundle(synthetic_bundle())


def test_skills_point_to_the_occupation(occupations: OccupationIndex) -> None:
    guesses = occupations.guess([AdSkill(skill("python"), 0.9, True), AdSkill(skill("sql"), 0.8, True)], "", "en")
    assert guesses[0].occupation_id == occupation("developer")
    assert guesses[0].label == "software developer" and guesses[0].isco_code == "2512"
    assert set(guesses[0].matched_skill_ids) == {skill("python"), skill("sql")}
    assert guesses[0].title_score == 0.0 and 0 < guesses[0].score <= 1
    assert all(g.occupation_id != occupation("cleaner") for g in guesses)  # nothing in common


def test_shared_skills_weigh_less_than_specific_ones(occupations: OccupationIndex) -> None:
    guesses = occupations.guess([AdSkill(skill("teams"), 0.9, True), AdSkill(skill("forklift"), 0.9, True)], "", "en")
    assert guesses[0].occupation_id == occupation("warehouse")


def test_title_decides_when_there_are_no_skills(occupations: OccupationIndex) -> None:
    guesses = occupations.guess([], "Magazijnmedewerker (m/v/x)", "nl")
    assert guesses[0].occupation_id == occupation("warehouse")
    assert guesses[0].label == "magazijnmedewerker" and guesses[0].title_score == 1.0
    compound = occupations.guess([], "Kantoorschoonmaker", "nl")  # ends in the label word "schoonmaker"
    assert compound[0].occupation_id == occupation("cleaner") and 0 < compound[0].title_score < 1


def test_nothing_known_gives_no_guess(occupations: OccupationIndex) -> None:
    assert occupations.guess([AdSkill(skill("unknown"), 0.9, True)], "Astronaut", "en") == []
    assert occupations.guess([AdSkill(skill("python"), 0.9, True)], "", "en", limit=0) == []


def test_title_from_text() -> None:
    assert title_from_text("\n  Backend developer (m/v/x)\nWat vragen we?") == "Backend developer (m/v/x)"
    assert title_from_text("You have five years of experience with Python.\nMore") == ""


def test_skill_catalog_labels_with_fallback() -> None:
    catalog = SkillCatalog({"a": {"en": "English", "nl": "Nederlands"}, "b": {"en": "only English"}})
    assert catalog.label("a", "nl") == "Nederlands"
    assert catalog.label("b", "nl") == "only English"
    assert catalog.label("c", "nl") is None and "a" in catalog and "c" not in catalog
