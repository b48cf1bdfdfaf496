"""The matcher index: occupations x skills as sparse matrices, idf, skill groups, occupation proximity.

Built from plain Python data (``TaxonomyData``) so that the scoring core can be tested on tiny synthetic
taxonomies; ``overstap_matcher.adapters.bundle.index_from_bundle`` fills ``TaxonomyData`` from a taxonomy bundle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from overstap_matcher.domain.demands import DemandMatrix, required_from_gates, transposed_gates
from overstap_matcher.domain.model import ESSENTIAL, OPTIONAL, Evidence, IndexConfig
from overstap_matcher.domain.proximity import OnetData, Proximity, build_proximity


@dataclass(frozen=True)
class TaxonomyData:
    """Everything the index needs, as plain data.

    - ``demands``: (occupation id, skill id, "essential" | "optional");
    - ``skill_broader``: skill id -> ids of its direct broader concepts (broader skills or skill groups);
    - ``group_ids``: ids of skill-group concepts (anything in ``skill_broader`` that is not a skill);
    - ``isco_codes``: occupation id -> 4-digit ISCO-08 unit group code;
    - ``onet``: the O*NET side of the crosswalk (optional);
    - ``required_evidence``: (occupation id, skill id, minimum evidence) for demands that only count when offered
      with at least that evidence (vacancies); ESCO occupations have none.
    """

    occupations: Sequence[str]
    skills: Sequence[str]
    demands: Sequence[tuple[str, str, str]]
    skill_broader: Mapping[str, Sequence[str]] = field(default_factory=dict)
    group_ids: frozenset[str] = frozenset()
    isco_codes: Mapping[str, str] = field(default_factory=dict)
    onet: OnetData | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    required_evidence: Sequence[tuple[str, str, Evidence]] = ()


@dataclass(frozen=True, eq=False)
class MatcherIndex:
    occupation_ids: tuple[str, ...]
    skill_ids: tuple[str, ...]
    occupation_pos: Mapping[str, int]
    skill_pos: Mapping[str, int]
    idf: np.ndarray  # (n_skills,) float64
    demand: sp.csr_matrix  # occ x skill: relation weight x idf
    demand_bin: sp.csr_matrix  # occ x skill, 1 where demanded (same sparsity as ``demand``)
    demand_t: sp.csr_matrix  # skill x occ: ``demand`` transposed, to score from the few skills a person has
    demand_total: np.ndarray  # (n_occ,) row sums of ``demand``
    inverse_demand_total: np.ndarray  # 1 / demand_total, 0 where an occupation demands nothing
    demand_essential: np.ndarray  # bool, aligned with ``demand.data``: the demand is essential
    shortage_order: np.ndarray  # positions into ``demand.data``, each row's demands essential first, then rarer
    essential: sp.csr_matrix  # occ x skill, 1 where essential
    evidence_gates: Mapping[int, tuple[sp.csr_matrix, sp.csr_matrix]]  # level -> (weighted, binary) occ x skill
    group_ids: tuple[str, ...]
    skill_groups: sp.csr_matrix  # skill x group, direct broader groups/skills used for related credit
    group_members: sp.csr_matrix  # group x skill
    skill_id_array: np.ndarray  # skill ids as an object array, for vectorised look-ups
    group_id_array: np.ndarray  # per skill, its nearest skill group id (None if none), object array
    isco_codes: tuple[str, ...]
    isco_major: np.ndarray  # (n_occ,) '0'..'9' as str array
    proximity: Proximity
    labels: Mapping[str, str]

    @property
    def n_occupations(self) -> int:
        return len(self.occupation_ids)

    @property
    def n_skills(self) -> int:
        return len(self.skill_ids)

    def label(self, concept_id: str) -> str:
        return self.labels.get(concept_id, concept_id)

    @cached_property
    def demands(self) -> DemandMatrix:
        """The occupations' demands in the form the scorer shares with other targets (vacancies)."""
        return DemandMatrix(
            demand=self.demand,
            demand_t=self.demand_t,
            total=self.demand_total,
            inverse_total=self.inverse_demand_total,
            essential=self.demand_essential,
            required=required_from_gates(self.demand, self.evidence_gates),
            shortage_order=self.shortage_order,
            gates=self.evidence_gates,
            gates_t=transposed_gates(self.evidence_gates),
        )


def _positions(ids: Sequence[str]) -> dict[str, int]:
    pos: dict[str, int] = {}
    for i, x in enumerate(ids):
        if x in pos:
            raise ValueError(f"duplicate id {x}")
        pos[x] = i
    return pos


