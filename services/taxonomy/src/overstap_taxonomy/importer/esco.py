"""Reading ESCO CSV downloads of any version and language: an official zip, an extracted folder, or both.

Tables are found by file name (``occupations_en.csv``, ``skills_nl.csv``, ``occupationSkillRelations.csv``,
in any sub-folder or zip) and read by column name, so columns may be added, reordered or missing when
optional. Cells holding several labels may use line breaks or " | " (see ``labels.split_labels``).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from overstap_taxonomy.importer.errors import ImportInputError, missing_file
from overstap_taxonomy.importer.labels import clean_label, clean_text, split_labels
from overstap_taxonomy.importer.tables import Row, Table, read_csv_stream

_TABLE_FILE = re.compile(r"^(?P<table>[A-Za-z]+?)(?:_(?P<lang>[a-z]{2,3}(?:-[a-z]+)?))?\.csv$")
_VERSION = re.compile(r"v(\d+(?:\.\d+){1,2})", re.IGNORECASE)

COLLECTIONS = {
    "digCompSkillsCollection": "digcomp",
    "digitalSkillsCollection": "digital",
    "greenSkillsCollection": "green",
    "languageSkillsCollection": "language",
    "researchSkillsCollection": "research",
    "transversalSkillsCollection": "transversal",
}


@dataclass(frozen=True, slots=True)
class _Member:
    table: str
    language: str | None
    container: Path  # the zip or the csv file itself
    name: str | None  # member name inside the zip

    @property
    def display(self) -> str:
        return f"{self.container}!{self.name}" if self.name else str(self.container)


def _members_of_zip(path: Path) -> list[_Member]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if n.lower().endswith(".csv")]
    except zipfile.BadZipFile as exc:
        raise ImportInputError(f"{path} (ESCO CSV download) is not a readable zip file: {exc}") from exc
    return [m for n in sorted(names) if (m := _member(path, n, Path(n).name))]


def _member(container: Path, name: str | None, basename: str) -> _Member | None:
    match = _TABLE_FILE.match(basename)
    if not match:
        return None
    return _Member(match["table"].lower(), match["lang"], container, name)


def _scan(path: Path) -> list[_Member]:
    if path.is_file() and zipfile.is_zipfile(path):
        return _members_of_zip(path)
    if path.is_file():
        member = _member(path, None, path.name)
        return [member] if member else []
    if path.is_dir():
        found: list[_Member] = []
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            if child.suffix.lower() == ".zip":
                found.extend(_members_of_zip(child))
            elif (member := _member(child, None, child.name)) is not None:
                found.append(member)
        return found
    raise missing_file(path, "ESCO CSV download (zip or extracted folder)")


class EscoDownload:
    """One ESCO CSV download in one language, possibly spread over several zips/folders."""

    def __init__(self, paths: Sequence[Path], language: str | None = None, what: str = "ESCO download") -> None:
        self.paths = tuple(paths)
        self.what = what
        self._members = [m for p in self.paths for m in _scan(p)]
        if not self._members:
            raise ImportInputError(f"{what}: no ESCO CSV tables in {', '.join(map(str, self.paths))}")
        self.language = language or self._single_language()
        self.used: set[Path] = set()

    def _single_language(self) -> str | None:
        languages = sorted({m.language for m in self._members if m.language})
        if len(languages) > 1:
            raise ImportInputError(f"{self.what}: several languages ({', '.join(languages)}); choose one")
        return languages[0] if languages else None

    @property
    def version(self) -> str:
        """The ESCO version named in the file or folder names (e.g. 1.1.1), or "unknown"."""
        names = [p.name for p in self.paths]
        for member in self._members:
            names += [member.container.parent.name, member.container.name, member.name or ""]
        for name in names:
            if match := _VERSION.search(name):
                return match[1]
        return "unknown"

    def _find(self, table: str) -> _Member | None:
        candidates = [m for m in self._members if m.table == table.lower()]
        for language in (self.language, None):
            for member in candidates:
                if member.language == language:
                    return member
        return None

    def has(self, table: str) -> bool:
        return self._find(table) is not None

    def table(self, table: str, what: str) -> Table:
        member = self._find(table)
        if member is None:
            names = f"{table}.csv or {table}_{self.language}.csv" if self.language else f"{table}.csv"
            raise ImportInputError(
                f"{self.what}: table {names} ({what}) not found in {', '.join(map(str, self.paths))}"
                " (relation tables come in a separate zip: give every zip or the folder holding them)"
            )
        self.used.add(member.container)
        return _read_member(member, what)


def _read_member(member: _Member, what: str) -> Table:
    try:
        if member.name is None:
            with open(member.container, encoding="utf-8-sig", newline="") as fh:
                return read_csv_stream(fh, member.display, what)
        with zipfile.ZipFile(member.container) as zf, zf.open(member.name) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            return read_csv_stream(text, member.display, what)
    except UnicodeDecodeError as exc:
        raise ImportInputError(f"{member.display} ({what}) is not UTF-8 text: {exc}") from exc


@dataclass(frozen=True, slots=True)
class EscoRecord:
    """One row of an ESCO concept table; empty strings where the download has no such column."""

    uri: str
    preferred: str
    alt: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    description: str = ""
    code: str = ""
    isco_group: str = ""
    skill_type: str = ""
    reuse_level: str = ""
    modified: str = ""


def _get(row: Row, *columns: str) -> str:
    for column in columns:
        value = row.get(column)
        if value:
            return value
    return ""


def record_from_row(row: Row) -> EscoRecord:
    return EscoRecord(
        uri=_get(row, "conceptUri").strip(),
        preferred=clean_label(_get(row, "preferredLabel")),
        alt=split_labels(_get(row, "altLabels")),
        hidden=split_labels(_get(row, "hiddenLabels")),
        description=clean_text(_get(row, "description", "definition")),
        code=_get(row, "code").strip(),
        isco_group=_get(row, "iscoGroup").strip(),
        skill_type=_get(row, "skillType").strip(),
        reuse_level=_get(row, "reuseLevel").strip(),
        modified=_get(row, "modifiedDate").strip(),
    )


def read_records(download: EscoDownload, table: str, what: str) -> dict[str, EscoRecord]:
    """Concept rows by URI; a URI listed twice keeps its most recently modified row."""
    rows = download.table(table, what).require("conceptUri", "preferredLabel").rows
    out: dict[str, EscoRecord] = {}
    for row in rows:
        record = record_from_row(row)
        if not record.uri or not record.preferred:
            continue
        previous = out.get(record.uri)
        if previous is None or record.modified >= previous.modified:
            out[record.uri] = record
    return out


def read_collections(download: EscoDownload) -> dict[str, dict[str, EscoRecord]]:
    """The skill collections present in the download: collection name -> records by URI."""
    return {
        name: read_records(download, table, f"ESCO {name} skills collection")
        for table, name in COLLECTIONS.items()
        if download.has(table)
    }


@dataclass(frozen=True, slots=True)
class SkillRelationRow:
    occupation: str
    skill: str
    relation: str


def read_occupation_skills(download: EscoDownload) -> list[SkillRelationRow]:
    table = download.table("occupationSkillRelations", "ESCO occupation-skill relations")
    rows = table.require("occupationUri", "relationType", "skillUri").rows
    return [
        SkillRelationRow(r["occupationUri"].strip(), r["skillUri"].strip(), r["relationType"].strip().lower())
        for r in rows
        if r["occupationUri"].strip() and r["skillUri"].strip()
    ]


def read_broader(download: EscoDownload, table: str, what: str) -> list[tuple[str, str]]:
    """(concept, broader concept) pairs of a broaderRelations table."""
    rows = download.table(table, what).require("conceptUri", "broaderUri").rows
    return [(r["conceptUri"].strip(), r["broaderUri"].strip()) for r in rows if r["conceptUri"] and r["broaderUri"]]


@dataclass(slots=True)
class HierarchyNode:
    uri: str
    label: str
    code: str = ""
    description: str = ""
    level: int = 0
    parent: str = ""


def read_skills_hierarchy(download: EscoDownload) -> dict[str, HierarchyNode]:
    """The skills hierarchy nodes (levels 0-3) with their parent, from skillsHierarchy_<lang>.csv."""
    table = download.table("skillsHierarchy", "ESCO skills hierarchy").require("Level 0 URI")
    nodes: dict[str, HierarchyNode] = {}
    for row in table.rows:
        path = _hierarchy_path(row)
        for level, (uri, label, code) in enumerate(path):
            parent = path[level - 1][0] if level else ""
            node = nodes.setdefault(uri, HierarchyNode(uri, label, code, level=level, parent=parent))
            node.code = node.code or code
        if path:
            deepest = nodes[path[-1][0]]
            deepest.description = deepest.description or clean_text(row.get("Description", ""))
    return nodes


def _hierarchy_path(row: Row) -> list[tuple[str, str, str]]:
    path: list[tuple[str, str, str]] = []
    for level in range(8):
        uri = row.get(f"Level {level} URI", "").strip()
        if not uri:
            break
        label = clean_label(row.get(f"Level {level} preferred term", ""))
        path.append((uri, label, row.get(f"Level {level} code", "").strip()))
    return path


@dataclass(slots=True)
class EscoContent:
    """Everything the bundle takes from the main (English) ESCO download."""

    version: str
    language: str
    occupations: dict[str, EscoRecord]
    skills: dict[str, EscoRecord]
    isco_groups: dict[str, EscoRecord]
    skill_groups: dict[str, EscoRecord]
    hierarchy: dict[str, HierarchyNode]
    collections: dict[str, dict[str, EscoRecord]]
    occupation_broader: list[tuple[str, str]]
    skill_broader: list[tuple[str, str]]
    occupation_skills: list[SkillRelationRow]


def read_esco(download: EscoDownload) -> EscoContent:
    return EscoContent(
        version=download.version,
        language=download.language or "en",
        occupations=read_records(download, "occupations", "ESCO occupations"),
        skills=read_records(download, "skills", "ESCO skills"),
        isco_groups=read_records(download, "ISCOGroups", "ESCO ISCO-08 groups"),
        skill_groups=read_records(download, "skillGroups", "ESCO skill groups"),
        hierarchy=read_skills_hierarchy(download),
        collections=read_collections(download),
        occupation_broader=read_broader(
            download, "broaderRelationsOccPillar", "ESCO broader relations, occupation pillar"
        ),
        skill_broader=read_broader(download, "broaderRelationsSkillPillar", "ESCO broader relations, skill pillar"),
        occupation_skills=read_occupation_skills(download),
    )
