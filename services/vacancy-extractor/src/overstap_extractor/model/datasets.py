"""Training data readers: SkillSkape sentences (ESCO preferred labels) from the extraction directory.

Never reads ``decorte-dev/`` (the source of the evaluation dev sets) nor the evaluation files.
"""

from __future__ import annotations

import ast
import csv
from dataclasses import dataclass
from pathlib import Path

from overstap_extractor.model.catalog import SkillCatalog
from overstap_extractor.model.text import normalize

FORBIDDEN_PARTS = ("decorte-dev",)  # the source of the evaluation dev sets


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    language: str
    skills: tuple[int, ...]  # catalogue indices; empty = a sentence without skills
    source: str
    masked: tuple[str, ...] = ()  # label texts the example was built from (masked when featurised)


def _check_allowed(path: Path) -> None:
    if any(part in FORBIDDEN_PARTS for part in path.resolve().parts):
        raise ValueError(f"{path}: evaluation data must not be used for training")


def read_skillskape(extraction_dir: Path, catalog: SkillCatalog, split: str = "train") -> list[Example]:
    """SkillSkape sentences with their skills mapped from English preferred labels to catalogue indices."""
    path = extraction_dir / "skillskape" / f"{split}.csv"
    _check_allowed(path)
    by_label = {normalize(label): i for i, label in enumerate(catalog.preferred["en"]) if label}
    out: list[Example] = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            labels = [normalize(x) for x in ast.literal_eval(row["skills"]) if x != "UNK"]
            skills = tuple(sorted({by_label[x] for x in labels if x in by_label}))
            out.append(Example(row["sentence"], "en", skills, f"skillskape-{split}"))
    return out
