"""US SOC concepts: SOC 2018 (the major/minor/broad/detailed structure under O*NET-SOC 2019) and SOC 2010
(codes and titles as they occur in the crosswalks)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from overstap_bundle import Concept, ConceptType

from overstap_taxonomy.importer.labels import label_set
from overstap_taxonomy.importer.tables import read_delimited_file

SOC2010_PREFIX = "soc2010:"
SOC2018_PREFIX = "soc2018:"
STRUCTURE_LEVELS = ("Major Group", "Minor Group", "Broad Occupation", "Detailed Occupation")
LEVEL_NAMES = ("major", "minor", "broad", "detailed")
TITLE = "SOC or O*NET-SOC 2019 Title"
_SOC_CODE = re.compile(r"^\d\d-\d{4}$")


def soc2010_id(code: str) -> str:
    return SOC2010_PREFIX + code.strip()


def soc2018_id(code: str) -> str:
    return SOC2018_PREFIX + code.strip()


def is_soc_code(code: str) -> bool:
    return bool(_SOC_CODE.match(code.strip()))


def soc_level(code: str) -> str:
    """major (11-0000), minor (11-1000), broad (11-1010) or detailed (11-1011), from the code's zeros."""
    digits = code.replace("-", "")
    if digits.endswith("0000"):
        return "major"
    if digits.endswith("00"):
        return "minor"
    if digits.endswith("0"):
        return "broad"
    return "detailed"


def read_soc2018(path: Path) -> dict[str, Concept]:
    """SOC 2018 groups from the O*NET-SOC 2019 structure file; each row's level is its filled column."""
    table = read_delimited_file(path, "O*NET-SOC 2019 structure (SOC 2018 groups)").require(*STRUCTURE_LEVELS, TITLE)
    concepts: dict[str, Concept] = {}
    parents: list[str] = []
    for row in table.rows:
        level = next((i for i, col in enumerate(STRUCTURE_LEVELS) if row[col].strip()), None)
        if level is None:
            continue  # an O*NET-SOC detailed occupation row: those concepts come from the O*NET database
        code = row[STRUCTURE_LEVELS[level]].strip()
        del parents[level:]
        concepts[code] = Concept(
            id=soc2018_id(code),
            type=ConceptType.SOC_2018,
            code=code,
            labels={"en": label_set(row[TITLE])},
            broader=(soc2018_id(parents[-1]),) if parents else (),
            attributes={"level": LEVEL_NAMES[level]},
        )
        parents.append(code)
    return concepts


def onet2010_concepts(titled_codes: Iterable[tuple[str, str]]) -> dict[str, Concept]:
    """O*NET-SOC 2010 occupations from (code, title) pairs of the crosswalks that name them."""
    concepts: dict[str, Concept] = {}
    for code, title in titled_codes:
        code = code.strip()
        if code in concepts or not code:
            continue
        concepts[code] = Concept(
            id=f"onet2010:{code}",
            type=ConceptType.ONET_2010_OCCUPATION,
            code=code,
            labels={"en": label_set(title)} if title.strip() else {},
        )
    return concepts


def soc2010_concepts(titled_codes: Iterable[tuple[str, str]]) -> dict[str, Concept]:
    """SOC 2010 concepts from (code, title) pairs; the first title seen for a code wins."""
    concepts: dict[str, Concept] = {}
    for code, title in titled_codes:
        code = code.strip()
        if code in concepts or not is_soc_code(code):
            continue
        concepts[code] = Concept(
            id=soc2010_id(code),
            type=ConceptType.SOC_2010,
            code=code,
            labels={"en": label_set(title)} if title.strip() else {},
            attributes={"level": soc_level(code)},
        )
    return concepts
