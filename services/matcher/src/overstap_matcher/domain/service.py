"""The matcher as the service runs it: the occupation index, labels and filter data, built once from a bundle."""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from overstap_bundle import ConceptType, TaxonomyBundle, default_bundle_path, load_bundle

from overstap_matcher.adapters.bundle import index_from_bundle, occupations_with_label
from overstap_matcher.domain.filters import job_zones_via_crosswalk
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.labels import LabelBook
from overstap_matcher.domain.model import Evidence, Filters, OfferedSkill
from overstap_matcher.domain.paskamer import InvalidProfile, OnetProfileIndex, ProfileMatch
from overstap_matcher.domain.person import person_with_history
from overstap_matcher.domain.ranking import Ranking, rank
from overstap_matcher.domain.summary import MAX_NAMED

MAX_LIMIT = 100
MAX_SKILLS = 2000
MAX_OCCUPATIONS = 50


class InvalidQuery(ValueError):
    """A query the matcher cannot answer as asked (unknown ids, nothing to match on, absurd limits)."""


@dataclass(frozen=True)
class OccupationQuery:
    skills: Sequence[OfferedSkill]
    occupations: Sequence[str]
    isco_major_groups: frozenset[str] = frozenset()
    job_zones: frozenset[int] = frozenset()
    dutch_label_only: bool = False
    min_score: float = 0.0
    limit: int = 20
    include_own: bool = False
    list_limit: int = 0  # shortage and surplus skills listed per match (0: all); the summary names a few anyway


class OccupationMatcher:
    def __init__(self, bundle: TaxonomyBundle) -> None:
        self.version = bundle.version
        self.index: MatcherIndex = index_from_bundle(bundle)
        self.labels = LabelBook.from_bundle(bundle)
        self.dutch_labelled = occupations_with_label(bundle, "nl")
        self.job_zones = job_zones_via_crosswalk(self.index)
        self.profiles = OnetProfileIndex(bundle)
        self.isco_codes = {
            c.id: str(c.attributes.get("isco_code", "")) for c in bundle.concepts if c.type is ConceptType.OCCUPATION
        }

    @classmethod
    def load(cls, path: Path | None = None) -> tuple[OccupationMatcher, float]:
        started = time.perf_counter()
        gc.disable()
        try:
            matcher = cls(load_bundle(path or default_bundle_path()))
        finally:
            gc.enable()
        gc.freeze()
        return matcher, time.perf_counter() - started

    def match_profile(self, levels: dict[str, float], query: OccupationQuery) -> list[ProfileMatch]:
        """De Paskamer mode; ``query`` carries the filters and the limit (its skills and occupations are unused)."""
        self._validate_filters(query)
        allowed = [occ for occ in self.profiles.esco_ids if self._passes(occ, query)]
        try:
            matches = self.profiles.rank(levels, k=query.limit, allowed=allowed)
        except InvalidProfile as exc:
            raise InvalidQuery(str(exc)) from exc
        return [m for m in matches if m.score >= query.min_score]

    def _passes(self, occupation: str, query: OccupationQuery) -> bool:
        if query.isco_major_groups and self.isco_codes.get(occupation, "")[:1] not in query.isco_major_groups:
            return False
        if query.dutch_label_only and occupation not in self.dutch_labelled:
            return False
        return not query.job_zones or self.job_zones.get(occupation) in query.job_zones

    def validate(self, query: OccupationQuery) -> None:
        if not query.skills and not query.occupations:
            raise InvalidQuery("give at least one skill or occupation to match on")
        self._validate_filters(query)
        if len(query.skills) > MAX_SKILLS:
            raise InvalidQuery(f"at most {MAX_SKILLS} skills")
        if len(query.occupations) > MAX_OCCUPATIONS:
            raise InvalidQuery(f"at most {MAX_OCCUPATIONS} occupations")
        unknown_skills = [s.skill_id for s in query.skills if s.skill_id not in self.index.skill_pos]
        if unknown_skills:
            raise InvalidQuery(f"unknown ESCO skill URI(s): {', '.join(unknown_skills[:10])}")
        unknown_occupations = [o for o in query.occupations if o not in self.index.occupation_pos]
        if unknown_occupations:
            raise InvalidQuery(f"unknown ESCO occupation URI(s): {', '.join(unknown_occupations[:10])}")

    @staticmethod
    def _validate_filters(query: OccupationQuery) -> None:
        if not 1 <= query.limit <= MAX_LIMIT:
            raise InvalidQuery(f"limit must be between 1 and {MAX_LIMIT}")
        if not 0.0 <= query.min_score <= 1.0:
            raise InvalidQuery("min_score must be between 0 and 1")
        bad_groups = sorted(g for g in query.isco_major_groups if g not in set("0123456789"))
        if bad_groups:
            raise InvalidQuery(f"ISCO major groups are one digit 0-9, not {', '.join(bad_groups)}")
        bad_zones = sorted(z for z in query.job_zones if not 1 <= z <= 5)
        if bad_zones:
            raise InvalidQuery(f"O*NET job zones are 1-5, not {', '.join(map(str, bad_zones))}")

    def match(self, query: OccupationQuery) -> Ranking:
        self.validate(query)
        filters = Filters(
            isco_major_groups=query.isco_major_groups or None,
            min_score=query.min_score,
            allowed=self.dutch_labelled if query.dutch_label_only else None,
            job_zones=self.job_zones if query.job_zones else None,
            allowed_job_zones=query.job_zones or None,
        )
        person = person_with_history(self.index, query.skills, query.occupations)
        return rank(
            self.index,
            person,
            filters=filters,
            k=query.limit,
            include_own=query.include_own,
            list_limit=max(query.list_limit, MAX_NAMED) if query.list_limit else None,
        )


__all__ = ["Evidence", "InvalidQuery", "OccupationMatcher", "OccupationQuery"]
