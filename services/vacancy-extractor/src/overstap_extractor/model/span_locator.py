"""Where in a sentence a skill was found: the token window closest (word TF-IDF cosine) to one of its labels."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

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

    def terms(self, language: str) -> _LabelTerms:
        return self._langs[language]

    def locate(self, text: str, sentence: Span, language: str, skills: Sequence[int]) -> list[Span]:
        """Best window per skill (the sentence itself when no label word occurs in it)."""
        if not skills:
            return []
        tokens = word_spans(text, sentence)
        terms = self.terms(language)
        windows = SentenceWindows(token_stems(text, tokens, language), terms)
        out = []
        for skill in skills:
            labels = terms.of(skill)
            best = windows.best(labels) if labels else None
            out.append(sentence if best is None else Span(tokens[best[0]].start, tokens[best[1] - 1].end))
        return out


def token_stems(text: str, tokens: Sequence[Span], language: str) -> list[str | None]:
    """Each token's stem, None for a stop word (as the word vectorizer drops them)."""
    stop = STOP[language]
    return [None if (t := normalize(s.of(text))) in stop else stem(t, language) for s in tokens]


@dataclass(frozen=True, slots=True)
class _LabelTerms:
    """One language's word vocabulary, idf weights and label rows, grouped by skill."""

    vocab: dict[str, int]
    idf: list[float]
    rows: sp.csr_matrix
    order: np.ndarray  # label rows sorted by skill
    bounds: np.ndarray  # skill -> its slice of ``order``
    cache: dict[int, list[dict[int, float]]] = field(default_factory=dict)  # at most one entry per skill

    def of(self, skill: int) -> list[dict[int, float]]:
        """The skill's label rows as {term: weight} (kept once built: a few thousand skills recur across ads)."""
        if (found := self.cache.get(skill)) is not None:
            return found
        ptr, idx, val = self.rows.indptr, self.rows.indices, self.rows.data
        rows = self.order[self.bounds[skill] : self.bounds[skill + 1]].tolist()
        found = [dict(zip(idx[ptr[r] : ptr[r + 1]].tolist(), val[ptr[r] : ptr[r + 1]].tolist(), strict=True))
                 for r in rows]
        self.cache[skill] = found
        return found


class SentenceWindows:
    """One sentence's token windows: each skill's best window is found by growing windows from each start."""

    def __init__(self, stems: list[str | None], terms: _LabelTerms) -> None:
        self.stems = stems
        self.terms = terms
        self.unigrams = [-1 if s is None else terms.vocab.get(s, -1) for s in stems]

    def best(self, labels: list[dict[int, float]]) -> tuple[int, int] | None:
        """The (start, stop) token window closest to any of the labels, among windows that start and end on a
        label term. The window's vector is binary idf-weighted unigram and bigram stems, as the word vectorizer;
        ties (stop words and unknown words add nothing) go to the shortest window."""
        wanted = set().union(*labels)
        hits = [i for i, col in enumerate(self.unigrams) if col in wanted]
        ends = set(hits)
        best, best_score = None, -np.inf
        for start in hits:
            for stop, cosine in self.grown(start, min(start + MAX_WINDOW, len(self.stems)), labels):
                score = cosine - 1e-4 * (stop - start)
                if stop - 1 in ends and score > best_score:
                    best, best_score = (start, stop), score
        return best

    def grown(self, start: int, limit: int, labels: list[dict[int, float]]) -> Iterator[tuple[int, float]]:
        """(stop, best cosine with the labels) for the windows [start, stop), stop = start + 1 .. limit, each
        computed from the previous one by the terms its last token adds."""
        vocab, idf = self.terms.vocab, self.terms.idf
        seen: set[int] = set()
        norm2, dots, previous = 0.0, [0.0] * len(labels), None
        for j in range(start, limit):
            word = self.stems[j]
            if word is not None:
                for feature in (word,) if previous is None else (word, f"{previous} {word}"):
                    col = vocab.get(feature)
                    if col is not None and col not in seen:
                        seen.add(col)
                        weight = idf[col]
                        norm2 += weight * weight
                        for k, label in enumerate(labels):
                            dots[k] += weight * label.get(col, 0.0)
                previous = word
            yield j + 1, (max(dots) / norm2**0.5 if norm2 > 0 else 0.0)
