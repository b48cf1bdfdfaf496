"""Stored vacancies, ranked for a person with the occupation scorer's semantics.

A vacancy demands skills, each required (weight 1, like an essential skill) or optional (``optional_weight``,
like an optional skill), times the skill's idf *from the ESCO occupation index*, so that a vacancy scores on the
same scale as an occupation. A demand with a minimum evidence counts only if offered with at least that evidence
(hard: a diploma or certificate behind the skill); otherwise it is a shortage with ``evidence_required``.

score(v) = 0.15 * coverage(v) + 0.15 * use(v) + 0.70 * background(v), exactly as for occupations (see
``scoring``), where background(v) is the background part of the vacancy's ESCO occupation: the proximity of
that occupation to the person's background occupations (0 when the vacancy has no known occupation).

``VacancyIndex`` keeps the vacancies in a ``SegmentedStore``: a compacted block (CSR and transposed CSR), a small
delta for the vacancies upserted since, and tombstones; ``upsert``/``remove`` cost O(demands) plus an amortised
share of a compaction (merging the blocks when the delta holds ``max_delta`` rows).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from overstap_matcher.domain.demands import DemandMatrix, demand_matrix_from_entries, local_shortage_order
from overstap_matcher.domain.explain import (
    explain_backgrounds,
    explain_skills,
    gather_demands,
    merge_gathered,
)
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import (
    Evidence,
    IndexConfig,
    Person,
    ScoringConfig,
    Vacancy,
    VacancyDemand,
    VacancyMatch,
)
from overstap_matcher.domain.rowstore import Block, Ragged, SegmentedStore, Snapshot
from overstap_matcher.domain.scoring import (
    PART_NAMES,
    Background,
    PersonVector,
    demand_parts,
    encode_person,
    person_background,
    skill_parts,
    top_k,
    weighted_parts,
)

DEMANDS = "demands"
OCCUPATION = "occupation"


@dataclass(frozen=True)
class Ignored:
    """Parts of an input the index does not know (left out)."""

    skills: tuple[str, ...] = ()
    occupation: str | None = None


@dataclass(frozen=True, slots=True)
class VacancyFilters:
    """Which vacancies may be returned.

    - ``isco_major_groups``: ISCO-08 major groups ('0'..'9') of the vacancy's occupation (vacancies without a
      known occupation are dropped when given);
    - ``occupations``: ESCO occupation ids the vacancy must be for;
    - ``allowed``: vacancy ids (a collection, or a predicate: called once per stored vacancy, so slow on a big
      index);
    - ``excluded``: vacancy ids never returned (e.g. already applied to);
    - ``min_score``: results below it are dropped.
    """

    min_score: float = 0.0
    isco_major_groups: Collection[str] | None = None
    occupations: Collection[str] | None = None
    allowed: Collection[str] | Callable[[str], bool] | None = None
    excluded: Collection[str] = ()


@dataclass(frozen=True)
class VacancyRanking:
    matches: Sequence[VacancyMatch]
    unknown_skills: tuple[str, ...]  # offered skills the ESCO index does not know (ignored)
    unknown_occupations: tuple[str, ...]  # declared occupations the ESCO index does not know (ignored)


@dataclass(frozen=True, eq=False)
class VacancyBlock:
    """What reads need of one block of vacancies."""

    demands: DemandMatrix
    occupation: np.ndarray  # (n,) ESCO occupation position, -1 when none


@dataclass(frozen=True, eq=False)
class EncodedVacancy:
    block: Block  # one row
    ignored: Ignored


class VacancyEncoder:
    """Vacancies (plain data) to rows of demand entries against the ESCO index's skills and idf."""

    def __init__(self, index: MatcherIndex, optional_weight: float = IndexConfig().optional_weight) -> None:
        if not 0.0 < optional_weight <= 1.0:
            raise ValueError("optional_weight must be in (0, 1]")
        self.index = index
        self.optional_weight = optional_weight

    def empty(self) -> Block:
        return self.encode_many([])[0]

    def encode(self, vacancy: Vacancy) -> EncodedVacancy:
        block, ignored = self.encode_many([vacancy])
        return EncodedVacancy(block, ignored[0])

    def encode_many(self, vacancies: Sequence[Vacancy]) -> tuple[Block, list[Ignored]]:
        """One block with a row per vacancy (in order) and what each one named that the index does not know."""
        skill_pos, occ_pos = self.index.skill_pos, self.index.occupation_pos
        skills: list[int] = []
        required: list[bool] = []
        levels: list[int] = []
        counts: list[int] = []
        occupation = np.full(len(vacancies), -1, dtype=np.int32)
        ignored: list[Ignored] = []
        get_skill, get_level = skill_pos.get, _LEVELS.get
        for r, vacancy in enumerate(vacancies):
            unknown: list[str] = []
            before = len(skills)
            for skill_id, is_required, min_evidence in vacancy.demands:
                s = get_skill(skill_id)
                if s is None:
                    unknown.append(skill_id)
                    continue
                skills.append(s)
                required.append(is_required)
                level = get_level(min_evidence)
                levels.append(level if level is not None else _level(min_evidence))
            counts.append(len(skills) - before)
            occ = vacancy.occupation_id
            o = occ_pos.get(occ) if occ is not None else None
            if o is not None:
                occupation[r] = o
            ignored.append(Ignored(tuple(unknown), occ if occ is not None and o is None else None))
        return self._block(
            len(vacancies),
            np.repeat(np.arange(len(vacancies), dtype=np.int64), counts),
            np.array(skills, dtype=np.int32),
            np.array(required, dtype=bool),
            np.array(levels, dtype=np.int8),
            occupation,
        ), ignored

    def _block(
        self,
        n: int,
        row: np.ndarray,
        skill: np.ndarray,
        required: np.ndarray,
        level: np.ndarray,
        occupation: np.ndarray,
    ) -> Block:
        """Entries sorted by (row, skill); a skill listed twice in a row counts once (required if any listing is,
        with the highest minimum evidence)."""
        order = np.lexsort((skill, row))
        row, skill, required, level = row[order], skill[order], required[order], level[order]
        first = np.ones(len(row), dtype=bool)
        first[1:] = (row[1:] != row[:-1]) | (skill[1:] != skill[:-1])
        starts = np.flatnonzero(first)
        if len(starts) < len(row):
            required = np.logical_or.reduceat(required, starts)
            level = np.maximum.reduceat(level, starts)
            row, skill = row[starts], skill[starts]
        weight = np.where(required, 1.0, self.optional_weight) * self.index.idf[skill]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        entries = {
            "skill": skill.astype(np.int32),
            "weight": weight,
            "essential": required,
            "required": level.astype(np.int8),
            "order": local_shortage_order(skill, weight, required, row),
        }
        return Block(n, {OCCUPATION: occupation}, {DEMANDS: Ragged(indptr, entries)})

    def derive(self, block: Block) -> VacancyBlock:
        d = block.lists[DEMANDS]
        c = d.columns
        matrix = demand_matrix_from_entries(
            d.indptr, c["skill"], c["weight"], c["essential"], c["required"], c["order"], self.index.n_skills
        )
        return VacancyBlock(matrix, block.rows[OCCUPATION].astype(np.int64))

    def decode(self, vacancy_id: str, block: Block, row: int) -> Vacancy:
        """The stored form of a vacancy (known skills only, duplicates merged, SOFT minimum as None)."""
        d = block.lists[DEMANDS]
        lo, hi = int(d.indptr[row]), int(d.indptr[row + 1])
        c = d.columns
        ids = self.index.skill_ids
        demands = [
            VacancyDemand(ids[s], bool(e), Evidence(int(r)) if r else None)
            for s, e, r in zip(
                c["skill"][lo:hi].tolist(), c["essential"][lo:hi].tolist(), c["required"][lo:hi].tolist(), strict=True
            )
        ]
        occ = int(block.rows[OCCUPATION][row])
        return Vacancy(vacancy_id, self.index.occupation_ids[occ] if occ >= 0 else None, demands)


