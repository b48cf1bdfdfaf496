"""The audit hash chain: an untouched trail verifies; any single changed, removed or reordered entry does not."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_passport.domain.audit import GENESIS_HASH, AuditRecord, chain_next, verify_chain

T0 = datetime(2025, 3, 1, 12, tzinfo=UTC)
PID = "7f1d3c2e-0000-4000-8000-000000000001"

entries_spec = st.lists(
    st.tuples(
        st.sampled_from(["skill.add", "passport.read", "consent.grant", "consent.withdraw", "access.denied"]),
        st.sampled_from(["owner-1", "coach-7", "uwv-svc"]),
        st.dictionaries(st.sampled_from(["skill", "consent", "parts", "reason"]), st.text(max_size=12), max_size=3),
        st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=25,
)


def build(spec) -> list[AuditRecord]:
    chain: list[AuditRecord] = []
    seq, head = 0, GENESIS_HASH
    for action, subject, details, ms in spec:
        record = chain_next(
            PID, seq, head, T0 + timedelta(milliseconds=ms), subject, "", "person", action, "", "allowed", "", details
        )
        chain.append(record)
        seq, head = record.seq, record.hash
    return chain


def verify(chain: list[AuditRecord], head_seq: int, head_hash: str) -> bool:
    return verify_chain(PID, chain, head_seq, head_hash).valid


@settings(max_examples=150, deadline=None)
@given(entries_spec)
def test_untouched_chain_verifies(spec) -> None:
    chain = build(spec)
    verdict = verify_chain(PID, chain, chain[-1].seq, chain[-1].hash)
    assert verdict.valid and verdict.entry_count == len(chain) and verdict.first_invalid_seq == 0


CHANGES = {
    "at": lambda r: dataclasses.replace(r, at=r.at + timedelta(microseconds=1)),
    "actor_subject": lambda r: dataclasses.replace(r, actor_subject=r.actor_subject + "x"),
    "actor_organisation": lambda r: dataclasses.replace(r, actor_organisation="other"),
    "action": lambda r: dataclasses.replace(r, action="passport.read" if r.action != "passport.read" else "skill.add"),
    "purpose": lambda r: dataclasses.replace(r, purpose="matching"),
    "outcome": lambda r: dataclasses.replace(r, outcome="denied"),
    "consent_id": lambda r: dataclasses.replace(r, consent_id="c-forged"),
    "details_json": lambda r: dataclasses.replace(r, details_json=r.details_json[:-1] + ',"x":1}'),
    "seq": lambda r: dataclasses.replace(r, seq=r.seq + 100),
    "prev_hash": lambda r: dataclasses.replace(r, prev_hash="f" * 64),
    "hash": lambda r: dataclasses.replace(r, hash="0" * 63 + "1"),
}


@settings(max_examples=300, deadline=None)
@given(entries_spec, st.data(), st.sampled_from(sorted(CHANGES)))
def test_any_changed_entry_is_detected(spec, data, field) -> None:
    chain = build(spec)
    i = data.draw(st.integers(0, len(chain) - 1))
    tampered = list(chain)
    tampered[i] = CHANGES[field](chain[i])
    verdict = verify_chain(PID, tampered, chain[-1].seq, chain[-1].hash)
    assert not verdict.valid
    assert verdict.first_invalid_seq == i + 1


@settings(max_examples=200, deadline=None)
@given(entries_spec, st.data())
def test_any_removed_entry_is_detected(spec, data) -> None:
    chain = build(spec)
    i = data.draw(st.integers(0, len(chain) - 1))
    assert not verify(chain[:i] + chain[i + 1 :], chain[-1].seq, chain[-1].hash)


@settings(max_examples=200, deadline=None)
@given(entries_spec.filter(lambda s: len(s) >= 2), st.data())
def test_any_reordering_is_detected(spec, data) -> None:
    chain = build(spec)
    order = data.draw(st.permutations(range(len(chain))).filter(lambda p: list(p) != sorted(p)))
    assert not verify([chain[j] for j in order], chain[-1].seq, chain[-1].hash)


@settings(max_examples=100, deadline=None)
@given(entries_spec, st.data())
def test_rewriting_the_tail_consistently_is_caught_by_the_head(spec, data) -> None:
    """Even recomputing every hash after a change does not help without also moving the recorded head."""
    chain = build(spec)
    i = data.draw(st.integers(0, len(chain) - 1))
    forged_spec = list(spec)
    action, subject, details, ms = forged_spec[i]
    forged_spec[i] = (action, subject + "-forged", details, ms)
    forged = build(forged_spec)
    assert verify(forged, forged[-1].seq, forged[-1].hash)  # a self-consistent forgery...
    assert not verify(forged, chain[-1].seq, chain[-1].hash)  # ...does not end at the recorded head


def test_entries_of_another_passport_do_not_verify() -> None:
    chain = build([("skill.add", "o", {}, 1)])
    other = dataclasses.replace(chain[0], passport_id="someone-else")
    assert not verify([other], 1, chain[0].hash)
