"""Where the matcher gets its index: the given taxonomy bundle, else the shipped one."""

from __future__ import annotations

from pathlib import Path

from overstap_bundle import default_bundle_path, load_bundle

from overstap_matcher.adapters.bundle import index_from_bundle
from overstap_matcher.domain.index import MatcherIndex
from overstap_matcher.domain.model import IndexConfig


def load_index(bundle_path: Path | None = None, config: IndexConfig | None = None) -> tuple[MatcherIndex, str]:
    """The index and the bundle file it was built from; FileNotFoundError when there is no bundle."""
    path = bundle_path or default_bundle_path()
    if not path.exists():
        raise FileNotFoundError(f"no taxonomy bundle at {path} (build it with `overstap taxonomy import`)")
    return index_from_bundle(load_bundle(path), config), str(path)
