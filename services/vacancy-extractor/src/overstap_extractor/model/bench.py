"""Speed measurements: sentence throughput and whole-ad latency (callers pin thread pools)."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from overstap_extractor.model.extract import AdExtractor
from overstap_extractor.model.ranker import SkillRanker


def sentence_throughput(ranker: SkillRanker, texts: Sequence[str], rounds: int = 3) -> tuple[float, float]:
    """(sentences/s one call per sentence, sentences/s in batches of 32) over ``rounds`` passes."""
    ranker.score(list(texts[:8]))  # warm caches
    t0 = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            ranker.score([t])
    single = rounds * len(texts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(rounds):
        for i in range(0, len(texts), 32):
            ranker.score(list(texts[i : i + 32]))
    batch = rounds * len(texts) / (time.perf_counter() - t0)
    return single, batch


def synthetic_ads(texts: Sequence[str], n: int, words: int = 500, seed: int = 0) -> list[str]:
    """Ads of about ``words`` words: shuffled sentences, one per line, some as bullets."""
    rng = random.Random(seed)
    ads = []
    for _ in range(n):
        lines, count = [], 0
        while count < words:
            s = rng.choice(texts)
            lines.append(("- " if rng.random() < 0.4 else "") + s)
            count += len(s.split())
        ads.append("\n".join(lines))
    return ads


@dataclass(frozen=True)
class AdLatency:
    wall_p50_ms: float
    wall_p99_ms: float
    cpu_p50_ms: float  # this thread's CPU time: unaffected by other processes competing for the cores
    cpu_p99_ms: float
    words: float


def ad_latency(ranker: SkillRanker, texts: Sequence[str], n: int = 40) -> AdLatency:
    """Latency of AdExtractor.extract (language given) on synthetic 500-word ads."""
    extractor = AdExtractor(ranker)
    ads = synthetic_ads(texts, n)
    extractor.extract(ads[0], "en")
    wall, cpu = [], []
    for ad in ads:
        t0, c0 = time.perf_counter(), time.thread_time()
        extractor.extract(ad, "en")
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    words = float(np.mean([len(a.split()) for a in ads]))
    p = np.percentile
    return AdLatency(float(p(wall, 50)), float(p(wall, 99)), float(p(cpu, 50)), float(p(cpu, 99)), words)
