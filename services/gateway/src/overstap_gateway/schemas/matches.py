"""Matching resources as JSON: a skill set and/or work history in, explained transition occupations out."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from overstap.matcher.v1 import matcher_pb2 as pb
from pydantic import BaseModel, Field, StringConstraints

from overstap_gateway.schemas.taxonomy import Language

CASHIER = "http://data.europa.eu/esco/occupation/2b871272-bd61-4206-bd1a-0b96d7023098"
PROCESS_PAYMENTS = "http://data.europa.eu/esco/skill/bdcac0c8-b77a-4640-9eaf-c0cf3efd1e23"


class EvidenceLevel(StrEnum):
    """hard: diploma or certificate; semi_hard: work experience; soft: self-assessment."""

    hard = "hard"
    semi_hard = "semi_hard"
    soft = "soft"

    def to_pb(self) -> int:
        return pb.EvidenceLevel.Value("EVIDENCE_LEVEL_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> EvidenceLevel | None:
        if value == pb.EVIDENCE_LEVEL_UNSPECIFIED:
            return None
        return cls(pb.EvidenceLevel.Name(value).removeprefix("EVIDENCE_LEVEL_").lower())


class Explain(StrEnum):
    """How much of each match's shortage and surplus to show (the productive skills are always all shown)."""

    top = "top"
    full = "full"

    def list_limit(self) -> int:
        return TOP_SKILLS if self is Explain.top else 0


TOP_SKILLS = 5
EXPLAIN_DESCRIPTION = (
    f"`top` (default): per match the {TOP_SKILLS} most important missing skills (essential first) and the "
    f"{TOP_SKILLS} rarest unused ones, with `shortage_total` and `surplus_total`; `full`: every one"
)


class OfferedSkill(BaseModel):
    id: str = Field(min_length=1, max_length=300, description="ESCO skill URI", examples=[PROCESS_PAYMENTS])
    evidence: EvidenceLevel = EvidenceLevel.semi_hard
    weight: float = Field(default=1.0, gt=0, le=1, description="How strongly the person holds the skill")


class MatchFilters(BaseModel):
    isco_major_groups: list[Annotated[str, StringConstraints(pattern=r"^[0-9]$")]] = Field(
        default=[], max_length=10, description="ISCO-08 major groups, one digit 0-9"
    )
    job_zones: list[Annotated[int, Field(ge=1, le=5)]] = Field(
        default=[], max_length=5, description="O*NET job zones 1-5 (education level)"
    )
    dutch_label_only: bool = False
    min_score: float = Field(default=0.0, ge=0, le=1)

    def to_pb(self) -> pb.Filters:
        return pb.Filters(
            isco_major_groups=self.isco_major_groups,
            job_zones=self.job_zones,
            dutch_label_only=self.dutch_label_only,
            min_score=self.min_score,
        )


class OccupationMatchRequest(BaseModel):
    skills: list[OfferedSkill] = Field(default=[], max_length=2000)
    occupations: list[str] = Field(
        default=[], max_length=50, description="ESCO occupation URIs of the work history", examples=[[CASHIER]]
    )
    filters: MatchFilters = MatchFilters()
    limit: int = Field(default=20, ge=1, le=100)
    include_own: bool = Field(default=False, description="Also rank the person's own occupations")
    language: Language = Language.nl
    explain: Explain = Field(default=Explain.top, description=EXPLAIN_DESCRIPTION)

    def to_pb(self) -> pb.MatchOccupationsRequest:
        return pb.MatchOccupationsRequest(
            skills=[pb.OfferedSkill(skill_id=s.id, evidence=s.evidence.to_pb(), weight=s.weight) for s in self.skills],
            occupations=self.occupations,
            filters=self.filters.to_pb(),
            limit=self.limit,
            include_own=self.include_own,
            language=self.language.value,
            list_limit=self.explain.list_limit(),
        )


class Label(BaseModel):
    text: str
    language: str


