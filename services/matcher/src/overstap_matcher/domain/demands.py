"""What a set of targets (ESCO occupations, stored vacancies) demands, as the scorer reads it.

A ``DemandMatrix`` is targets x skills, each entry the demand's weight (relation weight x the skill's idf), plus
what the scorer and the explanations need next to it: the transpose (to score from the few skills a person has),
row totals, per-entry flags (essential, minimum evidence) and each row's demands in shortage order. The skill side
(vocabulary, idf, skill families) always comes from the ESCO ``MatcherIndex``, so that scores of occupations and
of vacancies are comparable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from overstap_matcher.domain.model import Evidence

GATE_LEVELS = (int(Evidence.SEMI_HARD), int(Evidence.HARD))  # a minimum of SOFT is met by any offered skill


@dataclass(frozen=True, eq=False)
class DemandMatrix:
    demand: sp.csr_matrix  # target x skill: relation weight x idf (sorted indices, no duplicates)
    demand_t: sp.csr_matrix  # skill x target, ``demand`` transposed
    total: np.ndarray  # (n_targets,) row sums of ``demand``
    inverse_total: np.ndarray  # 1 / total, 0 where a target demands nothing
    essential: np.ndarray  # bool, aligned with ``demand.data``
    required: np.ndarray  # int8 minimum evidence, aligned with ``demand.data`` (0 = none)
    shortage_order: np.ndarray  # positions into ``demand.data``, each row's demands essential first, then rarer
    gates: Mapping[int, tuple[sp.csr_matrix, sp.csr_matrix]]  # level -> (weighted, binary) target x skill
    gates_t: Mapping[int, sp.csr_matrix]  # level -> weighted gate transposed (skill x target)

    @property
    def n_targets(self) -> int:
        return self.demand.shape[0]


def row_of_entries(indptr: np.ndarray) -> np.ndarray:
    """The row of every entry of a CSR structure."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def local_shortage_order(skill: np.ndarray, weight: np.ndarray, essential: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Per row, the order of its entries for a shortage list: essential first, then heavier (rarer), then by
    skill position; returned as positions relative to the row's first entry."""
    order = np.lexsort((skill, -weight, ~essential, row))
    starts = np.searchsorted(row, row[order], side="left") if len(row) else np.zeros(0, dtype=np.int64)
    return (order - starts).astype(np.int32)


def demand_matrix_from_entries(
    indptr: np.ndarray,
    skill: np.ndarray,
    weight: np.ndarray,
    essential: np.ndarray,
    required: np.ndarray,
    local_order: np.ndarray,
    n_skills: int,
) -> DemandMatrix:
    """A ``DemandMatrix`` from CSR-ordered entries (each row's skills ascending and unique) and each row's
    shortage order relative to the row start (``local_shortage_order``). Every store of targets builds its
    matrices through here, so that a target scores the same whichever block holds it."""
    n = len(indptr) - 1
    indptr = indptr.astype(np.int64, copy=False)
    demand = sp.csr_matrix((weight.astype(np.float64, copy=False), skill, indptr), shape=(n, n_skills))
    total = demand @ np.ones(n_skills)
    row = row_of_entries(indptr)
    gates = {}
    for level in GATE_LEVELS:
        chosen = required == level
        if not chosen.any():
            continue
        gate_ptr = np.concatenate([[0], np.cumsum(np.bincount(row[chosen], minlength=n))])
        weighted = sp.csr_matrix((demand.data[chosen], skill[chosen], gate_ptr), shape=(n, n_skills))
        binary = sp.csr_matrix((np.ones(int(chosen.sum())), skill[chosen], gate_ptr), shape=(n, n_skills))
        gates[level] = (weighted, binary)
    return DemandMatrix(
        demand=demand,
        demand_t=demand.T.tocsr(),
        total=total,
        inverse_total=np.divide(1.0, total, out=np.zeros_like(total), where=total > 0),
        essential=essential.astype(bool, copy=False),
        required=required.astype(np.int8, copy=False),
        shortage_order=local_order.astype(np.int64) + indptr[row],
        gates=gates,
        gates_t=transposed_gates(gates),
    )


def transposed_gates(gates: Mapping[int, tuple[sp.csr_matrix, sp.csr_matrix]]) -> dict[int, sp.csr_matrix]:
    """Each level's weighted gate as skill x target, to read only the rows of the few skills a gate applies to."""
    return {level: weighted.T.tocsr() for level, (weighted, _) in gates.items()}


def required_from_gates(demand: sp.csr_matrix, gates: Mapping[int, tuple[sp.csr_matrix, sp.csr_matrix]]) -> np.ndarray:
    """Per entry of ``demand`` (canonical CSR), the highest gate level that covers it (0 = none)."""
    required = np.zeros(demand.nnz, dtype=np.int8)
    if not gates:
        return required
    n_cols = demand.shape[1]
    keys = row_of_entries(demand.indptr) * n_cols + demand.indices
    for level, (_, binary) in sorted(gates.items()):
        gate_keys = row_of_entries(binary.indptr) * n_cols + binary.indices
        at = np.searchsorted(keys, gate_keys)
        hit = at < len(keys)
        hit[hit] = keys[at[hit]] == gate_keys[hit]
        required[at[hit]] = level
    return required
