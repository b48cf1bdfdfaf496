"""Labels in one extra language, gathered from several sources and laid over concepts of the main download."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from overstap_bundle import LabelSet

from overstap_taxonomy.importer.labels import clean_label, label_set


@dataclass(slots=True)
class LabelOverlay:
    """Preferred/alt/hidden labels and descriptions by concept id, for concepts in ``known`` only.

    The first source to give a concept a preferred label wins; a later, different preferred label
    becomes an alternative label. ``ignored`` counts ids not in ``known``, per source.
    """

    language: str
    known: frozenset[str]
    preferred: dict[str, str] = field(default_factory=dict)
    alt: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    hidden: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    descriptions: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    preferred_from: dict[str, str] = field(default_factory=dict)

    def accepts(self, concept_id: str, source: str) -> bool:
        if concept_id in self.known:
            return True
        self.ignored[source].add(concept_id)
        return False

    def add(
        self,
        concept_id: str,
        source: str,
        preferred: str = "",
        alt: Iterable[str] = (),
        hidden: Iterable[str] = (),
        description: str = "",
    ) -> None:
        label = clean_label(preferred)
        if label and concept_id not in self.preferred:
            self.preferred[concept_id] = label
            self.preferred_from[concept_id] = source
        elif label:
            self.alt[concept_id].append(label)
        self.alt[concept_id].extend(alt)
        self.hidden[concept_id].extend(hidden)
        if description and concept_id not in self.descriptions:
            self.descriptions[concept_id] = description

    def label_set(self, concept_id: str) -> LabelSet | None:
        """The concept's labels, or None when no source gave it a preferred label."""
        preferred = self.preferred.get(concept_id)
        if not preferred:
            return None
        return label_set(preferred, self.alt.get(concept_id, ()), self.hidden.get(concept_id, ()))

    def without_preferred(self) -> int:
        """Concepts that received alternative labels but no preferred label (those labels are dropped)."""
        return sum(1 for cid, alts in self.alt.items() if alts and cid not in self.preferred)

    def preferred_sources(self) -> Counter[str]:
        return Counter(self.preferred_from.values())