class Ref(BaseModel):
    id: str
    label: Label

    @classmethod
    def from_pb(cls, ref: pb.ConceptRef) -> Ref | None:
        if not ref.id:
            return None
        return cls(id=ref.id, label=Label(text=ref.label.text, language=ref.label.language))


class ProductiveSkill(BaseModel):
    skill: Ref
    relation: str = Field(description="essential or optional")
    evidence: EvidenceLevel | None
    points: dict[str, float] = Field(description="What this skill adds to the score, per part")


class ShortageSkill(BaseModel):
    skill: Ref
    relation: str
    group: Ref | None = Field(description="The ESCO skill group the skill belongs to")
    related_credit: float = Field(description="Points earned anyway through an offered skill of the same family")
    related_via: Ref | None = None
    evidence_required: EvidenceLevel | None = Field(
        default=None, description="Set when the skill is offered with weaker evidence than demanded"
    )


class Background(BaseModel):
    origin: Ref | None
    declared: bool
    strength: float
    proximity: float
    shared_isco_digits: int
    onet_origin: str | None = None
    onet_target: str | None = None
    shared_soc_levels: int | None = None
    onet_profile_similarity: float | None = None
    job_zone_gap: int | None = None


class OccupationMatch(BaseModel):
    rank: int
    occupation: Ref
    isco_code: str | None
    score: float = Field(ge=0, le=1)
    parts: dict[str, float] = Field(description="coverage, related_skills, skill_use, background; they add up")
    summary: str = Field(description="Plain-language explanation in the requested language")
    productive: list[ProductiveSkill]
    shortage: list[ShortageSkill] = Field(description="Missing demanded skills, essential first")
    shortage_total: int = Field(description="Missing demanded skills in all (`explain=top` shows the first few)")
    surplus: list[Ref] = Field(description="Offered skills this occupation does not use, rarer first")
    surplus_total: int = Field(description="Unused offered skills in all")
    background: Background | None


class OccupationMatchResponse(BaseModel):
    bundle_version: str
    items: list[OccupationMatch]


class OnetSkillLevel(BaseModel):
    skill: str = Field(
        pattern=r"^onet-skill:[0-9A-Za-z.]+$", description="One of the 35 O*NET skills", examples=["onet-skill:2.A.1.a"]
    )
    level: float = Field(ge=0, le=7, description="Self-rated level on the O*NET scale 0..7")


class ProfileMatchRequest(BaseModel):
    levels: list[OnetSkillLevel] = Field(min_length=1, max_length=35)
    filters: MatchFilters = MatchFilters()
    limit: int = Field(default=20, ge=1, le=100)
    language: Language = Language.nl

    def to_pb(self) -> pb.MatchOnetProfileRequest:
        return pb.MatchOnetProfileRequest(
            levels=[pb.OnetSkillLevel(skill_id=x.skill, level=x.level) for x in self.levels],
            filters=self.filters.to_pb(),
            limit=self.limit,
            language=self.language.value,
        )


class OnetSkillGap(BaseModel):
    skill: Ref
    person_level: float
    required_level: float
    importance: float = Field(description="O*NET importance 1..5")
    points: float

    @classmethod
    def from_pb(cls, g: pb.OnetSkillGap) -> OnetSkillGap:
        return cls(
            skill=Ref.from_pb(g.skill),
            person_level=round(g.person_level, 2),
            required_level=round(g.required_level, 2),
            importance=round(g.importance, 2),
            points=round(g.points, 4),
        )


class ProfileMatch(BaseModel):
    rank: int
    occupation: Ref
    isco_code: str | None
    score: float = Field(ge=0, le=1)
    onet_occupation: Ref = Field(description="The O*NET occupation whose profile gave the score")
    summary: str
    productive: list[OnetSkillGap]
    shortage: list[OnetSkillGap] = Field(description="Skills below the required level, largest gap first")
    surplus: list[OnetSkillGap]


