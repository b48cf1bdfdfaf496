"""Research stand-in for the official taxonomy bundle: ESCO skills only, read from the raw downloads.

Used only until ``overstap taxonomy import`` ships ``taxonomy-bundle.json.gz``. It writes the same
format (``overstap_bundle.write_bundle``) so the extractor's training code reads nothing but a bundle:

    uv run python services/vacancy-extractor/scripts/raw_esco_bundle.py /tmp/esco-skills-bundle.json.gz

Dutch labels: ESCO v1.0.3 preferred labels (from the ESCO-VDAB mapping), v1.2 collection files
(preferred/alt labels and descriptions), and VDAB Competent names of exact/close matches as Dutch alt labels.
"""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

from overstap_bundle import (
    Concept,
    ConceptType,
    LabelSet,
    OccupationSkill,
    Relation,
    TaxonomyBundle,
    write_bundle,
)

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "esco"
SKILL_PREFIX = "http://data.europa.eu/esco/skill/"


def _read_zip_csv(zip_path: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(zip_path) as zf, zf.open(name) as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))


def _lines(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in (text or "").replace("|", "\n").split("\n") if x.strip())


def _english_skills() -> dict[str, Concept]:
    rows = _read_zip_csv(DATA / "v1.1.1" / "esco-v1.1.1-en-csv.zip", "skills_en.csv")
    out: dict[str, Concept] = {}
    for r in rows:
        kind = ConceptType.KNOWLEDGE if r["skillType"] == "knowledge" else ConceptType.SKILL
        out[r["conceptUri"]] = Concept(
            id=r["conceptUri"],
            type=kind,
            labels={"en": LabelSet(r["preferredLabel"], _lines(r["altLabels"]), _lines(r["hiddenLabels"]))},
            descriptions={"en": r["description"]} if r["description"] else {},
            attributes={"skill_type": r["skillType"], "reuse_level": r["reuseLevel"]},
        )
    return out


def _dutch_labels() -> tuple[dict[str, str], dict[str, set[str]], dict[str, str]]:
    preferred: dict[str, str] = {}
    alt: dict[str, set[str]] = defaultdict(set)
    desc: dict[str, str] = {}
    with open(DATA / "esco-skills-nl-labels-v1.0.3.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            preferred[r["conceptUri"]] = r["preferredLabel_nl"]
    for path in sorted((DATA / "v1.2-nl").glob("*SkillsCollection_nl.csv")):
        with open(path, encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                uri = r["conceptUri"]
                preferred.setdefault(uri, r["preferredLabel"])
                if r["preferredLabel"] != preferred[uri]:
                    alt[uri].add(r["preferredLabel"])
                alt[uri].update(_lines(r.get("altLabels", "")))
                if r.get("description"):
                    desc[uri] = r["description"]
    return preferred, alt, desc


def _vdab_alt_labels() -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    path = DATA / "vdab-competent-nl" / "esco-vdab-competences-mapping-dev.csv"
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    lines = lines[next(i for i, x in enumerate(lines) if x.startswith("Classification 1 URI,")):]
    for r in csv.DictReader(lines):
        if r["Mapping Relation"] in ("skos:exactMatch", "skos:closeMatch"):
            out[SKILL_PREFIX + r["Classification 1 URI"]].add(r["Classification 2 PrefLabel NL"].strip())
    return out


def _relations() -> list[OccupationSkill]:
    rows = _read_zip_csv(DATA / "v1.1.1" / "esco-v1.1.1-relations-csv.zip", "occupationSkillRelations.csv")
    return [OccupationSkill(r["occupationUri"], r["skillUri"], Relation(r["relationType"])) for r in rows]


def build() -> TaxonomyBundle:
    skills = _english_skills()
    preferred, alt, desc = _dutch_labels()
    for uri, labels in _vdab_alt_labels().items():
        alt[uri].update(labels)
    for uri, concept in skills.items():
        if uri in preferred:
            pref = preferred[uri]
            concept.labels["nl"] = LabelSet(pref, tuple(sorted(alt[uri] - {pref})))
        if uri in desc:
            concept.descriptions["nl"] = desc[uri]
    return TaxonomyBundle("research-raw-esco", {"note": "research stand-in"}, list(skills.values()),
                          _relations(), [], [])


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/esco-skills-bundle.json.gz")
    write_bundle(build(), target)
    print(target)
