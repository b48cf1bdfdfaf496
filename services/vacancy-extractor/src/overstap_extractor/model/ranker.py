"""The trained skill ranker: linear weights per query language over the pair features of every skill."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from overstap_extractor.model.features import FeatureSpace, semantic_key

CHUNK = 128  # texts per scoring call: fewer, larger sparse products (a 500-word ad is ~30-70 segments)


@dataclass
class LinearScorer:
    """score = ((x - mean) / scale) @ coef + intercept, a logistic model's decision function."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def raw_weights(self) -> tuple[np.ndarray, float]:
        """Weights and bias on the unscaled features."""
        w = (self.coef / self.scale).astype(np.float32)
        return w, float(self.intercept - float(np.dot(self.mean / self.scale, self.coef)))

    def decision(self, x: np.ndarray) -> np.ndarray:
        w, b = self.raw_weights()
        return x @ w + np.float32(b)

    def probability(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision(x)))


@dataclass
class SkillRanker:
    """Ranks all catalogue skills for a text; ``scorers`` holds one linear model per language."""

    skill_ids: list[str]
    preferred: dict[str, list[str]]
    space: FeatureSpace
    scorers: dict[str, LinearScorer]
    meta: dict[str, object]

    def uses_semantic(self, language: str) -> bool:
        """True when ``semantic=True`` scoring of ``language`` uses the sentence-embedding scorer (it was
        trained and the ``multilingual`` extra is installed)."""
        return semantic_key(language) in self.scorers and self.space.semantic_ready(language)

    def score(self, texts: Sequence[str], languages: Sequence[str] | None = None,
              semantic: bool = False) -> np.ndarray:
        """(n_texts, n_skills) logit scores; higher is better. ``semantic``: use the sentence-embedding
        scorer where available (ranking mode; about 15 ms more per text), else the lexical one (ad mode)."""
        languages = list(languages) if languages is not None else ["en"] * len(texts)
        out = np.zeros((len(texts), len(self.skill_ids)), np.float32)
        for language in sorted(set(languages)):
            rows = [i for i, lang in enumerate(languages) if lang == language]
            sem = semantic and self.uses_semantic(language)
            w, b = self.scorers[semantic_key(language) if sem else language].raw_weights()
            for start in range(0, len(rows), CHUNK):
                part = rows[start : start + CHUNK]
                out[part] = self.space.linear_score([texts[i] for i in part], language, w, b, semantic=sem)
        return out

    def rank_scores(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
        """Ranking mode (``top``, evaluation): ``score`` with the embedding scorer where available."""
        return self.score(texts, languages, semantic=True)

    def top(self, text: str, language: str = "en", k: int = 10) -> list[tuple[str, float]]:
        """The k best skills with their probability (the logistic model's, see ``calibration``); uses the
        sentence-embedding scorer where available."""
        logits = self.score([text], [language], semantic=True)[0]
        best = np.argsort(-logits, kind="stable")[:k]
        return [(self.skill_ids[i], float(1.0 / (1.0 + np.exp(-logits[i])))) for i in best]
