"""De Paskamer mode: a person's own levels on the 35 O*NET skills, matched against the level and importance
profiles of O*NET occupations and carried to ESCO occupations through the ESCO -> O*NET crosswalk.

Fit of an O*NET occupation o for person levels p (0..7):

    fit(o) = 1 - sum_s w(o,s) * (max(0, level(o,s) - p_s) + 0.5 * max(0, p_s - level(o,s))) / 7 / sum_s w(o,s)

with w = 0.25 + 0.75 * (importance - 1) / 4: every skill counts, the ones important for the occupation most;
falling short costs fully, being better than needed costs half as much (an occupation that fits the person's
profile beats one that leaves their abilities unused). An ESCO occupation takes the best score of its linked
O*NET occupations, weighted by how closely the crosswalk links them (close/broad/narrow 1.0, related 0.9).

The score is half that fit and half the shape of the profiles: the correlation of the person's levels with the
occupation's levels over the 35 skills, mapped to 0..1 (what someone is relatively good at should be what the
occupation relatively needs). On self-retrieval (an O*NET occupation's own profile with noise, sd 0.5 and 1) the
mix finds the occupation in the top 5 for 75 % of occupations, the fit alone for 54 %.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from overstap_bundle import ConceptType, MatchType, TaxonomyBundle

MAX_LEVEL = 7.0
OVERQUALIFIED_COST = 0.5
FIT_SHARE = 0.5  # the rest is the profile-shape correlation
# Every skill counts a little, important ones fully: w = FLOOR + (1 - FLOOR) * (importance - 1) / 4.
WEIGHT_FLOOR = 0.25
LINK_WEIGHT = {
    MatchType.EXACT: 1.0,
    MatchType.CLOSE: 1.0,
    MatchType.BROAD: 1.0,
    MatchType.NARROW: 1.0,
    MatchType.RELATED: 0.9,
}


class InvalidProfile(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class SkillGap:
    skill_id: str
    person_level: float
    required_level: float
    importance: float  # O*NET importance, 1..5
    points: float  # fit points lost (shortage) or held (productive), importance-weighted, in 0..1 of the fit


@dataclass(frozen=True, slots=True)
class ProfileMatch:
    occupation_id: str  # ESCO occupation
    onet_id: str  # the O*NET occupation the fit comes from
    rank: int
    score: float
    link_weight: float
    productive: tuple[SkillGap, ...]  # important skills the person has at the required level
    shortage: tuple[SkillGap, ...]  # skills below the required level, largest loss first
    surplus: tuple[SkillGap, ...]  # skills the person rates well above what the occupation needs


class OnetProfileIndex:
    def __init__(self, bundle: TaxonomyBundle) -> None:
        self.skill_ids = sorted(c.id for c in bundle.concepts if c.type is ConceptType.ONET_SKILL)
        skill_pos = {s: i for i, s in enumerate(self.skill_ids)}
        by_onet: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
        for r in bundle.onet_skill_ratings:
            if r.skill_id in skill_pos:
                by_onet[r.onet_id][skill_pos[r.skill_id]] = (r.importance, r.level)
        self.onet_ids = sorted(by_onet)
        onet_pos = {o: i for i, o in enumerate(self.onet_ids)}
        n_o, n_s = len(self.onet_ids), len(self.skill_ids)
        self.importance = np.ones((n_o, n_s))
        self.level = np.zeros((n_o, n_s))
        for o, ratings in by_onet.items():
            for s, (im, lv) in ratings.items():
                self.importance[onet_pos[o], s] = im
                self.level[onet_pos[o], s] = lv
        self.weight = WEIGHT_FLOOR + (1 - WEIGHT_FLOOR) * np.clip((self.importance - 1.0) / 4.0, 0.0, 1.0)
        self.weight_total = np.maximum(self.weight.sum(axis=1), 1e-9)
        centred = self.level - self.level.mean(axis=1, keepdims=True)
        self.shape = centred / np.maximum(np.linalg.norm(centred, axis=1, keepdims=True), 1e-9)
        links = _esco_links(bundle, onet_pos)
        self.esco_ids = sorted(links)
        self.link_start = np.cumsum([0] + [len(links[e]) for e in self.esco_ids[:-1]]).astype(np.int64)
        self.link_onet = np.asarray([o for e in self.esco_ids for o, _ in links[e]], dtype=np.int64)
        self.link_weight = np.asarray([w for e in self.esco_ids for _, w in links[e]])

    def profile_vector(self, levels: Mapping[str, float]) -> np.ndarray:
        unknown = sorted(set(levels) - set(self.skill_ids))
        if unknown:
            raise InvalidProfile(f"not one of the 35 O*NET skills: {', '.join(unknown[:5])}")
        bad = sorted(s for s, v in levels.items() if not 0.0 <= v <= MAX_LEVEL)
        if bad:
            raise InvalidProfile(f"levels are 0..7: {', '.join(bad[:5])}")
        if not levels:
            raise InvalidProfile("rate at least one O*NET skill")
        return np.asarray([float(levels.get(s, 0.0)) for s in self.skill_ids])

    def onet_fit(self, person: np.ndarray) -> np.ndarray:
        gap = self.level - person[None, :]
        cost = (np.maximum(gap, 0.0) + OVERQUALIFIED_COST * np.maximum(-gap, 0.0)) / MAX_LEVEL
        return 1.0 - (self.weight * cost).sum(axis=1) / self.weight_total

    def onet_score(self, person: np.ndarray) -> np.ndarray:
        """Per O*NET occupation: FIT_SHARE * fit + (1 - FIT_SHARE) * (correlation of the profiles + 1) / 2."""
        centred = person - person.mean()
        norm = np.linalg.norm(centred)
        correlation = self.shape @ (centred / norm) if norm > 1e-9 else np.zeros(len(self.onet_ids))
        return FIT_SHARE * self.onet_fit(person) + (1 - FIT_SHARE) * (correlation + 1.0) / 2.0

    def rank(
        self, levels: Mapping[str, float], k: int = 20, allowed: Sequence[str] | None = None
    ) -> list[ProfileMatch]:
        person = self.profile_vector(levels)
        fit = self.onet_score(person)
        weighted = self.link_weight * fit[self.link_onet]  # per link; then the best link of each ESCO occupation
        best_link = self.link_start + _argmax_per_segment(weighted, self.link_start)
        scores = weighted[best_link]
        candidates = np.arange(len(self.esco_ids))
        if allowed is not None:
            allowed_set = set(allowed)
            candidates = np.asarray([i for i, e in enumerate(self.esco_ids) if e in allowed_set], dtype=np.int64)
        order = candidates[np.lexsort((candidates, -np.round(scores[candidates], 9)))][:k]
        return [
            self._explain(
                self.esco_ids[e],
                rank,
                float(scores[e]),
                int(self.link_onet[best_link[e]]),
                float(self.link_weight[best_link[e]]),
                person,
            )
            for rank, e in enumerate(order, start=1)
        ]

    def _explain(
        self, occupation: str, rank: int, score: float, onet: int, link_weight: float, person: np.ndarray
    ) -> ProfileMatch:
        weight, level, importance = self.weight[onet], self.level[onet], self.importance[onet]
        total = self.weight_total[onet]
        gaps = []
        for s, sid in enumerate(self.skill_ids):
            loss = weight[s] * max(0.0, level[s] - person[s]) / MAX_LEVEL / total * link_weight
            gaps.append(SkillGap(sid, float(person[s]), float(level[s]), float(importance[s]), float(loss)))
        shortage = tuple(sorted((g for g in gaps if g.points > 0), key=lambda g: -g.points))
        productive = tuple(
            sorted(
                (
                    SkillGap(
                        g.skill_id,
                        g.person_level,
                        g.required_level,
                        g.importance,
                        float(weight[i] / total * link_weight),
                    )
                    for i, g in enumerate(gaps)
                    if g.points == 0 and g.importance >= 3.0
                ),
                key=lambda g: -g.points,
            )
        )
        surplus = tuple(g for g in gaps if g.person_level - g.required_level >= 2.0 and g.importance < 3.0)
        return ProfileMatch(
            occupation, self.onet_ids[onet], rank, float(score), link_weight, productive, shortage, surplus
        )


def _esco_links(bundle: TaxonomyBundle, onet_pos: Mapping[str, int]) -> dict[str, list[tuple[int, float]]]:
    occupations = {c.id for c in bundle.concepts if c.type is ConceptType.OCCUPATION}
    links: dict[str, dict[int, float]] = defaultdict(dict)
    for m in bundle.mappings:
        if m.provenance != "onet-esco":
            continue
        esco, onet = (m.source_id, m.target_id) if m.source_id in occupations else (m.target_id, m.source_id)
        if esco in occupations and onet in onet_pos:
            o = onet_pos[onet]
            links[esco][o] = max(links[esco].get(o, 0.0), LINK_WEIGHT[m.match])
    return {esco: sorted(per.items()) for esco, per in links.items()}


def _argmax_per_segment(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Offset of the largest value within each segment [starts[i], starts[i+1])."""
    ends = np.append(starts[1:], len(values))
    seg_max = np.maximum.reduceat(values, starts)
    owner = np.repeat(np.arange(len(starts)), ends - starts)
    is_max = values >= seg_max[owner] - 1e-12
    positions = np.arange(len(values))
    first = np.full(len(starts), len(values))
    np.minimum.at(first, owner[is_max], positions[is_max])
    return first - starts
