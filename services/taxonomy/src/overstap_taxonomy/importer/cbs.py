"""CBS BRC 2014 (Dutch occupation classification): beroepsklassen, -segmenten and -groepen with Dutch
labels and broader links, and the ISCO-08 unit group -> BRC beroepsgroep table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overstap_bundle import Concept, ConceptType

from overstap_taxonomy.importer.crosswalks import CodePair
from overstap_taxonomy.importer.labels import label_set
from overstap_taxonomy.importer.tables import Table, read_delimited_file, read_xls

BRC_PREFIX = "brc2014:"
ISCO = "ISCO2008unitgroup"
# (code column, label column, level name), broadest first
LEVELS = (
    ("BRC2014beroepsklasse", "BRC2014beroepsklasse_label", "beroepsklasse"),
    ("BRC2014beroepssegment", "BRC2014beroepssegment_label", "beroepssegment"),
    ("BRC2014beroepsgroep", "BRC2014beroepsgroep_label", "beroepsgroep"),
)


def brc_id(code: str) -> str:
    return BRC_PREFIX + code.strip()


@dataclass(slots=True)
class BrcContent:
    groups: dict[str, Concept]
    isco_to_group: list[CodePair]


def _schema_table(path: Path) -> Table:
    """The per-ISCO-unit-group table, from the CBS workbook (.xls) or its CSV export."""
    what = "CBS ISCO-08 / BRC 2014 table"
    required = (ISCO, *(code for code, _, _ in LEVELS))
    if path.suffix.lower() == ".xls":
        return read_xls(path, what, required)
    return read_delimited_file(path, what).require(*required)


def _groups(rows: list[dict[str, str]]) -> dict[str, Concept]:
    groups: dict[str, Concept] = {}
    for row in rows:
        parent = ""
        for depth, (code_col, label_col, level) in enumerate(LEVELS):
            code = row[code_col].strip()
            if code and code not in groups:
                groups[code] = Concept(
                    id=brc_id(code),
                    type=ConceptType.BRC_GROUP,
                    code=code,
                    labels={"nl": label_set(row.get(label_col) or code)},
                    broader=(brc_id(parent),) if parent else (),
                    attributes={"level": level, "depth": depth + 1},
                )
            parent = code or parent
    return groups


def read_brc(workbook: Path, crosswalk: Path) -> BrcContent:
    """BRC groups (labels, hierarchy) from the workbook's per-ISCO sheet; ISCO links from the crosswalk file.

    The workbook's separate per-level code lists repeat the labels of the per-ISCO sheet and are not read.
    """
    groups = _groups(_schema_table(workbook).rows)
    table = _schema_table(crosswalk)
    group_col, label_col, _ = LEVELS[-1]
    pairs = [
        CodePair(r[ISCO].strip(), r.get("ISCO2008unitgrouplabel", ""), r[group_col].strip(), r.get(label_col, ""))
        for r in table.rows
        if r[ISCO].strip() and r[group_col].strip()
    ]
    return BrcContent(groups, pairs)
