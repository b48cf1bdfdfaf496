"""A person as the matcher sees them: offered skills, including those a work history implies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import Evidence, OfferedSkill, Person


def work_history_skills(
    index: MatcherIndex, occupations: Iterable[str], optional_weight: float = 0.5
) -> dict[str, float]:
    """Skills a work history implies ("aangemeten"): each occupation's essential skills at weight 1 and its
    optional skills at ``optional_weight``; the highest weight wins across occupations."""
    weights: dict[str, float] = {}
    for occ in occupations:
        pos = index.occupation_pos.get(occ)
        if pos is None:
            continue
        lo, hi = index.demand.indptr[pos], index.demand.indptr[pos + 1]
        skills, essentials = index.demand.indices[lo:hi].tolist(), index.demand_essential[lo:hi].tolist()
        for s, essential in zip(skills, essentials, strict=True):
            sid = index.skill_ids[s]
            weights[sid] = max(weights.get(sid, 0.0), 1.0 if essential else optional_weight)
    return weights


def person_with_history(
    index: MatcherIndex,
    skills: Sequence[OfferedSkill],
    occupations: Sequence[str],
    history_evidence: Evidence = Evidence.SEMI_HARD,
    optional_weight: float = 0.5,
) -> Person:
    """The offered skills plus the skills of the work history as work experience; per skill the strongest
    evidence (then the highest weight) counts. The occupations stay the person's background."""
    best: dict[str, OfferedSkill] = {
        sid: OfferedSkill(sid, history_evidence, weight)
        for sid, weight in work_history_skills(index, occupations, optional_weight).items()
    }
    for skill in skills:
        known = best.get(skill.skill_id)
        if known is None or (skill.evidence, skill.weight) > (known.evidence, known.weight):
            best[skill.skill_id] = skill
    return Person(skills=list(best.values()), occupations=list(dict.fromkeys(occupations)))
