"""Ad mode: split an ad into sentences, rank skills per sentence, keep the confident ones, locate the span
that matched best, mark required vs. nice-to-have, and aggregate per skill over the ad."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.spans import (
    Requirement,
    Span,
    is_header,
    requirement_of,
    section_after,
    split_sentences,
    word_spans,
)
from overstap_extractor.model.text import STOP, guess_language, normalize, stem

DEFAULT_THRESHOLD = 0.5
MAX_WINDOW = 6


@dataclass(frozen=True, slots=True)
class SkillHit:
    skill_id: str
    label: str
    confidence: float  # the logistic model's probability that the skill is meant by the sentence
    span: Span  # best-matching n-gram window, or the whole sentence when no label word occurs in it
    sentence: Span
    requirement: Requirement


@dataclass(slots=True)
class SentenceResult:
    sentence: Span
    text: str
    requirement: Requirement
    hits: list[SkillHit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AdSkill:
    skill_id: str
    label: str
    confidence: float  # max over its mentions
    requirement: Requirement  # required when any mention is required
    mentions: tuple[SkillHit, ...]


@dataclass(slots=True)
class AdResult:
    language: str
    sentences: list[SentenceResult]
    skills: list[AdSkill]


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

    def _stems(self, text: str, tokens: list[Span], language: str) -> list[str | None]:
        stop = STOP[language]
        return [None if (t := normalize(s.of(text))) in stop else stem(t, language) for s in tokens]

    def _best_window(self, stems: list[str | None], labels: list[dict[int, float]],
                     language: str) -> tuple[int, int] | None:
        terms = self._langs[language]
        wanted = set().union(*labels)
        hits = [i for i, s in enumerate(stems) if s is not None and terms.vocab.get(s, -1) in wanted]
        best, best_score = None, -np.inf
        for i in hits:
            for j in hits:
                if not 0 <= j - i < MAX_WINDOW:
                    continue
                # ties (stop words and unknown words add nothing) go to the shortest window
                score = terms.cosine(stems[i : j + 1], labels) - 1e-4 * (j + 1 - i)
                if score > best_score:
                    best, best_score = (i, j + 1), score
        return best

    def locate(self, text: str, sentence: Span, language: str, skills: Sequence[int]) -> list[Span]:
        """Best window per skill (the sentence itself when no label word occurs in it)."""
        tokens = word_spans(text, sentence)
        stems = self._stems(text, tokens, language)
        out = []
        for skill in skills:
            labels = self._langs[language].of(skill)
            best = self._best_window(stems, labels, language) if tokens and labels else None
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

    def cosine(self, stems: Sequence[str | None], labels: list[dict[int, float]]) -> float:
        """Best cosine between the window's binary idf-weighted vector (unigram and bigram stems, as the word
        vectorizer) and the label rows."""
        feats = [s for s in stems if s]
        feats += [f"{a} {b}" for a, b in zip(feats, feats[1:], strict=False)]
        cols = {c for f in feats if (c := self.vocab.get(f)) is not None}
        if not cols:
            return 0.0
        norm = sum(self.idf[c] ** 2 for c in cols) ** 0.5
        return max(sum(self.idf[c] * label.get(c, 0.0) for c in cols) for label in labels) / norm


class AdExtractor:
    """Skills of a whole ad, per sentence, with confidence, span and requirement."""

    def __init__(self, ranker: SkillRanker, threshold: float | None = None, top_k: int = 5) -> None:
        self.ranker = ranker
        self.threshold = threshold  # None: the calibrated per-language threshold of the model
        self.top_k = top_k
        self.spans = SpanLocator(ranker)

    def threshold_for(self, language: str) -> float:
        if self.threshold is not None:
            return self.threshold
        calibrated = self.ranker.meta.get("thresholds", {})
        return float(calibrated.get(language, DEFAULT_THRESHOLD)) if isinstance(calibrated, dict) else DEFAULT_THRESHOLD

    def sentence_hits(self, logits: np.ndarray, language: str, top: np.ndarray) -> list[tuple[int, float]]:
        """The sentence's top_k skills (``top``, from ``top_skills``) above the threshold, best first."""
        probs = 1.0 / (1.0 + np.exp(-logits[top].astype(np.float64)))
        threshold = self.threshold_for(language)
        return sorted(((int(s), float(p)) for s, p in zip(top, probs, strict=True) if p >= threshold),
                      key=lambda x: -x[1])

    def top_skills(self, logits: np.ndarray) -> np.ndarray:
        """(n_sentences, k): each row's k best skills, unordered."""
        k = min(self.top_k, logits.shape[1] - 1)
        return np.argpartition(-logits, k, axis=1)[:, :k]

    def extract(self, text: str, language: str | None = None) -> AdResult:
        language = language or guess_language(text)
        sentences = split_sentences(text)
        results = self._requirements(text, sentences)
        if sentences:
            logits = self.ranker.score([s.text for s in results], [language] * len(results))
            for res, row, top in zip(results, logits, self.top_skills(logits), strict=True):
                self._fill(text, res, row, language, top)
        return AdResult(language, results, aggregate(results))

    def _requirements(self, text: str, sentences: list[Span]) -> list[SentenceResult]:
        section: Requirement | None = None
        out = []
        for s in sentences:
            seg = s.of(text)
            if is_header(seg):
                section = section_after(seg, section)
            out.append(SentenceResult(s, seg, requirement_of(seg, section)))
        return out

    def _fill(self, text: str, res: SentenceResult, logits: np.ndarray, language: str, top: np.ndarray) -> None:
        if is_header(res.text):  # "What we ask:" sets the section, it names no skill
            return
        hits = self.sentence_hits(logits, language, top)
        spans = self.spans.locate(text, res.sentence, language, [s for s, _ in hits])
        labels = self.ranker.preferred
        for (skill, prob), span in zip(hits, spans, strict=True):
            label = labels.get(language, labels["en"])[skill] or labels["en"][skill]
            res.hits.append(SkillHit(self.ranker.skill_ids[skill], label, prob, span, res.sentence, res.requirement))


def aggregate(sentences: Sequence[SentenceResult]) -> list[AdSkill]:
    """One entry per skill: max confidence, required if any mention is; best first."""
    by_skill: dict[str, list[SkillHit]] = {}
    for res in sentences:
        for hit in res.hits:
            by_skill.setdefault(hit.skill_id, []).append(hit)
    out = []
    for skill_id, hits in by_skill.items():
        required = any(h.requirement == Requirement.REQUIRED for h in hits)
        out.append(AdSkill(skill_id, hits[0].label, max(h.confidence for h in hits),
                           Requirement.REQUIRED if required else Requirement.NICE_TO_HAVE, tuple(hits)))
    return sorted(out, key=lambda a: (-a.confidence, a.skill_id))
