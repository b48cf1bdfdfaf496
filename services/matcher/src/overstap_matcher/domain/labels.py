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
        labels = self._preferred.get(concept_id, {})
        for lang in (language, *(x for x in LANGUAGES if x != language)):
            if lang in labels:
                return Label(labels[lang], lang)
        return Label(concept_id, "")
