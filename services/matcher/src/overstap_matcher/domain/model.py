"""Value objects of the matcher: what a person offers, how the scorer is configured, what it returns."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import NamedTuple

ESSENTIAL = "essential"
OPTIONAL = "optional"


class Evidence(IntEnum):
    """How well an offered skill is evidenced; ordered so that a higher value is stronger evidence."""

    NONE = 0  # not offered at all (used internally for skills a person lacks)
    SOFT = 1  # self-assessment
    SEMI_HARD = 2  # work experience
    HARD = 3  # diploma or certificate


@dataclass(frozen=True, slots=True)
class OfferedSkill:
    """One skill in a person's passport. ``weight`` (0..1] scales the skill on top of its evidence level."""

    skill_id: str
    evidence: Evidence = Evidence.SEMI_HARD
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 < self.weight <= 1.0:
            raise ValueError(f"skill weight must be in (0, 1], got {self.weight} for {self.skill_id}")
        if self.evidence is Evidence.NONE:
            raise ValueError(f"an offered skill needs evidence: {self.skill_id}")


@dataclass(frozen=True, slots=True)
class Person:
    """What the matcher knows of a person: offered skills and the occupations they have worked in."""

    skills: Sequence[OfferedSkill] = ()
    occupations: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class EvidenceWeights:
    """Credit an offered skill earns per evidence level (multiplied by the skill's own weight)."""

    hard: float = 1.0
    semi_hard: float = 0.9
    soft: float = 0.6

    def of(self, evidence: Evidence) -> float:
        return {Evidence.HARD: self.hard, Evidence.SEMI_HARD: self.semi_hard, Evidence.SOFT: self.soft}.get(
            evidence, 0.0
        )


@dataclass(frozen=True, slots=True)
class ProximityConfig:
    """How occupation proximity (the "background" signal) is built at index time.

    ``soc_level_values[k]`` is the proximity of two O*NET-SOC codes that share k levels of the SOC hierarchy
    (0 none, 1 major group, 2 minor group, 3 broad occupation, 4 detailed occupation, 5 identical code).
    The O*NET part (SOC structure, skill-rating profile, job zone) is read through the ESCO->O*NET crosswalk and
    mixed with ISCO-08 proximity (shared leading digits of the 4-digit unit group).
    """

    soc_level_values: tuple[float, float, float, float, float, float] = (0.0, 0.1, 0.35, 0.7, 0.85, 1.0)
    soc_weight: float = 1.0
    profile_weight: float = 0.5
    job_zone_weight: float = 0.2
    isco_weight: float = 0.1


@dataclass(frozen=True, slots=True)
class IndexConfig:
    optional_weight: float = 0.5  # weight of an optional demand relative to an essential one (1.0)
    proximity: ProximityConfig = field(default_factory=ProximityConfig)


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """Query-time knobs. The three part weights must add up to 1 so that a score stays in [0, 1].

    - ``coverage_weight``: share of the target's idf-weighted demands (essential 1, optional 0.5) the person meets,
      a missing skill partly met (``related_credit``) by an offered skill of the same family (direct broader
      skill group, or broader/narrower skill);
    - ``use_weight``: share of the person's idf-weighted skills the target uses;
    - ``background_weight``: proximity of the target to the person's background occupations: the declared ones,
      or (when none is declared) the occupations the person's own skills cover; an occupation whose demands are
      met for a share c (exact coverage) counts with strength min(1, c / background_saturation) **
      background_sharpness, when that strength is at least ``background_min_strength``.
    Defaults were tuned on the development parts of the O*NET related-occupations sets (see the package README).
    """

    coverage_weight: float = 0.15
    use_weight: float = 0.15
    background_weight: float = 0.7
    related_credit: float = 0.4
    background_saturation: float = 0.6
    background_sharpness: float = 2.0
    background_min_strength: float = 0.25
    max_inferred_backgrounds: int = 256  # latency bound; monotonicity holds below it
    inferred_weight_with_declared: float = 0.0  # inferred backgrounds next to declared ones count this much
    evidence: EvidenceWeights = field(default_factory=EvidenceWeights)

    def __post_init__(self) -> None:
        total = self.coverage_weight + self.use_weight + self.background_weight
        if abs(total - 1.0) > 1e-9 or min(self.coverage_weight, self.use_weight, self.background_weight) < 0:
            raise ValueError(f"part weights must be >= 0 and add up to 1, got {total}")
        if not 0.0 <= self.related_credit <= 1.0:
            raise ValueError("related_credit must be in [0, 1]")