_LEVELS: dict[Evidence | int | None, int] = {None: 0, 0: 0, 1: 0, 2: 2, 3: 3}  # Evidence is an IntEnum


def _level(evidence: Evidence | int | None) -> int:
    """The gate of a demand: SEMI_HARD or HARD; none (0) for no minimum or a minimum any offered skill meets."""
    if evidence is None:
        return 0
    level = int(evidence)
    if not 0 <= level <= int(Evidence.HARD):
        raise ValueError(f"unknown evidence level {evidence!r}")
    return level if level > Evidence.SOFT else 0


class VacancyIndex:
    """Stored vacancies for ranking against persons. Safe to share between threads: one lock around reads and
    changes. At 100k vacancies a read takes about 10 ms and a change tens of microseconds, plus now and then a
    merge (a few ms every ``max_tail`` changes; about 0.2 s every ``max_delta``)."""

    def __init__(
        self,
        index: MatcherIndex,
        vacancies: Iterable[Vacancy] = (),
        *,
        optional_weight: float = IndexConfig().optional_weight,
        max_delta: int = 4096,
        max_tail: int = 64,
        max_dead_fraction: float = 0.25,
    ) -> None:
        self.index = index
        self.encoder = VacancyEncoder(index, optional_weight)
        self._store: SegmentedStore[VacancyBlock] = SegmentedStore(
            self.encoder.empty(),
            self.encoder.derive,
            max_delta=max_delta,
            max_tail=max_tail,
            max_dead_fraction=max_dead_fraction,
        )
        self._lock = threading.RLock()
        self.ignored: dict[str, Ignored] = self.load(vacancies)  # what the initial vacancies named unknown

    # -- changes -------------------------------------------------------------------------------------------------

    def load(self, vacancies: Iterable[Vacancy]) -> dict[str, Ignored]:
        """Replace all stored vacancies (in one build; a repeated id: the last one counts). Returns what the
        index did not know, per vacancy id (only vacancies with something unknown)."""
        last = {v.vacancy_id: v for v in vacancies}
        block, ignored = self.encoder.encode_many(list(last.values()))
        with self._lock:
            self._store.load(list(last), block)
        return {vid: ig for vid, ig in zip(last, ignored, strict=True) if ig.skills or ig.occupation}

    def upsert(self, vacancy: Vacancy) -> Ignored:
        """Store ``vacancy``, replacing any stored one with its id; returns what the index did not know."""
        encoded = self.encoder.encode(vacancy)
        with self._lock:
            self._store.upsert(vacancy.vacancy_id, encoded.block)
        return encoded.ignored

    def remove(self, vacancy_id: str) -> bool:
        """Drop a vacancy; False if it was not stored."""
        with self._lock:
            return self._store.remove(vacancy_id)

    def compact(self) -> None:
        with self._lock:
            self._store.compact()

    # -- reads ---------------------------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, vacancy_id: object) -> bool:
        return vacancy_id in self._store

    def ids(self) -> list[str]:
        with self._lock:
            return self._store.ids()

    def get(self, vacancy_id: str) -> Vacancy | None:
        """The stored vacancy (as ``VacancyEncoder.decode`` gives it back), None if not stored."""
        with self._lock:
            found = self._store.row(vacancy_id)
            return None if found is None else self.encoder.decode(vacancy_id, found[0], found[2])

    @property
    def stats(self) -> dict[str, int]:
        with self._lock:
            s = self._store
            return {
                "vacancies": len(s),
                "delta_rows": s.delta_rows,
                "dead_rows": s.dead_rows,
                "compactions": s.compactions,
            }

    def rank(
        self,
        person: Person,
        *,
        k: int = 20,
        filters: VacancyFilters | None = None,
        config: ScoringConfig | None = None,
    ) -> VacancyRanking:
        """The k best vacancies for ``person``, best first, each explained (ties: by a hash of the vacancy id)."""
        config = config or ScoringConfig()
        pv = encode_person(self.index, person, config)
        background = _background(self.index, pv, config)
        with self._lock:
            snap = self._store.snapshot()
            arrays = _score(self.index, snap, pv, background, config)
            mask = snap.alive & _filter_mask(self.index, snap, arrays.occupation, filters)
            if filters is not None and filters.min_score > 0:
                mask &= arrays.score >= filters.min_score
            best = top_k(arrays.score, mask, k, tiebreak=snap.keys)
            matches = _explain(self.index, snap, pv, background, arrays, config, best)
        return VacancyRanking(matches, pv.unknown_skills, pv.unknown_occupations)

    def scores(self, person: Person, config: ScoringConfig | None = None) -> dict[str, float]:
        """Score of every stored vacancy, by id, without explanations (for evaluation and tests)."""
        config = config or ScoringConfig()
        pv = encode_person(self.index, person, config)
        background = _background(self.index, pv, config)
        with self._lock:
            snap = self._store.snapshot()
            arrays = _score(self.index, snap, pv, background, config)
            live = np.flatnonzero(snap.alive)
            return {snap.ids[i]: float(arrays.score[i]) for i in live.tolist()}


