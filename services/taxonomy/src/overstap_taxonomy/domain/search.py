"""Label search over preferred, alternative and hidden labels in every language of the bundle.

Tolerant of case, accents and punctuation (see :mod:`text`), of unfinished words (prefix matches) and of
small typos (edit distance 1 for words of 4+ letters, 2 for 8+). Each label is scored by how much of the
query it covers and how much of the label the query covers, both weighted by token rarity, with bonuses for
an exact or leading match and for preferred labels; a concept scores as its best label.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from overstap_bundle import Concept, ConceptType
from rapidfuzz.distance import Levenshtein

from overstap_taxonomy.domain.text import normalize

KIND_WEIGHT = {"preferred": 1.0, "alternative": 0.92, "hidden": 0.8}
# ESCO concepts and the classification groups come before O*NET's many alternate titles when all else is equal.
TYPE_WEIGHT = {ConceptType.ONET_OCCUPATION: 0.97, ConceptType.SOC_2010: 0.95, ConceptType.SOC_2018: 0.95}
PREFIX_MIN_LENGTH = 3
MAX_PREFIX_EXPANSION = 64
MAX_FUZZY_EXPANSION = 8
_KINDS = tuple(KIND_WEIGHT)


@dataclass(frozen=True, slots=True)
class SearchHit:
    concept_id: str
    score: float
    label: str
    language: str
    kind: str  # preferred | alternative | hidden


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[SearchHit]
    total: int


@dataclass(frozen=True, slots=True)
class _TokenMatch:
    token_id: int
    weight: float  # 1.0 exact, less for prefix and typo matches


class LabelSearchIndex:
    """Inverted index from normalised tokens to label entries; one entry per (concept, language, kind, label)."""

    def __init__(self, concepts: list[Concept]) -> None:
        self._concept_ids: list[str] = []
        self._concept_types: list[ConceptType] = []
        entry_concept: list[int] = []
        entry_text: list[str] = []
        entry_lang: list[str] = []
        entry_kind: list[int] = []
        entry_tokens: list[list[str]] = []
        for concept in concepts:
            cidx = len(self._concept_ids)
            self._concept_ids.append(concept.id)
            self._concept_types.append(concept.type)
            seen: set[str] = set()
            for lang, labels in concept.labels.items():
                groups = (("preferred", [labels.preferred]), ("alternative", labels.alt), ("hidden", labels.hidden))
                for kind, texts in groups:
                    for text in texts:
                        norm = normalize(text)
                        if not norm or norm in seen:
                            continue
                        seen.add(norm)
                        entry_concept.append(cidx)
                        entry_text.append(text)
                        entry_lang.append(lang)
                        entry_kind.append(_KINDS.index(kind))
                        entry_tokens.append(norm.split())
        self._entry_text = entry_text
        self._entry_lang = entry_lang
        self._entry_concept = np.asarray(entry_concept, dtype=np.int32)
        self._entry_kind = np.asarray(entry_kind, dtype=np.int8)
        self._build_postings(entry_tokens)
        kind_weight = np.asarray([KIND_WEIGHT[k] for k in _KINDS], dtype=np.float32)
        type_weight = np.asarray([TYPE_WEIGHT.get(t, 1.0) for t in self._concept_types], dtype=np.float32)
        self._entry_prior = kind_weight[self._entry_kind] * type_weight[self._entry_concept]
        self._entry_type_codes = np.asarray([list(ConceptType).index(t) for t in self._concept_types], dtype=np.int8)[
            self._entry_concept
        ]
        self._exact: dict[str, list[int]] = defaultdict(list)
        for eid, tokens in enumerate(entry_tokens):
            self._exact[" ".join(tokens)].append(eid)

    def _build_postings(self, entry_tokens: list[list[str]]) -> None:
        postings: dict[str, list[int]] = defaultdict(list)
        for eid, tokens in enumerate(entry_tokens):
            for token in set(tokens):
                postings[token].append(eid)
        self._vocab = sorted(postings)
        self._token_id = {tok: i for i, tok in enumerate(self._vocab)}
        self._postings = [np.asarray(postings[tok], dtype=np.int32) for tok in self._vocab]
        n_entries = len(entry_tokens)
        self._idf = np.asarray([math.log(1 + n_entries / len(postings[tok])) for tok in self._vocab], dtype=np.float32)
        self._entry_norm = np.asarray(
            [sum(self._idf[self._token_id[t]] for t in set(tokens)) for tokens in entry_tokens], dtype=np.float32
        )
        self._by_shape: dict[tuple[str, int], list[int]] = defaultdict(list)
        for tid, tok in enumerate(self._vocab):
            self._by_shape[(tok[0], len(tok))].append(tid)
            self._by_shape[(tok[-1], -len(tok))].append(tid)

    @property
    def entry_count(self) -> int:
        return len(self._entry_text)

    def _expand(self, token: str, allow_prefix: bool) -> list[_TokenMatch]:
        matches: list[_TokenMatch] = []
        exact = self._token_id.get(token)
        if exact is not None:
            matches.append(_TokenMatch(exact, 1.0))
        if allow_prefix and len(token) >= PREFIX_MIN_LENGTH:
            start = bisect.bisect_left(self._vocab, token)
            stop = bisect.bisect_left(self._vocab, token + "\uffff", lo=start)
            extra = [tid for tid in range(start, min(stop, start + 4 * MAX_PREFIX_EXPANSION)) if tid != exact]
            extra.sort(key=lambda tid: -len(self._postings[tid]))
            for tid in extra[:MAX_PREFIX_EXPANSION]:
                matches.append(_TokenMatch(tid, 0.55 + 0.35 * len(token) / len(self._vocab[tid])))
        if exact is None and len(token) >= 4:
            matches.extend(self._typo_matches(token))
        return matches

    def _typo_matches(self, token: str) -> list[_TokenMatch]:
        max_dist = 2 if len(token) >= 8 else 1
        candidates: set[int] = set()
        for length in range(len(token) - max_dist, len(token) + max_dist + 1):
            candidates.update(self._by_shape.get((token[0], length), ()))
            candidates.update(self._by_shape.get((token[-1], -length), ()))
        scored = []
        for tid in candidates:
            dist = Levenshtein.distance(token, self._vocab[tid], score_cutoff=max_dist)
            if dist <= max_dist:
                scored.append((dist, -len(self._postings[tid]), tid))
        scored.sort()
        return [_TokenMatch(tid, 0.8 - 0.15 * dist) for dist, _, tid in scored[:MAX_FUZZY_EXPANSION]]

    def search(
        self,
        query: str,
        types: Collection[ConceptType] = (),
        offset: int = 0,
        limit: int = 10,
    ) -> SearchPage:
        norm = normalize(query)
        tokens = list(dict.fromkeys(norm.split()))
        if not tokens:
            return SearchPage([], 0)
        entry_ids, entry_scores = self._score_entries(norm, tokens)
        if types:
            wanted = np.asarray([list(ConceptType).index(t) for t in types], dtype=np.int8)
            keep = np.isin(self._entry_type_codes[entry_ids], wanted)
            entry_ids, entry_scores = entry_ids[keep], entry_scores[keep]
        return self._page(entry_ids, entry_scores, offset, limit)

    def _score_entries(self, norm: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        ids_parts: list[np.ndarray] = []
        query_weights: list[float] = []
        per_token: list[tuple[np.ndarray, np.ndarray]] = []
        for position, token in enumerate(tokens):
            allow_prefix = position == len(tokens) - 1 or len(token) >= 5
            expansions = self._expand(token, allow_prefix)
            if not expansions:
                query_weights.append(float(np.max(self._idf)))
                continue
            qw = float(max(self._idf[m.token_id] for m in expansions))
            query_weights.append(qw)
            ids = np.concatenate([self._postings[m.token_id] for m in expansions])
            # per entry: weight of the best expansion of this query token, in query and entry idf terms
            q_part = np.concatenate(
                [np.full(len(self._postings[m.token_id]), m.weight * qw, np.float32) for m in expansions]
            )
            e_part = np.concatenate(
                [
                    np.full(len(self._postings[m.token_id]), m.weight * self._idf[m.token_id], np.float32)
                    for m in expansions
                ]
            )
            order = np.lexsort((-q_part, ids))
            ids, q_part, e_part = ids[order], q_part[order], e_part[order]
            first = np.ones(len(ids), dtype=bool)
            first[1:] = ids[1:] != ids[:-1]
            per_token.append((ids[first], np.stack([q_part[first], e_part[first]])))
            ids_parts.append(ids[first])
        if not ids_parts:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        all_ids = np.unique(np.concatenate(ids_parts))
        q_cov = np.zeros(len(all_ids), np.float32)
        e_cov = np.zeros(len(all_ids), np.float32)
        for ids, parts in per_token:
            where = np.searchsorted(all_ids, ids)
            q_cov[where] += parts[0]
            e_cov[where] += parts[1]
        q_cov /= sum(query_weights)
        e_cov = np.minimum(e_cov / np.maximum(self._entry_norm[all_ids], 1e-6), 1.0)
        scores = q_cov * (0.65 + 0.35 * e_cov) * self._entry_prior[all_ids]
        exact = self._exact.get(norm)
        if exact:
            where = np.searchsorted(all_ids, exact)
            valid = where < len(all_ids)
            where = where[valid]
            hit = all_ids[where] == np.asarray(exact)[valid]
            scores[where[hit]] += 0.5
        return all_ids, scores

    def _page(self, entry_ids: np.ndarray, entry_scores: np.ndarray, offset: int, limit: int) -> SearchPage:
        if len(entry_ids) == 0:
            return SearchPage([], 0)
        concepts = self._entry_concept[entry_ids]
        # best entry per concept: sort by (concept, -score), keep the first of each concept
        order = np.lexsort((-entry_scores, concepts))
        concepts, entry_ids, entry_scores = concepts[order], entry_ids[order], entry_scores[order]
        first = np.ones(len(concepts), dtype=bool)
        first[1:] = concepts[1:] != concepts[:-1]
        concepts, entry_ids, entry_scores = concepts[first], entry_ids[first], entry_scores[first]
        total = len(concepts)
        wanted = min(offset + limit, total)
        if wanted <= 0:
            return SearchPage([], total)
        if wanted < total:
            top = np.argpartition(-entry_scores, wanted - 1)[:wanted]
        else:
            top = np.arange(total)
        label_len = np.asarray([len(self._entry_text[e]) for e in entry_ids[top]])
        ranked = top[np.lexsort((concepts[top], label_len, -np.round(entry_scores[top], 5)))]
        hits = [self._hit(int(entry_ids[i]), float(entry_scores[i])) for i in ranked[offset:wanted]]
        return SearchPage(hits, total)

    def _hit(self, entry: int, score: float) -> SearchHit:
        return SearchHit(
            concept_id=self._concept_ids[int(self._entry_concept[entry])],
            score=round(score, 4),
            label=self._entry_text[entry],
            language=self._entry_lang[entry],
            kind=_KINDS[int(self._entry_kind[entry])],
        )