@dataclass(frozen=True, slots=True)
class Filters:
    """Result filters. ``allowed`` is a set of occupation ids or a predicate (e.g. "has a Dutch label");
    ``job_zones`` maps occupation id -> O*NET job zone and ``allowed_job_zones`` keeps only those zones
    (occupations without a zone are dropped when ``allowed_job_zones`` is given)."""

    isco_major_groups: Collection[str] | None = None
    min_score: float = 0.0
    allowed: Collection[str] | Callable[[str], bool] | None = None
    job_zones: Mapping[str, int] | None = None
    allowed_job_zones: Collection[int] | None = None


class SkillContribution(NamedTuple):
    """A productive skill: offered and demanded; what it adds to the coverage, related-skills and use parts."""

    skill_id: str
    relation: str
    evidence: Evidence
    coverage: float
    use: float
    related: float = 0.0  # only when a family member's related credit exceeds this skill's own credit


class ShortageItem(NamedTuple):
    """A demanded skill the person lacks (or offers with weaker evidence than the demand requires)."""

    skill_id: str
    relation: str
    group_id: str | None  # the skill's nearest ESCO skill group
    related_credit: float = 0.0  # score points earned through an offered skill of the same family
    related_via: str | None = None  # that offered skill
    evidence_required: Evidence | None = None  # set when the skill is offered but with too weak evidence


@dataclass(frozen=True, slots=True)
class BackgroundExplanation:
    """Why the target is close to the person's background."""

    origin_id: str
    declared: bool
    strength: float  # 1 for a declared occupation, else how strongly the skills point at it
    proximity: float
    shared_isco_digits: int
    onet_pair: tuple[str, str] | None = None
    shared_soc_levels: int | None = None
    onet_profile_similarity: float | None = None
    job_zone_gap: int | None = None


class ListCounts(NamedTuple):
    """How many shortage (and essential shortage) and surplus skills a result has, however many it lists."""

    shortage: int
    essential_shortage: int
    surplus: int


@dataclass(frozen=True, slots=True)
class Match:
    occupation_id: str
    rank: int
    score: float
    parts: Mapping[str, float]  # adds up to score
    productive: Sequence[SkillContribution]
    shortage: Sequence[ShortageItem]
    surplus: Sequence[str]
    background: BackgroundExplanation | None
    counts: ListCounts  # shortage and surplus may be cut to a list limit; these count them all


class VacancyDemand(NamedTuple):
    """One demand of a vacancy: a skill, required (weight 1, like an essential skill) or optional (like an
    optional skill), and the minimum evidence it needs to count (None or SOFT: any offered evidence)."""

    skill_id: str
    required: bool = True
    min_evidence: Evidence | None = None


@dataclass(frozen=True, slots=True)
class Vacancy:
    """A stored vacancy as plain data. ``occupation_id`` is the ESCO occupation it is for (the extractor's best
    guess or the job board's choice), None when unknown; ``demands`` are ``VacancyDemand``s or plain
    (skill_id, required, min_evidence) tuples. A skill listed twice counts once: required if any listing is,
    with the highest minimum evidence."""

    vacancy_id: str
    occupation_id: str | None
    demands: Sequence[VacancyDemand | tuple[str, bool, Evidence | None]]


@dataclass(frozen=True, slots=True)
class VacancyMatch:
    """A vacancy for a person, explained like an occupation ``Match`` (parts add up to the score)."""

    vacancy_id: str
    occupation_id: str | None
    rank: int
    score: float
    parts: Mapping[str, float]
    productive: Sequence[SkillContribution]
    shortage: Sequence[ShortageItem]
    surplus: Sequence[str]
    background: BackgroundExplanation | None
    counts: ListCounts  # shortage and surplus may be cut to a list limit; these count them all


@dataclass(frozen=True, slots=True)
class CandidateMatch:
    """A candidate (person) for a vacancy, explained like an occupation ``Match`` (parts add up to the score)."""

    candidate_id: str
    rank: int
    score: float
    parts: Mapping[str, float]
    productive: Sequence[SkillContribution]
    shortage: Sequence[ShortageItem]
    surplus: Sequence[str]
    background: BackgroundExplanation | None
    counts: ListCounts  # shortage and surplus may be cut to a list limit; these count them all
