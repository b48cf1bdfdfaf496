"""`overstap taxonomy import`: the taxonomy bundle built from the official downloads.

One module per source (``esco``, ``esco_nl``, ``onet``, ``soc``, ``crosswalks``, ``cbs``), the shared
readers (``tables``, ``labels``), and the assembly (``esco_concepts``, ``mappings``, ``manifest``, ``build``).
"""

from overstap_taxonomy.importer.build import build_bundle
from overstap_taxonomy.importer.errors import ImportInputError
from overstap_taxonomy.importer.paths import ImportPaths, default_data_dir

__all__ = ["ImportInputError", "ImportPaths", "build_bundle", "default_data_dir"]
