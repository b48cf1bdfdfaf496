"""The taxonomy as the service sees it: catalogue, label search and crosswalks, built once from a bundle."""

from __future__ import annotations

import gc
import time
from pathlib import Path

from overstap_bundle import TaxonomyBundle, load_bundle

from overstap_taxonomy.domain.catalog import Catalog
from overstap_taxonomy.domain.mapping import Crosswalks
from overstap_taxonomy.domain.search import LabelSearchIndex


class Taxonomy:
    def __init__(self, bundle: TaxonomyBundle) -> None:
        self.version = bundle.version
        self.catalog = Catalog(bundle)
        self.search_index = LabelSearchIndex(bundle.concepts)
        self.crosswalks = Crosswalks(self.catalog, bundle.mappings)

    @classmethod
    def load(cls, path: Path | None = None) -> tuple[Taxonomy, float]:
        """Load the bundle and build every index; returns the taxonomy and the seconds it took."""
        started = time.perf_counter()
        # Hundreds of thousands of long-lived objects: collecting cycles while building them only costs time,
        # and freezing them afterwards keeps later collections from walking them again.
        gc.disable()
        try:
            taxonomy = cls(load_bundle(path))
        finally:
            gc.enable()
        gc.freeze()
        return taxonomy, time.perf_counter() - started
