"""The audit trail: append-only and tamper-evident through a hash chain per passport.

Entry ``n`` stores ``hash_n = SHA-256(canonical(entry_n) || prev_hash)`` with ``prev_hash = hash_{n-1}`` (64 zeros
for the first). The passport row keeps the chain head (last seq and hash), so removing the newest entries is
detected as well as changing, removing or reordering any entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def utc(moment: datetime) -> datetime:
    """Aware UTC datetime (SQLite gives back naive ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def instant_text(moment: datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    passport_id: str
    seq: int
    at: datetime
    actor_subject: str
    actor_organisation: str
    actor_role: str
    action: str
    purpose: str
    outcome: str  # allowed | denied
    consent_id: str
    details_json: str
    prev_hash: str
    hash: str


def entry_hash(
    passport_id: str,
    seq: int,
    at: datetime,
    actor_subject: str,
    actor_organisation: str,
    actor_role: str,
    action: str,
    purpose: str,
    outcome: str,
    consent_id: str,
    details_json: str,
    prev_hash: str,
) -> str:
    body = canonical_json(
        [
            "overstap-audit-v1",
            passport_id,
            seq,
            instant_text(at),
            actor_subject,
            actor_organisation,
            actor_role,
            action,
            purpose,
            outcome,
            consent_id,
            details_json,
        ]
    )
    return hashlib.sha256(body.encode() + b"|" + prev_hash.encode()).hexdigest()


def chain_next(
    passport_id: str,
    head_seq: int,
    head_hash: str,
    at: datetime,
    actor_subject: str,
    actor_organisation: str,
    actor_role: str,
    action: str,
    purpose: str,
    outcome: str,
    consent_id: str,
    details: dict[str, Any],
) -> AuditRecord:
    """The entry that follows the head ``(head_seq, head_hash)``."""
    details_json = canonical_json(details)
    seq = head_seq + 1
    digest = entry_hash(
        passport_id, seq, at, actor_subject, actor_organisation, actor_role, action, purpose, outcome,
        consent_id, details_json, head_hash,
    )  # fmt: skip
    return AuditRecord(
        passport_id, seq, utc(at), actor_subject, actor_organisation, actor_role, action, purpose, outcome,
        consent_id, details_json, head_hash, digest,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ChainVerdict:
    valid: bool
    entry_count: int
    first_invalid_seq: int  # 0 when valid
    reason: str
    head_hash: str


def verify_chain(passport_id: str, entries: Sequence[AuditRecord], head_seq: int, head_hash: str) -> ChainVerdict:
    """Check ``entries`` (in storage order) form the unbroken chain that ends at the recorded head."""
    prev = GENESIS_HASH
    for position, entry in enumerate(entries, start=1):
        if entry.passport_id != passport_id:
            return ChainVerdict(False, len(entries), entry.seq or position, f"entry {position} belongs elsewhere", prev)
        if entry.seq != position:
            return ChainVerdict(
                False, len(entries), position, f"expected entry {position}, found entry {entry.seq}", prev
            )
        if entry.prev_hash != prev:
            return ChainVerdict(
                False, len(entries), position, f"entry {position} does not link to its predecessor", prev
            )
        recomputed = entry_hash(
            entry.passport_id, entry.seq, entry.at, entry.actor_subject, entry.actor_organisation, entry.actor_role,
            entry.action, entry.purpose, entry.outcome, entry.consent_id, entry.details_json, entry.prev_hash,
        )  # fmt: skip
        if recomputed != entry.hash:
            return ChainVerdict(
                False, len(entries), position, f"entry {position} was changed after it was written", prev
            )
        prev = entry.hash
    if len(entries) != head_seq or prev != (head_hash or GENESIS_HASH):
        first = min(len(entries), head_seq) + 1
        return ChainVerdict(
            False, len(entries), first,
            f"the trail ends at entry {len(entries)} but the passport records {head_seq} entries", prev,
        )  # fmt: skip
    return ChainVerdict(True, len(entries), 0, "ok", prev)
