"""O*NET database: occupations (titles, descriptions, alternate and reported titles, job zones), the 35
skills of the content model, and the importance/level ratings of those skills (Skills.xlsx)."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from overstap_bundle import Concept, ConceptType, OnetSkillRating

from overstap_taxonomy.importer.errors import ImportInputError
from overstap_taxonomy.importer.labels import clean_text, label_set
from overstap_taxonomy.importer.tables import Table, read_delimited_file, read_xlsx

ONET_PREFIX = "onet:"
ONET_SKILL_PREFIX = "onet-skill:"
CODE = "O*NET-SOC Code"
SKILL_ELEMENT_ROOTS = ("2.A", "2.B")  # basic and cross-functional skills
IMPORTANCE, LEVEL = "IM", "LV"
_VERSION = re.compile(r"O\*NET\s+(\d+(?:\.\d+)?)")


def onet_id(code: str) -> str:
    return ONET_PREFIX + code.strip()


def onet_skill_id(element_id: str) -> str:
    return ONET_SKILL_PREFIX + element_id.strip()


def _tsv(folder: Path, name: str, what: str, *required: str) -> Table:
    table = read_delimited_file(folder / name, f"O*NET {what} ({name})", delimiter="\t", quoting=csv.QUOTE_NONE)
    return table.require(*required)


def onet_version(folder: Path) -> str:
    """The release named in ``Read Me.txt`` ("O*NET 29.1 Database"), else the folder name."""
    readme = folder / "Read Me.txt"
    if readme.is_file():
        match = _VERSION.search(readme.read_text(encoding="utf-8", errors="replace"))
        if match:
            return match[1]
    return folder.name


@dataclass(slots=True)
class OnetContent:
    version: str
    occupations: dict[str, Concept]
    skills: dict[str, Concept]
    ratings: list[OnetSkillRating]
    files: list[Path] = field(default_factory=list)
    unmatched: dict[str, int] = field(default_factory=dict)


def _occupations(folder: Path) -> dict[str, Concept]:
    data = _tsv(folder, "Occupation Data.txt", "occupations", CODE, "Title", "Description")
    out: dict[str, Concept] = {}
    for row in data.rows:
        code = row[CODE].strip()
        out[code] = Concept(
            id=onet_id(code),
            type=ConceptType.ONET_OCCUPATION,
            code=code,
            labels={"en": label_set(row["Title"])},
            descriptions={"en": clean_text(row["Description"])} if row["Description"].strip() else {},
        )
    return out


def _other_titles(folder: Path, occupations: dict[str, Concept]) -> int:
    """Alternate titles (and their short forms) and the sample of reported titles as alternative labels."""
    titles: dict[str, list[str]] = defaultdict(list)
    alternate = _tsv(folder, "Alternate Titles.txt", "alternate titles", CODE, "Alternate Title")
    for row in alternate.rows:
        titles[row[CODE].strip()].append(row["Alternate Title"])
        short = row.get("Short Title", "").strip()
        if short and short.lower() != "n/a":
            titles[row[CODE].strip()].append(short)
    reported = folder / "Sample of Reported Titles.txt"
    if reported.is_file():
        for row in _tsv(folder, reported.name, "sample of reported titles", CODE, "Reported Job Title").rows:
            titles[row[CODE].strip()].append(row["Reported Job Title"])
    unknown = 0
    for code, names in titles.items():
        concept = occupations.get(code)
        if concept is None:
            unknown += len(names)
            continue
        concept.labels["en"] = label_set(concept.labels["en"].preferred, names)
    return unknown


def _job_zones(folder: Path, occupations: dict[str, Concept]) -> int:
    unknown = 0
    for row in _tsv(folder, "Job Zones.txt", "job zones", CODE, "Job Zone").rows:
        concept = occupations.get(row[CODE].strip())
        if concept is None:
            unknown += 1
            continue
        concept.attributes["job_zone"] = int(row["Job Zone"])
    return unknown


def _content_model(folder: Path) -> dict[str, tuple[str, str]]:
    """Element id -> (name, description) from Content Model Reference.txt."""
    table = _tsv(folder, "Content Model Reference.txt", "content model", "Element ID", "Element Name")
    return {r["Element ID"].strip(): (r["Element Name"].strip(), r.get("Description", "")) for r in table.rows}


def _skill_concept(element: str, name: str, model: dict[str, tuple[str, str]]) -> Concept:
    model_name, description = model.get(element, (name, ""))
    parent = element.rsplit(".", 1)[0]
    concept = Concept(
        id=onet_skill_id(element),
        type=ConceptType.ONET_SKILL,
        code=element,
        labels={"en": label_set(model_name or name)},
        descriptions={"en": clean_text(description)} if description.strip() else {},
    )
    if parent in model:
        concept.attributes.update({"category": model[parent][0], "category_id": parent})
    return concept


def _number(value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ImportInputError(f"{what}: {value!r} is not a number") from None


def _ratings(
    path: Path, occupations: dict[str, Concept], model: dict[str, tuple[str, str]]
) -> tuple[dict[str, Concept], list[OnetSkillRating], int, int]:
    what = "O*NET skills ratings (Skills.xlsx)"
    table = read_xlsx(path, what, (CODE, "Element ID", "Scale ID", "Data Value"))
    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    names: dict[str, str] = {}
    for row in table.rows:
        element = row["Element ID"].strip()
        if not element.startswith(SKILL_ELEMENT_ROOTS):
            continue
        names.setdefault(element, row.get("Element Name", element))
        key = (row[CODE].strip(), element)
        values[key][row["Scale ID"].strip()] = _number(row["Data Value"], f"{table.source} Data Value")
    skills = {e: _skill_concept(e, n, model) for e, n in names.items()}
    ratings: list[OnetSkillRating] = []
    unknown = incomplete = 0
    for (code, element), scales in values.items():
        if code not in occupations:
            unknown += 1
        elif IMPORTANCE not in scales or LEVEL not in scales:
            incomplete += 1
        else:
            ratings.append(OnetSkillRating(onet_id(code), onet_skill_id(element), scales[IMPORTANCE], scales[LEVEL]))
    return skills, ratings, unknown, incomplete


def read_onet(folder: Path, skills_xlsx: Path) -> OnetContent:
    if not folder.is_dir():
        raise ImportInputError(f"O*NET database folder (tab-separated text files) not found: {folder}")
    occupations = _occupations(folder)
    unknown_titles = _other_titles(folder, occupations)
    unknown_zones = _job_zones(folder, occupations)
    model = _content_model(folder)
    skills, ratings, unknown_ratings, incomplete = _ratings(skills_xlsx, occupations, model)
    names = [
        "Occupation Data.txt",
        "Alternate Titles.txt",
        "Sample of Reported Titles.txt",
        "Job Zones.txt",
        "Content Model Reference.txt",
    ]
    return OnetContent(
        version=onet_version(folder),
        occupations=occupations,
        skills={onet_skill_id(e): c for e, c in skills.items()},
        ratings=ratings,
        files=[p for p in (folder / n for n in names) if p.is_file()] + [skills_xlsx],
        unmatched={
            "onet titles of unknown occupations": unknown_titles,
            "onet job zones of unknown occupations": unknown_zones,
            "onet skill ratings of unknown occupations": unknown_ratings,
            "onet skill ratings without both importance and level": incomplete,
        },
    )
