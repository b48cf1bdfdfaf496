"""The skill catalogue the classifier ranks: ESCO skills with their label rows, texts and priors.

Read from a TaxonomyBundle only (concepts of type SKILL or KNOWLEDGE), in a fixed order (sorted ids).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from overstap_bundle import Concept, ConceptType, Relation, TaxonomyBundle

from overstap_extractor.model.text import LANGUAGES, normalize, strip_parentheses

KIND_PREFERRED, KIND_ALT, KIND_HIDDEN, KIND_VARIANT = 0, 1, 2, 3
REUSE_LEVELS = ("transversal", "cross-sector", "sector-specific", "occupation-specific")

# drop(language, normalized label) -> True to leave the label out (the honest Dutch split uses it)
LabelFilter = Callable[[str, str], bool]


@dataclass(slots=True)
class LabelRows:
    skill: np.ndarray  # int32 skill index of each label row
    language: np.ndarray  # int8 index into LANGUAGES
    kind: np.ndarray  # int8 KIND_*
    text: list[str]


@dataclass(slots=True)
class SkillCatalog:
    ids: list[str]
    preferred: dict[str, list[str]]  # language -> preferred label per skill ("" when absent)
    descriptions: dict[str, list[str]]  # language -> description per skill ("" when absent)
    labels: LabelRows
    priors: np.ndarray  # float32 (n_skills, n_prior_features)
    prior_names: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def index(self) -> dict[str, int]:
        return {s: i for i, s in enumerate(self.ids)}


def _skill_concepts(bundle: TaxonomyBundle) -> list[Concept]:
    kinds = (ConceptType.SKILL, ConceptType.KNOWLEDGE)
    return sorted((c for c in bundle.concepts if c.type in kinds), key=lambda c: c.id)


def _label_rows(skills: list[Concept], drop: LabelFilter | None) -> LabelRows:
    skill, lang, kind, text = [], [], [], []
    for i, c in enumerate(skills):
        for li, language in enumerate(LANGUAGES):
            ls = c.labels.get(language)
            if ls is None:
                continue
            seen: set[str] = set()
            entries = [(KIND_PREFERRED, ls.preferred)] + [(KIND_ALT, a) for a in ls.alt]
            entries += [(KIND_HIDDEN, h) for h in ls.hidden]
            entries += [(KIND_VARIANT, strip_parentheses(t)) for _, t in list(entries) if "(" in t]
            for k, raw in entries:
                norm = normalize(raw)
                if not norm or norm in seen or (drop is not None and k != KIND_PREFERRED and drop(language, norm)):
                    continue
                seen.add(norm)
                skill.append(i), lang.append(li), kind.append(k), text.append(norm)
    return LabelRows(np.asarray(skill, np.int32), np.asarray(lang, np.int8), np.asarray(kind, np.int8), text)


def _priors(bundle: TaxonomyBundle, skills: list[Concept]) -> tuple[np.ndarray, list[str]]:
    ess = Counter(r.skill_id for r in bundle.occupation_skills if r.relation == Relation.ESSENTIAL)
    opt = Counter(r.skill_id for r in bundle.occupation_skills if r.relation == Relation.OPTIONAL)
    rows = []
    for c in skills:
        reuse = str(c.attributes.get("reuse_level", ""))
        rows.append(
            [np.log1p(ess[c.id]), np.log1p(opt[c.id]), float(c.type == ConceptType.KNOWLEDGE)]
            + [float(reuse == r) for r in REUSE_LEVELS]
        )
    names = ["log_essential_occ", "log_optional_occ", "is_knowledge"]
    # No "has a Dutch label" prior: in the shared data Dutch labels exist only for VDAB-mapped skills,
    # an artefact the ranker would learn (the official ESCO has Dutch labels for every skill).
    names += [f"reuse_{r}" for r in REUSE_LEVELS]
    return np.asarray(rows, np.float32), names


def build_catalog(bundle: TaxonomyBundle, drop: LabelFilter | None = None) -> SkillCatalog:
    """The catalogue of all ESCO skills in ``bundle``; ``drop`` removes non-preferred labels."""
    skills = _skill_concepts(bundle)
    preferred = {lang: [c.labels[lang].preferred if lang in c.labels else "" for c in skills] for lang in LANGUAGES}
    descriptions = {lang: [c.descriptions.get(lang, "") for c in skills] for lang in LANGUAGES}
    priors, names = _priors(bundle, skills)
    return SkillCatalog([c.id for c in skills], preferred, descriptions, _label_rows(skills, drop), priors, names)
