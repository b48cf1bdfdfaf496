"""Crosswalk rows as typed SKOS mappings: which concepts the codes name, and which match type each row gets.

``Mapping(a, b, BROAD)`` reads "b is broader than a". Where a crosswalk states no match type, it is derived
from the row's cardinality within that crosswalk (see ``cardinality_matches``):

- the source links only to this target and the target only to this source: ``one_to_one``;
- the source links only to this target, the target to several sources: the target is broader (BROAD);
- the target links only to this source, the source to several targets: the target is narrower (NARROW);
- several to several (a partial overlap): ``many_to_many``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as MappingType

from overstap_bundle import Concept, ConceptType, Mapping, MatchType

from overstap_taxonomy.importer.crosswalks import CodePair
from overstap_taxonomy.importer.labels import clean_label
from overstap_taxonomy.importer.onet import onet_id
from overstap_taxonomy.importer.soc import soc2010_id, soc2018_id

ONET2010_PREFIX = "onet2010:"  # O*NET-SOC 2010 occupations (titles from the crosswalks that name them)
LOW_CONFIDENCE = 0.5  # Nesta's lowest confidence level

Pair = tuple[str, str]


def onet2010_id(code: str) -> str:
    return ONET2010_PREFIX + code.strip()


def cardinality_matches(pairs: Iterable[Pair], one_to_one: MatchType, many_to_many: MatchType) -> dict[Pair, MatchType]:
    """The match type of each (source, target) pair from how many partners each end has in the crosswalk."""
    unique = sorted(set(pairs))
    targets: Counter[str] = Counter(source for source, _ in unique)
    sources: Counter[str] = Counter(target for _, target in unique)
    out: dict[Pair, MatchType] = {}
    for source, target in unique:
        single_target, single_source = targets[source] == 1, sources[target] == 1
        if single_target and single_source:
            out[(source, target)] = one_to_one
        elif single_target:
            out[(source, target)] = MatchType.BROAD
        elif single_source:
            out[(source, target)] = MatchType.NARROW
        else:
            out[(source, target)] = many_to_many
    return out


def _mappings(matches: MappingType[Pair, MatchType], provenance: str) -> list[Mapping]:
    return [Mapping(s, t, m, provenance) for (s, t), m in sorted(matches.items())]


def label_key(text: str) -> str:
    return clean_label(text).casefold()


class IscoIndex:
    """ISCO-08 groups by code; codes padded with zeros (CBS "z.n.d.": 1000, 1210) fall back to the group
    they pad (1, 121) and are reported as not exact."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.by_code = {c.code: c.id for c in concepts if c.type is ConceptType.ISCO_GROUP and c.code}

    def resolve(self, code: str) -> tuple[str, bool] | None:
        code = code.strip()
        if code in self.by_code:
            return self.by_code[code], True
        for length in range(len(code) - 1, 0, -1):
            head = code[:length]
            if head.ljust(len(code), "0") == code and head in self.by_code:
                return self.by_code[head], False
        return None


def esco_isco(occupations: Iterable[Concept], isco: IscoIndex, unmatched: Counter[str]) -> list[Mapping]:
    """Each ESCO occupation is narrower than its ISCO-08 unit group (``iscoGroup``): BROAD."""
    out: list[Mapping] = []
    for concept in occupations:
        code = str(concept.attributes.get("isco_code", ""))
        found = isco.resolve(code) if code else None
        if found and found[1]:
            out.append(Mapping(concept.id, found[0], MatchType.BROAD, "esco"))
        else:
            unmatched["esco occupations without a known ISCO-08 group"] += 1
    return out


class EscoOccupationIndex:
    """ESCO occupations by ESCO code, and by preferred label for codes that changed between versions."""

    def __init__(self, concepts: Iterable[Concept], language: str = "en") -> None:
        occupations = [c for c in concepts if c.type is ConceptType.OCCUPATION]
        self.by_code = {c.code: c.id for c in occupations if c.code}
        by_label: dict[str, list[str]] = defaultdict(list)
        for c in occupations:
            if language in c.labels:
                by_label[label_key(c.labels[language].preferred)].append(c.id)
        self.by_label = {k: v[0] for k, v in by_label.items() if len(v) == 1}

    def resolve(self, code: str, title: str) -> tuple[str, str] | None:
        """(concept id, how: "code" or "label")."""
        if code in self.by_code:
            return self.by_code[code], "code"
        if (found := self.by_label.get(label_key(title))) is not None:
            return found, "label"
        return None


