"""Rows of sparse data under string ids that change one at a time: a large compacted block, a small delta and
tombstones.

A row is stored once: in the *main* block (compacted, with whatever a consumer derives from it, such as
transposed matrices) or in the *delta* (rows upserted since the last compaction, see ``SegmentedStore``).
``upsert`` marks the id's old row dead (a tombstone in the ``alive`` mask) and appends the new row to the delta;
``remove`` only marks the row dead. When the delta or the number of dead rows grows past its limit, all blocks
are merged into a new main block (the live rows, in their order), so that one change costs O(1) plus an
amortised share of the merges.

Positions run over the main block, then the delta (``Segment.offset``). Each row also has a tie-break key, a
hash of its id, so that rankings order equal scores by id hash: the same for the same set of rows, whatever
the history of changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np

from overstap_matcher.domain.scoring import flat_positions

D = TypeVar("D")


@dataclass(frozen=True, eq=False)
class Ragged:
    """Variable-length lists of entries per row: CSR row pointers and named columns aligned with the entries."""

    indptr: np.ndarray  # (n_rows + 1,) int64
    columns: Mapping[str, np.ndarray]

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def take(self, rows: np.ndarray) -> Ragged:
        flat, lens = flat_positions(self.indptr, rows)
        return Ragged(_pointers(lens), {name: col[flat] for name, col in self.columns.items()})

    @staticmethod
    def concat(parts: Sequence[Ragged]) -> Ragged:
        lens = np.concatenate([np.diff(p.indptr) for p in parts])
        names = parts[0].columns
        return Ragged(_pointers(lens), {name: np.concatenate([p.columns[name] for p in parts]) for name in names})


@dataclass(frozen=True, eq=False)
class Block:
    """Rows: per-row columns (``rows``) and ragged entry lists (``lists``)."""

    n_rows: int
    rows: Mapping[str, np.ndarray]
    lists: Mapping[str, Ragged]

    def take(self, rows: np.ndarray) -> Block:
        return Block(
            len(rows),
            {name: col[rows] for name, col in self.rows.items()},
            {name: r.take(rows) for name, r in self.lists.items()},
        )

    @staticmethod
    def concat(blocks: Sequence[Block]) -> Block:
        first = blocks[0]
        return Block(
            sum(b.n_rows for b in blocks),
            {name: np.concatenate([b.rows[name] for b in blocks]) for name in first.rows},
            {name: Ragged.concat([b.lists[name] for b in blocks]) for name in first.lists},
        )


def _pointers(lens: np.ndarray) -> np.ndarray:
    out = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=out[1:])
    return out


def id_key(row_id: str) -> int:
    """A stable 63-bit hash of an id (the same in every process), to break score ties."""
    return int.from_bytes(hashlib.blake2b(row_id.encode(), digest_size=8).digest(), "little") >> 1


@dataclass(frozen=True, eq=False)
class Segment(Generic[D]):
    offset: int  # position of the block's first row
    block: Block
    derived: D


@dataclass(frozen=True, eq=False)
class Snapshot(Generic[D]):
    """The store as one read sees it (valid until the next change)."""

    segments: tuple[Segment[D], ...]
    alive: np.ndarray  # (n,) bool, False for dead rows
    keys: np.ndarray  # (n,) int64 tie-break keys
    ids: Sequence[str]  # id of every position (dead ones included)
    positions: Mapping[str, int]  # live id -> position

    def live_positions(self, ids: Iterable[str]) -> np.ndarray:
        """Positions of the live rows with these ids (unknown ids are skipped)."""
        pos = self.positions
        return np.fromiter((p for i in ids if (p := pos.get(i)) is not None), np.int64)

    @property
    def n(self) -> int:
        return len(self.alive)


class SegmentedStore(Generic[D]):
    """See the module docstring. ``derive(block)`` builds what reads need from a block. Not thread-safe: the
    owner serialises access.

    The delta has two levels, so that a read after a change never rebuilds much: the *tail* (at most
    ``max_tail`` rows, concatenated and derived at the first read after a change) and the *mid* block (the
    tails merged so far, derived once per merge). Merging the tail into the mid block keeps every position;
    only a compaction renumbers them."""

    def __init__(
        self,
        empty: Block,
        derive: Callable[[Block], D],
        *,
        max_delta: int = 4096,
        max_tail: int = 64,
        max_dead_fraction: float = 0.25,
    ) -> None:
        if max_delta < 1 or max_tail < 1 or not 0.0 < max_dead_fraction <= 1.0:
            raise ValueError("max_delta and max_tail must be >= 1 and max_dead_fraction in (0, 1]")
        self._empty = empty
        self._derive = derive
        self.max_delta = max_delta
        self.max_tail = max_tail
        self.max_dead_fraction = max_dead_fraction
        self._empty_derived = derive(empty)
        self._reset(empty, [], np.zeros(0, dtype=np.int64))
        self.compactions = 0

    def _reset(self, main: Block, ids: list[str], keys: np.ndarray) -> None:
        self._main = main
        self._main_derived = self._derive(main)
        self._ids = ids
        self._pos = dict(zip(ids, range(len(ids)), strict=True))
        n = len(ids)
        self._alive = np.ones(max(16, 2 * n), dtype=bool)
        self._keys = np.zeros(max(16, 2 * n), dtype=np.int64)
        self._keys[:n] = keys
        self._n = n
        self._dead = 0
        self._mid: tuple[Block, D] = (self._empty, self._empty_derived)
        self._tail_rows: list[Block] = []
        self._tail: tuple[Block, D] | None = None

    # -- changes -------------------------------------------------------------------------------------------------

    def load(self, ids: Sequence[str], block: Block) -> None:
        """Replace everything by ``block`` (one row per id, ids unique) as the main block."""
        if len(ids) != block.n_rows:
            raise ValueError("one id per row")
        ids = list(ids)
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate ids")
        self._reset(block, ids, np.fromiter((id_key(i) for i in ids), np.int64, len(ids)))

    def upsert(self, row_id: str, row: Block) -> bool:
        """Store ``row`` (a one-row block) under ``row_id``, replacing its old row; True if it replaced one."""
        if row.n_rows != 1:
            raise ValueError("upsert takes a one-row block")
        replaced = self._kill(row_id)
        if self._n == len(self._alive):
            self._grow()
        self._alive[self._n] = True
        self._keys[self._n] = id_key(row_id)
        self._pos[row_id] = self._n
        self._ids.append(row_id)
        self._n += 1
        self._tail_rows.append(row)
        self._tail = None
        if self.delta_rows >= self.max_delta or self._too_many_dead():
            self.compact()
        elif len(self._tail_rows) >= self.max_tail:
            self._merge_tail()
        return replaced

    def remove(self, row_id: str) -> bool:
        """Drop the row of ``row_id``; False if there was none. Its position stays dead until a compaction."""
        if not self._kill(row_id):
            return False
        if self._too_many_dead():
            self.compact()
        return True

    def _kill(self, row_id: str) -> bool:
        old = self._pos.pop(row_id, None)
        if old is None:
            return False
        self._alive[old] = False
        self._dead += 1
        return True

    def _too_many_dead(self) -> bool:
        return self._dead >= max(self.max_delta, self.max_dead_fraction * self._n)

    def _grow(self) -> None:
        alive = np.ones(2 * len(self._alive), dtype=bool)
        alive[: self._n] = self._alive[: self._n]
        keys = np.zeros(2 * len(self._keys), dtype=np.int64)
        keys[: self._n] = self._keys[: self._n]
        self._alive, self._keys = alive, keys

    def _merge_tail(self) -> None:
        block = Block.concat([self._mid[0], self._tail_block()[0]])
        self._mid = (block, self._derive(block))
        self._tail_rows, self._tail = [], None

    def compact(self) -> None:
        """Merge the live rows of all blocks into a new main block (their order kept)."""
        alive = self._alive[: self._n]
        parts, ids, keys = [], [], []
        offset = 0
        for block, _ in (
            (self._main, None),
            self._mid,
            self._tail_block() if self._tail_rows else (self._empty, None),
        ):
            keep = np.flatnonzero(alive[offset : offset + block.n_rows])
            parts.append(block.take(keep))
            ids += [self._ids[offset + i] for i in keep.tolist()]
            keys.append(self._keys[offset + keep])
            offset += block.n_rows
        self._reset(Block.concat(parts), ids, np.concatenate(keys))
        self.compactions += 1

    # -- reads ---------------------------------------------------------------------------------------------------

    def _tail_block(self) -> tuple[Block, D]:
        if self._tail is None:
            block = Block.concat(self._tail_rows) if self._tail_rows else self._empty
            self._tail = (block, self._derive(block))
        return self._tail

    def _segments(self) -> list[Segment[D]]:
        segments = [Segment(0, self._main, self._main_derived)]
        offset = self._main.n_rows
        if self._mid[0].n_rows:
            segments.append(Segment(offset, *self._mid))
            offset += self._mid[0].n_rows
        if self._tail_rows:
            segments.append(Segment(offset, *self._tail_block()))
        return segments

    def snapshot(self) -> Snapshot[D]:
        return Snapshot(tuple(self._segments()), self._alive[: self._n], self._keys[: self._n], self._ids, self._pos)

    def position(self, row_id: str) -> int | None:
        return self._pos.get(row_id)

    def row(self, row_id: str) -> tuple[Block, D, int] | None:
        """The block holding ``row_id``, what is derived from it, and the row's position in that block."""
        pos = self._pos.get(row_id)
        if pos is None:
            return None
        for seg in reversed(self._segments()):
            if pos >= seg.offset:
                return seg.block, seg.derived, pos - seg.offset
        raise AssertionError("unreachable")  # pragma: no cover

    def ids(self) -> list[str]:
        """The live ids, in position order."""
        return list(self._pos)

    def __len__(self) -> int:
        return len(self._pos)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self._pos

    @property
    def delta_rows(self) -> int:
        """Rows (live or dead) stored since the last compaction."""
        return self._n - self._main.n_rows

    @property
    def dead_rows(self) -> int:
        return self._dead
