"""The consent evaluator: unit cases and properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from overstap_passport.domain.consent import (
    ANY_PARTY,
    ConsentRecord,
    ConsentTerms,
    Part,
    Purpose,
    check_terms,
    evaluate,
    expand,
    parse_parts,
    parse_purpose,
)
from overstap_passport.domain.errors import InvalidInput

T0 = datetime(2025, 1, 1, tzinfo=UTC)
PARTIES = ["uwv", "gemeente-utrecht", "coach-1", "jobboard-x", "employer-y"]

parties = st.sampled_from(PARTIES)
purposes = st.sampled_from(list(Purpose))
part_sets = st.frozensets(st.sampled_from(list(Part)), min_size=1)
offsets = st.integers(min_value=-1000, max_value=1000).map(lambda h: T0 + timedelta(hours=h))


@st.composite
def consents(draw: st.DrawFn, passport: str = "p1") -> ConsentRecord:
    valid_from = draw(offsets)
    valid_to = draw(st.none() | st.integers(1, 500).map(lambda h: valid_from + timedelta(hours=h)))
    withdrawn = draw(st.none() | offsets)
    grantee = draw(parties | st.just(ANY_PARTY))
    return ConsentRecord(
        draw(st.uuids()).hex,
        passport,
        grantee,
        draw(purposes),
        draw(part_sets),
        valid_from,
        valid_to,
        valid_from,
        withdrawn,
    )


def consent(grantee: str = "uwv", purpose: Purpose = Purpose.MATCHING, parts=(Part.SKILLS,), **kw) -> ConsentRecord:
    base = {"valid_from": T0, "valid_to": T0 + timedelta(days=30), "granted_at": T0, "withdrawn_at": None}
    base.update(kw)
    return ConsentRecord("c1", "p1", grantee, purpose, frozenset(parts), **base)


def test_in_force_window_and_withdrawal() -> None:
    c = consent()
    assert not evaluate([c], "uwv", Purpose.MATCHING, T0 - timedelta(seconds=1)).allowed  # not yet
    assert evaluate([c], "uwv", Purpose.MATCHING, T0).allowed
    assert not evaluate([c], "uwv", Purpose.MATCHING, T0 + timedelta(days=30)).allowed  # expired (valid_to exclusive)
    w = consent(withdrawn_at=T0 + timedelta(days=1))
    assert evaluate([w], "uwv", Purpose.MATCHING, T0 + timedelta(hours=23)).allowed
    assert not evaluate([w], "uwv", Purpose.MATCHING, T0 + timedelta(days=1)).allowed  # at once


def test_party_purpose_and_parts() -> None:
    c = consent(parts=(Part.WISHES,))
    assert not evaluate([c], "gemeente", Purpose.MATCHING, T0).allowed
    assert not evaluate([c], "uwv", Purpose.COACHING, T0).allowed
    decision = evaluate([c], "uwv", Purpose.MATCHING, T0, {Part.SKILLS})
    assert not decision.allowed and "skills" in decision.reason
    both = [c, consent(parts=(Part.EVIDENCE,), **{"valid_to": None})]
    decision = evaluate(both, "uwv", Purpose.MATCHING, T0, {Part.SKILLS, Part.WISHES})
    assert decision.allowed and decision.parts == {Part.SKILLS, Part.EVIDENCE, Part.WISHES}


def test_any_party_only_for_vacancy_candidates_and_never_contact() -> None:
    star = consent(ANY_PARTY, Purpose.VACANCY_CANDIDATES)
    assert evaluate([star], "jobboard-x", Purpose.VACANCY_CANDIDATES, T0, {Part.SKILLS}).allowed
    with pytest.raises(InvalidInput, match="only possible for purpose vacancy-candidates"):
        check_terms(ConsentTerms(ANY_PARTY, Purpose.COACHING, frozenset({Part.SKILLS}), T0, None), T0)
    with pytest.raises(InvalidInput, match="contact details"):
        check_terms(
            ConsentTerms(ANY_PARTY, Purpose.VACANCY_CANDIDATES, frozenset({Part.CONTACT, Part.SKILLS}), T0, None), T0
        )


def test_terms_are_checked() -> None:
    with pytest.raises(InvalidInput, match="unknown purpose 'marketing'"):
        parse_purpose("marketing")
    with pytest.raises(InvalidInput, match="at least one part"):
        parse_parts([])
    with pytest.raises(InvalidInput, match="unknown part 9"):
        parse_parts([9])
    with pytest.raises(InvalidInput, match="must be after valid_from"):
        check_terms(
            ConsentTerms(
                "uwv", Purpose.MATCHING, frozenset({Part.SKILLS}), T0 + timedelta(days=2), T0 + timedelta(days=1)
            ),
            T0,
        )
    with pytest.raises(InvalidInput, match="in the past"):
        check_terms(ConsentTerms("uwv", Purpose.MATCHING, frozenset({Part.SKILLS}), T0 - timedelta(days=9), T0), T0)
    with pytest.raises(InvalidInput, match="without spaces"):
        check_terms(ConsentTerms("u w v", Purpose.MATCHING, frozenset({Part.SKILLS}), T0, None), T0)
    with pytest.raises(InvalidInput, match="must cover skills"):
        check_terms(ConsentTerms("x", Purpose.VACANCY_CANDIDATES, frozenset({Part.CONTACT}), T0, None), T0)


@settings(max_examples=300, deadline=None)
@given(st.lists(consents(), max_size=8), parties, purposes, offsets, st.frozensets(st.sampled_from(list(Part))))
def test_allowed_exactly_when_some_matching_consent_is_in_force(cs, party, purpose, now, needed) -> None:
    decision = evaluate(cs, party, purpose, now, needed)
    in_force = [c for c in cs if c.purpose is purpose and c.grantee in (party, ANY_PARTY) and c.in_force(now)]
    granted = expand(p for c in in_force for p in c.parts)
    assert decision.allowed == (bool(in_force) and needed <= granted)
    if decision.allowed:
        assert decision.parts == granted
        assert set(decision.consent_ids) == {c.id for c in in_force}
    else:
        assert decision.parts == frozenset() and decision.consent_ids == ()


@settings(max_examples=200, deadline=None)
@given(st.lists(consents(), max_size=6), consents(), parties, purposes, offsets)
def test_unrelated_consents_change_nothing(cs, other, party, purpose, now) -> None:
    """A consent to another party, or for another purpose, never grants or removes access."""
    if other.grantee in (party, ANY_PARTY) and other.purpose is purpose:
        return
    assert evaluate(cs, party, purpose, now) == evaluate([*cs, other], party, purpose, now)


@settings(max_examples=200, deadline=None)
@given(st.lists(consents(), min_size=1, max_size=6), parties, purposes, offsets)
def test_withdrawing_everything_denies_at_once(cs, party, purpose, now) -> None:
    withdrawn = [
        ConsentRecord(c.id, c.passport_id, c.grantee, c.purpose, c.parts, c.valid_from, c.valid_to, c.granted_at, now)
        for c in cs
    ]
    assert not evaluate(withdrawn, party, purpose, now).allowed
    assert not evaluate(withdrawn, party, purpose, now + timedelta(days=365)).allowed


@settings(max_examples=200, deadline=None)
@given(st.lists(consents(), max_size=6), parties, purposes, offsets)
def test_more_consents_never_mean_less_access(cs, party, purpose, now) -> None:
    for i in range(len(cs)):
        fewer = evaluate(cs[:i] + cs[i + 1 :], party, purpose, now)
        more = evaluate(cs, party, purpose, now)
        assert fewer.parts <= more.parts
        assert not fewer.allowed or more.allowed