def _relation_matrices(
    data: TaxonomyData, occ_pos: Mapping[str, int], skill_pos: Mapping[str, int]
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Essential and optional 0/1 matrices (occ x skill); a skill both essential and optional is essential."""
    rows = {ESSENTIAL: ([], []), OPTIONAL: ([], [])}
    for occ, skill, relation in data.demands:
        if relation not in rows:
            raise ValueError(f"unknown relation {relation!r}")
        o, s = occ_pos.get(occ), skill_pos.get(skill)
        if o is None or s is None:
            continue
        rows[relation][0].append(o)
        rows[relation][1].append(s)
    shape = (len(occ_pos), len(skill_pos))
    ess, opt = (sp.csr_matrix((np.ones(len(r)), (r, c)), shape=shape) for r, c in (rows[ESSENTIAL], rows[OPTIONAL]))
    ess.data[:] = 1.0
    opt.data[:] = 1.0
    opt = (opt - opt.multiply(ess)).tocsr()
    opt.eliminate_zeros()
    return ess.tocsr(), opt


def _idf(ess: sp.csr_matrix, opt: sp.csr_matrix) -> np.ndarray:
    """log(N / df) with df = number of occupations demanding the skill (essential or optional)."""
    df = np.asarray((ess + opt).sum(axis=0)).ravel()
    n = max(ess.shape[0], 1)
    return np.log(n / np.maximum(df, 1.0))


def _group_matrices(
    data: TaxonomyData, skill_pos: Mapping[str, int]
) -> tuple[tuple[str, ...], sp.csr_matrix, np.ndarray]:
    """Skill families for related credit (skill x direct broader concept; a broader skill is a member of its own
    family) and each skill's nearest skill group."""
    broader_ids: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for skill, parents in data.skill_broader.items():
        s = skill_pos.get(skill)
        if s is None:
            continue
        for parent in parents:
            rows.append(s)
            cols.append(broader_ids.setdefault(parent, len(broader_ids)))
    for parent, col in list(broader_ids.items()):
        if parent in skill_pos:  # a broader skill belongs to the family of its narrower skills
            rows.append(skill_pos[parent])
            cols.append(col)
    ids = tuple(broader_ids)
    member = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(skill_pos), len(ids)))
    member.data[:] = 1.0
    nearest = np.array([broader_ids.get(_nearest_group(data, s), -1) for s in data.skills], dtype=np.int64)
    return ids, member.tocsr(), nearest


def _nearest_group(data: TaxonomyData, skill: str) -> str:
    """Breadth-first up the broader links to the first skill group; the direct broader concept as fallback."""
    frontier = list(data.skill_broader.get(skill, ()))
    seen = set(frontier)
    while frontier:
        for concept in frontier:
            if concept in data.group_ids:
                return concept
        nxt = [p for c in frontier for p in data.skill_broader.get(c, ()) if p not in seen]
        seen.update(nxt)
        frontier = nxt
    direct = data.skill_broader.get(skill, ())
    return direct[0] if direct else ""


def _evidence_gates(
    data: TaxonomyData,
    occ_pos: Mapping[str, int],
    skill_pos: Mapping[str, int],
    weighted: sp.csr_matrix,
    demanded: sp.csr_matrix,
) -> dict[int, tuple[sp.csr_matrix, sp.csr_matrix]]:
    """Per required evidence level, the demands (skill x occ) that only count with at least that evidence."""
    by_level: dict[int, tuple[list[int], list[int]]] = {}
    for occ, skill, level in data.required_evidence:
        o, s = occ_pos.get(occ), skill_pos.get(skill)
        if o is None or s is None or demanded[o, s] == 0 or level <= Evidence.SOFT:
            continue
        by_level.setdefault(int(level), ([], []))[0].append(s)
        by_level[int(level)][1].append(o)
    gates = {}
    shape = (len(occ_pos), len(skill_pos))
    for level, (skills, occs) in sorted(by_level.items()):
        binary = sp.csr_matrix((np.ones(len(skills)), (occs, skills)), shape=shape)
        binary.data[:] = 1.0
        gates[level] = (binary.multiply(weighted).tocsr(), binary.tocsr())
    return gates


def _canonical(m: sp.csr_matrix) -> sp.csr_matrix:
    m.eliminate_zeros()
    m.sort_indices()
    return m


def build_index(data: TaxonomyData, config: IndexConfig | None = None) -> MatcherIndex:
    config = config or IndexConfig()
    occ_ids, skill_ids = tuple(data.occupations), tuple(data.skills)
    occ_pos, skill_pos = _positions(occ_ids), _positions(skill_ids)
    ess, opt = _relation_matrices(data, occ_pos, skill_pos)
    idf = _idf(ess, opt)
    demand_bin = _canonical((ess + opt).tocsr())
    rows = np.repeat(np.arange(demand_bin.shape[0]), np.diff(demand_bin.indptr))
    is_essential = np.asarray(ess[rows, demand_bin.indices]).ravel() > 0
    demand = demand_bin.copy()
    demand.data = np.where(is_essential, 1.0, config.optional_weight) * idf[demand.indices]
    total = np.asarray(demand.sum(axis=1), dtype=np.float64).ravel()
    group_ids, skill_groups, nearest = _group_matrices(data, skill_pos)
    isco = tuple(data.isco_codes.get(o, "") for o in occ_ids)
    return MatcherIndex(
        occupation_ids=occ_ids,
        skill_ids=skill_ids,
        occupation_pos=occ_pos,
        skill_pos=skill_pos,
        idf=idf,
        demand=demand,
        demand_bin=demand_bin,
        demand_t=demand.T.tocsr(),
        demand_total=total,
        inverse_demand_total=np.divide(1.0, total, out=np.zeros_like(total), where=total > 0),
        demand_essential=is_essential,
        shortage_order=np.lexsort((demand.indices, -demand.data, ~is_essential, rows)),
        essential=ess,
        evidence_gates=_evidence_gates(data, occ_pos, skill_pos, demand, demand_bin),
        group_ids=group_ids,
        skill_groups=skill_groups,
        group_members=skill_groups.T.tocsr(),
        skill_id_array=np.array(skill_ids, dtype=object),
        group_id_array=np.array([group_ids[g] if g >= 0 else None for g in nearest.tolist()], dtype=object),
        isco_codes=isco,
        isco_major=np.array([c[:1] for c in isco], dtype="<U1"),
        proximity=build_proximity(occ_ids, isco, data.onet, config.proximity),
        labels=dict(data.labels),
    )
