"""Labels of occupations, skills and skill groups in Dutch with English fallback, for explanations."""

from __future__ import annotations

from dataclasses import dataclass

from overstap_bundle import ConceptType, TaxonomyBundle

LANGUAGES = ("nl", "en")
_LABELLED = (
    ConceptType.OCCUPATION,
    ConceptType.SKILL,
    ConceptType.KNOWLEDGE,
    ConceptType.SKILL_GROUP,
    ConceptType.ONET_OCCUPATION,
    ConceptType.ONET_SKILL,
)


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    language: str


class LabelBook:
    def __init__(self, preferred: dict[str, dict[str, str]]) -> None:
        self._preferred = preferred
        self._resolved: dict[tuple[str, str], Label] = {}  # bounded by concepts x languages

    @classmethod
    def from_bundle(cls, bundle: TaxonomyBundle) -> LabelBook:
        return cls(
            {
                c.id: {lang: ls.preferred for lang, ls in c.labels.items()}
                for c in bundle.concepts
                if c.type in _LABELLED
            }
        )

    def has_language(self, concept_id: str, language: str) -> bool:
        return language in self._preferred.get(concept_id, {})

    def label(self, concept_id: str, language: str) -> Label:
        """The label in ``language``, else in the other language, else the id itself."""
        key = (concept_id, language)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolve(concept_id, language)
            if concept_id in self._preferred:  # only known concepts: the cache stays bounded
                self._resolved[key] = found
        return found

    def _resolve(self, concept_id: str, language: str) -> Label:
        labels = self._preferred.get(concept_id, {})
        for lang in (language, *(x for x in LANGUAGES if x != language)):
            if lang in labels:
                return Label(labels[lang], lang)
        return Label(concept_id, "")
