"""Speed measurements: sentence throughput, whole-ad latency and ranking-mode latency (callers pin thread
pools)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from overstap_extractor.model.extract import AdExtractor
from overstap_extractor.model.ranker import SkillRanker
from overstap_extractor.model.synthetic import NO_SKILL, TEMPLATES


def sentence_throughput(ranker: SkillRanker, texts: Sequence[str], rounds: int = 3,
                        language: str = "en") -> tuple[float, float]:
    """(sentences/s one call per sentence, sentences/s in batches of 32) over ``rounds`` passes."""
    ranker.score(list(texts[:8]), [language] * len(texts[:8]))  # warm caches
    t0 = time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            ranker.score([t], [language])
    single = rounds * len(texts) / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(rounds):
        for i in range(0, len(texts), 32):
            part = list(texts[i : i + 32])
            ranker.score(part, [language] * len(part))
    batch = rounds * len(texts) / (time.perf_counter() - t0)
    return single, batch


def dutch_sentences(ranker: SkillRanker, n: int, seed: int = 0) -> list[str]:
    """Dutch job-ad sentences for timing: the training templates (synthetic.py) around the artifact's Dutch
    preferred labels, one in ten a line without a skill. Distinct texts, so ranking mode embeds every one."""
    labels = sorted({label for label in ranker.preferred.get("nl", []) if label})
    if not labels:
        raise ValueError("the model has no Dutch labels")
    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        if rng.random() < 0.1:
            out.add(f"{rng.choice(NO_SKILL['nl'])} ({len(out)})")
            continue
        out.add(rng.choice(TEMPLATES["nl"]).format(a=rng.choice(labels), b=rng.choice(labels)))
    ordered = sorted(out)  # not the set's order: string hashing differs per process
    rng.shuffle(ordered)
    return ordered


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
class Latency:
    wall_p50_ms: float
    wall_p99_ms: float
    cpu_p50_ms: float  # this thread's CPU time: unaffected by other processes competing for the cores
    cpu_p99_ms: float
    words: float  # mean words per timed text
    # p99 over the texts of each text's fastest pass: the code's own cost, without the slow passes a busy host
    # causes at random (equal to wall_p99_ms with one pass)
    best_p99_ms: float


def _timed(call: Callable[[str], object], texts: Sequence[str], passes: int = 1) -> Latency:
    call(texts[0])  # warm-up (lazy loads, first-use copies)
    wall, cpu = np.zeros((passes, len(texts))), np.zeros((passes, len(texts)))
    for p in range(passes):
        for i, text in enumerate(texts):
            t0, c0 = time.perf_counter(), time.thread_time()
            call(text)
            wall[p, i] = (time.perf_counter() - t0) * 1000
            cpu[p, i] = (time.thread_time() - c0) * 1000
    words = float(np.mean([len(t.split()) for t in texts]))
    p = np.percentile
    return Latency(float(p(wall, 50)), float(p(wall, 99)), float(p(cpu, 50)), float(p(cpu, 99)), words,
                   float(p(wall.min(axis=0), 99)))


def ad_latency(ranker: SkillRanker, texts: Sequence[str], n: int = 40, language: str = "en",
               passes: int = 1) -> Latency:
    """Latency of AdExtractor.extract (language given) on synthetic 500-word ads, each timed ``passes`` times."""
    extractor = AdExtractor(ranker)
    return _timed(lambda ad: extractor.extract(ad, language), synthetic_ads(texts, n), passes)


def ranking_latency(ranker: SkillRanker, texts: Sequence[str], language: str = "nl", k: int = 10) -> Latency:
    """Latency of ranking mode (``SkillRanker.top``: every skill scored, with the sentence-embedding scorer
    where the model has one) for one short text at a time; the warm-up text is not timed."""
    return _timed(lambda text: ranker.top(text, language, k), texts)
