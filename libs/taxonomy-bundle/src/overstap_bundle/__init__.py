"""The taxonomy bundle: one compact, versioned file holding the skills language of Overstap.

The bundle is data, not logic: the taxonomy service answers questions about it, the matcher and the
vacancy extractor build their indexes from it. `overstap taxonomy import` writes it from the official downloads.
"""

from overstap_bundle.io import default_bundle_path, load_bundle, write_bundle
from overstap_bundle.model import (
    BUNDLE_FORMAT,
    Concept,
    ConceptType,
    LabelSet,
    Mapping,
    MatchType,
    OccupationSkill,
    OnetSkillRating,
    Relation,
    TaxonomyBundle,
)

__all__ = [
    "BUNDLE_FORMAT",
    "Concept",
    "ConceptType",
    "LabelSet",
    "Mapping",
    "MatchType",
    "OccupationSkill",
    "OnetSkillRating",
    "Relation",
    "TaxonomyBundle",
    "default_bundle_path",
    "load_bundle",
    "write_bundle",
]
