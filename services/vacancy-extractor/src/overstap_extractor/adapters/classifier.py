"""The trained skill classifier (``overstap_extractor.model``), seen through the three calls the service makes.

This module is the only place the service touches the model's API (``load_ranker``, ``AdExtractor``,
``SkillRanker.top``, ``Span``, ``Requirement``): when that API changes, this adapter changes, nothing else.

Not thread-safe (the model's stemmers keep state while they work): the service calls it from one worker thread.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from overstap_extractor.domain.model import ModelMention, ModelOutput, ModelSkill, RankedSkill


def _artifact_version(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return f"skill-ranker@{digest.hexdigest()[:12]}"


class SkillClassifier:
    def __init__(self, ranker: Any, version: str, threshold: float | None = None) -> None:
        from overstap_extractor.model.extract import AdExtractor
        from overstap_extractor.model.spans import Requirement

        self._ranker = ranker
        self._extractor = AdExtractor(ranker, threshold=threshold)
        self._required = Requirement.REQUIRED
        self.version = version
        self._index = {skill_id: i for i, skill_id in enumerate(ranker.skill_ids)}

    @classmethod
    def load(cls, path: Path | None = None, threshold: float | None = None) -> SkillClassifier:
        """The shipped artifact (or ``path``); only load artifacts this project wrote (joblib unpickles)."""
        from overstap_extractor.model.artifact import default_artifact_path, load_ranker

        path = path or default_artifact_path()
        return cls(load_ranker(path), _artifact_version(path), threshold)

    def extract(self, text: str, language: str) -> ModelOutput:
        result = self._extractor.extract(text, language)
        skills = tuple(
            ModelSkill(
                skill_id=skill.skill_id,
                label=skill.label,
                confidence=float(skill.confidence),
                required=skill.requirement == self._required,
                mentions=tuple(
                    ModelMention(
                        start=hit.span.start,
                        end=hit.span.end,
                        sentence_start=hit.sentence.start,
                        sentence_end=hit.sentence.end,
                        confidence=float(hit.confidence),
                        required=hit.requirement == self._required,
                    )
                    for hit in skill.mentions
                ),
            )
            for skill in result.skills
        )
        return ModelOutput(sentence_count=len(result.sentences), skills=skills)

    def rank(self, text: str, language: str, limit: int) -> list[RankedSkill]:
        return [
            RankedSkill(skill_id, self.label(skill_id, language), float(probability))
            for skill_id, probability in self._ranker.top(text, language, limit)
        ]

    def label(self, skill_id: str, language: str) -> str:
        i = self._index.get(skill_id)
        if i is None:
            return skill_id
        preferred = self._ranker.preferred
        return (preferred.get(language) or preferred["en"])[i] or preferred["en"][i] or skill_id