class ProfileMatchResponse(BaseModel):
    bundle_version: str
    items: list[ProfileMatch]

    @classmethod
    def from_pb(cls, reply: pb.MatchOnetProfileResponse) -> ProfileMatchResponse:
        return cls(
            bundle_version=reply.bundle_version,
            items=[
                ProfileMatch(
                    rank=m.rank,
                    occupation=Ref.from_pb(m.occupation),
                    isco_code=m.isco_code or None,
                    score=round(min(max(m.score, 0.0), 1.0), 4),
                    onet_occupation=Ref.from_pb(m.onet_occupation),
                    summary=m.summary,
                    productive=[OnetSkillGap.from_pb(g) for g in m.productive],
                    shortage=[OnetSkillGap.from_pb(g) for g in m.shortage],
                    surplus=[OnetSkillGap.from_pb(g) for g in m.surplus],
                )
                for m in reply.matches
            ],
        )


# --- fast path -----------------------------------------------------------------------------------------------------
# A match response holds hundreds of skill references; building pydantic objects for each costs more than the
# ranking itself. The routes build plain dicts of the same shape (the models above stay the documented contract,
# and tests validate these dicts against them) and serialise them once.


def _ref(ref: pb.ConceptRef) -> dict[str, Any] | None:
    if not ref.id:
        return None
    return {"id": ref.id, "label": {"text": ref.label.text, "language": ref.label.language}}


def _evidence(value: int) -> str | None:
    return _EVIDENCE_NAMES.get(value)


_EVIDENCE_NAMES = {
    pb.EVIDENCE_LEVEL_SOFT: "soft",
    pb.EVIDENCE_LEVEL_SEMI_HARD: "semi_hard",
    pb.EVIDENCE_LEVEL_HARD: "hard",
}


