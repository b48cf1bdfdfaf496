"""Vacancies as JSON: an ad's text in, the ESCO skills it demands (with confidence, spans, required or a plus) and
its likely ESCO occupations out; a job board's stored vacancies and its decisions on their skills.

Request bodies are strict (unknown fields are refused). Enumerations are English codes; where a code is shown to
people a Dutch label sits next to it (``*_label``). Text offsets count Unicode code points (Python ``str``
indexing; not UTF-16 code units) and are half-open: ``text[start:end]`` is the mention.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any

from overstap.vacancy.v1 import vacancy_pb2 as pb
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

VACANCY_ID_EXAMPLE = "6d0f4d8e-2b7a-4c1e-9f3a-5b8c7d6e1a20"
FORKLIFT = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"
PROCESS_PAYMENTS = "http://data.europa.eu/esco/skill/bdcac0c8-b77a-4640-9eaf-c0cf3efd1e23"
FORKLIFT_OPERATOR = "http://data.europa.eu/esco/occupation/eeac6251-1974-42f5-91ed-513c6c883755"
# The service takes at most 1 MiB of UTF-8 and says so (400); the gateway's request body cap (also 1 MiB by default)
# usually answers first (413). Strings with lone surrogates are refused by pydantic (422) before they reach protobuf.
MAX_TEXT_CHARS = 1024 * 1024
NL_AD = (
    "Heftruckchauffeur (m/v/x)\n"
    "Wat vragen we?\n"
    "- Je hebt een geldig heftruckcertificaat en ervaring met orderpicken.\n"
    "- Je spreekt Nederlands; Engels is een pluspunt."
)

AdText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT_CHARS)]
Line = Annotated[str, StringConstraints(max_length=300)]
Uri = Annotated[str, StringConstraints(min_length=1, max_length=300)]
LanguageCode = Annotated[str, StringConstraints(max_length=35)]


class Strict(BaseModel):
    """Request bodies: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid")


# --- enumerations ------------------------------------------------------------------------------------------------


