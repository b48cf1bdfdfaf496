"""Where in a sentence a skill was found: the token window closest (word TF-IDF cosine) to one of its labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.spans import Span, word_spans
from overstap_extractor.model.text import STOP, normalize, stem

MAX_WINDOW = 6


class SpanLocator:
    """Finds the token window of a sentence closest (word TF-IDF cosine) to any label of a skill.

    Only windows that start and end on a token sharing a stem with the skill's labels are scored. Plain Python
    over the few terms involved: a sentence has a handful of candidate windows and a skill a few label rows, too
    small for sparse-matrix calls to pay off (they cost ~2 ms per skill)."""

    def __init__(self, ranker: SkillRanker) -> None:
        self._langs: dict[str, _LabelTerms] = {}
        for language, li in ranker.space.index.languages.items():
            rows = li.label_word.T.tocsr()  # (n_labels, V), rows L2-normalised
            order = np.argsort(li.label_skill, kind="stable")
            bounds = np.searchsorted(li.label_skill[order], np.arange(ranker.space.index.n_skills + 1))
            self._langs[language] = _LabelTerms(li.word.vocabulary_, li.word.idf_.tolist(), rows, order, bounds)

    def locate(self, text: str, sentence: Span, language: str, skills: Sequence[int]) -> list[Span]:
        """Best window per skill (the sentence itself when no label word occurs in it)."""
        if not skills:
            return []
        tokens = word_spans(text, sentence)
        stop = STOP[language]
        stems = [None if (t := normalize(s.of(text))) in stop else stem(t, language) for s in tokens]
        terms = self._langs[language]
        windows = _Windows(stems, terms)
        out = []
        for skill in skills:
            labels = terms.of(skill)
            best = windows.best(labels) if labels else None
            out.append(sentence if best is None else Span(tokens[best[0]].start, tokens[best[1] - 1].end))
        return out


@dataclass(frozen=True, slots=True)
class _LabelTerms:
    """One language's word vocabulary, idf weights and label rows, grouped by skill."""

    vocab: dict[str, int]
    idf: list[float]
    rows: sp.csr_matrix
    order: np.ndarray  # label rows sorted by skill
    bounds: np.ndarray  # skill -> its slice of ``order``

    def of(self, skill: int) -> list[dict[int, float]]:
        """The skill's label rows as {term: weight}."""
        ptr, idx, val = self.rows.indptr, self.rows.indices, self.rows.data
        return [dict(zip(idx[ptr[r] : ptr[r + 1]].tolist(), val[ptr[r] : ptr[r + 1]].tolist(), strict=True))
                for r in self.order[self.bounds[skill] : self.bounds[skill + 1]].tolist()]


class _Windows:
    """One sentence's token windows, each vectorised at most once (several skills share a sentence)."""

    def __init__(self, stems: list[str | None], terms: _LabelTerms) -> None:
        self.stems = stems
        self.terms = terms
        self.unigrams = [-1 if s is None else terms.vocab.get(s, -1) for s in stems]
        self._vectors: dict[tuple[int, int], tuple[list[int], list[float], float]] = {}

    def best(self, labels: list[dict[int, float]]) -> tuple[int, int] | None:
        """The (start, stop) token window closest to any of the labels; ties (stop words and unknown words add
        nothing) go to the shortest window."""
        wanted = set().union(*labels)
        hits = [i for i, col in enumerate(self.unigrams) if col in wanted]
        best, best_score = None, -np.inf
        for i in hits:
            for j in hits:
                if not 0 <= j - i < MAX_WINDOW:
                    continue
                score = self.cosine(i, j + 1, labels) - 1e-4 * (j + 1 - i)
                if score > best_score:
                    best, best_score = (i, j + 1), score
        return best

    def cosine(self, start: int, stop: int, labels: list[dict[int, float]]) -> float:
        """Best cosine between the window's binary idf-weighted vector (unigram and bigram stems, as the word
        vectorizer) and the label rows."""
        cols, weights, norm = self._vector(start, stop)
        if not cols:
            return 0.0
        return max(sum(w * label.get(c, 0.0) for c, w in zip(cols, weights, strict=True)) for label in labels) / norm

    def _vector(self, start: int, stop: int) -> tuple[list[int], list[float], float]:
        key = (start, stop)
        if key not in self._vectors:
            feats = [s for s in self.stems[start:stop] if s]
            feats += [f"{a} {b}" for a, b in zip(feats, feats[1:], strict=False)]
            cols = sorted({c for f in feats if (c := self.terms.vocab.get(f)) is not None})
            weights = [self.terms.idf[c] for c in cols]
            self._vectors[key] = (cols, weights, sum(w * w for w in weights) ** 0.5)
        return self._vectors[key]
