"""The speed measurements' inputs and outputs (the figures themselves come from `overstap bench extractor`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from overstap_extractor.cli import app
from overstap_extractor.model.bench import ad_latency, dutch_sentences, ranking_latency, sentence_throughput
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.text import guess_language
from typer.testing import CliRunner


def test_dutch_sentences_are_distinct_dutch_and_repeatable(tiny_ranker: SkillRanker) -> None:
    texts = dutch_sentences(tiny_ranker, 40)
    assert len(texts) == len(set(texts)) == 40
    assert texts == dutch_sentences(tiny_ranker, 40)  # seeded
    labels = {label for label in tiny_ranker.preferred["nl"] if label}
    with_label = [t for t in texts if any(label in t for label in labels)]
    assert len(with_label) >= 30
    assert sum(guess_language(t) == "nl" for t in texts) >= 20


def test_latency_figures_are_ordered_and_cover_every_text(tiny_ranker: SkillRanker) -> None:
    texts = dutch_sentences(tiny_ranker, 12)
    for m in (ranking_latency(tiny_ranker, texts), ad_latency(tiny_ranker, texts, n=3, language="nl")):
        assert 0 < m.wall_p50_ms <= m.wall_p99_ms and 0 <= m.cpu_p50_ms <= m.cpu_p99_ms
    ads = ad_latency(tiny_ranker, texts, n=3, language="nl", passes=3)
    assert ads.words >= 500
    assert 0 < ads.best_p99_ms <= ads.wall_p99_ms  # each ad's fastest pass is no slower than all passes
    single, batch = sentence_throughput(tiny_ranker, texts, rounds=1, language="nl")
    assert single > 0 and batch > 0


@pytest.mark.parametrize("option", ["--rounds", "--ads", "--dutch-texts", "--ad-passes"])
def test_bench_refuses_empty_runs_before_loading_anything(option: str, tmp_path: Path) -> None:
    missing_model = tmp_path / "absent.joblib"  # never read: the option is refused first
    result = CliRunner().invoke(app, ["bench", "--model", str(missing_model), option, "0"])
    assert result.exit_code == 2
    message = " ".join(result.output.replace("│", " ").split())  # the error box may wrap the line
    assert f"Invalid value for '{option}'" in message and "greater than or equal to 1" in message
