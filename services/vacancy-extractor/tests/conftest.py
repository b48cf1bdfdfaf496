"""Fixtures: the tiny synthetic model (always available)."""

from __future__ import annotations

import pytest
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.train import TrainConfig, train
from overstap_extractor.testing import tiny_bundle, tiny_extraction_dir


@pytest.fixture(scope="session")
def tiny_ranker(tmp_path_factory: pytest.TempPathFactory) -> SkillRanker:
    data = tiny_extraction_dir(tmp_path_factory.mktemp("extraction"))
    cfg = TrainConfig(candidates=8, random_negatives=2, en_label_queries=50, nl_label_queries=50, folds=3)
    return train(tiny_bundle(), data, cfg, log=False)