def esco_onet(
    pairs: Sequence[CodePair],
    occupations: EscoOccupationIndex,
    isco: IscoIndex,
    onet_ids: set[str],
    unmatched: Counter[str],
    provenance: str = "onet-esco",
) -> list[Mapping]:
    """ESCO occupations (and ISCO-08 groups, for rows keyed on an ISCO code) to O*NET-SOC 2019 occupations.

    The crosswalk has no match-type column: cardinality within each source scheme, 1:1 CLOSE (the
    crosswalk asserts correspondence, not equivalence), many-to-many RELATED.
    """
    by_scheme: dict[str, list[Pair]] = defaultdict(list)
    for row in pairs:
        target = onet_id(row.target)
        if target not in onet_ids:
            unmatched[f"{provenance}: rows with an unknown O*NET-SOC 2019 code"] += 1
            continue
        if (occupation := occupations.resolve(row.source, row.source_title)) is not None:
            by_scheme["esco"].append((occupation[0], target))
            if occupation[1] == "label":
                unmatched[f"{provenance}: rows matched by ESCO preferred label (code not in this ESCO version)"] += 1
        elif (group := isco.resolve(row.source)) is not None and group[1]:
            by_scheme["isco"].append((group[0], target))
        else:
            unmatched[f"{provenance}: rows with an ESCO/ISCO code not in this ESCO version"] += 1
    out: list[Mapping] = []
    for scheme_pairs in by_scheme.values():
        out += _mappings(cardinality_matches(scheme_pairs, MatchType.CLOSE, MatchType.RELATED), provenance)
    return out


def isco_soc2010(
    pairs: Sequence[CodePair],
    isco: IscoIndex,
    soc_ids: set[str],
    unmatched: Counter[str],
    provenance: str = "bls-isco-soc2010",
) -> list[Mapping]:
    """BLS ISCO-08 -> SOC 2010 by cardinality: 1:1 EXACT unless the row is flagged partial ("*": CLOSE),
    many-to-many RELATED."""
    resolved: list[Pair] = []
    partial: set[Pair] = set()
    for row in pairs:
        group, target = isco.resolve(row.source), soc2010_id(row.target)
        if group is None or not group[1] or target not in soc_ids:
            unmatched[f"{provenance}: rows with an unknown ISCO-08 or SOC 2010 code"] += 1
            continue
        resolved.append((group[0], target))
        if row.note == "*":
            partial.add((group[0], target))
    matches = cardinality_matches(resolved, MatchType.EXACT, MatchType.RELATED)
    for pair in partial & {p for p, m in matches.items() if m is MatchType.EXACT}:
        matches[pair] = MatchType.CLOSE
    return _mappings(matches, provenance)


def onet_2010_2019(
    pairs: Sequence[CodePair], onet_ids: set[str], unmatched: Counter[str], provenance: str = "onet-soc-2010-2019"
) -> list[Mapping]:
    """O*NET-SOC 2010 -> 2019 by cardinality: 1:1 EXACT when code or title is unchanged, else CLOSE;
    many-to-many RELATED."""
    resolved: list[Pair] = []
    unchanged: set[Pair] = set()
    for row in pairs:
        source, target = onet2010_id(row.source), onet_id(row.target)
        if target not in onet_ids:
            unmatched[f"{provenance}: rows with an unknown O*NET-SOC 2019 code"] += 1
            continue
        resolved.append((source, target))
        if row.source == row.target or label_key(row.source_title) == label_key(row.target_title):
            unchanged.add((source, target))
    matches = cardinality_matches(resolved, MatchType.CLOSE, MatchType.RELATED)
    for pair in unchanged & {p for p, m in matches.items() if m is MatchType.CLOSE}:
        matches[pair] = MatchType.EXACT
    return _mappings(matches, provenance)


def _detail_match(onet_code: str) -> MatchType:
    """An O*NET-SOC code ending in .00 is its SOC detailed occupation; other extensions are narrower."""
    return MatchType.EXACT if onet_code.strip().endswith(".00") else MatchType.BROAD


def onet_to_soc(
    codes: Iterable[tuple[str, str]],
    make_source: Callable[[str], str],
    make_target: Callable[[str], str],
    target_ids: set[str],
    unmatched: Counter[str],
    provenance: str,
) -> list[Mapping]:
    """(O*NET-SOC code, SOC code) pairs: .00 EXACT, other extensions BROAD."""
    out: set[Mapping] = set()
    for onet_code, soc_code in codes:
        target = make_target(soc_code)
        if target not in target_ids:
            unmatched[f"{provenance}: rows with an unknown SOC code"] += 1
            continue
        out.add(Mapping(make_source(onet_code), target, _detail_match(onet_code), provenance))
    return sorted(out, key=lambda m: (m.source_id, m.target_id))


