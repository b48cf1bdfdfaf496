"""The ESCO skills and occupations the service knows, from a taxonomy bundle: skill labels (to validate and
name skills a job board adds) and the occupation guess.

Occupation guess, data-driven and explainable:

- skill score: cosine between the ad's skills and each occupation's essential (weight 1) and optional (0.5)
  skills, both weighted by the skill's IDF over occupations (a skill half of all occupations list says little),
  the ad's skills also by the classifier's confidence and by required (1) or a plus (0.6);
- title score: the best Dice overlap between the title's words and any Dutch or English label of the
  occupation (a title word that ends in a label word of six letters or more, "heftruckchauffeur" and
  "chauffeur", counts half: Dutch compounds);
- score = 0.6 skill + 0.4 title when there is a title, else the skill score.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from overstap_bundle import ConceptType, Relation, TaxonomyBundle

from overstap_extractor.domain.model import OccupationGuess

RELATION_WEIGHT = {Relation.ESSENTIAL: 1.0, Relation.OPTIONAL: 0.5}
PLUS_WEIGHT = 0.6
SKILL_SHARE = 0.6
COMPOUND_MIN = 6
LANGUAGES = ("nl", "en")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
# Title words that say nothing about the occupation.
_TITLE_NOISE = frozenset(
    "m v x f w d h mv mvx mfx mfd vacature vacancy gezocht wanted junior medior senior ervaren experienced "
    "parttime fulltime part full time tijdelijk temporary uur hours per week fte nl en the de het een a an "
    "and en of or in bij at voor for met with".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


def title_words(title: str) -> list[str]:
    return [w for w in words(_PARENS.sub(" ", title)) if w not in _TITLE_NOISE and not w.isdigit()]


@dataclass(frozen=True, slots=True)
class AdSkill:
    skill_id: str
    confidence: float
    required: bool


class SkillCatalog:
    """Preferred labels of every ESCO skill and knowledge concept, per language."""

    def __init__(self, labels: dict[str, dict[str, str]]) -> None:
        self._labels = labels

    @classmethod
    def from_bundle(cls, bundle: TaxonomyBundle) -> SkillCatalog:
        kinds = (ConceptType.SKILL, ConceptType.KNOWLEDGE)
        return cls(
            {c.id: {lang: ls.preferred for lang, ls in c.labels.items()} for c in bundle.concepts if c.type in kinds}
        )

    def __contains__(self, skill_id: str) -> bool:
        return skill_id in self._labels

    def __len__(self) -> int:
        return len(self._labels)

    def label(self, skill_id: str, language: str) -> str | None:
        labels = self._labels.get(skill_id)
        if labels is None:
            return None
        return labels.get(language) or labels.get("en") or next(iter(labels.values()), skill_id)


class OccupationIndex:
    def __init__(
        self,
        occupations: Sequence[tuple[str, dict[str, str], dict[str, list[str]], str]],
        relations: Sequence[tuple[str, str, Relation]],
    ) -> None:
        """``occupations``: (id, preferred label per language, all labels per language, ISCO code)."""
        self.ids = [o[0] for o in occupations]
        self._preferred = [o[1] for o in occupations]
        self._isco = [o[3] for o in occupations]
        row = {oid: i for i, oid in enumerate(self.ids)}
        links = [(row[o], s, RELATION_WEIGHT.get(r, 0.5)) for o, s, r in relations if o in row]
        self._skill_col = {s: j for j, s in enumerate(sorted({s for _, s, _ in links}))}
        df = np.zeros(len(self._skill_col), np.float64)
        for _, s, _ in {(o, s, 0) for o, s, _ in links}:
            df[self._skill_col[s]] += 1
        n = max(len(self.ids), 1)
        self._idf = np.log((n + 1) / (df + 1)).astype(np.float32)
        rows = [o for o, _, _ in links]
        cols = [self._skill_col[s] for _, s, _ in links]
        vals = [w * float(self._idf[self._skill_col[s]]) for _, s, w in links]
        m = sp.csr_matrix((np.asarray(vals, np.float32), (rows, cols)), shape=(len(self.ids), len(self._skill_col)))
        m.sum_duplicates()
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        self._matrix = (sp.diags(1.0 / np.maximum(norms, 1e-9)).astype(np.float32) @ m).tocsr()
        self._skills_of: dict[int, set[str]] = defaultdict(set)
        for o, s, _ in links:
            self._skills_of[o].add(s)
        self._label_words: list[tuple[int, frozenset[str]]] = []
        self._by_word: dict[str, list[int]] = defaultdict(list)
        for i, (_, _, labels, _) in enumerate(occupations):
            seen: set[frozenset[str]] = set()
            for language in LANGUAGES:
                for label in labels.get(language, ()):
                    ws = frozenset(title_words(label))
                    if ws and ws not in seen:
                        seen.add(ws)
                        for w in ws:
                            self._by_word[w].append(len(self._label_words))
                        self._label_words.append((i, ws))

    @classmethod
    def from_bundle(cls, bundle: TaxonomyBundle) -> OccupationIndex:
        occupations = []
        for c in bundle.concepts:
            if c.type != ConceptType.OCCUPATION:
                continue
            preferred = {lang: ls.preferred for lang, ls in c.labels.items()}
            labels = {lang: [ls.preferred, *ls.alt] for lang, ls in c.labels.items()}
            occupations.append((c.id, preferred, labels, str(c.attributes.get("isco_code", ""))))
        occupations.sort(key=lambda o: o[0])
        relations = [(r.occupation_id, r.skill_id, r.relation) for r in bundle.occupation_skills]
        return cls(occupations, relations)

    def __len__(self) -> int:
        return len(self.ids)

    def label(self, i: int, language: str) -> str:
        labels = self._preferred[i]
        return labels.get(language) or labels.get("en") or next(iter(labels.values()), self.ids[i])

    def skill_scores(self, skills: Sequence[AdSkill]) -> np.ndarray:
        vec = np.zeros(len(self._skill_col), np.float32)
        for s in skills:
            j = self._skill_col.get(s.skill_id)
            if j is not None:
                weight = s.confidence * (1.0 if s.required else PLUS_WEIGHT) * self._idf[j]
                vec[j] = max(vec[j], weight)
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            return np.zeros(len(self.ids), np.float32)
        return np.asarray(self._matrix @ (vec / norm)).ravel()

    def title_scores(self, title: str) -> np.ndarray:
        scores = np.zeros(len(self.ids), np.float32)
        mine = set(title_words(title))
        if not mine:
            return scores
        credit: dict[int, dict[str, float]] = defaultdict(dict)
        for w in mine:
            for k in self._by_word.get(w, ()):
                credit[k][w] = 1.0
            for cut in range(1, len(w) - COMPOUND_MIN + 1):  # compounds: "heftruckchauffeur" ends in "chauffeur"
                for k in self._by_word.get(w[cut:], ()):
                    credit[k].setdefault(w[cut:], 0.5)
        for k, matched in credit.items():
            occupation, label_words = self._label_words[k]
            dice = 2 * sum(matched.values()) / (len(mine) + len(label_words))
            scores[occupation] = max(scores[occupation], min(dice, 1.0))
        return scores

    def guess(self, skills: Sequence[AdSkill], title: str, language: str, limit: int = 5) -> list[OccupationGuess]:
        if limit <= 0 or not self.ids:
            return []
        by_skill = self.skill_scores(skills)
        by_title = self.title_scores(title) if title.strip() else None
        total = by_skill if by_title is None else SKILL_SHARE * by_skill + (1 - SKILL_SHARE) * by_title
        k = min(limit, len(total))
        best = np.argpartition(-total, k - 1)[:k]
        best = sorted((int(i) for i in best if total[i] > 0), key=lambda i: (-float(total[i]), self.ids[i]))
        ad_skills = [s.skill_id for s in sorted(skills, key=lambda s: -s.confidence)]
        out = []
        for i in best:
            linked = self._skills_of.get(i, set())
            out.append(
                OccupationGuess(
                    occupation_id=self.ids[i],
                    label=self.label(i, language),
                    isco_code=self._isco[i],
                    score=_round(total[i]),
                    skill_score=_round(by_skill[i]),
                    title_score=_round(by_title[i]) if by_title is not None else 0.0,
                    matched_skill_ids=tuple(dict.fromkeys(s for s in ad_skills if s in linked)),
                )
            )
        return out


def _round(value: float) -> float:
    value = float(value)
    return 0.0 if math.isnan(value) else round(value, 4)


def title_from_text(text: str, max_words: int = 10, max_chars: int = 100) -> str:
    """The first line of an ad when it reads like a title (short, not a sentence)."""
    for line in text.splitlines():
        line = line.strip(" \t-*•")
        if not line:
            continue
        if len(line) <= max_chars and len(line.split()) <= max_words and not line.endswith((".", ":", "?", "!")):
            return line
        return ""
    return ""