def rank_vacancies(
    vacancies: VacancyIndex,
    person: Person,
    *,
    k: int = 20,
    filters: VacancyFilters | None = None,
    config: ScoringConfig | None = None,
) -> VacancyRanking:
    """The k best stored vacancies for ``person`` (``VacancyIndex.rank``)."""
    return vacancies.rank(person, k=k, filters=filters, config=config)


@dataclass(frozen=True, eq=False)
class _Arrays:
    parts: dict[str, np.ndarray]
    score: np.ndarray
    use_denominator: np.ndarray
    total: np.ndarray
    occupation: np.ndarray


def _background(index: MatcherIndex, pv: PersonVector, config: ScoringConfig) -> Background:
    scale = 1.0 if len(pv.declared) == 0 else config.inferred_weight_with_declared
    coverage = skill_parts(index, pv)[0] if scale > 0 else np.zeros(index.n_occupations)
    return person_background(index, pv, config, coverage)


def _score(
    index: MatcherIndex, snap: Snapshot[VacancyBlock], pv: PersonVector, background: Background, config: ScoringConfig
) -> _Arrays:
    pieces = [demand_parts(seg.derived.demands, index.idf, pv) for seg in snap.segments]
    cov_exact, cov_rel, use, use_den = (np.concatenate([p[i] for p in pieces]) for i in range(4))
    occupation = np.concatenate([seg.derived.occupation for seg in snap.segments])
    total = np.concatenate([seg.derived.demands.total for seg in snap.segments])
    values = np.where(occupation >= 0, background.values[np.maximum(occupation, 0)], 0.0)
    parts, score = weighted_parts(config, cov_exact, cov_rel, use, values)
    return _Arrays(parts, score, use_den, total, occupation)