def onet2019_soc2018(onet_codes: Iterable[str], soc_ids: set[str], unmatched: Counter[str]) -> list[Mapping]:
    pairs = ((code, code.split(".")[0]) for code in onet_codes)
    return onet_to_soc(pairs, onet_id, soc2018_id, soc_ids, unmatched, "onet-soc-2019-structure")


def onet2010_soc2010(pairs: Sequence[CodePair], soc_ids: set[str], unmatched: Counter[str]) -> list[Mapping]:
    rows = ((p.source, p.target) for p in pairs)
    return onet_to_soc(rows, onet2010_id, soc2010_id, soc_ids, unmatched, "onet-soc2010")


def isco_brc(
    pairs: Sequence[CodePair],
    isco: IscoIndex,
    brc_ids: set[str],
    unmatched: Counter[str],
    provenance: str = "cbs-brc2014",
) -> list[Mapping]:
    """ISCO-08 unit group -> BRC beroepsgroep: EXACT when the group holds only that unit group, else
    BROAD; CBS "z.n.d." codes (an unspecified higher ISCO group) RELATED."""
    rows_per_group = Counter(p.target for p in pairs)
    out: set[Mapping] = set()
    for row in pairs:
        group, target = isco.resolve(row.source), "brc2014:" + row.target
        if group is None or target not in brc_ids:
            unmatched[f"{provenance}: rows with an unknown ISCO-08 or BRC 2014 code"] += 1
            continue
        if not group[1]:
            match = MatchType.RELATED
        else:
            match = MatchType.EXACT if rows_per_group[row.target] == 1 else MatchType.BROAD
        out.add(Mapping(group[0], target, match, provenance))
    return sorted(out, key=lambda m: (m.source_id, m.target_id))


def nesta_esco_onet2010(
    pairs: Sequence[CodePair],
    occupation_ids: set[str],
    onet2010_codes: set[str],
    unmatched: Counter[str],
    provenance: str = "nesta-esco-onet2010",
) -> list[Mapping]:
    """Nesta ESCO -> O*NET-SOC 2010: confidence 0.5 RELATED; otherwise by cardinality (1:1 CLOSE)."""
    confident: list[Pair] = []
    weak: list[Pair] = []
    for row in pairs:
        if row.source not in occupation_ids or row.target not in onet2010_codes:
            unmatched[f"{provenance}: rows with an ESCO URI or O*NET-SOC 2010 code not known"] += 1
            continue
        pair = (row.source, onet2010_id(row.target))
        (weak if _confidence(row.note) <= LOW_CONFIDENCE else confident).append(pair)
    matches = cardinality_matches([*confident, *weak], MatchType.CLOSE, MatchType.RELATED)
    matches.update({pair: MatchType.RELATED for pair in weak})
    return _mappings(matches, provenance)


def _confidence(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


MATCH_RULES: dict[str, str] = {
    "esco": "ESCO occupation -> its ISCO-08 unit group (iscoGroup column): broadMatch.",
    "onet-esco": (
        "ESCO occupation (or ISCO-08 group, for rows keyed on an ISCO code) -> O*NET-SOC 2019. The file has no "
        "match-type column; by cardinality within the file: 1:1 closeMatch, n:1 broadMatch, 1:n narrowMatch, "
        "n:m relatedMatch. Codes not in this ESCO version are matched by unique preferred label."
    ),
    "bls-isco-soc2010": (
        "ISCO-08 -> SOC 2010 by cardinality: 1:1 exactMatch (closeMatch if flagged partial), n:1 broadMatch, "
        "1:n narrowMatch, n:m relatedMatch."
    ),
    "onet-soc-2010-2019": (
        "O*NET-SOC 2010 (onet2010:<code>) -> O*NET-SOC 2019: 1:1 exactMatch when "
        "code or title is unchanged, else closeMatch; n:1 broadMatch, 1:n narrowMatch, n:m relatedMatch."
    ),
    "onet-soc2010": "O*NET-SOC 2010 (onet2010:<code>) -> SOC 2010: .00 codes exactMatch, other extensions broadMatch.",
    "onet-soc-2019-structure": (
        "O*NET-SOC 2019 -> SOC 2018 detailed: .00 codes exactMatch, other extensions broadMatch."
    ),
    "cbs-brc2014": (
        "ISCO-08 unit group -> BRC 2014 beroepsgroep: exactMatch when the beroepsgroep holds only that unit "
        "group, else broadMatch; CBS 'z.n.d.' codes (e.g. 1000, 1210: an unspecified higher ISCO group) "
        "relatedMatch from that higher group."
    ),
    "nesta-esco-onet2010": (
        "ESCO occupation -> O*NET-SOC 2010 (onet2010:<code>): confidence 0.5 relatedMatch; otherwise 1:1 "
        "closeMatch, n:1 broadMatch."
    ),
}
