"""Occupation proximity: how close two ESCO occupations are, from the occupation hierarchies and O*NET.

Two readings are mixed:
- ISCO-08: the number of leading digits the two 4-digit unit-group codes share (0..4), scaled to 0..1;
- O*NET, reached through the ESCO->O*NET-SOC crosswalk (many-to-many; the best-matching pair of linked O*NET
  occupations counts): shared levels of the SOC hierarchy, similarity of the O*NET skill-rating profiles
  (z-scored importance and level ratings, cosine clipped at 0) and closeness of the job zones.
Occupations without a crosswalk link fall back to the ISCO reading alone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from overstap_matcher.domain.model import ProximityConfig

ONET_PREFIX = "onet:"
_SOC_PREFIXES = (2, 4, 6, 7)  # major "11", minor "11-1", broad "11-101", detailed "11-1011"
_CHUNK = 512


@dataclass(frozen=True)
class OnetData:
    """``links``: ESCO occupation id -> O*NET-SOC codes; ``profiles``: code -> rating vector (one element order
    for all codes); ``job_zones``: code -> 1..5. Codes may carry the ``onet:`` prefix."""

    links: Mapping[str, Sequence[str]]
    profiles: Mapping[str, Sequence[float]] = field(default_factory=dict)
    job_zones: Mapping[str, int] = field(default_factory=dict)


class PairReading(NamedTuple):
    """The components behind the proximity of one occupation pair."""

    proximity: float
    shared_isco_digits: int
    onet_pair: tuple[str, str] | None
    shared_soc_levels: int | None
    profile_similarity: float | None
    job_zone_gap: int | None


@dataclass(frozen=True, eq=False)
class Proximity:
    matrix: np.ndarray  # n_occ x n_occ, float32 in [0, 1], 1 on the diagonal
    isco_codes: tuple[str, ...]
    onet_codes: tuple[str, ...]
    links: tuple[np.ndarray, ...]  # per ESCO occupation, indices into onet_codes
    soc_levels: np.ndarray  # m x m int8
    profile_sim: np.ndarray  # m x m float32, NaN where a profile is missing
    job_zones: np.ndarray  # (m,) int, 0 when unknown
    pair_value: np.ndarray  # m x m float32: the O*NET reading of a code pair
    config: ProximityConfig

    def explain(self, origin: int, target: int) -> PairReading:
        """The components of one pair's proximity. Element by element (``item``): the linked code lists are a few
        entries long, where numpy's per-call overhead would cost more than the work."""
        isco = shared_digits(self.isco_codes[origin], self.isco_codes[target])
        proximity = self.matrix.item(origin, target)
        a_links, b_links = self.links[origin].tolist(), self.links[target].tolist()
        if not a_links or not b_links:
            return PairReading(proximity, isco, None, None, None, None)
        value = self.pair_value.item
        best, a, b = -1.0, 0, 0
        for i in a_links:  # the first best pair in row-major order, as np.argmax over the block
            for j in b_links:
                v = value(i, j)
                if v > best:
                    best, a, b = v, i, j
        sim = self.profile_sim.item(a, b)
        zone_a, zone_b = self.job_zones.item(a), self.job_zones.item(b)
        return PairReading(
            proximity=proximity,
            shared_isco_digits=isco,
            onet_pair=(self.onet_codes[a], self.onet_codes[b]),
            shared_soc_levels=self.soc_levels.item(a, b),
            profile_similarity=None if sim != sim else sim,  # NaN: a profile is missing
            job_zone_gap=abs(zone_a - zone_b) if zone_a and zone_b else None,
        )


