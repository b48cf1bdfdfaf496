"""The values the vacancy service works with: extraction results, demanded skills, vacancies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from overstap_extractor.domain.language import Language
from overstap_extractor.domain.text import AdText, TextFormat


class Evidence(StrEnum):
    """The weakest evidence of a skill a vacancy accepts (ordered: soft < semi_hard < hard)."""

    SOFT = "soft"
    SEMI_HARD = "semi_hard"
    HARD = "hard"

    @property
    def rank(self) -> int:
        return _EVIDENCE_RANK[self]


_EVIDENCE_RANK = {Evidence.SOFT: 1, Evidence.SEMI_HARD: 2, Evidence.HARD: 3}


class Origin(StrEnum):
    EXTRACTED = "extracted"
    ADDED = "added"


class Status(StrEnum):
    SUGGESTED = "suggested"  # extracted, not reviewed: replaced when the text changes
    CONFIRMED = "confirmed"  # confirmed or added by the job board: kept when the text changes
    REMOVED = "removed"  # removed by the job board: stays out when the text changes


class Action(StrEnum):
    CONFIRM = "confirm"
    ADD = "add"
    REMOVE = "remove"


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # [start, end) in the plain text
    end: int
    sentence_start: int
    sentence_end: int
    source_start: int  # [source_start, source_end) in the input as sent
    source_end: int
    confidence: float
    required: bool


@dataclass(frozen=True, slots=True)
class ModelMention:
    """A mention as the classifier reports it: offsets into the text it was given."""

    start: int
    end: int
    sentence_start: int
    sentence_end: int
    confidence: float
    required: bool


@dataclass(frozen=True, slots=True)
class ModelSkill:
    skill_id: str
    label: str
    confidence: float
    required: bool
    mentions: tuple[ModelMention, ...]


@dataclass(frozen=True, slots=True)
class ModelOutput:
    sentence_count: int
    skills: tuple[ModelSkill, ...]


@dataclass(frozen=True, slots=True)
class ExtractedSkill:
    skill_id: str
    label: str
    confidence: float
    required: bool
    suggested_min_evidence: Evidence
    mentions: tuple[Mention, ...]


@dataclass(frozen=True, slots=True)
class OccupationGuess:
    occupation_id: str
    label: str
    isco_code: str
    score: float
    skill_score: float
    title_score: float
    matched_skill_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Extraction:
    ad: AdText
    language: Language
    skills: tuple[ExtractedSkill, ...]
    occupations: tuple[OccupationGuess, ...]
    sentence_count: int
    model_version: str
    bundle_version: str


@dataclass(frozen=True, slots=True)
class RankedSkill:
    skill_id: str
    label: str
    probability: float


@dataclass(frozen=True, slots=True)
class Ranking:
    language: Language
    skills: tuple[RankedSkill, ...]
    model_version: str


@dataclass(frozen=True, slots=True)
class DemandedSkill:
    skill_id: str
    label: str
    origin: Origin
    status: Status
    required: bool
    min_evidence: Evidence
    confidence: float | None  # None for added skills
    mentions: tuple[Mention, ...] = ()

    @property
    def demanded(self) -> bool:
        return self.status is not Status.REMOVED


@dataclass(frozen=True, slots=True)
class VacancyInput:
    """A checked UpsertVacancy request (the job board comes from the caller)."""

    external_id: str
    title: str
    source: str  # the ad as sent (decoded)
    format: TextFormat | None  # None: detect
    language: str  # as requested ("" = detect)
    employer: str
    location: str
    hours_min: float | None
    hours_max: float | None
    posted_on: date | None
    expires_on: date | None


@dataclass(slots=True)
class Vacancy:
    pk: int
    id: str
    job_board: str
    external_id: str
    title: str
    text: str
    source: str | None  # the input as sent, when it differs from text (HTML)
    source_format: TextFormat
    employer: str
    location: str
    hours_min: float | None
    hours_max: float | None
    posted_on: date | None
    expires_on: date | None
    language: str
    language_source: str
    content_hash: str
    occupations: tuple[OccupationGuess, ...]
    model_version: str
    version: int
    change_seq: int
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None = None
    skills: list[DemandedSkill] = field(default_factory=list)

    def expired(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today

    @property
    def demanded(self) -> list[DemandedSkill]:
        return [s for s in self.skills if s.demanded]

    @property
    def removed_skill_ids(self) -> list[str]:
        return sorted(s.skill_id for s in self.skills if not s.demanded)
