"""Candidates (persons) ranked for one vacancy, with the scorer's semantics seen from the other side.

A candidate's score for a vacancy is the score the vacancy would get in that candidate's vacancy ranking
(``vacancies``): coverage of the vacancy's idf-weighted demands (with related-skill credit and the evidence
rule), use of the candidate's skills, and the proximity of the candidate's background occupations (declared, or
inferred from the skills) to the vacancy's occupation. The explanation has the same shape.

``CandidatePool`` keeps candidates encoded across searches (a ``SegmentedStore``: a compacted block with
skill-major and family-major transposes, a small delta, tombstones), so that a search reads only the entries of
the vacancy's demanded skills and their skill families. What a candidate contributes that does not depend on the
vacancy (credit per skill, best credit per skill family, idf mass, background occupations with their strength)
is computed once, at ``upsert``.

Consent: every search takes the ids of the candidates that currently consent; nothing else is returned, whatever
the pool holds. Remove a candidate when the consent is withdrawn (to free the memory), but the search does not
depend on it.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from overstap_matcher.domain.demands import GATE_LEVELS
from overstap_matcher.domain.explain import explain_backgrounds, explain_skills, gather_demands
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import CandidateMatch, IndexConfig, Person, ScoringConfig, Vacancy
from overstap_matcher.domain.rowstore import Block, Ragged, SegmentedStore, Snapshot
from overstap_matcher.domain.scoring import (
    PART_NAMES,
    encode_person,
    flat_positions,
    inferred_backgrounds,
    person_vector,
    skill_parts,
    top_k,
    weighted_parts,
)
from overstap_matcher.domain.vacancies import Ignored, VacancyBlock, VacancyEncoder

SKILLS = "skills"
FAMILIES = "families"
BACKGROUND = "background"
MASS = "mass"


@dataclass(frozen=True)
class CandidateRanking:
    matches: Sequence[CandidateMatch]
    unknown_skills: tuple[str, ...]  # demanded skills the ESCO index does not know (ignored)
    unknown_occupation: str | None  # the vacancy's occupation, when the ESCO index does not know it


@dataclass(frozen=True, eq=False)
class _Transposed:
    """Entries of a ragged list grouped by column (skill, family): CSR pointers over the columns, the row of
    every entry (ascending within a column) and the aligned columns."""

    indptr: np.ndarray
    row: np.ndarray
    columns: Mapping[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class CandidateBlock:
    n: int
    skills: _Transposed  # by skill: credit, evidence
    families: _Transposed  # by skill family: strength (best own credit of an offered member)
    background_ptr: np.ndarray  # row-major background entries
    background_occupation: np.ndarray
    background_strength: np.ndarray  # float32, as the background part multiplies it
    mass: np.ndarray  # (n,) idf-weighted credit of all offered skills


def _transpose(ragged: Ragged, key: str, n_columns: int) -> _Transposed:
    n = ragged.n_rows
    nnz = int(ragged.indptr[-1])
    perm = sp.csr_matrix(
        (np.arange(1, nnz + 1, dtype=np.int64), ragged.columns[key], ragged.indptr), shape=(n, n_columns)
    ).tocsc()  # a counting sort: within each column the rows stay ascending
    order = perm.data - 1
    return _Transposed(
        perm.indptr.astype(np.int64),
        perm.indices.astype(np.int64),
        {name: col[order] for name, col in ragged.columns.items() if name != key},
    )


class CandidatePool:
    """Candidates kept encoded across searches. Safe to share between threads (one lock)."""

    def __init__(
        self,
        index: MatcherIndex,
        candidates: Mapping[str, Person] | Iterable[tuple[str, Person]] = (),
        *,
        config: ScoringConfig | None = None,
        optional_weight: float = IndexConfig().optional_weight,
        max_delta: int = 4096,
        max_tail: int = 64,
        max_dead_fraction: float = 0.25,
    ) -> None:
        self.index = index
        self.config = config or ScoringConfig()  # fixed: credit and backgrounds are computed at upsert
        self.vacancy_encoder = VacancyEncoder(index, optional_weight)
        self._store: SegmentedStore[CandidateBlock] = SegmentedStore(
            self._block([]),
            self._derive,
            max_delta=max_delta,
            max_tail=max_tail,
            max_dead_fraction=max_dead_fraction,
        )
        self._lock = threading.RLock()
        self.ignored: dict[str, Ignored] = self.load(candidates)  # what the initial candidates named unknown

    # -- encoding ------------------------------------------------------------------------------------------------

    def _encode(self, person: Person) -> tuple[Block, Ignored]:
        index, config = self.index, self.config
        pv = encode_person(index, person, config)
        scale = 1.0 if len(pv.declared) == 0 else config.inferred_weight_with_declared
        if scale > 0:
            inferred, strength = inferred_backgrounds(skill_parts(index, pv)[0], config)
        else:
            inferred, strength = np.zeros(0, dtype=np.int64), np.zeros(0)
        families = np.flatnonzero(pv.family_source >= 0)
        offered = pv.offered
        n_bg = len(pv.declared) + len(inferred)
        row = Block(
            1,
            {MASS: np.array([(pv.credit * index.idf).sum()])},  # as ``demand_parts`` sums it
            {
                SKILLS: Ragged(
                    np.array([0, len(offered)], dtype=np.int64),
                    {
                        "skill": offered.astype(np.int32),
                        "credit": pv.credit[offered],
                        "evidence": pv.evidence[offered],
                    },
                ),
                FAMILIES: Ragged(
                    np.array([0, len(families)], dtype=np.int64),
                    {"family": families.astype(np.int32), "strength": pv.family_strength[families]},
                ),
                BACKGROUND: Ragged(
                    np.array([0, n_bg], dtype=np.int64),
                    {
                        "occupation": np.concatenate([pv.declared, inferred]).astype(np.int32),
                        "strength": np.concatenate([np.ones(len(pv.declared)), strength * scale]),
                        "declared": np.arange(n_bg) < len(pv.declared),
                    },
                ),
            },
        )
        return row, Ignored(pv.unknown_skills, pv.unknown_occupations[0] if pv.unknown_occupations else None)

    def _block(self, rows: Sequence[Block]) -> Block:
        if rows:
            return Block.concat(rows)
        empty = np.zeros(1, dtype=np.int64)
        return Block(
            0,
            {MASS: np.zeros(0)},
            {
                SKILLS: Ragged(
                    empty, {"skill": np.zeros(0, np.int32), "credit": np.zeros(0), "evidence": np.zeros(0, np.int8)}
                ),
                FAMILIES: Ragged(empty, {"family": np.zeros(0, np.int32), "strength": np.zeros(0)}),
                BACKGROUND: Ragged(
                    empty, {"occupation": np.zeros(0, np.int32), "strength": np.zeros(0), "declared": np.zeros(0, bool)}
                ),
            },
        )

    def _derive(self, block: Block) -> CandidateBlock:
        bg = block.lists[BACKGROUND]
        return CandidateBlock(
            n=block.n_rows,
            skills=_transpose(block.lists[SKILLS], "skill", self.index.n_skills),
            families=_transpose(block.lists[FAMILIES], "family", self.index.skill_groups.shape[1]),
            background_ptr=bg.indptr,
            background_occupation=bg.columns["occupation"].astype(np.int64),
            background_strength=bg.columns["strength"].astype(np.float32),
            mass=block.rows[MASS],
        )

    # -- changes -------------------------------------------------------------------------------------------------

    def load(self, candidates: Mapping[str, Person] | Iterable[tuple[str, Person]]) -> dict[str, Ignored]:
        """Replace all candidates (a repeated id: the last one counts); returns, per candidate id, what the index
        did not know (only candidates with something unknown)."""
        items = dict(candidates.items() if isinstance(candidates, Mapping) else candidates)
        encoded = [self._encode(p) for p in items.values()]
        block = self._block([row for row, _ in encoded])
        with self._lock:
            self._store.load(list(items), block)
        return {cid: ig for cid, (_, ig) in zip(items, encoded, strict=True) if ig.skills or ig.occupation}

    def upsert(self, candidate_id: str, person: Person) -> Ignored:
        """Store (or replace) a candidate; returns what the index did not know (first unknown occupation only)."""
        row, ignored = self._encode(person)
        with self._lock:
            self._store.upsert(candidate_id, row)
        return ignored

    def remove(self, candidate_id: str) -> bool:
        with self._lock:
            return self._store.remove(candidate_id)

    def compact(self) -> None:
        with self._lock:
            self._store.compact()

    def __len__(self) -> int:
        return len(self._store)

    def __contains__(self, candidate_id: object) -> bool:
        return candidate_id in self._store

    def ids(self) -> list[str]:
        with self._lock:
            return self._store.ids()

    # -- search --------------------------------------------------------------------------------------------------

    def rank(
        self, vacancy: Vacancy, *, consenting: Collection[str], k: int = 20, min_score: float = 0.0
    ) -> CandidateRanking:
        """The k best candidates for ``vacancy`` among ``consenting`` (ids of candidates whose consent holds now),
        best first, each explained (ties: by a hash of the candidate id)."""
        encoded = self.vacancy_encoder.encode(vacancy)
        target = self.vacancy_encoder.derive(encoded.block)
        ignored = encoded.ignored
        with self._lock:
            snap = self._store.snapshot()
            arrays = _score(self.index, self.config, snap, target)
            best = _best_consenting(snap, arrays["score"], consenting, k, min_score)
            matches = self._explain(snap, target, arrays, best)
        return CandidateRanking(matches, ignored.skills, ignored.occupation)

    def scores(self, vacancy: Vacancy, *, consenting: Collection[str]) -> dict[str, float]:
        """Score of every consenting candidate in the pool, by id (for evaluation and tests)."""
        target = self.vacancy_encoder.derive(self.vacancy_encoder.encode(vacancy).block)
        with self._lock:
            snap = self._store.snapshot()
            arrays = _score(self.index, self.config, snap, target)
            chosen = _consenting_positions(snap, consenting)
            return {snap.ids[p]: float(arrays["score"][p]) for p in chosen.tolist() if snap.alive[p]}

    def _explain(
        self, snap: Snapshot[CandidateBlock], target: VacancyBlock, arrays: dict[str, np.ndarray], best: np.ndarray
    ) -> list[CandidateMatch]:
        index, config = self.index, self.config
        gathered = gather_demands(target.demands, np.zeros(1, dtype=np.int64))
        occupation = target.occupation[:1]
        out = []
        for rank, pos in enumerate(best.tolist(), start=1):
            seg = next(s for s in reversed(snap.segments) if pos >= s.offset)
            row = np.array([pos - seg.offset])
            skills = seg.block.lists[SKILLS].take(row).columns
            credit = np.zeros(index.n_skills)
            evidence = np.zeros(index.n_skills, dtype=np.int8)
            credit[skills["skill"]] = skills["credit"]
            evidence[skills["skill"]] = skills["evidence"]
            bg = seg.block.lists[BACKGROUND].take(row).columns
            declared = bg["occupation"][bg["declared"]].astype(np.int64)
            pv = person_vector(index, credit, evidence, declared, config)
            productive, shortage, surplus, counts = explain_skills(
                index, pv, config, gathered, target.demands.total, arrays["use_denominator"][pos : pos + 1]
            )
            inferred = ~bg["declared"]
            background = explain_backgrounds(
                index,
                declared,
                bg["occupation"][inferred].astype(np.int64),
                bg["strength"][inferred],
                occupation,
                arrays["background"][pos : pos + 1],
            )
            out.append(
                CandidateMatch(
                    candidate_id=snap.ids[pos],
                    rank=rank,
                    score=float(arrays["score"][pos]),
                    parts={name: float(arrays[name][pos]) for name in PART_NAMES},
                    productive=productive[0],
                    shortage=shortage[0],
                    surplus=surplus[0],
                    background=background[0],
                    counts=counts[0],
                )
            )
        return out


def rank_candidates(
    index: MatcherIndex,
    vacancy: Vacancy,
    candidates: Mapping[str, Person],
    *,
    consenting: Collection[str],
    k: int = 20,
    min_score: float = 0.0,
    config: ScoringConfig | None = None,
) -> CandidateRanking:
    """One-off search over ``candidates`` (only the consenting ones are encoded); keep a ``CandidatePool`` to
    search the same candidates repeatedly."""
    chosen = {cid: p for cid, p in candidates.items() if cid in consenting}
    return CandidatePool(index, chosen, config=config).rank(vacancy, consenting=consenting, k=k, min_score=min_score)


def _consenting_positions(snap: Snapshot, consenting: Collection[str]) -> np.ndarray:
    if isinstance(consenting, Set | Mapping) and len(consenting) > len(snap.positions):
        return np.fromiter((p for cid, p in snap.positions.items() if cid in consenting), np.int64)
    return snap.live_positions(consenting)


def _best_consenting(
    snap: Snapshot, score: np.ndarray, consenting: Collection[str], k: int, min_score: float
) -> np.ndarray:
    """The k best live rows whose id is in ``consenting``, in ranking order. A small consenting set is turned
    into positions; a large one is checked only along the ranking (best first, in growing batches), which
    returns the same rows: the first k consenting ones of the one total order."""
    if k <= 0 or len(consenting) == 0:
        return np.zeros(0, dtype=np.int64)
    mask = snap.alive.copy()
    if min_score > 0:
        mask &= score >= min_score
    if len(consenting) * 4 < snap.n:
        chosen = np.zeros(snap.n, dtype=bool)
        chosen[_consenting_positions(snap, consenting)] = True
        return top_k(score, mask & chosen, k, tiebreak=snap.keys)
    allowed = consenting if isinstance(consenting, Set | Mapping) else set(consenting)
    available = int(mask.sum())
    batch = 2 * k
    while True:
        ranked = top_k(score, mask, batch, tiebreak=snap.keys)
        kept = [p for p in ranked.tolist() if snap.ids[p] in allowed]
        if len(kept) >= k or batch >= available:
            return np.array(kept[:k], dtype=np.int64)
        batch *= 4


def _score(
    index: MatcherIndex, config: ScoringConfig, snap: Snapshot[CandidateBlock], target: VacancyBlock
) -> dict[str, np.ndarray]:
    pieces = [_score_block(index, config, seg.derived, target) for seg in snap.segments]
    cov_exact, cov_rel, use, use_den, background = (np.concatenate([p[i] for p in pieces]) for i in range(5))
    parts, score = weighted_parts(config, cov_exact, cov_rel, use, background)
    return {**parts, "score": score, "use_denominator": use_den}


def _score_block(
    index: MatcherIndex, config: ScoringConfig, block: CandidateBlock, target: VacancyBlock
) -> tuple[np.ndarray, ...]:
    """Unweighted coverage_exact, coverage_related, use, use denominators and background of every candidate of a
    block for one vacancy. The sums run in the order in which ``demand_parts`` runs them for a vacancy (demanded
    skills ascending, gates level by level), so a candidate's score equals that vacancy's score for the person."""
    n = block.n
    if n == 0:
        return tuple(np.zeros(0) for _ in range(5))
    d = target.demands
    lo, hi = int(d.demand.indptr[0]), int(d.demand.indptr[1])
    skill = d.demand.indices[lo:hi].astype(np.int64)
    weight, required = d.demand.data[lo:hi], d.required[lo:hi]
    inverse_total = d.inverse_total[0]
    n_d = len(skill)

    # the candidates' own skills among the demanded ones: (demand j, row) pairs, j-major, rows ascending
    sk = block.skills
    flat, lens = flat_positions(sk.indptr, skill)
    a_j = np.repeat(np.arange(n_d), lens)
    a_row, a_credit, a_ev = sk.row[flat], sk.columns["credit"][flat], sk.columns["evidence"][flat]
    a_weighted = a_credit * weight[a_j]
    a_mass = a_credit * index.idf[skill[a_j]]
    exact = _sum(a_row, a_weighted, n)
    used = _sum(a_row, a_mass, n)

    # related credit: the best own credit in a family of the demanded skill, per (demand j, row)
    extra_row, extra_j, extra, extra_ev = _related(index, config, block, skill, a_j, a_row, a_credit, a_ev, n)
    related = _sum(extra_row, weight[extra_j] * extra, n)

    use_den = block.mass.copy()
    if (required > 0).any():  # take back what gated demands without the evidence earned, level by level
        g_exact, g_rel, g_use = np.zeros(n), np.zeros(n), np.zeros(n)
        for level in GATE_LEVELS:
            if not (required == level).any():
                continue
            a_unmet = (required[a_j] == level) & (a_ev < level)
            g_exact += _sum(a_row[a_unmet], a_weighted[a_unmet], n)
            g_use += _sum(a_row[a_unmet], a_mass[a_unmet], n)
            e_unmet = (required[extra_j] == level) & (extra_ev < level)
            g_rel += _sum(extra_row[e_unmet], (weight[extra_j] * extra)[e_unmet], n)
        exact -= g_exact
        related -= g_rel
        used -= g_use
        use_den -= g_use
    exact *= inverse_total
    related *= inverse_total
    used *= np.divide(1.0, use_den, out=np.zeros(n), where=use_den > 1e-12)
    for part in (exact, related, used):
        np.clip(part, 0.0, 1.0, out=part)
    return exact, related, used, use_den, _background(index, block, int(target.occupation[0]))


def _sum(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(rows, weights=values, minlength=n).astype(np.float64, copy=False)


def _related(
    index: MatcherIndex,
    config: ScoringConfig,
    block: CandidateBlock,
    skill: np.ndarray,
    a_j: np.ndarray,
    a_row: np.ndarray,
    a_credit: np.ndarray,
    a_ev: np.ndarray,
    n: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(row, demand j, extra related credit, the row's evidence for the skill) where the extra is positive,
    j-major. extra = max(related_credit x best family strength - own credit, 0), as ``demand_parts`` has it."""
    groups = index.skill_groups
    pair_flat, pair_lens = flat_positions(groups.indptr, skill)
    pair_j = np.repeat(np.arange(len(skill)), pair_lens)
    pair_family = groups.indices[pair_flat].astype(np.int64)
    fam = block.families
    flat, lens = flat_positions(fam.indptr, pair_family)
    b_j = np.repeat(pair_j, lens)
    b_row = fam.row[flat]
    strength = fam.columns["strength"][flat]
    families_per_j = np.bincount(pair_j, minlength=len(skill))
    if (families_per_j > 1).any():  # a skill in several families: per row, the best of them (dense max per j)
        bounds = np.searchsorted(b_j, np.arange(len(skill) + 1)).tolist()
        rows, strengths, js = [], [], []
        for j in range(len(skill)):
            lo, hi = bounds[j], bounds[j + 1]
            if hi == lo:
                continue
            if families_per_j[j] > 1:
                best = np.zeros(n)
                np.maximum.at(best, b_row[lo:hi], strength[lo:hi])
                r = np.flatnonzero(best)  # a family strength is an offered skill's credit: > 0
                rows.append(r)
                strengths.append(best[r])
            else:
                rows.append(b_row[lo:hi])
                strengths.append(strength[lo:hi])
            js.append(np.full(len(rows[-1]), j, dtype=np.int64))
        b_row, strength, b_j = (np.concatenate(x) if x else np.zeros(0) for x in (rows, strengths, js))
    key = b_j.astype(np.int64) * n + b_row.astype(np.int64)
    related = strength * config.related_credit
    a_key = a_j * n + a_row  # sorted
    at = np.minimum(np.searchsorted(a_key, key), len(a_key) - 1)
    found = a_key[at] == key if len(a_key) else np.zeros(len(key), dtype=bool)
    own = np.where(found, a_credit[at], 0.0) if len(a_key) else np.zeros(len(key))
    evidence = np.where(found, a_ev[at], 0) if len(a_key) else np.zeros(len(key), dtype=np.int8)
    extra = np.maximum(related - own, 0.0)
    keep = extra > 0
    key = key[keep]
    return key % n, key // n, extra[keep], evidence[keep]


def _background(index: MatcherIndex, block: CandidateBlock, occupation: int) -> np.ndarray:
    """max over a candidate's background occupations o of strength(o) x proximity(o, the vacancy's occupation)."""
    out = np.zeros(block.n)
    if occupation < 0 or len(block.background_occupation) == 0:
        return out
    column = index.proximity.matrix[:, occupation]
    values = block.background_strength * column[block.background_occupation]  # float32, as ``background_part``
    lens = np.diff(block.background_ptr)
    rows = np.flatnonzero(lens)
    out[rows] = np.maximum.reduceat(values, block.background_ptr[rows])
    return out
