"""A short, plain-language explanation of one match, for the person and their coach (Dutch or English)."""

from __future__ import annotations

from overstap_matcher.domain.labels import LabelBook
from overstap_matcher.domain.model import ESSENTIAL, CandidateMatch, Match, VacancyMatch
from overstap_matcher.domain.paskamer import ProfileMatch

MAX_NAMED = 3


def _join(items: list[str], language: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    conjunction = " en " if language == "nl" else " and "
    return ", ".join(items[:-1]) + conjunction + items[-1]


TARGET_WORDS = {
    "nl": {"occupation": "dit beroep", "vacancy": "deze vacature", "candidate": "deze vacature"},
    "en": {"occupation": "this occupation", "vacancy": "this vacancy", "candidate": "this vacancy"},
}


def summarize(
    match: Match | VacancyMatch | CandidateMatch, labels: LabelBook, language: str, target: str = "occupation"
) -> str:
    essential_met = sum(1 for p in match.productive if p.relation == ESSENTIAL)
    essential_total = essential_met + match.counts.essential_shortage
    missing_ids = [s.skill_id for s in match.shortage[:MAX_NAMED] if s.relation == ESSENTIAL]  # essential first
    missing = [labels.label(skill_id, language).text for skill_id in missing_ids]
    origin = None
    if match.background is not None and match.background.proximity > 0:
        origin = labels.label(match.background.origin_id, language).text
    what = TARGET_WORDS["nl" if language == "nl" else "en"][target]
    if target == "candidate":
        return _candidate_summary(essential_met, essential_total, missing, what, language)
    if language == "nl":
        parts = [f"U heeft {essential_met} van de {essential_total} essentiële vaardigheden voor {what}."]
        if missing:
            parts.append(f"Nog te ontwikkelen: {_join(missing, language)}.")
        if origin:
            parts.append(f"Dit ligt dicht bij uw ervaring als {origin}.")
        return " ".join(parts)
    parts = [f"You have {essential_met} of the {essential_total} essential skills of {what}."]
    if missing:
        parts.append(f"Still to develop: {_join(missing, language)}.")
    if origin:
        parts.append(f"It is close to your background as {origin}.")
    return " ".join(parts)


def summarize_profile(match: ProfileMatch, labels: LabelBook, language: str) -> str:
    """De Paskamer mode: how well the self-rated profile fits, and the largest gaps."""
    percent = round(match.score * 100)
    gaps = [labels.label(g.skill_id, language).text for g in match.shortage[:MAX_NAMED]]
    if language == "nl":
        text = f"Uw vaardighedenprofiel past voor {percent}% bij dit beroep."
        return text + (f" Grootste tekorten: {_join(gaps, language)}." if gaps else " U heeft geen tekorten.")
    text = f"Your skills profile fits this occupation for {percent}%."
    return text + (f" Largest gaps: {_join(gaps, language)}." if gaps else " You have no gaps.")


def _candidate_summary(met: int, total: int, missing: list[str], what: str, language: str) -> str:
    if language == "nl":
        text = f"De kandidaat heeft {met} van de {total} vereiste vaardigheden voor {what}."
        return text + (f" Ontbreekt: {_join(missing, language)}." if missing else "")
    text = f"The candidate has {met} of the {total} required skills of {what}."
    return text + (f" Missing: {_join(missing, language)}." if missing else "")