class TextFormat(StrEnum):
    plain = "plain"
    html = "html"

    def to_pb(self) -> int:
        return pb.TextFormat.Value("TEXT_FORMAT_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> TextFormat | None:
        return None if not value else cls(pb.TextFormat.Name(value).removeprefix("TEXT_FORMAT_").lower())


class LanguageSource(StrEnum):
    requested = "requested"
    detected = "detected"
    default = "default"

    @classmethod
    def from_pb(cls, value: int) -> LanguageSource | None:
        return None if not value else cls(pb.LanguageSource.Name(value).removeprefix("LANGUAGE_SOURCE_").lower())

    @property
    def label(self) -> str:
        return {
            "requested": "opgegeven",
            "detected": "herkend in de tekst",
            "default": "standaard (de tekst gaf te weinig houvast)",
        }[self.value]


class EvidenceLevel(StrEnum):
    """The weakest evidence of a skill a vacancy accepts: soft (any, self-assessment included), semi_hard (work
    experience, timesheets, employer statements, or stronger), hard (a diploma, certificate or registration)."""

    soft = "soft"
    semi_hard = "semi_hard"
    hard = "hard"

    def to_pb(self) -> int:
        return pb.EvidenceLevel.Value("EVIDENCE_LEVEL_" + self.name.upper())

    @classmethod
    def from_pb(cls, value: int) -> EvidenceLevel | None:
        return None if not value else cls(pb.EvidenceLevel.Name(value).removeprefix("EVIDENCE_LEVEL_").lower())

    @property
    def label(self) -> str:
        return {
            "soft": "zacht bewijs volstaat (ook zelfbeoordeling)",
            "semi_hard": "werkervaring of sterker (semi-hard bewijs)",
            "hard": "diploma, certificaat of registratie (hard bewijs)",
        }[self.value]


class SkillOrigin(StrEnum):
    extracted = "extracted"
    added = "added"

    @classmethod
    def from_pb(cls, value: int) -> SkillOrigin | None:
        return None if not value else cls(pb.SkillOrigin.Name(value).removeprefix("SKILL_ORIGIN_").lower())

    @property
    def label(self) -> str:
        return {"extracted": "gevonden in de tekst", "added": "toegevoegd door de vacaturebank"}[self.value]


class SkillStatus(StrEnum):
    suggested = "suggested"
    confirmed = "confirmed"

    @classmethod
    def from_pb(cls, value: int) -> SkillStatus | None:
        return None if not value else cls(pb.SkillStatus.Name(value).removeprefix("SKILL_STATUS_").lower())

    @property
    def label(self) -> str:
        return {"suggested": "voorgesteld (nog niet beoordeeld)", "confirmed": "bevestigd"}[self.value]


class SkillAction(StrEnum):
    confirm = "confirm"
    add = "add"
    remove = "remove"

    def to_pb(self) -> int:
        return pb.SkillAction.Value("SKILL_ACTION_" + self.name.upper())


def required_label(required: bool) -> str:
    return "vereist" if required else "pluspunt"


def _score(value: float) -> float:
    """A float32 probability as a readable number in 0..1."""
    return round(min(max(float(value), 0.0), 1.0), 4)


def _when(message: Any, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    stamp = getattr(message, name)
    return stamp.ToDatetime(tzinfo=UTC)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


# --- request bodies ----------------------------------------------------------------------------------------------

_TEXT = Field(
    description="The ad: plain text or HTML (tags are read, never run), at most 1 MiB of UTF-8. Offsets in the "
    "answer point into the plain text returned as `text` (for HTML: the text extracted from it)",
    examples=[NL_AD],
)
_FORMAT = Field(default=None, description="`plain` or `html`; absent: HTML when the text contains HTML tags")
_LANGUAGE = Field(
    default=None,
    description="`nl` or `en` (a region such as `nl-NL` is accepted); absent: detected from the text (German and "
    "French ads are refused)",
    examples=["nl"],
)


class ExtractRequest(Strict):
    """An ad to read; nothing is stored."""

    title: Line = Field(
        default="",
        description="The vacancy title, for the occupation guess (default: the first line of the text when short)",
        examples=["Heftruckchauffeur"],
    )
    text: AdText = _TEXT
    format: TextFormat | None = _FORMAT
    language: LanguageCode | None = _LANGUAGE
    max_occupations: int = Field(default=5, ge=1, le=20, description="Most likely ESCO occupations to return")

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Heftruckchauffeur", "text": NL_AD, "language": "nl"}]},
    )

    def to_pb(self) -> pb.ExtractSkillsRequest:
        return pb.ExtractSkillsRequest(
            text=self.text,
            format=self.format.to_pb() if self.format else pb.TEXT_FORMAT_UNSPECIFIED,
            language=self.language or "",
            title=self.title,
            max_occupations=self.max_occupations,
        )


class HoursIn(Strict):
    min: float = Field(default=0, ge=0, le=168, description="Hours per week, at least", examples=[32])
    max: float = Field(default=0, ge=0, le=168, description="Hours per week, at most (0: the same as min)")

    @model_validator(mode="after")
    def _ordered(self) -> HoursIn:
        if self.max and self.min > self.max:
            raise ValueError(f"min ({self.min}) is more than max ({self.max})")
        return self


class UpsertVacancy(Strict):
    """A vacancy of your job board, identified by your own `external_id`: created when new, replaced when the content
    differs, left as it is when the same content is sent again. The skills are extracted from the text; when the
    text changes, your decisions on skills (confirmed, added, removed) are kept and the unreviewed suggestions are
    replaced."""

    external_id: Annotated[str, StringConstraints(min_length=1, max_length=200)] = Field(
        description="Your own id of the vacancy (unique within your job board)", examples=["JB-2025-0042"]
    )
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(examples=["Heftruckchauffeur"])
    text: AdText = _TEXT
    format: TextFormat | None = _FORMAT
    language: LanguageCode | None = _LANGUAGE
    employer: Line = Field(default="", examples=["Logistiek BV"])
    location: Line = Field(default="", examples=["Tilburg"])
    hours: HoursIn | None = None
    posted_on: date | None = Field(default=None, examples=["2025-03-01"])
    expires_on: date | None = Field(
        default=None, description="The vacancy expires at the end of this day (UTC); absent: no expiry"
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "JB-2025-0042",
                    "title": "Heftruckchauffeur",
                    "text": NL_AD,
                    "employer": "Logistiek BV",
                    "location": "Tilburg",
                    "hours": {"min": 32, "max": 40},
                    "posted_on": "2025-03-01",
                    "expires_on": "2025-04-30",
                }
            ]
        },
    )

    @model_validator(mode="after")
    def _dates(self) -> UpsertVacancy:
        if self.posted_on and self.expires_on and self.expires_on < self.posted_on:
            raise ValueError(f"expires_on ({self.expires_on}) is before posted_on ({self.posted_on})")
        return self

    def to_pb(self, expected_version: int = 0) -> pb.UpsertVacancyRequest:
        message = pb.UpsertVacancyRequest(
            external_id=self.external_id,
            title=self.title,
            text=self.text,
            format=self.format.to_pb() if self.format else pb.TEXT_FORMAT_UNSPECIFIED,
            language=self.language or "",
            employer=self.employer,
            location=self.location,
            posted_on=self.posted_on.isoformat() if self.posted_on else "",
            expires_on=self.expires_on.isoformat() if self.expires_on else "",
            expected_version=expected_version,
        )
        if self.hours is not None:
            message.hours.CopyFrom(pb.HoursPerWeek(min=self.hours.min, max=self.hours.max))
        return message


