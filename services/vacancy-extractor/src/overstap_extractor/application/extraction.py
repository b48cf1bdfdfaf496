"""Extraction: ad text in (plain or HTML), skills with spans and the likely occupations out.

The model work runs on one worker thread (:class:`ModelRunner`): off the event loop, so health checks and
database calls go on while an ad is scored, and one at a time, since the model is not thread-safe.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Protocol, TypeVar

from overstap_extractor.domain.errors import Busy, InvalidInput
from overstap_extractor.domain.language import resolve_language
from overstap_extractor.domain.model import (
    DemandedSkill,
    ExtractedSkill,
    Extraction,
    Mention,
    ModelOutput,
    ModelSkill,
    OccupationGuess,
    RankedSkill,
    Ranking,
)
from overstap_extractor.domain.occupations import AdSkill, OccupationIndex, SkillCatalog, title_from_text
from overstap_extractor.domain.text import AdText, TextFormat, check_phrase, read_ad
from overstap_extractor.domain.vacancy import evidence_for

log = logging.getLogger("overstap.vacancy.extraction")
T = TypeVar("T")
MAX_OCCUPATIONS = 20
MAX_RANK = 100
# The model scores a text's sentences at once (a dense sentences x skills array): longer texts go to it in chunks
# of about this many characters, cut at line breaks, so that memory stays bounded and a caller that gave up
# (deadline, cancellation) stops the work between chunks. An ad of normal length is one chunk.
CHUNK_CHARS = 20_000


class Abandoned(Exception):
    """The caller went away; the rest of the work is skipped."""


def chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """[start, end) pieces of ``text`` of at most about ``size`` characters, cut after a line break where one is
    in the second half of the piece, else after a sentence end, else at whitespace."""
    out, start, n = [], 0, len(text)
    while n - start > size:
        end = start + size
        half = start + size // 2
        cut = text.rfind("\n", half, end)
        if cut < 0:
            cut = max(text.rfind(". ", half, end), text.rfind("? ", half, end), text.rfind("! ", half, end))
        if cut < 0:
            cut = max(text.rfind(" ", half, end), text.rfind("\t", half, end))
        end = cut + 1 if cut >= 0 else end
        out.append((start, end))
        start = end
    out.append((start, n))
    return out


class Classifier(Protocol):
    version: str

    def extract(self, text: str, language: str) -> ModelOutput: ...

    def rank(self, text: str, language: str, limit: int) -> list[RankedSkill]: ...


class ExtractionPipeline:
    """Text checks, HTML to text, language, the classifier, evidence hints and the occupation guess."""

    def __init__(
        self,
        classifier: Classifier,
        skills: SkillCatalog,
        occupations: OccupationIndex,
        bundle_version: str,
        default_language: str = "nl",
    ) -> None:
        self.classifier = classifier
        self.skills = skills
        self.occupations = occupations
        self.bundle_version = bundle_version
        self.default_language = default_language

    @property
    def model_version(self) -> str:
        return self.classifier.version

    def extract(
        self,
        source: str,
        fmt: TextFormat | None,
        language: str,
        title: str = "",
        max_occupations: int = 5,
        cancelled: threading.Event | None = None,
    ) -> Extraction:
        if not 0 <= max_occupations <= MAX_OCCUPATIONS:
            raise InvalidInput(f"must be between 0 and {MAX_OCCUPATIONS}", "max_occupations")
        ad = read_ad(source, fmt)
        lang = resolve_language(language, ad.text, self.default_language)
        output = self._classify(ad.text, lang.code, cancelled)
        skills = tuple(s for s in (self._skill(ad, m, lang.code) for m in output.skills) if s is not None)
        occupations = self.guess(
            [AdSkill(s.skill_id, s.confidence, s.required) for s in skills],
            title.strip() or title_from_text(ad.text),
            lang.code,
            max_occupations,
        )
        return Extraction(ad, lang, skills, tuple(occupations), output.sentence_count, self.model_version,
                          self.bundle_version)  # fmt: skip

    def _classify(self, text: str, language: str, cancelled: threading.Event | None) -> ModelOutput:
        pieces = chunks(text)
        if len(pieces) == 1:
            return self.classifier.extract(text, language)
        found: dict[str, ModelSkill] = {}
        sentences = 0
        for start, end in pieces:
            if cancelled is not None and cancelled.is_set():
                raise Abandoned()
            output = self.classifier.extract(text[start:end], language)
            sentences += output.sentence_count
            for s in output.skills:
                moved = tuple(
                    replace(m, start=m.start + start, end=m.end + start, sentence_start=m.sentence_start + start,
                            sentence_end=m.sentence_end + start)
                    for m in s.mentions
                )  # fmt: skip
                seen = found.get(s.skill_id)
                found[s.skill_id] = (
                    replace(s, mentions=moved)
                    if seen is None
                    else replace(seen, confidence=max(seen.confidence, s.confidence),
                                 required=seen.required or s.required, mentions=seen.mentions + moved)
                )  # fmt: skip
        skills = sorted(found.values(), key=lambda s: (-s.confidence, s.skill_id))
        return ModelOutput(sentences, tuple(skills))

    def guess(self, skills: Sequence[AdSkill], title: str, language: str, limit: int) -> list[OccupationGuess]:
        return self.occupations.guess(skills, title, language, limit)

    def guess_for(
        self, skills: Sequence[DemandedSkill], title: str, language: str, limit: int
    ) -> list[OccupationGuess]:
        """Occupations for a vacancy's demanded skills (the job board's confirmed ones count fully)."""
        ad_skills = [
            AdSkill(s.skill_id, 1.0 if s.confidence is None or s.status.value == "confirmed" else s.confidence,
                    s.required)
            for s in skills if s.demanded
        ]  # fmt: skip
        return self.guess(ad_skills, title, language, limit)

    def _skill(self, ad: AdText, skill: ModelSkill, language: str) -> ExtractedSkill | None:
        mentions = []
        n = len(ad.text)
        for m in skill.mentions:
            if not (0 <= m.sentence_start <= m.start < m.end <= m.sentence_end <= n):
                log.warning("classifier gave a span outside the text; dropped", extra={"skill": skill.skill_id})
                continue
            src_start, src_end = ad.source_span(m.start, m.end)
            mentions.append(Mention(m.start, m.end, m.sentence_start, m.sentence_end, src_start, src_end,
                                    m.confidence, m.required))  # fmt: skip
        if not mentions:
            return None
        evidence = max(
            (evidence_for(ad.text[m.sentence_start : m.sentence_end]) for m in mentions), key=lambda e: e.rank
        )
        return ExtractedSkill(
            skill_id=skill.skill_id,
            label=self.skills.label(skill.skill_id, language) or skill.label,
            confidence=skill.confidence,
            required=any(m.required for m in mentions),
            suggested_min_evidence=evidence,
            mentions=tuple(mentions),
        )

    def warm_up(self) -> None:
        """One Dutch and one English extraction: fails at start when the model cannot score (an artifact that
        does not match the code), and fills the model's caches before the first request."""
        self.extract("Magazijnmedewerker\nJe hebt ervaring met Python en SQL.", None, "nl", max_occupations=1)
        self.extract("Developer\nYou have experience with Python and SQL.", None, "en", max_occupations=1)
        self.rank("Python", "en", 1)

    def rank(self, text: str, language: str, limit: int) -> Ranking:
        if not 0 <= limit <= MAX_RANK:
            raise InvalidInput(f"must be between 1 and {MAX_RANK}", "limit")
        check_phrase(text)
        lang = resolve_language(language, text, self.default_language)
        ranked = self.classifier.rank(text, lang.code, limit or 10)
        skills = tuple(RankedSkill(r.skill_id, self.skills.label(r.skill_id, lang.code) or r.label, r.probability)
                       for r in ranked)  # fmt: skip
        return Ranking(lang, skills, self.model_version)


def _limit_threads() -> None:
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # scoring is sparse, single-threaded work; BLAS threads only fight on small machines


class ModelRunner:
    """One worker thread for the model, with a bounded queue (Busy when it is full)."""

    def __init__(self, max_pending: int = 32) -> None:
        self.max_pending = max_pending
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="overstap-extract", initializer=_limit_threads)
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        return self._pending

    def _release(self, _: Future) -> None:
        with self._lock:
            self._pending -= 1

    async def run(self, fn: Callable[..., T], *args: object, cancellable: bool = False) -> T:
        """``fn(*args)`` on the model thread. When the caller is cancelled (deadline, client gone), a job that has
        not started is dropped; with ``cancellable`` a running one gets ``cancelled`` (a threading.Event) set."""
        with self._lock:
            if self._pending >= self.max_pending:
                raise Busy(f"{self._pending} extractions are waiting; retry in a moment")
            self._pending += 1
        cancelled = threading.Event()
        call = functools.partial(fn, *args, cancelled=cancelled) if cancellable else functools.partial(fn, *args)
        try:
            future = self._executor.submit(call)
        except BaseException:
            with self._lock:
                self._pending -= 1
            raise
        future.add_done_callback(self._release)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