def _filter_mask(
    index: MatcherIndex, snap: Snapshot[VacancyBlock], occupation: np.ndarray, filters: VacancyFilters | None
) -> np.ndarray:
    mask = np.ones(snap.n, dtype=bool)
    if filters is None:
        return mask
    if filters.isco_major_groups is not None or filters.occupations is not None:
        allowed = np.ones(index.n_occupations, dtype=bool)
        if filters.isco_major_groups is not None:
            allowed &= np.isin(index.isco_major, np.array(sorted(filters.isco_major_groups), dtype="<U1"))
        if filters.occupations is not None:
            chosen = np.zeros(index.n_occupations, dtype=bool)
            chosen[[index.occupation_pos[o] for o in filters.occupations if o in index.occupation_pos]] = True
            allowed &= chosen
        mask &= (occupation >= 0) & allowed[np.maximum(occupation, 0)]
    if filters.allowed is not None:
        if callable(filters.allowed):
            mask &= np.fromiter((bool(filters.allowed(i)) for i in snap.ids[: snap.n]), bool, snap.n)
        else:
            chosen = np.zeros(snap.n, dtype=bool)
            chosen[snap.live_positions(filters.allowed)] = True
            mask &= chosen
    if filters.excluded:
        mask[snap.live_positions(filters.excluded)] = False
    return mask


def _explain(
    index: MatcherIndex,
    snap: Snapshot[VacancyBlock],
    pv: PersonVector,
    background: Background,
    arrays: _Arrays,
    config: ScoringConfig,
    best: np.ndarray,
) -> list[VacancyMatch]:
    if len(best) == 0:
        return []
    pieces = []
    for seg in snap.segments:
        chosen = np.flatnonzero((best >= seg.offset) & (best < seg.offset + seg.block.n_rows))
        if len(chosen):
            pieces.append((gather_demands(seg.derived.demands, best[chosen] - seg.offset), chosen))
    gathered = merge_gathered(pieces)
    productive, shortage, surplus, counts = explain_skills(
        index, pv, config, gathered, arrays.total[best], arrays.use_denominator[best]
    )
    occupation = arrays.occupation[best]
    backgrounds = explain_backgrounds(
        index,
        background.declared,
        background.inferred,
        background.strength * background.scale,
        occupation,
        arrays.parts["background"][best],
    )
    return [
        VacancyMatch(
            vacancy_id=snap.ids[pos],
            occupation_id=index.occupation_ids[occ] if occ >= 0 else None,
            rank=i + 1,
            score=float(arrays.score[pos]),
            parts={name: float(arrays.parts[name][pos]) for name in PART_NAMES},
            productive=productive[i],
            shortage=shortage[i],
            surplus=surplus[i],
            background=backgrounds[i],
            counts=counts[i],
        )
        for i, (pos, occ) in enumerate(zip(best.tolist(), occupation.tolist(), strict=True))
    ]