class SkillEditIn(Strict):
    skill_id: Uri = Field(description="ESCO skill (or knowledge) URI", examples=[PROCESS_PAYMENTS])
    action: SkillAction = Field(
        description="`confirm` a skill of the vacancy (kept when the text changes); `add` an ESCO skill (or bring "
        "back a removed one) as confirmed; `remove` a skill (it stays out when the text changes, until added again)",
        examples=["confirm"],
    )
    required: bool | None = Field(
        default=None, description="Required (true) or a plus (false). confirm: absent keeps it; add: absent is true"
    )
    min_evidence: EvidenceLevel | None = Field(
        default=None,
        description="The weakest evidence accepted. confirm: absent keeps it; add: absent is the suggestion, or soft",
    )

    @model_validator(mode="after")
    def _fits_action(self) -> SkillEditIn:
        if self.action is SkillAction.remove and (self.required is not None or self.min_evidence is not None):
            raise ValueError("required and min_evidence go with confirm or add, not with remove")
        return self

    def to_pb(self) -> pb.SkillEdit:
        edit = pb.SkillEdit(
            skill_id=self.skill_id,
            action=self.action.to_pb(),
            min_evidence=self.min_evidence.to_pb() if self.min_evidence else pb.EVIDENCE_LEVEL_UNSPECIFIED,
        )
        if self.required is not None:
            edit.required = self.required
        return edit


class UpdateSkills(Strict):
    """Your decisions on the vacancy's skills, made on the version you read (send its ETag in If-Match)."""

    edits: list[SkillEditIn] = Field(min_length=1, max_length=500)

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "edits": [
                        {"skill_id": FORKLIFT, "action": "confirm", "required": True, "min_evidence": "hard"},
                        {"skill_id": PROCESS_PAYMENTS, "action": "add", "required": False},
                    ]
                }
            ]
        },
    )

    @model_validator(mode="after")
    def _once_each(self) -> UpdateSkills:
        seen: set[str] = set()
        for edit in self.edits:
            if edit.skill_id in seen:
                raise ValueError(f"{edit.skill_id} is edited more than once; one edit per skill")
            seen.add(edit.skill_id)
        return self


# --- responses ---------------------------------------------------------------------------------------------------


class Mention(BaseModel):
    """Where a skill is mentioned: ``text[start:end]`` of the returned text (Unicode code points, end exclusive)."""

    start: int
    end: int
    sentence_start: int = Field(description="The sentence, bullet or line the mention is in")
    sentence_end: int
    source_start: int = Field(description="The same span in the input as sent (for HTML: in the HTML)")
    source_end: int
    confidence: float = Field(ge=0, le=1)
    required: bool = Field(description="Required (true) or a plus (false), from the wording and the section")
    text: str = Field(description="text[start:end]", examples=["heftruckcertificaat"])

    @classmethod
    def from_pb(cls, m: pb.Mention) -> Mention:
        return cls(
            start=m.start,
            end=m.end,
            sentence_start=m.sentence_start,
            sentence_end=m.sentence_end,
            source_start=m.source_start,
            source_end=m.source_end,
            confidence=_score(m.confidence),
            required=m.required,
            text=m.text,
        )


