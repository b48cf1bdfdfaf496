"""Label search over preferred, alternative and hidden labels in every language of the bundle.

Tolerant of case, accents and punctuation (see :mod:`text`), of unfinished words (prefix matches) and of
small typos (edit distance 1 for words of 4+ letters, 2 for 8+). Each label is scored by how much of the
query it covers and how much of the label the query covers, both weighted by token rarity, with bonuses for
an exact or leading match and for preferred labels; a concept scores as its best label.
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
from overstap_bundle import Concept, ConceptType
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from overstap_taxonomy.domain.text import normalize

KIND_WEIGHT = {"preferred": 1.0, "alternative": 0.92, "hidden": 0.8}
# ESCO concepts and the classification groups come before O*NET's many alternate titles when all else is equal.
TYPE_WEIGHT = {ConceptType.ONET_OCCUPATION: 0.97, ConceptType.SOC_2010: 0.95, ConceptType.SOC_2018: 0.95}
PREFIX_MIN_LENGTH = 3
MAX_PREFIX_EXPANSION = 32
# After a complete word, longer words count only as its inflections: plurals, Dutch -en/-s/-e, ...
MAX_INFLECTION = 3
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
        self._concept_ids: list[str] = [c.id for c in concepts]
        self._concept_types: list[ConceptType] = [c.type for c in concepts]
        entry_concept: list[int] = []
        entry_text: list[str] = []
        entry_lang: list[str] = []
        entry_kind: list[int] = []
        entry_norm: list[str] = []
        for cidx, concept in enumerate(concepts):
            seen: set[str] = set()
            for lang, labels in concept.labels.items():
                for kind, texts in ((0, (labels.preferred,)), (1, labels.alt), (2, labels.hidden)):
                    for text in texts:
                        norm = normalize(text)
                        if not norm or norm in seen:
                            continue
                        seen.add(norm)
                        entry_concept.append(cidx)
                        entry_text.append(text)
                        entry_lang.append(lang)
                        entry_kind.append(kind)
                        entry_norm.append(norm)
        self._entry_text = entry_text
        self._entry_lang = entry_lang
        self._entry_concept = np.asarray(entry_concept, dtype=np.int32)
        self._entry_kind = np.asarray(entry_kind, dtype=np.int8)
        self._build_postings(entry_norm)
        kind_weight = np.asarray([KIND_WEIGHT[k] for k in _KINDS], dtype=np.float32)
        type_weight = np.asarray([TYPE_WEIGHT.get(t, 1.0) for t in self._concept_types], dtype=np.float32)
        self._entry_prior = kind_weight[self._entry_kind] * type_weight[self._entry_concept]
        type_codes = {t: i for i, t in enumerate(ConceptType)}
        self._entry_type_codes = np.asarray([type_codes[t] for t in self._concept_types], dtype=np.int8)[
            self._entry_concept
        ]
        self._query_cover = np.zeros(len(entry_norm), np.float32)
        self._entry_cover = np.zeros(len(entry_norm), np.float32)
        self._seen = np.zeros(len(entry_norm), dtype=bool)
        self._scratch_lock = threading.Lock()
        self._exact: dict[str, list[int]] = defaultdict(list)
        for eid, norm in enumerate(entry_norm):
            self._exact[norm].append(eid)

    def _build_postings(self, entry_norm: list[str]) -> None:
        """Postings in CSR form: entries of token t are ``_post_entries[_post_ptr[t]:_post_ptr[t+1]]``."""
        provisional: dict[str, int] = {}
        pair_entry: list[int] = []
        pair_token: list[int] = []
        for eid, norm in enumerate(entry_norm):
            for token in norm.split():
                pair_entry.append(eid)
                pair_token.append(provisional.setdefault(token, len(provisional)))
        self._vocab = sorted(provisional)
        self._token_id = {tok: i for i, tok in enumerate(self._vocab)}
        remap = np.empty(len(provisional), dtype=np.int32)
        remap[np.fromiter(provisional.values(), dtype=np.int32)] = np.fromiter(
            (self._token_id[t] for t in provisional), dtype=np.int32
        )
        tokens = remap[np.asarray(pair_token, dtype=np.int32)].astype(np.int64)
        entries = np.asarray(pair_entry, dtype=np.int64)
        n_entries, n_tokens = len(entry_norm), len(self._vocab)
        pairs = np.unique(tokens * n_entries + entries)  # one pair per (token, entry), sorted by token
        pair_tokens = (pairs // n_entries).astype(np.int32)
        self._post_entries = (pairs % n_entries).astype(np.int32)
        counts = np.bincount(pair_tokens, minlength=n_tokens)
        self._post_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self._idf = np.log1p(n_entries / np.maximum(counts, 1)).astype(np.float32)
        self._max_idf = float(self._idf.max()) if len(self._idf) else 1.0
        self._entry_norm = np.bincount(self._post_entries, weights=self._idf[pair_tokens], minlength=n_entries).astype(
            np.float32
        )
        # Typo candidates by shape: first letter and length, last letter and (negated) length.
        self._by_shape: dict[tuple[str, int], list[str]] = defaultdict(list)
        for tok in self._vocab:
            self._by_shape[(tok[0], len(tok))].append(tok)
            self._by_shape[(tok[-1], -len(tok))].append(tok)

    def _posting(self, token_id: int) -> np.ndarray:
        return self._post_entries[self._post_ptr[token_id] : self._post_ptr[token_id + 1]]

    def _document_frequency(self, token_id: int) -> int:
        return int(self._post_ptr[token_id + 1] - self._post_ptr[token_id])

    @property
    def entry_count(self) -> int:
        return len(self._entry_text)

    def _expand(self, token: str, allow_prefix: bool) -> list[_TokenMatch]:
        """The vocabulary tokens a query token stands for: itself, words it begins, near misses."""
        matches: list[_TokenMatch] = []
        exact = self._token_id.get(token)
        if exact is not None:
            matches.append(_TokenMatch(exact, 1.0))
        if allow_prefix and len(token) >= PREFIX_MIN_LENGTH:
            matches.extend(self._prefix_matches(token, exact))
        if exact is None and len(token) >= 4:
            matches.extend(self._typo_matches(token))
        return matches

    def _prefix_matches(self, token: str, exact: int | None) -> list[_TokenMatch]:
        """Words that ``token`` begins. After a complete word only its inflections (a few more letters) count."""
        start = bisect.bisect_left(self._vocab, token)
        stop = bisect.bisect_left(self._vocab, token + "\uffff", lo=start)
        longest = len(token) + MAX_INFLECTION if exact is not None else None
        extra = [
            tid
            for tid in range(start, min(stop, start + 8 * MAX_PREFIX_EXPANSION))
            if tid != exact and (longest is None or len(self._vocab[tid]) <= longest)
        ]
        extra.sort(key=lambda tid: -self._document_frequency(tid))
        limit = MAX_PREFIX_EXPANSION if exact is None else MAX_FUZZY_EXPANSION
        return [_TokenMatch(tid, 0.55 + 0.35 * len(token) / len(self._vocab[tid])) for tid in extra[:limit]]

    def _typo_matches(self, token: str) -> list[_TokenMatch]:
        max_dist = 2 if len(token) >= 8 else 1
        candidates: set[str] = set()
        for length in range(len(token) - max_dist, len(token) + max_dist + 1):
            candidates.update(self._by_shape.get((token[0], length), ()))
            candidates.update(self._by_shape.get((token[-1], -length), ()))
        found = process.extract(
            token, list(candidates), scorer=Levenshtein.distance, score_cutoff=max_dist, limit=4 * MAX_FUZZY_EXPANSION
        )
        ranked = sorted((dist, -self._document_frequency(self._token_id[word]), word) for word, dist, _ in found)
        return [_TokenMatch(self._token_id[word], 0.8 - 0.15 * dist) for dist, _, word in ranked[:MAX_FUZZY_EXPANSION]]

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
        joined = "".join(tokens)
        if len(tokens) > 1 and joined in self._token_id:  # "heftruck chauffeur" also means "heftruckchauffeur"
            entry_ids, entry_scores = _best_of((entry_ids, entry_scores), self._score_entries(joined, [joined]))
        if types:
            wanted = np.asarray([list(ConceptType).index(t) for t in types], dtype=np.int8)
            keep = np.isin(self._entry_type_codes[entry_ids], wanted)
            entry_ids, entry_scores = entry_ids[keep], entry_scores[keep]
        return self._page(entry_ids, entry_scores, offset, limit)

    def _score_entries(self, norm: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Score every label entry sharing a word with the query; returns (entry ids, scores)."""
        with self._scratch_lock:
            return self._score_entries_locked(norm, tokens)

    def _score_entries_locked(self, norm: str, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        # Dense per-entry accumulators, reused across queries and cleared where they were touched.
        query_cover, entry_cover, seen = self._query_cover, self._entry_cover, self._seen
        touched: list[np.ndarray] = []
        query_weights: list[float] = []
        for position, token in enumerate(tokens):
            expansions = self._expand(token, allow_prefix=position == len(tokens) - 1)
            if not expansions:
                query_weights.append(float(self._max_idf))
                continue
            weight = float(max(self._idf[m.token_id] for m in expansions))
            query_weights.append(weight)
            token_touched: list[np.ndarray] = []
            for match in sorted(expansions, key=lambda m: -m.weight):  # an entry counts its best expansion
                posting = self._posting(match.token_id)
                fresh = posting[~seen[posting]]
                seen[fresh] = True
                query_cover[fresh] += match.weight * weight
                entry_cover[fresh] += match.weight * self._idf[match.token_id]
                token_touched.append(fresh)
            for fresh in token_touched:
                seen[fresh] = False
            touched.extend(token_touched)
        if not touched:
            return np.zeros(0, np.int32), np.zeros(0, np.float32)
        ids = self._union(touched)
        q_cov = query_cover[ids] / sum(query_weights)
        e_cov = np.minimum(entry_cover[ids] / np.maximum(self._entry_norm[ids], 1e-6), 1.0)
        query_cover[ids] = 0.0
        entry_cover[ids] = 0.0
        scores = q_cov * (0.65 + 0.35 * e_cov) * self._entry_prior[ids]
        exact = self._exact.get(norm)
        if exact:
            scores[np.isin(ids, exact)] += 0.5
        return ids.astype(np.int32), scores

    def _union(self, parts: list[np.ndarray]) -> np.ndarray:
        """Distinct entry ids of several arrays, each already free of duplicates (order not kept)."""
        if len(parts) == 1:
            return parts[0]
        seen, union = self._seen, []
        for part in parts:
            new = part[~seen[part]]
            seen[new] = True
            union.append(new)
        ids = np.concatenate(union)
        seen[ids] = False
        return ids

    def _page(self, entry_ids: np.ndarray, entry_scores: np.ndarray, offset: int, limit: int) -> SearchPage:
        """The best entry of each concept, concepts ranked by it, one page of them."""
        if len(entry_ids) == 0:
            return SearchPage([], 0)
        concepts = self._entry_concept[entry_ids]
        total = int(np.count_nonzero(np.bincount(concepts, minlength=len(self._concept_ids))))
        wanted = min(offset + limit, total)
        if wanted <= 0:
            return SearchPage([], total)
        pool = max(8 * wanted, 64)
        while True:
            if pool < len(entry_ids):
                candidates = np.argpartition(-entry_scores, pool - 1)[:pool]
            else:
                candidates = np.arange(len(entry_ids))
            ranked = self._rank(candidates, entry_ids, entry_scores, concepts)
            if len(ranked) >= wanted or len(candidates) == len(entry_ids):
                break
            pool *= 4
        hits = [self._hit(int(entry_ids[i]), float(entry_scores[i])) for i in ranked[offset:wanted]]
        return SearchPage(hits, total)

    def _rank(
        self, candidates: np.ndarray, entry_ids: np.ndarray, entry_scores: np.ndarray, concepts: np.ndarray
    ) -> np.ndarray:
        """Candidates best first (score, then shorter label, then concept), one per concept."""
        label_len = np.asarray([len(self._entry_text[e]) for e in entry_ids[candidates]])
        order = candidates[np.lexsort((concepts[candidates], label_len, -np.round(entry_scores[candidates], 5)))]
        _, first = np.unique(concepts[order], return_index=True)
        return order[np.sort(first)]

    def _hit(self, entry: int, score: float) -> SearchHit:
        return SearchHit(
            concept_id=self._concept_ids[int(self._entry_concept[entry])],
            score=round(score, 4),
            label=self._entry_text[entry],
            language=self._entry_lang[entry],
            kind=_KINDS[int(self._entry_kind[entry])],
        )


def _best_of(
    first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Union of two scored entry sets, each entry with its higher score."""
    ids_a, scores_a = first
    ids_b, scores_b = second
    order = np.argsort(ids_a)
    pos = np.searchsorted(ids_a, ids_b, sorter=order)
    pos_clipped = np.minimum(pos, len(ids_a) - 1)
    inside = (pos < len(ids_a)) & (ids_a[order[pos_clipped]] == ids_b) if len(ids_a) else np.zeros(len(ids_b), bool)
    scores_a = scores_a.copy()
    where = order[pos_clipped[inside]]
    scores_a[where] = np.maximum(scores_a[where], scores_b[inside])
    return np.concatenate([ids_a, ids_b[~inside]]), np.concatenate([scores_a, scores_b[~inside]])
