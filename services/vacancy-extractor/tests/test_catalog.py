"""Catalogue building from a bundle, label filtering (the honest Dutch split), data guards."""

from __future__ import annotations

from pathlib import Path

import pytest
from overstap_extractor.model.catalog import KIND_PREFERRED, KIND_VARIANT, build_catalog
from overstap_extractor.model.datasets import read_skillskape
from overstap_extractor.model.evaluation import Query
from overstap_extractor.model.honest import fold_of
from overstap_extractor.model.text import guess_language, word_features
from overstap_extractor.testing import P, tiny_bundle


def test_catalog_rows_and_variants() -> None:
    cat = build_catalog(tiny_bundle())
    assert cat.ids == sorted(cat.ids) and len(cat) == 12
    python = cat.index()[P + "python"]
    rows = [t for t, s in zip(cat.labels.text, cat.labels.skill, strict=True) if s == python]
    assert "python (computer programming)" in rows and "python" in rows
    kinds = {int(k) for k, s in zip(cat.labels.kind, cat.labels.skill, strict=True) if s == python}
    assert KIND_PREFERRED in kinds and KIND_VARIANT not in kinds  # "python" already is an alt label


def test_drop_removes_only_non_preferred_labels_of_that_language() -> None:
    held = {"heftruck rijden", "vorkheftruck besturen", "drive a forklift"}
    cat = build_catalog(tiny_bundle(), drop=lambda lang, t: lang == "nl" and t in held)
    texts = set(cat.labels.text)
    assert "heftruck rijden" not in texts
    assert "vorkheftruck besturen" in texts  # a preferred label stays
    assert "drive a forklift" in texts  # English untouched


def test_folds_keep_equal_texts_together() -> None:
    qs = [Query(str(i), t, "nl", ()) for i, t in enumerate(["A b", "a B", "c", "d", "e", "f"])]
    fold = fold_of(qs, 3)
    assert fold[0] == fold[1] and set(fold) <= {0, 1, 2}


def test_training_never_reads_eval_data(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="evaluation data"):
        read_skillskape(tmp_path / "decorte-dev", build_catalog(tiny_bundle()))


def test_text_helpers() -> None:
    assert guess_language("Je hebt ervaring met de heftruck en je bent flexibel") == "nl"
    assert guess_language("You have experience with the forklift") == "en"
    assert "c++" in word_features("Strong C++ and C# skills", "en")
    assert "python sql" in word_features("Python and SQL", "en")
