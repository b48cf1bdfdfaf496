"""Reading the crosswalk files into code pairs; turning pairs into typed mappings is ``mappings.py``'s job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from overstap_taxonomy.importer.errors import missing_columns
from overstap_taxonomy.importer.tables import Table, read_delimited_file, read_xls, read_xlsx


@dataclass(frozen=True, slots=True)
class CodePair:
    """One crosswalk row: a source code and a target code with their titles; ``note`` keeps a qualifier
    of the row (the BLS "part" flag, Nesta's confidence)."""

    source: str
    source_title: str
    target: str
    target_title: str
    note: str = ""


def column(table: Table, *aliases: str) -> str:
    """The first of ``aliases`` the table has (files renamed by re-publishers keep working)."""
    for alias in aliases:
        if alias in table.columns:
            return alias
    raise missing_columns(table.source, table.what, [aliases[0]], table.columns)


def _pairs(
    table: Table, source: tuple[str, ...], target: tuple[str, ...], note: tuple[str, ...] = ()
) -> list[CodePair]:
    """Pairs from columns (code, title) for source and target, each given as alias tuples."""
    half = len(source) // 2
    s_code, s_title = column(table, *source[:half]), column(table, *source[half:])
    half = len(target) // 2
    t_code, t_title = column(table, *target[:half]), column(table, *target[half:])
    n_col = column(table, *note) if note and any(n in table.columns for n in note) else None
    out: list[CodePair] = []
    for row in table.rows:
        src, tgt = row[s_code].strip(), row[t_code].strip()
        if src and tgt:
            note_value = row[n_col].strip() if n_col else ""
            out.append(CodePair(src, row[s_title].strip(), tgt, row[t_title].strip(), note_value))
    return out


def read_esco_onet(path: Path) -> list[CodePair]:
    """O*NET Center "ESCO to O*NET-SOC 2019": ESCO occupation code (or ISCO-08 code) -> O*NET-SOC 2019."""
    required = ("ESCO/ISCO Code", "O*NET-SOC 2019 Code")
    table = read_xlsx(path, "ESCO to O*NET-SOC 2019 crosswalk", required)
    return _pairs(table, ("ESCO/ISCO Code", "ESCO/ISCO Title"), ("O*NET-SOC 2019 Code", "O*NET-SOC 2019 Title"))


def read_isco_soc2010(path: Path) -> list[CodePair]:
    """BLS ISCO-08 -> SOC 2010 (the "ISCO-08 to 2010 SOC" sheet); note = the "part" flag ("*" or "")."""
    table = read_xls(path, "BLS ISCO-08 / SOC 2010 crosswalk", ("ISCO-08 Code", "2010 SOC Code"))
    return _pairs(table, ("ISCO-08 Code", "ISCO-08 Title EN"), ("2010 SOC Code", "2010 SOC Title"), ("part",))


def read_onet_soc2010(path: Path) -> list[CodePair]:
    """O*NET-SOC 2010 -> SOC 2010."""
    table = read_xlsx(path, "O*NET-SOC 2010 to SOC 2010 crosswalk", ("O*NET-SOC 2010 Code", "2010 SOC Code"))
    return _pairs(table, ("O*NET-SOC 2010 Code", "O*NET-SOC 2010 Title"), ("2010 SOC Code", "2010 SOC Title"))


def read_onet_2010_2019(path: Path) -> list[CodePair]:
    """O*NET-SOC 2010 -> O*NET-SOC 2019 (official column names, or the renamed ones of the vendored copy)."""
    table = read_delimited_file(path, "O*NET-SOC 2010 to 2019 crosswalk")
    return _pairs(
        table,
        ("O*NET-SOC 2010 Code", "soc2010_code", "O*NET-SOC 2010 Title", "soc2010_title"),
        ("O*NET-SOC 2019 Code", "soc2019_code", "O*NET-SOC 2019 Title", "soc2019_title"),
    )


def read_nesta_esco_onet(path: Path) -> list[CodePair]:
    """Nesta's ESCO occupation (URI) -> O*NET-SOC 2010 crosswalk; note = confidence (0.5, 1 or 2)."""
    table = read_delimited_file(path, "Nesta ESCO to O*NET-SOC 2010 crosswalk")
    table.require("concept_uri", "esco_occupation", "onet_code", "onet_occupation", "confidence")
    return _pairs(table, ("concept_uri", "esco_occupation"), ("onet_code", "onet_occupation"), ("confidence",))
