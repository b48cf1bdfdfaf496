"""Vacancy rules: what a job board may send, how a new extraction merges with the job board's decisions, how
skill edits apply, and the evidence a mention's wording asks for."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from overstap_extractor.domain.errors import InvalidInput
from overstap_extractor.domain.model import (
    Action,
    DemandedSkill,
    Evidence,
    ExtractedSkill,
    Origin,
    Status,
    VacancyInput,
)
from overstap_extractor.domain.text import TextFormat

MAX_EXTERNAL_ID = 200
MAX_TITLE = 500
MAX_FIELD = 300
MAX_EDITS = 500
# Unreviewed suggestions kept per vacancy (the most confident): bounds what a list page or the feed carries.
MAX_SUGGESTIONS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# --- input -------------------------------------------------------------------------------------------------


def _line(value: str, field: str, maximum: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput("is required", field)
    if len(value) > maximum:
        raise InvalidInput(f"is {len(value)} characters; at most {maximum}", field)
    if _CONTROL.search(value):
        raise InvalidInput("must be one line without control characters", field)
    return value


def parse_date(value: str, field: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise InvalidInput(f"{value[:40]!r} is not a date (YYYY-MM-DD)", field)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a valid date", field) from None


def _hours(minimum: float | None, maximum: float | None) -> tuple[float | None, float | None]:
    if minimum is None and maximum is None:
        return None, None
    low, high = minimum or 0.0, maximum or 0.0
    if low == 0 and high == 0:
        return None, None
    if high == 0:
        high = low
    for name, value in (("hours.min", low), ("hours.max", high)):
        if not (0 <= value <= 168) or value != value:  # NaN fails the second test
            raise InvalidInput(f"must be between 0 and 168 hours a week, got {value}", name)
    if low > high:
        raise InvalidInput(f"min ({low}) is more than max ({high})", "hours")
    return low, high


def vacancy_input(
    *,
    external_id: str,
    title: str,
    source: str,
    fmt: TextFormat | None,
    language: str,
    employer: str = "",
    location: str = "",
    hours_min: float | None = None,
    hours_max: float | None = None,
    posted_on: str = "",
    expires_on: str = "",
) -> VacancyInput:
    """The checked fields of an upsert; raises InvalidInput naming the first bad field."""
    posted, expires = parse_date(posted_on, "posted_on"), parse_date(expires_on, "expires_on")
    if posted and expires and expires < posted:
        raise InvalidInput(f"{expires} is before posted_on {posted}", "expires_on")
    low, high = _hours(hours_min, hours_max)
    return VacancyInput(
        external_id=_line(external_id, "external_id", MAX_EXTERNAL_ID, required=True),
        title=_line(title, "title", MAX_TITLE, required=True),
        source=source,
        format=fmt,
        language=language.strip(),
        employer=_line(employer, "employer", MAX_FIELD),
        location=_line(location, "location", MAX_FIELD),
        hours_min=low,
        hours_max=high,
        posted_on=posted,
        expires_on=expires,
    )


def content_hash(data: VacancyInput) -> str:
    """What makes two upserts "the same": every field the job board sends."""
    payload = {
        "external_id": data.external_id,
        "title": data.title,
        "format": data.format.value if data.format else "",
        "language": data.language,
        "employer": data.employer,
        "location": data.location,
        "hours": [data.hours_min, data.hours_max],
        "posted_on": data.posted_on.isoformat() if data.posted_on else "",
        "expires_on": data.expires_on.isoformat() if data.expires_on else "",
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode())
    digest.update(b"\x00")
    digest.update(data.source.encode("utf-8"))
    return digest.hexdigest()


# --- evidence ----------------------------------------------------------------------------------------------

_HARD_CUES = re.compile(
    r"\b(?:diploma'?s?|certifica(?:at|aten|te|tes|tion)|gecertificeerd|certified|rijbewijs|"
    r"(?:driving|driver'?s) licen[cs]e|licen[cs]ed|vergunning|big[- ]?(?:registratie|geregistreerd)|"
    r"registered|vca|bhv|(?:mbo|hbo|wo)(?:[- ]?(?:niveau|diploma|opleiding|werk- en denkniveau))?|"
    r"(?:bachelor|master)'?s?(?: degree)?|degree|afgeronde opleiding)\b",
    re.IGNORECASE,
)
_SEMI_HARD_CUES = re.compile(
    r"\b(?:ervaring|werkervaring|ervaren|experience[d]?|track record|aantoonbare?|proven|"
    r"\d+\+?\s*(?:jaar|jaren|years?))\b",
    re.IGNORECASE,
)


def evidence_for(sentence: str) -> Evidence:
    """The evidence the wording of a sentence asks for: a diploma, certificate, licence or registration is
    hard; experience is semi-hard; anything else (knowledge, a trait) accepts soft evidence."""
    if _HARD_CUES.search(sentence):
        return Evidence.HARD
    if _SEMI_HARD_CUES.search(sentence):
        return Evidence.SEMI_HARD
    return Evidence.SOFT


# --- skills ------------------------------------------------------------------------------------------------


def order_skills(skills: Sequence[DemandedSkill]) -> list[DemandedSkill]:
    """Required first, then confirmed before suggested, then by confidence, then id."""
    return sorted(
        skills,
        key=lambda s: (
            not s.demanded,
            not s.required,
            s.status is not Status.CONFIRMED,
            -(s.confidence if s.confidence is not None else 1.0),
            s.skill_id,
        ),
    )


def suggested(skill: ExtractedSkill) -> DemandedSkill:
    return DemandedSkill(
        skill.skill_id, skill.label, Origin.EXTRACTED, Status.SUGGESTED, skill.required,
        skill.suggested_min_evidence, skill.confidence, skill.mentions,
    )  # fmt: skip


def merge_extraction(current: Sequence[DemandedSkill], extracted: Sequence[ExtractedSkill]) -> list[DemandedSkill]:
    """The skills after the ad text changed: the job board's decisions (confirmed, added, removed) stay, with
    the new mentions where the skill is still found (none where it is not: old offsets mean nothing in the new
    text); unreviewed suggestions are replaced by the new extraction (its MAX_SUGGESTIONS most confident)."""
    decided = {s.skill_id: s for s in current if s.status is not Status.SUGGESTED}
    found = {e.skill_id: e for e in extracted}
    out: list[DemandedSkill] = []
    for skill_id, skill in decided.items():
        again = found.get(skill_id)
        if again is None:
            out.append(replace(skill, mentions=()))
        else:
            out.append(replace(skill, confidence=again.confidence, mentions=again.mentions))
    fresh = sorted((e for e in extracted if e.skill_id not in decided), key=lambda e: (-e.confidence, e.skill_id))
    out.extend(suggested(e) for e in fresh[:MAX_SUGGESTIONS])
    return order_skills(out)


@dataclass(frozen=True, slots=True)
class SkillEdit:
    skill_id: str
    action: Action
    required: bool | None = None
    min_evidence: Evidence | None = None


def check_edits(edits: Sequence[SkillEdit]) -> None:
    if not edits:
        raise InvalidInput("at least one edit is needed", "edits")
    if len(edits) > MAX_EDITS:
        raise InvalidInput(f"{len(edits)} edits; at most {MAX_EDITS} in one request", "edits")
    seen: set[str] = set()
    for i, edit in enumerate(edits):
        if not edit.skill_id:
            raise InvalidInput("skill_id is required", f"edits[{i}]")
        if edit.skill_id in seen:
            raise InvalidInput(f"{edit.skill_id} is edited more than once", f"edits[{i}]")
        seen.add(edit.skill_id)


def apply_edits(
    skills: Sequence[DemandedSkill], edits: Sequence[SkillEdit], label_of: Callable[[str], str | None]
) -> list[DemandedSkill]:
    """The skills after the job board's edits. ``label_of`` names a known ESCO skill (None: unknown)."""
    check_edits(edits)
    by_id = {s.skill_id: s for s in skills}
    for i, edit in enumerate(edits):
        where = f"edits[{i}]"
        skill = by_id.get(edit.skill_id)
        if edit.action is Action.REMOVE:
            if skill is None:
                raise InvalidInput(f"{edit.skill_id} is not among the vacancy's skills", where)
            by_id[edit.skill_id] = replace(skill, status=Status.REMOVED)
        elif edit.action is Action.CONFIRM or (edit.action is Action.ADD and skill is not None and skill.demanded):
            if skill is None or not skill.demanded:
                raise InvalidInput(f"{edit.skill_id} is not among the vacancy's skills (use ADD)", where)
            by_id[edit.skill_id] = replace(
                skill,
                status=Status.CONFIRMED,
                required=skill.required if edit.required is None else edit.required,
                min_evidence=edit.min_evidence or skill.min_evidence,
            )
        else:  # ADD a new or removed skill
            label = label_of(edit.skill_id)
            if label is None:
                raise InvalidInput(f"{edit.skill_id[:300]} is not an ESCO skill of the taxonomy", where)
            by_id[edit.skill_id] = DemandedSkill(
                skill_id=edit.skill_id,
                label=skill.label if skill else label,
                origin=skill.origin if skill else Origin.ADDED,
                status=Status.CONFIRMED,
                required=True if edit.required is None else edit.required,
                min_evidence=edit.min_evidence or (skill.min_evidence if skill else Evidence.SOFT),
                confidence=skill.confidence if skill else None,
                mentions=skill.mentions if skill else (),
            )
    return order_skills(by_id.values())
