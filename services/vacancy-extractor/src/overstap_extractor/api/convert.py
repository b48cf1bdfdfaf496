"""Domain values <-> protobuf messages of overstap.vacancy.v1."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from overstap.vacancy.v1 import vacancy_pb2 as pb

from overstap_extractor.domain.errors import InvalidInput
from overstap_extractor.domain.language import LanguageSource
from overstap_extractor.domain.model import (
    Action,
    DemandedSkill,
    Evidence,
    ExtractedSkill,
    Extraction,
    Mention,
    OccupationGuess,
    Origin,
    Ranking,
    Status,
    Vacancy,
    VacancyInput,
)
from overstap_extractor.domain.text import TextFormat, decode_content
from overstap_extractor.domain.vacancy import SkillEdit, vacancy_input

FORMAT_IN = {
    pb.TEXT_FORMAT_UNSPECIFIED: None,
    pb.TEXT_FORMAT_PLAIN: TextFormat.PLAIN,
    pb.TEXT_FORMAT_HTML: TextFormat.HTML,
}
FORMAT_OUT = {TextFormat.PLAIN: pb.TEXT_FORMAT_PLAIN, TextFormat.HTML: pb.TEXT_FORMAT_HTML}
LANGUAGE_SOURCE_OUT = {
    LanguageSource.REQUESTED: pb.LANGUAGE_SOURCE_REQUESTED,
    LanguageSource.DETECTED: pb.LANGUAGE_SOURCE_DETECTED,
    LanguageSource.DEFAULT: pb.LANGUAGE_SOURCE_DEFAULT,
}
EVIDENCE_IN = {
    pb.EVIDENCE_LEVEL_UNSPECIFIED: None,
    pb.EVIDENCE_LEVEL_SOFT: Evidence.SOFT,
    pb.EVIDENCE_LEVEL_SEMI_HARD: Evidence.SEMI_HARD,
    pb.EVIDENCE_LEVEL_HARD: Evidence.HARD,
}
EVIDENCE_OUT = {
    Evidence.SOFT: pb.EVIDENCE_LEVEL_SOFT,
    Evidence.SEMI_HARD: pb.EVIDENCE_LEVEL_SEMI_HARD,
    Evidence.HARD: pb.EVIDENCE_LEVEL_HARD,
}
ACTION_IN = {
    pb.SKILL_ACTION_CONFIRM: Action.CONFIRM,
    pb.SKILL_ACTION_ADD: Action.ADD,
    pb.SKILL_ACTION_REMOVE: Action.REMOVE,
}
ORIGIN_OUT = {Origin.EXTRACTED: pb.SKILL_ORIGIN_EXTRACTED, Origin.ADDED: pb.SKILL_ORIGIN_ADDED}
STATUS_OUT = {Status.SUGGESTED: pb.SKILL_STATUS_SUGGESTED, Status.CONFIRMED: pb.SKILL_STATUS_CONFIRMED}


# --- in ----------------------------------------------------------------------------------------------------


def text_format(value: int) -> TextFormat | None:
    if value not in FORMAT_IN:
        raise InvalidInput(f"unknown text format {value}", "format")
    return FORMAT_IN[value]


def body(request: pb.ExtractSkillsRequest | pb.UpsertVacancyRequest) -> str:
    """The ad text of a request: ``text``, or ``content`` bytes decoded as UTF-8."""
    which = request.WhichOneof("body")
    if which == "content":
        return decode_content(request.content)
    return request.text  # "" when neither is set: refused as empty by the text checks


def upsert_in(request: pb.UpsertVacancyRequest) -> VacancyInput:
    hours = request.hours if request.HasField("hours") else None
    return vacancy_input(
        external_id=request.external_id,
        title=request.title,
        source=body(request),
        fmt=text_format(request.format),
        language=request.language,
        employer=request.employer,
        location=request.location,
        hours_min=hours.min if hours else None,
        hours_max=hours.max if hours else None,
        posted_on=request.posted_on,
        expires_on=request.expires_on,
    )


def edits_in(edits: Sequence[pb.SkillEdit]) -> list[SkillEdit]:
    out = []
    for i, e in enumerate(edits):
        if e.action not in ACTION_IN:
            raise InvalidInput("action must be CONFIRM, ADD or REMOVE", f"edits[{i}]")
        if e.min_evidence not in EVIDENCE_IN:
            raise InvalidInput(f"unknown evidence level {e.min_evidence}", f"edits[{i}].min_evidence")
        out.append(
            SkillEdit(
                skill_id=e.skill_id.strip(),
                action=ACTION_IN[e.action],
                required=e.required if e.HasField("required") else None,
                min_evidence=EVIDENCE_IN[e.min_evidence],
            )
        )
    return out


# --- out ---------------------------------------------------------------------------------------------------


def _timestamp(moment: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(moment)
    return ts


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def mention_pb(m: Mention, text: str) -> pb.Mention:
    return pb.Mention(
        start=m.start, end=m.end, sentence_start=m.sentence_start, sentence_end=m.sentence_end,
        source_start=m.source_start, source_end=m.source_end, confidence=m.confidence, required=m.required,
        text=text[m.start : m.end],
    )  # fmt: skip


def extracted_skill_pb(s: ExtractedSkill, text: str) -> pb.ExtractedSkill:
    return pb.ExtractedSkill(
        skill_id=s.skill_id, label=s.label, confidence=s.confidence, required=s.required,
        suggested_min_evidence=EVIDENCE_OUT[s.suggested_min_evidence],
        mentions=[mention_pb(m, text) for m in s.mentions],
    )  # fmt: skip


def occupation_pb(o: OccupationGuess) -> pb.OccupationGuess:
    return pb.OccupationGuess(
        occupation_id=o.occupation_id, label=o.label, isco_code=o.isco_code, score=o.score,
        skill_score=o.skill_score, title_score=o.title_score, matched_skill_ids=list(o.matched_skill_ids),
    )  # fmt: skip


def extraction_pb(e: Extraction) -> pb.ExtractSkillsResponse:
    text = e.ad.text
    return pb.ExtractSkillsResponse(
        text=text,
        format=FORMAT_OUT[e.ad.format],
        language=e.language.code,
        language_source=LANGUAGE_SOURCE_OUT[e.language.source],
        skills=[extracted_skill_pb(s, text) for s in e.skills],
        occupations=[occupation_pb(o) for o in e.occupations],
        sentence_count=e.sentence_count,
        model_version=e.model_version,
        bundle_version=e.bundle_version,
    )


def ranking_pb(r: Ranking) -> pb.RankSkillsResponse:
    return pb.RankSkillsResponse(
        skills=[
            pb.RankedSkill(skill_id=s.skill_id, label=s.label, probability=s.probability, rank=i)
            for i, s in enumerate(r.skills, start=1)
        ],
        language=r.language.code,
        language_source=LANGUAGE_SOURCE_OUT[r.language.source],
        model_version=r.model_version,
    )


def demanded_skill_pb(s: DemandedSkill, text: str | None) -> pb.DemandedSkill:
    return pb.DemandedSkill(
        skill_id=s.skill_id, label=s.label, required=s.required, min_evidence=EVIDENCE_OUT[s.min_evidence],
        origin=ORIGIN_OUT[s.origin], status=STATUS_OUT[s.status], confidence=s.confidence or 0.0,
        mentions=[mention_pb(m, text) for m in s.mentions] if text is not None else [],
    )  # fmt: skip


def _hours(v: Vacancy) -> pb.HoursPerWeek | None:
    if v.hours_min is None and v.hours_max is None:
        return None
    return pb.HoursPerWeek(min=v.hours_min or 0.0, max=v.hours_max or 0.0)


def vacancy_pb(v: Vacancy, today: date, full: bool = True) -> pb.Vacancy:
    """``full``: with text and mentions (single vacancy answers); lists leave both out."""
    text = v.text if full else None
    return pb.Vacancy(
        vacancy_id=v.id,
        job_board=v.job_board,
        external_id=v.external_id,
        title=v.title,
        text=v.text if full else "",
        source_format=FORMAT_OUT[v.source_format],
        employer=v.employer,
        location=v.location,
        hours=_hours(v),
        posted_on=_day(v.posted_on),
        expires_on=_day(v.expires_on),
        language=v.language,
        language_source=LANGUAGE_SOURCE_OUT.get(LanguageSource(v.language_source), pb.LANGUAGE_SOURCE_UNSPECIFIED),
        skills=[demanded_skill_pb(s, text) for s in v.demanded],
        removed_skill_ids=v.removed_skill_ids,
        occupations=[occupation_pb(o) for o in v.occupations],
        version=v.version,
        expired=v.expired(today),
        created_at=_timestamp(v.created_at),
        updated_at=_timestamp(v.updated_at),
        model_version=v.model_version,
    )


def skill_set_pb(v: Vacancy) -> pb.VacancySkillSet:
    return pb.VacancySkillSet(
        vacancy_id=v.id,
        job_board=v.job_board,
        external_id=v.external_id,
        title=v.title,
        language=v.language,
        employer=v.employer,
        location=v.location,
        hours=_hours(v),
        posted_on=_day(v.posted_on),
        expires_on=_day(v.expires_on),
        version=v.version,
        skills=[
            pb.SkillDemand(
                skill_id=s.skill_id,
                required=s.required,
                min_evidence=EVIDENCE_OUT[s.min_evidence],
                confirmed=s.status is Status.CONFIRMED,
                confidence=1.0 if s.status is Status.CONFIRMED or s.confidence is None else s.confidence,
            )  # fmt: skip
            for s in v.demanded
        ],
        occupations=[occupation_pb(o) for o in v.occupations],
    )
