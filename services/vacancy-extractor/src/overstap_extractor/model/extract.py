"""Ad mode: split an ad into sentences, rank skills per sentence, keep the confident ones, locate the span
that matched best (``span_locator``), mark required vs. nice-to-have, and aggregate per skill over the ad."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.span_locator import SpanLocator
from overstap_extractor.model.spans import Requirement, Span, is_header, requirement_of, section_after, split_sentences
from overstap_extractor.model.text import guess_language

DEFAULT_THRESHOLD = 0.5


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
        """The sentence's skills in ``top`` (from ``top_skills``) whose probability reaches the threshold, best
        first."""
        probs = 1.0 / (1.0 + np.exp(-logits[top].astype(np.float64)))
        threshold = self.threshold_for(language)
        return sorted(((int(s), float(p)) for s, p in zip(top, probs, strict=True) if p >= threshold),
                      key=lambda x: -x[1])

    def top_skills(self, logits: np.ndarray, language: str) -> list[np.ndarray]:
        """Per row, its (at most) top_k best skills among those near or above the threshold: one comparison
        pass over the scores instead of a partial sort of every row (``sentence_hits`` applies the exact
        threshold)."""
        threshold = self.threshold_for(language)
        if threshold <= 0.0:
            limit = -np.inf
        elif threshold >= 1.0:
            limit = np.inf
        else:
            limit = np.log(threshold / (1.0 - threshold)) - 1e-4  # margin: float32 logits vs float64 probabilities
        reached = logits.max(axis=1, initial=-np.inf) >= limit
        out = []
        for i, row in enumerate(logits):
            cand = np.flatnonzero(row >= limit) if reached[i] else np.zeros(0, np.int64)
            if len(cand) > self.top_k:
                cand = cand[np.argsort(-row[cand], kind="stable")[: self.top_k]]
            out.append(cand)
        return out

    def extract(self, text: str, language: str | None = None) -> AdResult:
        language = language or guess_language(text)
        sentences = split_sentences(text)
        results = self._requirements(text, sentences)
        if sentences:
            logits = self.ranker.score([s.text for s in results], [language] * len(results))
            for res, row, top in zip(results, logits, self.top_skills(logits, language), strict=True):
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
