"""Saving and loading the trained ranker (joblib, compressed; float32 and sparse matrices inside).

Only load artifacts this project wrote: joblib unpickles arbitrary objects.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import joblib
import sklearn

from overstap_extractor.model.ranker import SkillRanker

ARTIFACT_NAME = "skill-ranker.joblib"


def default_artifact_path() -> Path:
    return Path(__file__).resolve().parent.parent / "artifacts" / ARTIFACT_NAME


def save_ranker(ranker: SkillRanker, path: Path) -> int:
    """Write the artifact; returns its size in bytes."""
    ranker.meta["sklearn"] = sklearn.__version__
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    joblib.dump(ranker, tmp, compress=("zlib", 6))
    tmp.replace(path)
    return path.stat().st_size


def load_ranker(path: Path | None = None) -> SkillRanker:
    path = path or default_artifact_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: no trained model; run `overstap extractor train`")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=UserWarning)  # sklearn's version warning: checked below
        ranker = joblib.load(path)
    if not isinstance(ranker, SkillRanker):
        raise TypeError(f"{path}: not a SkillRanker artifact")
    built = ranker.meta.get("sklearn")
    if built and built != sklearn.__version__:
        warnings.warn(f"model built with scikit-learn {built}, running {sklearn.__version__}: retrain "
                      "(`overstap extractor train`) if results look off", stacklevel=2)
    return ranker