class ExtractedSkill(BaseModel):
    skill_id: str = Field(description="ESCO skill or knowledge URI", examples=[FORKLIFT])
    label: str = Field(description="Preferred label in the ad's language (English when it has none)")
    confidence: float = Field(ge=0, le=1, description="The classifier's probability, the best over the mentions")
    required: bool = Field(description="Required when any mention is")
    required_label: str = Field(examples=["vereist"])
    suggested_min_evidence: EvidenceLevel | None = Field(
        description="The evidence the wording asks for (a diploma or certificate: hard; experience: semi_hard)"
    )
    suggested_min_evidence_label: str | None
    mentions: list[Mention]

    @classmethod
    def from_pb(cls, s: pb.ExtractedSkill) -> ExtractedSkill:
        evidence = EvidenceLevel.from_pb(s.suggested_min_evidence)
        return cls(
            skill_id=s.skill_id,
            label=s.label,
            confidence=_score(s.confidence),
            required=s.required,
            required_label=required_label(s.required),
            suggested_min_evidence=evidence,
            suggested_min_evidence_label=evidence.label if evidence else None,
            mentions=[Mention.from_pb(m) for m in s.mentions],
        )


class OccupationGuess(BaseModel):
    occupation_id: str = Field(examples=[FORKLIFT_OPERATOR])
    label: str = Field(examples=["heftruckchauffeur"])
    isco_code: str | None = Field(description="ISCO-08 unit group", examples=["8344"])
    score: float = Field(ge=0, le=1, description="Weighted sum of skill_score and title_score")
    skill_score: float = Field(ge=0, le=1, description="How well the ad's skills fit the occupation's")
    title_score: float = Field(ge=0, le=1, description="How well the title matches a label of the occupation")
    matched_skill_ids: list[str] = Field(description="The ad's skills the occupation lists as essential or optional")

    @classmethod
    def from_pb(cls, o: pb.OccupationGuess) -> OccupationGuess:
        return cls(
            occupation_id=o.occupation_id,
            label=o.label,
            isco_code=o.isco_code or None,
            score=_score(o.score),
            skill_score=_score(o.skill_score),
            title_score=_score(o.title_score),
            matched_skill_ids=list(o.matched_skill_ids),
        )


class Extraction(BaseModel):
    """What an ad demands. Nothing was stored."""

    text: str = Field(description="The plain text the offsets point into (the input itself for plain text)")
    format: TextFormat | None = Field(description="How the input was read")
    language: str = Field(examples=["nl"])
    language_source: LanguageSource | None
    language_source_label: str | None
    skills: list[ExtractedSkill] = Field(description="Best first")
    occupations: list[OccupationGuess] = Field(description="Most likely first")
    sentence_count: int = Field(description="Sentences, bullets and lines the text was split into")
    model_version: str
    bundle_version: str

    @classmethod
    def from_pb(cls, r: pb.ExtractSkillsResponse) -> Extraction:
        source = LanguageSource.from_pb(r.language_source)
        return cls(
            text=r.text,
            format=TextFormat.from_pb(r.format),
            language=r.language,
            language_source=source,
            language_source_label=source.label if source else None,
            skills=[ExtractedSkill.from_pb(s) for s in r.skills],
            occupations=[OccupationGuess.from_pb(o) for o in r.occupations],
            sentence_count=r.sentence_count,
            model_version=r.model_version,
            bundle_version=r.bundle_version,
        )


