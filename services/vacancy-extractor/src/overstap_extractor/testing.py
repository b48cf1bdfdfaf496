"""A tiny synthetic taxonomy and training set, for tests and demos (no shared data needed),
and access to the real bundle (the research stand-in when the official one is not built yet)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

from overstap_bundle import (
    Concept,
    ConceptType,
    LabelSet,
    OccupationSkill,
    Relation,
    TaxonomyBundle,
    default_bundle_path,
    load_bundle,
)

SERVICE = Path(__file__).resolve().parents[2]
SHARED = SERVICE.parents[1].parent / "shared"
P = "http://data.europa.eu/esco/skill/"

# (id, type, en preferred, en alt, nl preferred, nl alt)
TINY_SKILLS = [
    ("python", ConceptType.KNOWLEDGE, "Python (computer programming)", ["Python"], "Python", []),
    ("sql", ConceptType.KNOWLEDGE, "SQL", ["structured query language"], "SQL", []),
    ("java", ConceptType.KNOWLEDGE, "Java (computer programming)", ["Java"], "Java", []),
    ("docker", ConceptType.KNOWLEDGE, "container technology", ["Docker", "containers"], "containertechnologie",
     ["Docker"]),
    ("teams", ConceptType.SKILL, "work in teams", ["teamwork", "collaborate in a team"], "in teams werken",
     ["samenwerken in een team", "teamwerk"]),
    ("english", ConceptType.SKILL, "English", ["speak English", "English language"], "Engels",
     ["Engels spreken"]),
    ("dutch", ConceptType.SKILL, "Dutch", ["speak Dutch"], "Nederlands", ["Nederlands spreken"]),
    ("forklift", ConceptType.SKILL, "operate forklift", ["drive a forklift", "forklift driving"],
     "vorkheftruck besturen", ["heftruck rijden", "heftruckchauffeur"]),
    ("customers", ConceptType.SKILL, "provide customer service", ["customer service", "help customers"],
     "klantenservice verlenen", ["klanten helpen", "klantvriendelijkheid"]),
    ("accounts", ConceptType.SKILL, "manage accounts", ["bookkeeping", "keep financial records"],
     "rekeningen beheren", ["boekhouding bijhouden"]),
    ("driving", ConceptType.SKILL, "drive vehicles", ["drive a car", "driving licence"], "voertuigen besturen",
     ["rijbewijs B", "auto rijden"]),
    ("cleaning", ConceptType.SKILL, "clean rooms", ["cleaning", "clean offices"], "kamers schoonmaken",
     ["schoonmaken", "poetsen"]),
]
TEMPLATES = [
    "You have experience with {}.", "Knowledge of {} is required.", "We expect strong {} skills.",
    "Experience in {} and {} is a plus.", "The candidate is comfortable with {}.",
]


def tiny_bundle() -> TaxonomyBundle:
    concepts = []
    for key, kind, en, en_alt, nl, nl_alt in TINY_SKILLS:
        concepts.append(Concept(
            id=P + key, type=kind,
            labels={"en": LabelSet(en, tuple(en_alt)), "nl": LabelSet(nl, tuple(nl_alt))},
            descriptions={"en": f"The ability to {en.lower()} in a professional setting."},
            attributes={"skill_type": "knowledge" if kind == ConceptType.KNOWLEDGE else "skill/competence",
                        "reuse_level": "cross-sector"},
        ))
    rels = [OccupationSkill("http://data.europa.eu/esco/occupation/x", P + "teams", Relation.ESSENTIAL)]
    return TaxonomyBundle("tiny", {}, concepts, rels, [], [])


def _write_skillskape(path: Path, rows: list[tuple[str, list[str]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["", "sentence", "skills"])
        for i, (sentence, labels) in enumerate(rows):
            w.writerow([i, sentence, repr(labels or ["UNK"])])


def tiny_extraction_dir(root: Path) -> Path:
    rows: list[tuple[str, list[str]]] = []
    skills = [s for s in TINY_SKILLS]
    for i, template in enumerate(TEMPLATES):
        for j, (_, _, en, en_alt, _, _) in enumerate(skills):
            other = skills[(i + j + 1) % len(skills)]
            mention = en_alt[(i + j) % len(en_alt)]
            if template.count("{}") == 2:
                rows.append((template.format(mention, other[3][0]), [en, other[2]]))
            else:
                rows.append((template.format(mention), [en]))
    rows.append(("We offer a competitive salary and a friendly office.", []))
    _write_skillskape(root / "skillskape" / "train.csv", rows[::2] + rows[1::4])
    _write_skillskape(root / "skillskape" / "dev.csv", rows[1::2])
    return root


def real_bundle() -> TaxonomyBundle:
    """The official bundle when it exists, else the research stand-in built from the raw ESCO files."""
    if default_bundle_path().exists():
        return load_bundle()
    spec = importlib.util.spec_from_file_location("raw_esco_bundle", SERVICE / "scripts" / "raw_esco_bundle.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()


def shared_present() -> bool:
    return (SHARED / "data" / "esco").is_dir() and (SHARED / "eval").is_dir()