class SkillRefs:
    """Labelled JSON references of skills. A matcher response names its skills by position in its skill table, which
    carries each id and label once (position 0: none). The same few thousand skills recur in every response, and a
    skill's label is fixed by the matcher's bundle version and the requested language, so each reference is built
    once per process."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._refs: dict[tuple[str, str, str], dict[str, Any]] = {}

    def table(self, skills: Any, bundle_version: str, language: str) -> list[dict[str, Any] | None]:
        """The references by position; position 0 (and any empty entry) is None."""
        if len(self._refs) > self.max_entries:  # a new bundle version, many times over: start afresh
            self._refs.clear()
        refs = self._refs
        out: list[dict[str, Any] | None] = []
        for concept in skills:
            concept_id = concept.id
            if not concept_id:
                out.append(None)
                continue
            key = (bundle_version, language, concept_id)
            ref = refs.get(key)
            if ref is None:
                label = concept.label
                ref = refs[key] = {"id": concept_id, "label": {"text": label.text, "language": label.language}}
            out.append(ref)
        return out


SKILL_REFS = SkillRefs()


def occupation_match_dict(m: pb.OccupationMatch, skills: list[dict[str, Any] | None]) -> dict[str, Any]:
    """One explained match; ``skills`` turns the skill positions the matcher sends into labelled references."""
    b = m.background
    has_onet = bool(b.onet_origin)
    occupation = getattr(m, "occupation", None)
    skill = skills.__getitem__
    return {
        "rank": m.rank,
        "occupation": _ref(occupation) if occupation is not None else None,
        "isco_code": getattr(m, "isco_code", "") or None,
        "score": round(min(max(m.score, 0.0), 1.0), 4),
        "parts": {p.name: round(p.value, 4) for p in m.parts},
        "summary": m.summary,
        "productive": [
            {
                "skill": skill(p.skill),
                "relation": p.relation,
                "evidence": _evidence(p.evidence),
                "points": {"coverage": round(p.coverage, 4), "related": round(p.related, 4), "use": round(p.use, 4)},
            }
            for p in m.productive
        ],
        "shortage": [
            {
                "skill": skill(s.skill),
                "relation": s.relation,
                "group": skill(s.group),
                "related_credit": round(s.related_credit, 4),
                "related_via": skill(s.related_via),
                "evidence_required": _evidence(s.evidence_required),
            }
            for s in m.shortage
        ],
        "shortage_total": m.shortage_total,
        "surplus": [r for r in map(skill, m.surplus) if r is not None],
        "surplus_total": m.surplus_total,
        "background": {
            "origin": _ref(b.origin),
            "declared": b.declared,
            "strength": round(b.strength, 4),
            "proximity": round(b.proximity, 4),
            "shared_isco_digits": b.shared_isco_digits,
            "onet_origin": b.onet_origin or None,
            "onet_target": b.onet_target or None,
            "shared_soc_levels": b.shared_soc_levels if has_onet else None,
            "onet_profile_similarity": round(b.onet_profile_similarity, 4) if has_onet else None,
            "job_zone_gap": b.job_zone_gap if has_onet else None,
        }
        if m.HasField("background")
        else None,
    }


def occupation_match_response(reply: pb.MatchOccupationsResponse, language: str) -> dict[str, Any]:
    skills = SKILL_REFS.table(reply.skills, reply.bundle_version, language)
    return {"bundle_version": reply.bundle_version, "items": [occupation_match_dict(m, skills) for m in reply.matches]}


class VacancyRef(BaseModel):
    vacancy_id: str
    job_board: str | None = None
    external_id: str | None = None
    title: str | None = None
    employer: str | None = None
    location: str | None = None
    expires_on: str | None = None


class VacancyMatch(BaseModel):
    rank: int
    vacancy: VacancyRef
    occupation: Ref | None = Field(description="The ESCO occupation the vacancy is for, when known")
    score: float = Field(ge=0, le=1)
    parts: dict[str, float]
    summary: str
    productive: list[ProductiveSkill]
    shortage: list[ShortageSkill] = Field(description="Demanded and missing (or too weakly evidenced), required first")
    shortage_total: int
    surplus: list[Ref]
    surplus_total: int
    background: Background | None


class VacancyMatchResponse(BaseModel):
    bundle_version: str
    indexed_vacancies: int
    items: list[VacancyMatch]


class CandidateMatch(BaseModel):
    rank: int
    passport_id: str
    score: float = Field(ge=0, le=1)
    parts: dict[str, float]
    summary: str
    productive: list[ProductiveSkill]
    shortage: list[ShortageSkill]
    shortage_total: int
    surplus: list[Ref]
    surplus_total: int
    background: Background | None


class CandidateResponse(BaseModel):
    considered: int = Field(description="Passports whose owners consent to be found by you now")
    items: list[CandidateMatch]


def _explained(m: Any, skills: list[dict[str, Any] | None]) -> dict[str, Any]:
    """The explanation fields of a vacancy or candidate match (same shape as an occupation match)."""
    full = occupation_match_dict(m, skills)
    return {
        k: full[k]
        for k in (
            "rank",
            "score",
            "parts",
            "summary",
            "productive",
            "shortage",
            "shortage_total",
            "surplus",
            "surplus_total",
            "background",
        )
    }


def vacancy_match_response(reply: pb.MatchVacanciesResponse, language: str) -> dict[str, Any]:
    skills = SKILL_REFS.table(reply.skills, reply.bundle_version, language)
    items = []
    for m in reply.matches:
        v = m.vacancy
        vacancy = {
            "vacancy_id": v.vacancy_id,
            "job_board": v.job_board or None,
            "external_id": v.external_id or None,
            "title": v.title or None,
            "employer": v.employer or None,
            "location": v.location or None,
            "expires_on": v.expires_on or None,
        }
        items.append({"vacancy": vacancy, "occupation": _ref(m.occupation), **_explained(m, skills)})
    return {"bundle_version": reply.bundle_version, "indexed_vacancies": reply.indexed_vacancies, "items": items}


def candidate_response(reply: pb.FindCandidatesResponse, language: str) -> dict[str, Any]:
    skills = SKILL_REFS.table(reply.skills, reply.bundle_version, language)
    return {
        "considered": reply.considered,
        "items": [{"passport_id": m.passport_id, **_explained(m, skills)} for m in reply.matches],
    }