class DemandedSkill(BaseModel):
    skill_id: str = Field(examples=[FORKLIFT])
    label: str
    required: bool
    required_label: str = Field(examples=["vereist"])
    min_evidence: EvidenceLevel | None = Field(description="The weakest evidence the vacancy accepts for the skill")
    min_evidence_label: str | None
    origin: SkillOrigin | None
    origin_label: str | None
    status: SkillStatus | None = Field(
        description="suggested: found in the text, not reviewed (replaced when the text changes); confirmed: "
        "confirmed or added by the job board (kept when the text changes)"
    )
    status_label: str | None
    confidence: float | None = Field(description="The classifier's confidence; null for skills the job board added")
    mentions: list[Mention] | None = Field(description="Where the skill is mentioned in `text`; null in lists")

    @classmethod
    def from_pb(cls, s: pb.DemandedSkill, full: bool) -> DemandedSkill:
        evidence = EvidenceLevel.from_pb(s.min_evidence)
        origin = SkillOrigin.from_pb(s.origin)
        status = SkillStatus.from_pb(s.status)
        return cls(
            skill_id=s.skill_id,
            label=s.label,
            required=s.required,
            required_label=required_label(s.required),
            min_evidence=evidence,
            min_evidence_label=evidence.label if evidence else None,
            origin=origin,
            origin_label=origin.label if origin else None,
            status=status,
            status_label=status.label if status else None,
            confidence=None if origin is SkillOrigin.added and not s.confidence else _score(s.confidence),
            mentions=[Mention.from_pb(m) for m in s.mentions] if full else None,
        )


class Hours(BaseModel):
    min: float
    max: float


class Vacancy(BaseModel):
    """A vacancy of your job board and the skills it demands."""

    id: str = Field(examples=[VACANCY_ID_EXAMPLE])
    job_board: str = Field(description="Your organisation", examples=["jobboard-x"])
    external_id: str = Field(examples=["JB-2025-0042"])
    title: str
    text: str | None = Field(description="The plain text the mentions point into; null in lists")
    format: TextFormat | None = Field(description="How the ad was read")
    employer: str
    location: str
    hours: Hours | None = Field(description="Hours per week; null when unknown")
    posted_on: date | None
    expires_on: date | None = Field(description="Expires at the end of this day (UTC); null: no expiry")
    expired: bool
    language: str = Field(examples=["nl"])
    language_source: LanguageSource | None
    language_source_label: str | None
    skills: list[DemandedSkill] = Field(
        description="Confirmed and added skills and the unreviewed suggestions; required first, best first"
    )
    removed_skill_ids: list[str] = Field(description="Skills you removed (they stay out when the text changes)")
    occupations: list[OccupationGuess] = Field(description="Most likely ESCO occupations, best first")
    version: int = Field(description="Also the ETag; send it back in If-Match when changing the vacancy")
    created_at: datetime | None
    updated_at: datetime | None
    model_version: str

    @classmethod
    def from_pb(cls, v: pb.Vacancy, full: bool = True) -> Vacancy:
        source = LanguageSource.from_pb(v.language_source)
        hours = v.hours if v.HasField("hours") and (v.hours.min or v.hours.max) else None
        return cls(
            id=v.vacancy_id,
            job_board=v.job_board,
            external_id=v.external_id,
            title=v.title,
            text=v.text if full else None,
            format=TextFormat.from_pb(v.source_format),
            employer=v.employer,
            location=v.location,
            hours=Hours(min=hours.min, max=hours.max) if hours else None,
            posted_on=_day(v.posted_on),
            expires_on=_day(v.expires_on),
            expired=v.expired,
            language=v.language,
            language_source=source,
            language_source_label=source.label if source else None,
            skills=[DemandedSkill.from_pb(s, full) for s in v.skills],
            removed_skill_ids=list(v.removed_skill_ids),
            occupations=[OccupationGuess.from_pb(o) for o in v.occupations],
            version=v.version,
            created_at=_when(v, "created_at"),
            updated_at=_when(v, "updated_at"),
            model_version=v.model_version,
        )


class VacancyUpserted(BaseModel):
    vacancy: Vacancy
    created: bool = Field(description="The vacancy did not exist (or had been deleted) before: answered with 201")
    changed: bool = Field(description="Anything changed; false when the same content was sent again")


class VacancyPage(BaseModel):
    items: list[Vacancy] = Field(description="Newest first, without text and mentions")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