def shared_digits(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        n += 1
    return n


def _strip(code: str) -> str:
    return code[len(ONET_PREFIX) :] if code.startswith(ONET_PREFIX) else code


def isco_depth_matrix(codes: Sequence[str]) -> np.ndarray:
    """Shared leading digits (0..4) of every pair of ISCO codes; empty codes share nothing."""
    n = len(codes)
    depth = np.zeros((n, n), dtype=np.int8)
    still = np.ones((n, n), dtype=bool)
    for k in range(1, 5):
        keys = [c[:k] if len(c) >= k else f"\0{i}" for i, c in enumerate(codes)]
        _, inv = np.unique(keys, return_inverse=True)
        still &= inv[:, None] == inv[None, :]
        depth += still
    unknown = np.array([not c for c in codes], dtype=bool)
    depth[unknown, :] = 0
    depth[:, unknown] = 0
    return depth


def soc_level_matrix(codes: Sequence[str]) -> np.ndarray:
    """Shared SOC levels (0..5) of O*NET-SOC codes such as ``11-1011.03``."""
    m = len(codes)
    level = np.zeros((m, m), dtype=np.int8)
    still = np.ones((m, m), dtype=bool)
    for width in (*_SOC_PREFIXES, None):
        _, inv = np.unique([c if width is None else c[:width] for c in codes], return_inverse=True)
        still &= inv[:, None] == inv[None, :]
        level += still
    return level


def profile_similarity(codes: Sequence[str], profiles: Mapping[str, Sequence[float]]) -> np.ndarray:
    """Cosine of z-scored rating profiles; a code without ratings borrows those of its ``.00`` parent."""
    rows = [profiles.get(c) or profiles.get(c[:7] + ".00") for c in codes]
    known = np.array([r is not None and len(r) > 0 for r in rows])
    m = len(codes)
    if not known.any():
        return np.full((m, m), np.nan, dtype=np.float32)
    width = len(next(r for r in rows if r))
    mat = np.zeros((m, width), dtype=np.float64)
    for i, r in enumerate(rows):
        if r:
            mat[i] = r
    mean, std = mat[known].mean(axis=0), mat[known].std(axis=0)
    z = (mat - mean) / np.where(std > 0, std, 1.0)
    z[~known] = 0.0
    norm = np.linalg.norm(z, axis=1, keepdims=True)
    z /= np.where(norm > 0, norm, 1.0)
    sim = (z @ z.T).astype(np.float32)
    sim[~known, :] = np.nan
    sim[:, ~known] = np.nan
    return sim


def _onet_pair_values(soc: np.ndarray, sim: np.ndarray, zones: np.ndarray, cfg: ProximityConfig) -> np.ndarray:
    level_values = np.asarray(cfg.soc_level_values, dtype=np.float32)
    both = (zones[:, None] > 0) & (zones[None, :] > 0)
    zone_close = np.where(both, 1.0 - np.abs(zones[:, None] - zones[None, :]) / 4.0, 0.0)
    total = cfg.soc_weight + cfg.profile_weight + cfg.job_zone_weight
    if total <= 0:
        return np.zeros(soc.shape, dtype=np.float32)
    value = (
        cfg.soc_weight * level_values[soc]
        + cfg.profile_weight * np.clip(np.nan_to_num(sim, nan=0.0), 0.0, 1.0)
        + cfg.job_zone_weight * zone_close
    ) / total
    return value.astype(np.float32)


def _max_over_links(pair: np.ndarray, links: Sequence[np.ndarray]) -> np.ndarray:
    """ESCO x ESCO: the best O*NET pair reading over the codes linked to each side (linked occupations only)."""
    flat = np.concatenate(links)
    starts = np.cumsum([0] + [len(x) for x in links[:-1]])
    by_origin = np.maximum.reduceat(pair[flat], starts, axis=0)  # n_linked x m
    out = np.empty((len(links), len(links)), dtype=np.float32)
    for lo in range(0, len(links), _CHUNK):
        out[lo : lo + _CHUNK] = np.maximum.reduceat(by_origin[lo : lo + _CHUNK][:, flat], starts, axis=1)
    return out


def build_proximity(
    occupation_ids: Sequence[str], isco_codes: Sequence[str], onet: OnetData | None, cfg: ProximityConfig
) -> Proximity:
    isco = isco_depth_matrix(isco_codes).astype(np.float32) / 4.0
    links_raw = [[_strip(c) for c in (onet.links.get(o, ()) if onet else ())] for o in occupation_ids]
    codes = tuple(sorted({c for cs in links_raw for c in cs}))
    code_pos = {c: i for i, c in enumerate(codes)}
    links = tuple(np.array(sorted({code_pos[c] for c in cs}), dtype=np.int64) for cs in links_raw)
    profiles = {_strip(k): v for k, v in (onet.profiles.items() if onet else ())}
    zones_map = {_strip(k): int(v) for k, v in (onet.job_zones.items() if onet else ())}
    soc = soc_level_matrix(codes)
    sim = profile_similarity(codes, profiles)
    zones = np.array([zones_map.get(c, zones_map.get(c[:7] + ".00", 0)) for c in codes], dtype=np.int64)
    pair = _onet_pair_values(soc, sim, zones, cfg)
    matrix = isco.copy()
    linked = np.array([i for i, x in enumerate(links) if len(x)], dtype=np.int64)
    v_onet = cfg.soc_weight + cfg.profile_weight + cfg.job_zone_weight
    if len(linked) and v_onet > 0:
        onet_part = _max_over_links(pair, [links[i] for i in linked])
        mixed = (v_onet * onet_part + cfg.isco_weight * isco[np.ix_(linked, linked)]) / (v_onet + cfg.isco_weight)
        matrix[np.ix_(linked, linked)] = mixed
    np.fill_diagonal(matrix, 1.0)
    return Proximity(
        matrix=np.clip(matrix, 0.0, 1.0).astype(np.float32),
        isco_codes=tuple(isco_codes),
        onet_codes=codes,
        links=links,
        soc_levels=soc,
        profile_sim=sim,
        job_zones=zones,
        pair_value=pair,
        config=cfg,
    )
