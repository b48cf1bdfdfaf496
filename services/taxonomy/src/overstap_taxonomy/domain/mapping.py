"""Carry a concept from one scheme to another along the typed crosswalks (SKOS match relations)."""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

from overstap_bundle import Mapping, MatchType

from overstap_taxonomy.domain.catalog import SCHEME_OF_TYPE, SCHEMES, Catalog, UnknownScheme

MAX_HOPS = 3
_STRENGTH = {MatchType.EXACT: 0, MatchType.CLOSE: 1, MatchType.BROAD: 2, MatchType.NARROW: 2, MatchType.RELATED: 3}


def compose(first: MatchType, second: MatchType) -> MatchType:
    """The SKOS relation implied by following ``first`` and then ``second``."""
    if first is MatchType.EXACT:
        return second
    if second is MatchType.EXACT:
        return first
    if MatchType.RELATED in (first, second):
        return MatchType.RELATED
    if first is MatchType.CLOSE:
        return second
    if second is MatchType.CLOSE:
        return first
    return first if first is second else MatchType.RELATED


@dataclass(frozen=True, slots=True)
class Step:
    source_id: str
    target_id: str
    match: MatchType
    provenance: str


@dataclass(frozen=True, slots=True)
class MappedTarget:
    concept_id: str
    match: MatchType
    path: tuple[Step, ...]


class Crosswalks:
    """All mappings as an undirected graph with typed, provenance-carrying edges."""

    def __init__(self, catalog: Catalog, mappings: list[Mapping]) -> None:
        self.catalog = catalog
        self.edges: dict[str, list[Step]] = defaultdict(list)
        for m in mappings:
            if m.source_id not in catalog.concepts or m.target_id not in catalog.concepts:
                continue
            self.edges[m.source_id].append(Step(m.source_id, m.target_id, m.match, m.provenance))
            self.edges[m.target_id].append(Step(m.target_id, m.source_id, m.match.inverse(), m.provenance))

    def scheme_of(self, concept_id: str) -> str:
        return SCHEME_OF_TYPE[self.catalog.concepts[concept_id].type]

    def map(self, concept_id: str, target_scheme: str) -> list[MappedTarget]:
        """Every concept of ``target_scheme`` reachable in the fewest hops, strongest match first."""
        if target_scheme not in SCHEMES:
            raise UnknownScheme(f"unknown scheme {target_scheme!r}; known: {', '.join(sorted(SCHEMES))}")
        if self.scheme_of(concept_id) == target_scheme:
            return [MappedTarget(concept_id, MatchType.EXACT, ())]
        found: dict[str, MappedTarget] = {}
        visited = {concept_id}
        frontier: deque[tuple[str, MatchType, tuple[Step, ...]]] = deque([(concept_id, MatchType.EXACT, ())])
        for _ in range(MAX_HOPS):
            next_frontier: deque[tuple[str, MatchType, tuple[Step, ...]]] = deque()
            for node, match, path in frontier:
                for step in self.edges.get(node, ()):
                    self._follow(step, match, path, target_scheme, found, visited, next_frontier)
            if found:
                break
            visited.update(node for node, _, _ in next_frontier)
            frontier = next_frontier
        return sorted(found.values(), key=lambda t: (_STRENGTH[t.match], t.concept_id))

    def _follow(
        self,
        step: Step,
        match: MatchType,
        path: tuple[Step, ...],
        target_scheme: str,
        found: dict[str, MappedTarget],
        visited: set[str],
        next_frontier: deque[tuple[str, MatchType, tuple[Step, ...]]],
    ) -> None:
        if step.target_id in visited:
            return
        combined = compose(match, step.match)
        new_path = (*path, step)
        if self.scheme_of(step.target_id) == target_scheme:
            known = found.get(step.target_id)
            if known is None or _STRENGTH[combined] < _STRENGTH[known.match]:
                found[step.target_id] = MappedTarget(step.target_id, combined, new_path)
            return
        next_frontier.append((step.target_id, combined, new_path))
